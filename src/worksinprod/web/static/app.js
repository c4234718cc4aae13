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

  // Tool page: a week of each metric, drawn with uPlot. A canvas cannot use CSS colours, so the
  // theme's custom properties are read here, and the charts are drawn again when it changes.
  function themeColour(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function drawCharts() {
    var series = readJson("series");
    if (!series || typeof uPlot === "undefined") return;
    var line = themeColour("--accent"), text = themeColour("--muted"), grid = themeColour("--line");
    var font = "12px " + getComputedStyle(document.body).fontFamily;
    document.querySelectorAll("figure.chart").forEach(function (figure) {
      var key = figure.dataset.series;
      figure.querySelectorAll(".uplot").forEach(function (old) { old.remove(); });
      var width = Math.max(240, Math.min(figure.clientWidth - 16 || 480, 640));
      var axis = { stroke: text, font: font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      var options = {
        width: width,
        height: 160,
        legend: { show: false },
        series: [{}, { label: figure.dataset.label, stroke: line, width: 1.5 }],
        axes: [axis, Object.assign({}, axis)],
      };
      var chart = new uPlot(options, [series.t, series[key]], figure);
      figure.dataset.points = String(series.t.length);
      figure.dataset.stroke = line;
      chart.root.setAttribute("role", "img");
      chart.root.setAttribute("aria-label", figure.dataset.label + ", last 7 days");
    });
  }

  var scheme = window.matchMedia("(prefers-color-scheme: dark)");
  if (scheme.addEventListener) scheme.addEventListener("change", drawCharts);

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
  });
  document.addEventListener("wip:updated", drawCharts); // live.js swapped in fresh figures
})();
