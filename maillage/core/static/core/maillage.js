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
  window.addEventListener("load", later);  // fonts and images may widen a table after parsing
  document.addEventListener("htmx:afterSettle", later);
})();

// ---- Defects of issue 11: error summary focus, scrolling tables said, htmx swaps ----
(function () {
  "use strict";
  // A form refused comes back with its error summary at the top (_form_errors.html): the
  // focus goes there, so a keyboard or screen-reader user hears every error at once and
  // follows its link to the field, instead of hunting down the page.
  // Each summary takes the focus once: when the page opens with it, or when htmx swaps
  // it in (an outerHTML swap replaces the element the event names, so the document is
  // searched for a summary not yet focused).
  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]:not([data-focused])");
    if (summary) {
      summary.setAttribute("data-focused", "");
      summary.focus();
    }
  }
  focusSummary();
  document.addEventListener("htmx:afterSettle", focusSummary);
  // A link of the summary moves the focus into its field (not only the scroll).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) { return; }
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.scrollIntoView({block: "center"});
      field.focus();
    }
  });

  // A table wider than the screen says so in a sentence above it (the shadow of
  // maillage.css shows where the hidden columns are).
  function sayScrollingTables() {
    document.querySelectorAll(".table-wrap").forEach(function (frame) {
      var scrolls = frame.scrollWidth > frame.clientWidth + 1;
      var hint = frame.previousElementSibling;
      if (!(hint && hint.classList.contains("scroll-hint"))) {
        if (!scrolls) { return; }
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = "Le tableau est plus large que l'écran : faites-le défiler sur le côté →";
        frame.parentNode.insertBefore(hint, frame);
      }
      hint.hidden = !scrolls;
    });
  }
  var pending = false;
  function later() {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(function () { pending = false; sayScrollingTables(); });
    }
  }
  sayScrollingTables();
  window.addEventListener("resize", later);
  window.addEventListener("load", later);
  document.addEventListener("htmx:afterSettle", later);
})();
