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

// --- Main navigation (core/_nav.html). Without JavaScript every link shows. On a phone it
// folds behind the menu button; from 60em (the CSS breakpoint) the menu is always open and
// each group is a disclosure (WAI-ARIA disclosure navigation): one open at a time, closed
// by Escape, by a click elsewhere or when the focus leaves it.
(function () {
  "use strict";
  var nav = document.querySelector("[data-menu]");
  var menuButton = document.querySelector("[data-menu-toggle]");
  if (!nav || !menuButton) {
    return;
  }
  var desktop = window.matchMedia("(min-width: 60em)");
  var toggles = Array.prototype.slice.call(nav.querySelectorAll("[data-nav-toggle]"));

  function links(toggle) {
    return document.getElementById(toggle.getAttribute("aria-controls"));
  }
  function isOpen(button) {
    return button.getAttribute("aria-expanded") === "true";
  }
  function setGroup(toggle, open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    links(toggle).hidden = !open;
  }
  function closeGroups(except) {
    toggles.forEach(function (toggle) {
      if (toggle !== except && isOpen(toggle)) {
        setGroup(toggle, false);
      }
    });
  }
  function setMenu(open) {
    menuButton.setAttribute("aria-expanded", open ? "true" : "false");
    nav.hidden = !open;
  }
  function layout() {
    var wide = desktop.matches;
    menuButton.hidden = wide;
    nav.classList.toggle("is-desktop", wide);
    toggles.forEach(function (toggle) {
      var label = toggle.parentNode.querySelector("[data-nav-label]");
      toggle.hidden = !wide;
      if (label) {
        label.hidden = wide;
      }
      if (wide) {
        setGroup(toggle, false);
      } else {
        links(toggle).hidden = false;
      }
    });
    setMenu(wide);
  }

  menuButton.addEventListener("click", function () {
    setMenu(!isOpen(menuButton));
  });
  toggles.forEach(function (toggle) {
    toggle.addEventListener("click", function () {
      var open = !isOpen(toggle);
      closeGroups(toggle);
      setGroup(toggle, open);
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = toggles.filter(isOpen)[0];
    if (open) {
      setGroup(open, false);
      open.focus();
    } else if (!desktop.matches && isOpen(menuButton) && nav.contains(document.activeElement)) {
      setMenu(false);
      menuButton.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (desktop.matches && !nav.contains(event.target)) {
      closeGroups(null);
    }
  });
  nav.addEventListener("focusout", function (event) {
    if (!desktop.matches || !event.relatedTarget) {
      return;
    }
    toggles.forEach(function (toggle) {
      if (isOpen(toggle) && !toggle.parentNode.contains(event.relatedTarget)) {
        setGroup(toggle, false);
      }
    });
  });
  if (desktop.addEventListener) {
    desktop.addEventListener("change", layout);
  }
  layout();
})();
