/* Poll the map version; when it changes, show a "new map" link (or reload the room view). */
(function () {
  "use strict";
  var root = document.querySelector("[data-version-url]");
  if (!root) { return; }
  var url = root.dataset.versionUrl;
  var current = root.dataset.version;
  var auto = root.dataset.autoReload === "1";
  var notice = document.getElementById("map-updated");
  function poll() {
    fetch(url, {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (String(data.version) !== String(current)) {
          if (auto) { window.location.reload(); return; }
          if (notice) { notice.hidden = false; }
        }
      })
      .catch(function () { /* offline: try again later */ });
  }
  window.setInterval(poll, parseInt(root.dataset.interval || "15000", 10));
}());
