// Small behaviours shared by every page. The Content-Security-Policy forbids inline
// scripts and on*= attributes: elements say what they do with data-* attributes.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-print]");
    if (trigger) {
      event.preventDefault();
      window.print();
    }
  });

  // A table wider than the screen scrolls inside its .table-wrap frame, not the page. A
  // keyboard user must be able to reach that frame to scroll it (WCAG 2.1.1) and hear
  // what it holds: only frames that do scroll become a named tab stop, so a wide screen
  // gets no useless stops.
  function markScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      if (scrolls && !frame.hasAttribute("tabindex")) {
        var caption = frame.querySelector("caption");
        frame.setAttribute("tabindex", "0");
        frame.setAttribute("role", "region");
        frame.setAttribute("aria-label",
          (caption && caption.textContent.trim()) || "Tableau défilant horizontalement");
        frame.setAttribute("data-scroll-frame", "");
      } else if (!scrolls && frame.hasAttribute("data-scroll-frame")) {
        ["tabindex", "role", "aria-label", "data-scroll-frame"].forEach(function (name) {
          frame.removeAttribute(name);
        });
      }
    });
  }
  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () { pending = false; markScrollingTables(); });
    }
  }
  markScrollingTables();  // deferred: the document is parsed
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
