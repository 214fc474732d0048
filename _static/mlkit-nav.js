/*
 * Make every sidebar toggle work (sphinx-book-theme 1.3 / pydata-sphinx-theme 0.17).
 *
 * Both themes bind their click handlers with document.querySelector(), i.e. to the
 * FIRST ".primary-toggle" / ".secondary-toggle" only (sphinx-book-theme issue #917).
 * That first button sits in the page header, which sphinx-book-theme hides; the
 * buttons a reader actually sees (in the article header) have no handler, so the
 * ☰ navigation and the page contents never open. Here every other toggle forwards
 * its click to the first one, which runs the themes' own logic: the sidebar dialog
 * on narrow screens, collapsing the sidebar on wide ones.
 */
(function () {
  "use strict";
  function bindAll() {
    ["primary", "secondary"].forEach(function (kind) {
      var toggles = document.querySelectorAll("." + kind + "-toggle");
      if (toggles.length < 2) return;
      var first = toggles[0];
      Array.prototype.slice.call(toggles, 1).forEach(function (button) {
        if (button.dataset.mlkitBound) return;
        button.dataset.mlkitBound = "1";
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          first.click();
          button.blur();
        });
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
})();
