/* Scrolling regions (docs/pages.md, "Accessibility"): a wide table sits in a `.scroll` region
   with tabindex="0", so that a keyboard can scroll it. A region whose content fits scrolls
   nothing, and as a Tab stop it only adds a stop and an announced region; this script keeps a
   region in the Tab order only while its content overflows it: at load, and whenever the
   region or its content changes size (a resize, a zoom, a <details> opened). Without the
   script every region keeps tabindex="0", the safe side. */
(function () {
  "use strict";
  var regions = Array.prototype.slice.call(document.querySelectorAll(".scroll[tabindex]"));
  if (!regions.length) return;

  function fit(region) {
    var over = region.scrollWidth > region.clientWidth + 1 ||
      region.scrollHeight > region.clientHeight + 1;
    if (over) {
      if (region.getAttribute("tabindex") !== "0") region.setAttribute("tabindex", "0");
    } else if (region.hasAttribute("tabindex") && region !== document.activeElement) {
      region.removeAttribute("tabindex");
    }
  }

  function fitAll() { regions.forEach(fit); }

  fitAll();
  if (window.ResizeObserver) {
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        var region = entry.target.closest(".scroll");
        if (region) fit(region);
      });
    });
    regions.forEach(function (region) {
      observer.observe(region);
      Array.prototype.forEach.call(region.children, function (child) { observer.observe(child); });
    });
  } else {
    window.addEventListener("resize", fitAll);
  }
  window.addEventListener("load", fitAll);
}());
