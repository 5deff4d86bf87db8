// Detection sensitivity: what each setting would have raised per day over the last 30 days
// (lines, one per sensitivity). Data from <script type="application/json" id="backtest-data">
// (never executed); the page shows the same counts as a table.
(function () {
  'use strict';
  function mount() {
    var dataEl = document.getElementById('backtest-data');
    var box = document.getElementById('backtest-chart');
    if (!dataEl || !box || typeof uPlot === 'undefined') return;
    var data = JSON.parse(dataEl.textContent || '{}');
    var days = data.days || [];
    var xs = days.map(function (d) {
      return Date.parse(d + 'T00:00:00+09:00') / 1000;
    });
    var colours = ['#2e7d32', '#2f2a26', '#b3261e'];
    var plot = null;
    function build() {
      if (plot) plot.destroy();
      box.textContent = '';
      var series = [
        {
          label: '日付',
          value: function (u, ts) {
            if (ts == null) return '--';
            var d = new Date(ts * 1000 + 9 * 3600 * 1000);
            return d.getUTCMonth() + 1 + '/' + d.getUTCDate();
          },
        },
      ].concat(
        (data.series || []).map(function (s, i) {
          return { label: s.label, stroke: colours[i % colours.length], width: s.current ? 3 : 1.5, dash: s.current ? undefined : [6, 4] };
        }),
      );
      plot = new uPlot(
        {
          width: Math.max(Math.floor(box.getBoundingClientRect().width), 260),
          height: 220,
          scales: { x: { time: true }, y: { range: [0, Math.max(3, data.max || 0) + 1] } },
          axes: [
            {
              values: function (u, splits) {
                return splits.map(function (ts) {
                  var d = new Date(ts * 1000 + 9 * 3600 * 1000);
                  return d.getUTCMonth() + 1 + '/' + d.getUTCDate();
                });
              },
              space: 50,
            },
            { label: '件/日' },
          ],
          series: series,
        },
        [xs].concat(
          (data.series || []).map(function (s) {
            return s.counts;
          }),
        ),
        box,
      );
    }
    build();
    var last = box.getBoundingClientRect().width;
    new ResizeObserver(function () {
      var w = box.getBoundingClientRect().width;
      if (Math.abs(w - last) > 20) {
        last = w;
        build();
      }
    }).observe(box);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
})();
