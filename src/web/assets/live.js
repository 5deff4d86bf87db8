// Live pages: one EventSource to /events (Server-Sent Events fed by Postgres NOTIFY). On a change
// the page fetches itself again and swaps in the incident banner — and, on pages that ask for it
// (<main data-live="refresh">, the overview), the whole content; pages with forms only get a note,
// so nothing a person is typing is replaced. The header shows the connection state.
(function () {
  'use strict';
  // A button that removes or disables something asks first (data-confirm holds the question);
  // without script the form simply submits, as the server allows it either way.
  document.addEventListener('submit', function (e) {
    var button = e.submitter;
    var question = button && button.getAttribute('data-confirm');
    if (question && !window.confirm(question)) e.preventDefault();
  });
})();
(function () {
  'use strict';
  if (typeof EventSource === 'undefined') return;
  var status = document.getElementById('live-status');
  function show(text, state) {
    if (!status) return;
    status.textContent = text;
    status.setAttribute('data-state', state);
  }
  var timer = null;
  var busy = false;
  function refresh() {
    if (busy) {
      timer = setTimeout(refresh, 1000);
      return;
    }
    busy = true;
    fetch(location.href, { credentials: 'same-origin', headers: { 'x-requested-with': 'live' } })
      .then(function (res) {
        return res.ok ? res.text() : null;
      })
      .then(function (html) {
        if (!html) return;
        var next = new DOMParser().parseFromString(html, 'text/html');
        var banner = document.getElementById('banner-slot');
        var nextBanner = next.getElementById('banner-slot');
        if (banner && nextBanner) banner.replaceWith(nextBanner);
        var main = document.getElementById('main');
        var nextMain = next.getElementById('main');
        if (main && nextMain && main.getAttribute('data-live') === 'refresh') {
          main.replaceWith(nextMain);
          document.dispatchEvent(new CustomEvent('hinoko:refreshed'));
        } else if (main && main.getAttribute('data-live') === 'note') {
          var note = document.getElementById('live-note');
          if (note) note.hidden = false;
        }
      })
      .catch(function () {})
      .then(function () {
        busy = false;
      });
  }
  function changed() {
    clearTimeout(timer);
    // A burst of posts is one refetch.
    timer = setTimeout(refresh, 800);
  }
  show('接続中…', 'connecting');
  var source = new EventSource('/events');
  source.addEventListener('hello', function () {
    show('ライブ更新中', 'live');
  });
  ['mentions', 'alert', 'incident', 'resync'].forEach(function (kind) {
    source.addEventListener(kind, changed);
  });
  source.onerror = function () {
    show(source.readyState === EventSource.CLOSED ? '切断（再読み込みしてください）' : '再接続中…', 'down');
  };
  source.onopen = function () {
    show('ライブ更新中', 'live');
  };
})();
