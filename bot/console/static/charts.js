// Draws the dashboard's charts from the JSON block the page carries (the CSP allows no inline script).
(function () {
  "use strict";
  function draw() {
    var block = document.getElementById("chart-data");
    if (!block || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    var font = getComputedStyle(document.body).fontFamily;
    window.Chart.defaults.font.family = font;
    window.Chart.defaults.font.size = 15;
    window.Chart.defaults.color = "#1d2433";
    // score: a 1-5 average (one decimal, axis up to 5) instead of a count.
    function bar(id, series, color, horizontal, score) {
      var canvas = document.getElementById(id);
      if (!canvas || !series) { return; }
      var value = horizontal ? "x" : "y";
      var scales = { x: { ticks: { precision: 0 } }, y: { ticks: { precision: 0 } } };
      if (score) { scales[value] = { min: 0, max: 5, ticks: { stepSize: 1 } }; }
      new window.Chart(canvas, {
        type: "bar",
        data: { labels: series.labels, datasets: [{ label: score ? "平均分" : "件数", data: series.values, backgroundColor: color, maxBarThickness: 40 }] },
        options: {
          indexAxis: horizontal ? "y" : "x", responsive: true, maintainAspectRatio: false, animation: false,
          plugins: { legend: { display: false } },
          scales: scales
        }
      });
      canvas.dataset.drawn = "1";
    }
    bar("chart-categories", data.categories, "#b3261e", true);
    bar("chart-months", data.months, "#1d4ed8", false);
    bar("chart-villages", data.villages, "#0f766e", true);
    bar("chart-ratings", data.ratings, "#b45309", true, true);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
