/* Scrolling regions (docs/pages.md, "Accessibility"): a wide table sits in a `.scroll` region
   (the query page's answer: a `.table-scroll` region) with tabindex="0", so that a keyboard can
   scroll it. A region whose content fits scrolls nothing, and as a Tab stop it only adds a stop
   and an announced region; this script keeps a region in the Tab order only while its content
   overflows it: at load, whenever the region or its content changes size (a resize, a zoom, a
   <details> opened), and for a region added later (the query page draws every answer anew,
   endpoint/static/ui/query.js, with tabindex="0": this script takes it from there). Without
   the script every region keeps tabindex="0", the safe side. */
(function () {
  "use strict";
  var SELECTOR = ".scroll[tabindex], .table-scroll[tabindex]";
  var regions = [];
  var observer = window.ResizeObserver ? new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      var target = entry.target;
      var region = regions.indexOf(target) !== -1 ? target : target.parentElement;
      if (region && regions.indexOf(region) !== -1) fit(region);
    });
  }) : null;

  function fit(region) {
    var over = region.scrollWidth > region.clientWidth + 1 ||
      region.scrollHeight > region.clientHeight + 1;
    if (over) {
      if (region.getAttribute("tabindex") !== "0") region.setAttribute("tabindex", "0");
    } else if (region.hasAttribute("tabindex") && region !== document.activeElement) {
      region.removeAttribute("tabindex");
    }
  }

  function each(node, f) {
    if (node.nodeType !== 1) return;
    if (node.matches(SELECTOR)) f(node);
    if (node.firstElementChild) Array.prototype.forEach.call(node.querySelectorAll(SELECTOR), f);
  }

  function watch(region) {
    if (regions.indexOf(region) !== -1) return;
    regions.push(region);
    fit(region);
    if (!observer) return;
    observer.observe(region);
    Array.prototype.forEach.call(region.children, function (child) { observer.observe(child); });
  }

  function forget(node) {
    if (node.nodeType !== 1) return;
    regions = regions.filter(function (region) {
      if (region !== node && !node.contains(region)) return true;
      if (observer) {
        observer.unobserve(region);
        Array.prototype.forEach.call(region.children, function (child) { observer.unobserve(child); });
      }
      return false;
    });
  }

  function fitAll() { regions.forEach(fit); }

  each(document.documentElement, watch);
  if (window.MutationObserver && document.body) {
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.removedNodes, forget);
        Array.prototype.forEach.call(record.addedNodes, function (node) { each(node, watch); });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
  if (!observer) window.addEventListener("resize", fitAll);
  window.addEventListener("load", fitAll);
}());
