// Live pages: the server pushes a "change" event (GET /events) after every heartbeat run and
// every edit; the page re-reads itself and swaps the parts marked data-live (each with an id).
// If the stream is unavailable (a Supabase store answers 204) or drops, the page polls instead.
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="wip-refresh"]');
  var pollSeconds = meta ? parseInt(meta.content, 10) : 0;
  var root = document.documentElement;
  var timer = null, poller = null, busy = false, again = false;

  function editing(node) {
    // Never pull the ground from under someone typing or choosing.
    var active = document.activeElement;
    return active && active !== document.body && node.contains(active) &&
      /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
  }

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (node) {
      var next = fresh.getElementById(node.id);
      if (!next || editing(node)) return;
      var adopted = document.importNode(next, true);
      node.replaceWith(adopted);
      if (window.htmx) window.htmx.process(adopted);
    });
    root.dataset.liveRefreshes = String(parseInt(root.dataset.liveRefreshes || "0", 10) + 1);
    document.dispatchEvent(new CustomEvent("wip:updated"));
  }

  function refresh() {
    timer = null;
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { headers: { Accept: "text/html" }, cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { /* the next event or poll tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; refresh(); }
      });
  }

  function soon() {
    // A backfill announces many runs at once: one re-read for a burst.
    if (!timer) timer = setTimeout(refresh, 250);
  }

  function poll(on) {
    root.dataset.live = on ? "polling" : "stream";
    if (on && !poller && pollSeconds > 0) poller = setInterval(refresh, pollSeconds * 1000);
    if (!on && poller) { clearInterval(poller); poller = null; }
  }

  function connect() {
    if (!document.querySelector("[data-live][id]")) return;
    if (typeof EventSource === "undefined") { poll(true); return; }
    var stream = new EventSource("/events");
    var wasDown = false;
    stream.addEventListener("ready", function () {
      if (wasDown) soon(); // changes made while the stream was down
      wasDown = false;
      poll(false);
    });
    stream.addEventListener("change", soon);
    stream.onerror = function () {
      wasDown = true;
      poll(true); // the browser retries the stream by itself unless it was refused (204)
    };
  }

  document.addEventListener("DOMContentLoaded", connect);
})();
