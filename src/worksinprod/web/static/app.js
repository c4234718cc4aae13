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

  // Map: choosing a tool highlights everything downstream of it, and lists who is affected.
  function downstreamOf(adjacency, start) {
    var seen = {}, order = [], queue = [start];
    seen[start] = true;
    while (queue.length) {
      var next = adjacency[queue.shift()] || [];
      next.forEach(function (target) {
        if (!seen[target]) { seen[target] = true; order.push(target); queue.push(target); }
      });
    }
    return order;
  }

  function showBlastRadius(graph, slug) {
    var affected = downstreamOf(graph.adjacency, slug);
    var hit = {};
    affected.forEach(function (s) { hit[s] = true; });
    document.querySelectorAll("#map .node").forEach(function (node) {
      node.classList.toggle("origin", node.dataset.slug === slug);
      node.classList.toggle("downstream", !!hit[node.dataset.slug]);
    });
    document.querySelectorAll("#map .edge").forEach(function (edge) {
      edge.classList.toggle("hot", edge.dataset.source === slug || !!hit[edge.dataset.source]);
    });
    document.getElementById("blast-title").textContent = "Downstream of " + graph.tools[slug].name;
    var origins = document.getElementById("blast-origins");
    if (origins) origins.remove();
    var list = document.getElementById("affected");
    list.replaceChildren();
    if (!affected.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = "Nothing downstream.";
      list.appendChild(none);
    }
    affected.forEach(function (s) {
      var item = document.createElement("li");
      item.dataset.slug = s;
      var link = document.createElement("a");
      link.href = "/tools/" + encodeURIComponent(s);
      link.textContent = graph.tools[s].name;
      var owner = document.createElement("span");
      owner.className = "muted";
      owner.textContent = " " + graph.tools[s].owner;
      item.append(link, owner);
      list.appendChild(item);
    });
    var select = document.getElementById("focus-select");
    if (select) select.value = slug;
    history.replaceState(null, "", "/map?focus=" + encodeURIComponent(slug));
  }

  function wireMap() {
    var graph = readJson("graph");
    var map = document.getElementById("map");
    if (!graph || !map) return;
    map.addEventListener("click", function (event) {
      var node = event.target.closest(".node");
      if (!node) return;
      event.preventDefault();
      showBlastRadius(graph, node.dataset.slug);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    wireMap();
  });
})();
