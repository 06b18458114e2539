// Follows the machine's current job live (Server-Sent Events) and reloads the page when it ends,
// so the new state and actions appear without a manual reload.
(function () {
  "use strict";
  var job = document.getElementById("job");
  if (!job || !job.dataset.job) return;
  var bar = document.getElementById("job-progress");
  var message = document.getElementById("job-message");
  var state = document.getElementById("job-state");
  // Only a running job reports progress, so the first event also means "running".
  var running = document.createElement("span");
  running.className = "badge badge-running";
  running.textContent = job.dataset.runningLabel;
  var source = new EventSource("/api/v1/jobs/" + job.dataset.job + "/events");
  source.onmessage = function (e) {
    var ev = JSON.parse(e.data);
    bar.value = ev.progress;
    bar.textContent = ev.progress + "%";
    message.textContent = ev.message;
    if (!state.contains(running)) state.replaceChildren(running);
  };
  source.addEventListener("done", function () {
    source.close();
    window.location.reload();
  });
})();
