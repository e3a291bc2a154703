/* CommuneWatch UI: charts (uPlot, only on pages that have them) and the "data as of" notice when the
   server cannot be reached. No framework; everything else is server-rendered HTML. */
(() => {
  var body = document.body;
  var asOf = Number(body.getAttribute('data-as-of'));
  var staleBox = document.getElementById('stale');
  function checkServer() {
    if (!staleBox) return;
    fetch('/healthz', { cache: 'no-store' }).then(
      (r) => {
        staleBox.style.display = r.ok ? 'none' : 'block';
      },
      () => {
        staleBox.style.display = 'block';
      },
    );
  }
  if (staleBox && asOf) {
    window.addEventListener('offline', () => {
      staleBox.style.display = 'block';
    });
    window.addEventListener('online', checkServer);
    setInterval(checkServer, 60000);
  }
  function fmtTime(ts) {
    var d = new Date(ts * 1000 + 7 * 3600 * 1000);
    function p(n) {
      return (n < 10 ? '0' : '') + n;
    }
    return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
  }
  // Print buttons (the incident record): inline handlers are barred by the page's CSP, so they are wired here.
  document.querySelectorAll('[data-print]').forEach((b) => {
    b.addEventListener('click', () => window.print());
  });
  var charts = document.querySelectorAll('[data-chart]');
  if (!charts.length || typeof uPlot === 'undefined') return;
  var colors = ['#0b57a3', '#b00020', '#1e7d32', '#c77700', '#6a4fa0', '#00838f'];
  charts.forEach((el) => {
    var spec = JSON.parse(document.getElementById(el.getAttribute('data-chart')).textContent);
    var width = Math.max(280, el.clientWidth || 600);
    var series = [{ label: spec.xLabel, value: (_u, v) => (v == null ? '' : fmtTime(v)) }];
    spec.series.forEach((s, i) => {
      series.push({
        label: s.label,
        stroke: colors[i % colors.length],
        width: 1.5,
        scale: s.scale || 'y',
        spanGaps: false,
        value: (_u, v) => (v == null ? '—' : Math.round(v * 100) / 100 + (s.unit ? ` ${s.unit}` : '')),
      });
    });
    // 24-hour Vietnam time on the axis: "dd/MM" at midnight, "HH:mm" otherwise (uPlot's default is US style).
    var axes = [
      {
        space: 70,
        values: (_u, ticks) =>
          ticks.map((ts) => {
            var s = fmtTime(ts);
            return s.slice(6) === '00:00' ? s.slice(0, 5) : s.slice(6);
          }),
      },
    ];
    spec.axes.forEach((a, i) => {
      axes.push({ scale: a.scale, label: a.label, side: i === 0 ? 3 : 1, grid: { show: i === 0 } });
    });
    // Ticks placed in Vietnam time (midnights, whole hours) whatever the PC's own zone setting.
    var tzDate = (ts) => uPlot.tzDate(new Date(ts * 1000), 'Asia/Ho_Chi_Minh');
    new uPlot(
      { width: width, height: 220, series: series, axes: axes, scales: { x: { time: true } }, tzDate: tzDate },
      spec.data,
      el,
    );
  });
})();
