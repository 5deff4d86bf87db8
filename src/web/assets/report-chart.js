// The directors' report: incidents per month (bars) and the median response times per month
// (lines, minutes). Data from <script type="application/json" id="report-data"> (never executed);
// uPlot is served by us. The page shows the same figures as a table beside the charts.
(function () {
  'use strict';
  function mount() {
    var dataEl = document.getElementById('report-data');
    var counts = document.getElementById('report-counts');
    var medians = document.getElementById('report-medians');
    if (!dataEl || !counts || !medians || typeof uPlot === 'undefined') return;
    var data = JSON.parse(dataEl.textContent || '{}');
    var months = data.months || [];
    // One point per month at its first day (JST); the axis shows 「2026/11」.
    var xs = months.map(function (m) {
      return Date.parse(m.month + '-01T00:00:00+09:00') / 1000;
    });
    function label(ts) {
      var d = new Date(ts * 1000 + 9 * 3600 * 1000);
      return d.getUTCFullYear() + '/' + (d.getUTCMonth() + 1);
    }
    var xAxis = {
      values: function (u, splits) {
        return splits.map(label);
      },
      space: 50,
    };
    function width(el) {
      return Math.max(Math.floor(el.getBoundingClientRect().width), 260);
    }
    var plots = [];
    function build() {
      plots.forEach(function (p) {
        p.destroy();
      });
      plots = [];
      counts.textContent = '';
      medians.textContent = '';
      var xCount = {
        time: true,
        range: function (u, min, max) {
          return [min - 15 * 86400, max + 15 * 86400];
        },
      };
      plots.push(
        new uPlot(
          {
            width: width(counts),
            height: 200,
            scales: {
              x: xCount,
              y: {
                range: function (u, min, max) {
                  return [0, Math.max(3, max)];
                },
              },
            },
            axes: [xAxis, { label: '件数', size: 40, incrs: [1, 2, 5, 10, 20, 50, 100] }],
            series: [
              {
                label: '月',
                value: function (u, ts) {
                  return ts == null ? '—' : label(ts);
                },
              },
              {
                label: 'インシデント件数',
                stroke: '#b3261e',
                fill: 'rgba(179,38,30,0.35)',
                paths: uPlot.paths.bars({ size: [0.6, 40] }),
                points: { show: false },
              },
            ],
          },
          [
            xs,
            months.map(function (m) {
              return m.incidents;
            }),
          ],
          counts,
        ),
      );
      var names = data.metrics || [];
      var colors = ['#3b6ea5', '#1e6b3a', '#8a5a00', '#b3261e', '#5f5a55'];
      plots.push(
        new uPlot(
          {
            width: width(medians),
            height: 240,
            scales: {
              x: xCount,
              y: {
                range: function (u, min, max) {
                  return [0, Math.max(10, max)];
                },
              },
            },
            axes: [xAxis, { label: '分（中央値）', size: 48 }],
            series: [
              {
                label: '月',
                value: function (u, ts) {
                  return ts == null ? '—' : label(ts);
                },
              },
            ].concat(
              names.map(function (n, i) {
                return { label: n.label, stroke: colors[i % colors.length], width: 2, spanGaps: true, points: { size: 6 } };
              }),
            ),
          },
          [xs].concat(
            names.map(function (n) {
              return months.map(function (m) {
                var v = m.medians[n.key];
                return v == null ? null : Math.round(v / 6000) / 10;
              });
            }),
          ),
          medians,
        ),
      );
      counts.setAttribute('data-points', String(xs.length));
    }
    build();
    var last = counts.getBoundingClientRect().width;
    new ResizeObserver(function () {
      var w = counts.getBoundingClientRect().width;
      if (Math.abs(w - last) > 8) {
        last = w;
        build();
      }
    }).observe(counts);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', mount);
  else mount();
})();
