// The integration map: a layered layout by dagre (vendored from npm), drawn as SVG, with pan and
// zoom. The graph comes from GET /api/graph (the CSP forbids inline script): the whole of it
// while it fits one drawing, else the part the page names in data-graph (a tool, a category,
// or what is failing), chosen by the server. Names and flows are only written as text.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var MAX_LABELS = 1500; // beyond this flows show on hover only: labels double the layout's work
  var NODE_HEIGHT = 40, NODE_MIN = 100, NODE_MAX = 210, LABEL_MAX = 130, LABEL_HEIGHT = 15;
  var MAX_SCALE = 1.6, MIN_SCALE = 0.05;

  function make(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(name, attrs, content, parent) {
    var node = make(name, attrs, parent);
    node.textContent = content;
    return node;
  }

  function measurer(font) {
    var context = document.createElement("canvas").getContext("2d");
    context.font = font;
    return function (value) { return context.measureText(value).width; };
  }

  function shorten(value, max, measure) {
    if (measure(value) <= max) return value;
    while (value.length > 1 && measure(value + "…") > max) value = value.slice(0, -1);
    return value + "…";
  }

  function downstreamOf(adjacency, starts) {
    var seen = {}, order = [], queue = starts.slice();
    starts.forEach(function (s) { seen[s] = true; });
    while (queue.length) {
      (adjacency[queue.shift()] || []).forEach(function (target) {
        if (!seen[target]) { seen[target] = true; order.push(target); queue.push(target); }
      });
    }
    return order;
  }

  function Graph(data) {
    var self = this;
    this.tools = data.tools;
    this.edges = data.integrations;
    this.bySlug = {};
    this.out = {};
    this.tools.forEach(function (t) { self.bySlug[t.slug] = t; });
    this.edges.forEach(function (e) { (self.out[e.source] = self.out[e.source] || []).push(e.target); });
  }

  // The tools a choice puts at risk: the chosen one (or every failing one) and all downstream.
  Graph.prototype.blast = function (focus) {
    var origins = focus ? [focus] : this.tools.filter(function (t) {
      return t.status === "degraded" || t.status === "down";
    }).map(function (t) { return t.slug; });
    var affected = downstreamOf(this.out, origins).filter(function (s) { return origins.indexOf(s) < 0; });
    return { origins: origins, affected: affected };
  };

  function layout(tools, edges, font) {
    var nameWidth = measurer("600 12px " + font), smallWidth = measurer("10px " + font);
    var shown = {};
    tools.forEach(function (t) { shown[t.slug] = true; });
    edges = edges.filter(function (e) { return shown[e.source] && shown[e.target]; });
    var labelled = edges.length <= MAX_LABELS;
    var g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: "TB", acyclicer: "greedy", ranker: "network-simplex", nodesep: 12, ranksep: 34, edgesep: 8, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(function () { return {}; });
    tools.forEach(function (t) {
      var name = shorten(t.name, NODE_MAX - 20, nameWidth);
      var width = Math.max(NODE_MIN, nameWidth(name) + 22, smallWidth(t.status + " · at risk") + 22);
      g.setNode(t.slug, { width: Math.ceil(width), height: NODE_HEIGHT, name: name, tool: t });
    });
    edges.forEach(function (e) {
      var label = { edge: e };
      if (labelled) {
        label.text = shorten(e.flow, LABEL_MAX, smallWidth);
        label.width = Math.ceil(smallWidth(label.text) + 10);
        label.height = LABEL_HEIGHT;
        label.labelpos = "c";
      }
      g.setEdge(e.source, e.target, label);
    });
    dagre.layout(g);
    return g;
  }

  function render(svg, g) {
    svg.replaceChildren();
    var defs = make("defs", {}, svg);
    var marker = make("marker", { id: "arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "6", markerHeight: "6", orient: "auto-start-reverse" }, defs);
    make("path", { d: "M 0 0 L 10 5 L 0 10 z" }, marker);
    var edgeLayer = make("g", { class: "edges" }, svg);
    var labelLayer = make("g", { class: "edge-labels" }, svg);
    var nodeLayer = make("g", { class: "nodes" }, svg);
    g.edges().forEach(function (ref) {
      var e = g.edge(ref), flow = e.edge;
      var group = make("g", { class: "edge", "data-source": flow.source, "data-target": flow.target }, edgeLayer);
      text("title", {}, g.node(ref.v).tool.name + " → " + g.node(ref.w).tool.name + ": " + flow.flow, group);
      var d = e.points.map(function (p, i) { return (i ? "L" : "M") + p.x.toFixed(1) + " " + p.y.toFixed(1); }).join(" ");
      make("path", { d: d, "marker-end": "url(#arrow)" }, group);
      if (e.text) {
        var label = make("g", { class: "edge-label", "data-source": flow.source, "data-target": flow.target,
          transform: "translate(" + e.x.toFixed(1) + "," + e.y.toFixed(1) + ")" }, labelLayer);
        make("rect", { x: -e.width / 2, y: -e.height / 2, width: e.width, height: e.height, rx: 3 }, label);
        text("text", { "text-anchor": "middle", y: 3.5 }, e.text, label);
      }
    });
    g.nodes().forEach(function (slug) {
      var n = g.node(slug), t = n.tool;
      var link = make("a", { href: "/map?focus=" + encodeURIComponent(slug), class: "node-link" }, nodeLayer);
      var node = make("g", { class: "node status-" + t.status + (t.incident_root ? " incident-root" : ""), "data-slug": slug,
        transform: "translate(" + (n.x - n.width / 2).toFixed(1) + "," + (n.y - n.height / 2).toFixed(1) + ")" }, link);
      make("rect", { width: n.width, height: n.height, rx: 8 }, node);
      text("text", { x: 10, y: 17, class: "name" }, n.name, node);
      text("text", { x: 10, y: 32, class: "status-word" }, t.status, node);
      text("title", {}, t.name + " (" + t.status + "), owned by " + t.owner, node);
    });
  }

  function listItem(href, name, note) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = href;
    link.textContent = name;
    var muted = document.createElement("span");
    muted.className = "muted";
    muted.textContent = " " + note;
    item.append(link, muted);
    return item;
  }

  // The runbook for each affected tool, one click from the blast radius (see playbook_url).
  function playbookLink(slug) {
    var link = document.createElement("a");
    link.href = "/tools/" + encodeURIComponent(slug) + "#playbook";
    link.className = "playbook-link";
    link.textContent = "playbook";
    return link;
  }

  function fill(list, items, empty) {
    list.replaceChildren();
    if (!items.length) {
      var none = document.createElement("li");
      none.className = "muted";
      none.textContent = empty;
      list.appendChild(none);
    }
    items.forEach(function (item) { list.appendChild(item); });
  }

  // The aside (the list a phone and a screen reader use) follows a choice made on the map.
  function describe(graph, slug, blast) {
    var tool = graph.bySlug[slug];
    document.getElementById("blast-title").textContent = "Downstream of " + tool.name;
    var origins = document.getElementById("blast-origins");
    if (origins) origins.remove();
    fill(document.getElementById("affected"), blast.affected.map(function (s) {
      var item = listItem("/tools/" + encodeURIComponent(s), graph.bySlug[s].name, graph.bySlug[s].owner);
      item.dataset.slug = s;
      item.append(" · ", playbookLink(s));
      return item;
    }), "Nothing downstream.");
    fill(document.getElementById("fed-by"), graph.edges.filter(function (e) { return e.target === slug; }).map(function (e) {
      return listItem("/map?focus=" + encodeURIComponent(e.source), graph.bySlug[e.source].name, e.flow);
    }), "Nothing upstream.");
    fill(document.getElementById("feeds"), graph.edges.filter(function (e) { return e.source === slug; }).map(function (e) {
      return listItem("/map?focus=" + encodeURIComponent(e.target), graph.bySlug[e.target].name, e.flow);
    }), "Nothing downstream.");
    document.getElementById("neighbours").hidden = false;
    var page = document.getElementById("focus-page");
    if (page) { page.href = "/tools/" + encodeURIComponent(slug); page.textContent = tool.name + "'s page"; }
    var select = document.getElementById("focus-select");
    if (select) select.value = select.tagName === "SELECT" ? slug : tool.name;
  }

  function MapView(wrap, svg, graph, g) {
    this.svg = svg;
    this.graph = graph;
    this.g = g;
    var size = g.graph();
    this.all = { x: 0, y: 0, w: size.width || 1, h: size.height || 1 };
    this.view = Object.assign({}, this.all);
    this.hot = null;
  }

  MapView.prototype.apply = function () {
    var v = this.view;
    this.svg.setAttribute("viewBox", [v.x, v.y, v.w, v.h].map(function (n) { return n.toFixed(1); }).join(" "));
    // Text too small to read is hidden (browsers also stop scaling tiny glyphs, so it would spill
    // out of its box); names and flows come back as one zooms in, and the tooltips stay.
    this.svg.classList.toggle("far", this.svg.getBoundingClientRect().width / v.w < 0.45);
  };

  MapView.prototype.scaleFor = function (box) {
    var rect = this.svg.getBoundingClientRect();
    return Math.min(rect.width / box.w, rect.height / box.h);
  };

  MapView.prototype.fit = function (box) {
    var rect = this.svg.getBoundingClientRect(), pad = 24;
    var scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, Math.min(rect.width / (box.w + pad), rect.height / (box.h + pad))));
    var w = rect.width / scale, h = rect.height / scale;
    this.view = { x: box.x + box.w / 2 - w / 2, y: box.y + box.h / 2 - h / 2, w: w, h: h };
    this.apply();
  };

  MapView.prototype.zoom = function (factor, point) {
    var v = this.view, rect = this.svg.getBoundingClientRect();
    var scale = rect.width / (v.w / factor);
    if (scale > MAX_SCALE || scale < MIN_SCALE) return;
    point = point || { x: v.x + v.w / 2, y: v.y + v.h / 2 };
    this.view = { x: point.x - (point.x - v.x) / factor, y: point.y - (point.y - v.y) / factor, w: v.w / factor, h: v.h / factor };
    this.apply();
  };

  MapView.prototype.toUser = function (clientX, clientY, matrix) {
    return new DOMPoint(clientX, clientY).matrixTransform((matrix || this.svg.getScreenCTM()).inverse());
  };

  MapView.prototype.highlight = function (blast) {
    var hit = {}, g = this.g, box = null;
    blast.origins.concat(blast.affected).forEach(function (s) { hit[s] = true; });
    this.svg.querySelectorAll(".node").forEach(function (node) {
      var slug = node.dataset.slug, origin = blast.origins.indexOf(slug) >= 0, down = !origin && !!hit[slug];
      node.classList.toggle("origin", origin);
      node.classList.toggle("downstream", down);
      node.querySelector(".status-word").textContent = g.node(slug).tool.status + (down ? " · at risk" : "");
      if (hit[slug]) {
        var n = g.node(slug), x = n.x - n.width / 2, y = n.y - n.height / 2;
        box = box ? { x: Math.min(box.x, x), y: Math.min(box.y, y), x2: Math.max(box.x2, x + n.width), y2: Math.max(box.y2, y + n.height) }
          : { x: x, y: y, x2: x + n.width, y2: y + n.height };
      }
    });
    this.svg.querySelectorAll(".edge, .edge-label").forEach(function (edge) {
      edge.classList.toggle("hot", !!hit[edge.dataset.source] && !!hit[edge.dataset.target]);
    });
    this.hot = box ? { x: box.x, y: box.y, w: box.x2 - box.x, h: box.y2 - box.y } : null;
  };

  // Fit everything; when that makes the failing tools too small to read, fit them instead.
  MapView.prototype.fitDefault = function () {
    if (this.hot && this.scaleFor(this.all) < 0.4) this.fit(this.hot);
    else this.fit(this.all);
  };

  MapView.prototype.wire = function (wrap, onChoose) {
    var self = this, svg = this.svg, drag = null, moved = false;
    svg.addEventListener("wheel", function (event) {
      event.preventDefault();
      self.zoom(Math.exp(-event.deltaY * 0.0015), self.toUser(event.clientX, event.clientY));
    }, { passive: false });
    svg.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      var matrix = svg.getScreenCTM();
      drag = { matrix: matrix, start: self.toUser(event.clientX, event.clientY, matrix), view: Object.assign({}, self.view),
        clientX: event.clientX, clientY: event.clientY };
      moved = false;
    });
    svg.addEventListener("pointermove", function (event) {
      if (!drag) return;
      if (!moved && Math.hypot(event.clientX - drag.clientX, event.clientY - drag.clientY) < 5) return;
      if (!moved) { moved = true; svg.setPointerCapture(event.pointerId); svg.classList.add("dragging"); }
      var here = self.toUser(event.clientX, event.clientY, drag.matrix);
      self.view = Object.assign({}, drag.view, { x: drag.view.x - (here.x - drag.start.x), y: drag.view.y - (here.y - drag.start.y) });
      self.apply();
    });
    function end() { drag = null; svg.classList.remove("dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    svg.addEventListener("click", function (event) {
      var node = event.target.closest(".node");
      if (moved) { event.preventDefault(); moved = false; return; }
      if (!node || !onChoose) return;
      event.preventDefault();
      onChoose(node.dataset.slug);
    });
    wrap.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var how = button.dataset.zoom;
        if (how === "in") self.zoom(1.3);
        else if (how === "out") self.zoom(1 / 1.3);
        else if (how === "risk" && self.hot) self.fit(self.hot);
        else self.fit(self.all);
      });
    });
  };

  function start(wrap, data) {
    var graph = new Graph(data);
    var note = document.getElementById("map-note");
    if (!wrap.offsetParent) return; // a phone: the lists beside the map are the view
    var focus = graph.bySlug[wrap.dataset.focus] ? wrap.dataset.focus : null;
    var blast = graph.blast(focus);
    var tools = graph.tools;
    var svg = document.getElementById("map");
    var g = layout(tools, graph.edges, getComputedStyle(svg).fontFamily);
    render(svg, g);
    var view = new MapView(wrap, svg, graph, g);
    // A wide, flat stack needs less height than the box offers: give the rest back to the lists.
    var width = svg.getBoundingClientRect().width;
    svg.style.height = Math.round(Math.max(320, Math.min(window.innerHeight * 0.7, width * view.all.h / view.all.w + 60))) + "px";
    view.highlight(blast);
    view.fitDefault();
    // In a partial drawing a new choice needs a new neighbourhood: let the link load it.
    var partial = data.scope !== "everything";
    view.wire(wrap, partial ? null : function (slug) {
      var chosen = graph.blast(slug);
      view.highlight(chosen);
      describe(graph, slug, chosen);
      history.replaceState(null, "", "/map?focus=" + encodeURIComponent(slug));
    });
    note.textContent = (partial
      ? "Showing " + tools.length + " of " + data.total + " tools: " + data.scope + ". "
      : graph.tools.length + " tools, " + graph.edges.length + " integrations. ") +
      "Drag to move, scroll or use the buttons to zoom; choose a tool for its blast radius.";
    wrap.dataset.drawn = String(tools.length);
    wrap.map = view; // for the browser tests, which read the layout's boxes from here
  }

  function load() {
    var wrap = document.getElementById("map-wrap");
    if (!wrap || wrap.dataset.loading || typeof dagre === "undefined") return;
    wrap.dataset.loading = "1";
    fetch(wrap.dataset.graph, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) { start(wrap, data); })
      .catch(function () {
        document.getElementById("map-note").textContent = "The map could not be drawn; the lists still say what is at risk.";
      });
  }

  // Suggestions for the text fields, asked of the server as a person types: a large stack's
  // names are never all sent.
  function suggest() {
    var names = document.getElementById("tool-names"), timer = null, asked = "";
    if (!names) return;
    document.querySelectorAll('input[list="tool-names"]').forEach(function (input) {
      input.addEventListener("input", function () {
        clearTimeout(timer);
        var wanted = input.value.trim();
        if (wanted.length < 2 || wanted === asked) return;
        timer = setTimeout(function () {
          asked = wanted;
          fetch("/map/names?q=" + encodeURIComponent(wanted), { headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : []; })
            .then(function (found) {
              names.replaceChildren.apply(names, found.map(function (name) {
                var option = document.createElement("option");
                option.value = name;
                return option;
              }));
            })
            .catch(function () { /* suggestions are a nicety; the form still works */ });
        }, 150);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", load);
  document.addEventListener("DOMContentLoaded", suggest);
  // live.js swapped in a fresh, empty map after a run or an edit: draw it from fresh data.
  document.addEventListener("wip:updated", load);
})();
