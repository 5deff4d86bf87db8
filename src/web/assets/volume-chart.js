// The volume chart (the overview, an alert's page, a post-mortem): volume and negative share over time, per watch target or source.
// Data comes from <script type="application/json" id="overview-data"> (never executed); uPlot is
// served by us (/assets). Drag to zoom, double-click to reset. Without JavaScript the page shows
// the same figures as a table.
(function () {
  'use strict';
  var unmount = null;
  function mount() {
    if (unmount) unmount();
    unmount = null;
    var holder = document.getElementById('overview-chart');
    var dataEl = document.getElementById('overview-data');
    if (!holder || !dataEl || typeof uPlot === 'undefined') return;
    var data = JSON.parse(dataEl.textContent || '{}');
    var picker = document.getElementById('overview-series');
    var fallback = document.getElementById('overview-table');
    if (fallback) fallback.hidden = true;
    var plot = null;

    // Tick labels in Japanese time: 「12/4」 at midnight, 「9:00」 otherwise (JST, whatever the browser's zone).
    var jstParts = new Intl.DateTimeFormat('ja-JP', {
      timeZone: 'Asia/Tokyo',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: '2-digit',
      hour12: false,
    });
    function tick(ts) {
      var parts = {};
      jstParts.formatToParts(new Date(ts * 1000)).forEach(function (p) {
        parts[p.type] = p.value;
      });
      var hour = Number(parts.hour) % 24;
      return hour === 0 && parts.minute === '00' ? parts.month + '/' + parts.day : hour + ':' + parts.minute;
    }

    function seriesFor(key) {
      var all = (data.byWatchTarget || []).concat(data.bySource || []);
      for (var i = 0; i < all.length; i++) if (all[i].key === key) return all[i];
      return all[0];
    }

    function build() {
      var s = seriesFor(picker ? picker.value : '');
      if (!s) return;
      var xs = [],
        totals = [],
        shares = [];
      for (var i = 0; i < s.points.length; i++) {
        var p = s.points[i];
        xs.push(p[0] / 1000);
        totals.push(p[1]);
        shares.push(p[1] > 0 ? Math.round((p[2] / p[1]) * 1000) / 10 : null);
      }
      var width = size().width;
      var opts = {
        width: width,
        height: size().height,
        cursor: { drag: { x: true, y: false } },
        legend: { live: true },
        // Counts start at 0 and a quiet day still shows a readable scale (0–5, not 0–1 in tenths).
        scales: {
          y: {
            range: function (u, min, max) {
              return [0, Math.max(5, max)];
            },
          },
          share: { range: [0, 100] },
        },
        axes: [
          {
            values: function (u, splits) {
              return splits.map(tick);
            },
            space: 60,
          },
          { label: '件数', size: 48, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] },
          { scale: 'share', side: 1, label: 'ネガティブ率 %', grid: { show: false }, size: 48 },
        ],
        series: [
          {
            label: '日時 (JST)',
            value: function (u, ts) {
              return ts == null ? '—' : jstParts.format(new Date(ts * 1000));
            },
          },
          { label: '投稿数', stroke: '#3b6ea5', fill: 'rgba(59,110,165,0.15)', width: 2 },
          { label: 'ネガティブ率 %', scale: 'share', stroke: '#b3261e', width: 2, spanGaps: false },
        ],
      };
      var columns = [xs, totals, shares];
      // An alert's page draws the usual level too: the expected count per bucket, as a dashed line.
      if (typeof data.baseline === 'number') {
        opts.series.push({ label: '通常の水準', stroke: '#5f5a55', width: 1.5, dash: [6, 4] });
        columns.push(
          xs.map(function () {
            return data.baseline;
          }),
        );
      }
      // A post-mortem's chart marks what happened when (alert, acknowledgement, statement, resolution):
      // vertical lines with their labels drawn on the canvas, never as markup.
      var markers = data.markers || [];
      if (markers.length > 0) {
        opts.hooks = {
          draw: [
            function (u) {
              var ctx = u.ctx;
              ctx.save();
              ctx.font = Math.round(11 * devicePixelRatio) + 'px sans-serif';
              ctx.textBaseline = 'top';
              markers.forEach(function (m, i) {
                var x = Math.round(u.valToPos(m.t / 1000, 'x', true));
                if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
                ctx.strokeStyle = m.color || '#2f2a26';
                ctx.fillStyle = m.color || '#2f2a26';
                ctx.lineWidth = devicePixelRatio;
                ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.fillText(String(m.label), x + 3 * devicePixelRatio, u.bbox.top + (i % 4) * 14 * devicePixelRatio);
              });
              ctx.restore();
            },
          ],
        };
      }
      if (plot) plot.destroy();
      holder.textContent = '';
      plot = new uPlot(opts, columns, holder);
      holder.setAttribute('data-points', String(xs.length));
    }

    function size() {
      var w = Math.max(Math.floor(holder.getBoundingClientRect().width), 260);
      return { width: w, height: w < 600 ? 220 : 280 };
    }

    if (picker) picker.addEventListener('change', build);
    // The chart follows its box (a phone turned sideways, a window resized): never wider than the page.
    var observer = null;
    if (typeof ResizeObserver !== 'undefined') {
      observer = new ResizeObserver(function () {
        if (plot) plot.setSize(size());
      });
      observer.observe(holder);
    }
    build();
    unmount = function () {
      if (observer) observer.disconnect();
      if (plot) plot.destroy();
    };
  }
  mount();
  // Live pages swap in new content (live.js): draw the chart again from its new data.
  document.addEventListener('hinoko:refreshed', mount);
})();
