// Site-wide behaviour (no inline scripts: the content security policy forbids them).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    // Buttons that print the page: <button data-print>.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // After a failed form submit, move focus to the first error summary so
    // screen-reader and keyboard users hear the list of errors at once.
    var summary = document.querySelector(".form-errors");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) { summary.setAttribute("tabindex", "-1"); }
      var details = summary.closest("details");
      if (details) { details.open = true; }
      summary.focus();
      summary.scrollIntoView({block: "center"});
    }
  });
})();
