// The histogram of selection chances on a run's page (Chart.js, vendored).
// Data come from {{ histogram|json_script:"histogram-data" }}; the axis labels,
// translated, from the canvas's data-label-* attributes. No inline script:
// the content security policy forbids them.
(function () {
  "use strict";
  function draw() {
    var canvas = document.getElementById("histogram");
    var source = document.getElementById("histogram-data");
    if (!canvas || !source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var people = canvas.getAttribute("data-label-people");
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: people, data: data.counts, backgroundColor: "#1d6b45" }] },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: {
          x: { title: { display: true, text: canvas.getAttribute("data-label-x") } },
          y: { title: { display: true, text: people } }
        }
      }
    });
  }
  if (document.readyState !== "loading") { draw(); } else { document.addEventListener("DOMContentLoaded", draw); }
})();
