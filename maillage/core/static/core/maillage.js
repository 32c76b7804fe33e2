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
})();
