/* Progress of long jobs (exports, report builds, data imports, clip reading, conformance reports)
   shown in the page as it goes, without reloading it.

   An element with data-job-url is a job (templates/agency/_job.html): the script polls that URL,
   an API detail endpoint or a small status view answering at least {status, progress}, and
   updates, within the job's scope (its closest [data-job-scope], else the whole page):
   - the <progress data-job-progress> bar;
   - [data-job-text="name"]: the answer's field of that name (status through data-job-labels);
   - [data-job-when="status ..."]: shown while the status is one of those (a download link once
     done, the error once failed), hidden otherwise.
   Once the status is one of data-job-finished, polling stops; with data-job-reload the page is
   loaded again once, to show what the job made. Without scripts the page shows the state it was
   rendered with, and a reload brings it up to date. */
(function () {
  "use strict";
  if (!window.fetch) return;

  var FIRST_DELAY = 1500;
  var LONGEST_DELAY = 10000;
  var FAILURES_ALLOWED = 5;

  function words(text) {
    return (text || "").split(/\s+/).filter(Boolean);
  }

  function update(job, data) {
    var scope = job.closest("[data-job-scope]") || document;
    var labels = JSON.parse(job.dataset.jobLabels || "{}");
    var progress = Number(data.progress);
    scope.querySelectorAll("progress[data-job-progress]").forEach(function (bar) {
      if (!isNaN(progress)) {
        bar.value = progress;
        bar.textContent = progress + "%";
      }
    });
    scope.querySelectorAll("[data-job-text]").forEach(function (element) {
      var name = element.dataset.jobText;
      var value = name === "status" ? labels[data.status] || data.status : data[name];
      if (value !== undefined && value !== null) element.textContent = value;
    });
    scope.querySelectorAll("[data-job-when]").forEach(function (element) {
      element.hidden = words(element.dataset.jobWhen).indexOf(data.status) < 0;
    });
    job.dataset.jobStatus = data.status;
  }

  function watch(job) {
    var finished = words(job.dataset.jobFinished || "done failed");
    var delay = FIRST_DELAY;
    var failures = 0;

    function again(longer) {
      delay = Math.min(LONGEST_DELAY, Math.round(delay * longer));
      window.setTimeout(poll, delay);
    }

    function poll() {
      fetch(job.dataset.jobUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (response.status >= 400 && response.status < 500) throw new Error("stop");
          if (!response.ok) throw new Error("retry");
          return response.json();
        })
        .then(function (data) {
          failures = 0;
          update(job, data);
          if (finished.indexOf(data.status) >= 0) {
            if (job.hasAttribute("data-job-reload")) window.location.reload();
            return;
          }
          again(1.25);
        })
        .catch(function (error) {
          /* Refused (signed out, gone): leave the page as it is; a reload shows why. */
          if (error.message === "stop" || ++failures > FAILURES_ALLOWED) return;
          again(2);
        });
    }

    if (finished.indexOf(job.dataset.jobStatus) < 0) window.setTimeout(poll, delay);
  }

  document.querySelectorAll("[data-job-url]").forEach(watch);
})();
