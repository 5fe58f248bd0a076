// The "Print" button of the printable table plan (no inline scripts: see the CSP note in docs/site.md).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
