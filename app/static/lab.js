// While a learner's notebook server starts: asks the academy for its state every half
// second, shows the hub's progress and the time waited, and continues the open (the
// page's form, a POST) once waiting is over. Without JavaScript the page offers the
// same form as a button and refreshes itself.
(function () {
  var box = document.querySelector("[data-lab-status-url]");
  if (!box) return;
  var url = box.getAttribute("data-lab-status-url");
  var form = document.getElementById("lab-continue");
  var bar = document.getElementById("lab-progress");
  var message = document.getElementById("lab-message");
  var elapsed = document.getElementById("lab-elapsed");
  var started = Date.now();
  var done = false;
  setInterval(function () {
    elapsed.textContent = Math.round((Date.now() - started) / 1000) + " s";
  }, 1000);
  function show(data) {
    if (typeof data.progress === "number") bar.value = data.progress;
    if (data.message && message.textContent !== data.message) message.textContent = data.message;
  }
  function check() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        show(data);
        if (data["continue"] && !done) {
          done = true;
          form.submit();
        } else if (!done) {
          setTimeout(check, 500);
        }
      })
      .catch(function () { setTimeout(check, 2000); });
  }
  check();
})();
