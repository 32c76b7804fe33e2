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

// Pickers (commune, patient, professional): a text input with role="combobox" whose
// suggestions htmx swaps into its listbox (territory/widgets/commune_input.html). Here:
// loading htmx where the page did not, showing the list, the keyboard (arrows, Enter,
// Escape), and the choice, written into the input. With data-combobox-multiple the
// choice replaces only the last comma-separated item.
(function () {
  "use strict";
  function ensureHtmx() {
    var holder = document.querySelector("[data-htmx-src]");
    if (!holder || window.htmx || document.querySelector("script[data-picker-htmx]")) { return; }
    var script = document.createElement("script");
    script.src = holder.getAttribute("data-htmx-src");
    script.setAttribute("data-picker-htmx", "");
    // htmx processes the page on DOMContentLoaded, long gone by now: process it here.
    script.addEventListener("load", function () {
      if (window.htmx) { window.htmx.process(document.body); }
    });
    document.head.appendChild(script);
  }
  function listFor(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function options(list) { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
  function close(input) {
    var list = listFor(input);
    if (list) { list.hidden = true; }
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }
  function activate(input, index) {
    var list = listFor(input);
    var items = options(list);
    if (!items.length) { return; }
    index = (index + items.length) % items.length;
    items.forEach(function (item, i) { item.setAttribute("aria-selected", i === index ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", items[index].id);
    items[index].scrollIntoView({ block: "nearest" });
  }
  function choose(input, option) {
    if (option.getAttribute("aria-disabled") === "true") { return; }
    var value = option.getAttribute("data-value");
    // A patient or professional picker keeps the chosen id in its hidden input.
    var hidden = document.getElementById(input.getAttribute("data-combobox-value") || "");
    if (hidden) { hidden.value = option.getAttribute("data-id") || ""; }
    if (input.hasAttribute("data-combobox-multiple")) {
      var cut = Math.max(input.value.lastIndexOf(","), input.value.lastIndexOf(";"));
      value = (cut >= 0 ? input.value.slice(0, cut + 1) + " " : "") + value;
    }
    input.value = value;
    close(input);
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  }
  // Typing again forgets the person chosen before: the text is searched anew.
  document.addEventListener("input", function (event) {
    var input = event.target;
    var hidden = input.getAttribute && document.getElementById(input.getAttribute("data-combobox-value") || "");
    if (hidden) { hidden.value = ""; }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail.target;
    if (!list || list.getAttribute("role") !== "listbox") { return; }
    var input = document.querySelector("[aria-controls='" + list.id + "']");
    if (!input) { return; }
    var items = options(list);
    items.forEach(function (item, i) { item.id = list.id + "-" + i; });
    var open = items.length > 0 && document.activeElement === input;
    list.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
    var status = document.getElementById(list.id + "-status");
    if (status) {
      status.textContent = items.length ? items.length + " suggestion" + (items.length > 1 ? "s" : "") +
        " : flèches pour choisir, Entrée pour valider." : "Aucune suggestion.";
    }
  });
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!input.hasAttribute || !input.hasAttribute("data-combobox")) { return; }
    var list = listFor(input);
    if (!list) { return; }
    var items = options(list);
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items.length) { return; }
      event.preventDefault();
      if (list.hidden) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      activate(input, current + (event.key === "ArrowDown" ? 1 : current < 0 ? 0 : -1));
    } else if (event.key === "Enter" && !list.hidden && current >= 0) {
      event.preventDefault();  // choosing, not sending the form
      choose(input, items[current]);
    } else if (event.key === "Escape" && !list.hidden) {
      event.preventDefault();
      close(input);
    }
  });
  // mousedown would move the focus out of the input (and close the list) before click.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".combobox-list [role=option]")) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".combobox-list [role=option]");
    if (!option) { return; }
    var input = document.querySelector("[aria-controls='" + option.parentNode.id + "']");
    if (input) { choose(input, option); }
  });
  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (input.hasAttribute && input.hasAttribute("data-combobox")) {
      setTimeout(function () { if (document.activeElement !== input) { close(input); } }, 150);
    }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ensureHtmx);
  } else {
    ensureHtmx();
  }
  document.addEventListener("htmx:afterSettle", ensureHtmx);
})();

/* -- crisis: the activation form shows the authority's decision only for a crisis -- */
(function () {
  "use strict";
  function sync(form) {
    var checked = form.querySelector("input[name=kind]:checked");
    var trigger = form.querySelector("[data-crisis-trigger]");
    if (trigger) { trigger.hidden = !!checked && checked.value !== "crisis"; }
  }
  function init() {
    var forms = document.querySelectorAll("[data-crisis-activate]");
    for (var i = 0; i < forms.length; i++) { sync(forms[i]); }
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("[data-crisis-activate]");
    if (form && event.target.name === "kind") { sync(form); }
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
// ---- Crisis board and alert pages (crisis/board_live.html, alerts_live.html): the
// polling of a [data-pause-hidden] fragment skips its turns while the tab is hidden (a
// board left open in a background tab all night asks nothing of the server).
document.addEventListener("htmx:beforeRequest", function (event) {
  var source = event.detail && event.detail.elt;
  if (document.hidden && source && source.closest && source.closest("[data-pause-hidden]")) {
    event.preventDefault();
  }
});
