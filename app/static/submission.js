// Keeps a submission's page up to date while it is queued or running: asks the
// server for its state every second and reloads once it is graded. Without
// JavaScript the page offers a refresh link instead.
(function () {
  var box = document.querySelector("[data-submission-status]");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var label = box.querySelector(".status-label");
  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (label) label.textContent = data.status_label;
        box.setAttribute("data-state", data.status);
        if (data.finished) { window.location.reload(); } else { setTimeout(check, 1000); }
      })
      .catch(function () { setTimeout(check, 3000); });
  }
  setTimeout(check, 700);
})();
