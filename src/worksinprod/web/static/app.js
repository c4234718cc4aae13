// Works in Prod dashboard behaviour. No inline scripts (the CSP forbids them); data arrives in
// <script type="application/json"> blocks and is only ever written into the page as text.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Forms that remove things ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Tool page: a week of each metric, drawn with uPlot.
  function drawCharts() {
    var series = readJson("series");
    if (!series || typeof uPlot === "undefined") return;
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var key = figure.dataset.series;
      var width = Math.max(260, Math.min(figure.clientWidth || 480, 640));
      var options = {
        width: width,
        height: 160,
        legend: { show: false },
        series: [{}, { label: figure.dataset.label, stroke: "currentColor", width: 1.5 }],
        axes: [{ stroke: "currentColor" }, { stroke: "currentColor" }],
      };
      var chart = new uPlot(options, [series.t, series[key]], figure);
      figure.dataset.points = String(series.t.length);
      chart.root.setAttribute("role", "img");
      chart.root.setAttribute("aria-label", figure.dataset.label + ", last 7 days");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
  });
})();
