// The research page: submit the corpus to the JSON API, then let htmx follow the job;
// downloads fetched with the key header (a plain link could not carry it).
"use strict";
(function () {
  function showError(message) { window.okfShowError("research-error", message); }

  function options(form) {
    var out = { lang: form.lang.value, top_n: +form.top_n.value || 20 };
    if (form.model.value) out.model = form.model.value;
    var brands = form.brands.value.split(",").map(function (b) { return b.trim(); })
      .filter(function (b) { return b; });
    if (brands.length) out.brands = brands;
    return out;
  }

  function follow(jobId) {
    window.htmx.ajax("GET", "/web/research/" + encodeURIComponent(jobId) + "/progress",
      { target: "#job", swap: "innerHTML" });
  }

  function submit(ev) {
    ev.preventDefault();
    var form = ev.target;
    var body = new FormData();
    var i;
    for (i = 0; i < form.files.files.length; i++) body.append("files", form.files.files[i]);
    for (i = 0; i < form.compare.files.length; i++) body.append("compare", form.compare.files[i]);
    if (form.metrics.files.length) body.append("metrics", form.metrics.files[0]);
    body.append("options", JSON.stringify(options(form)));
    showError("");
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    fetch("/v1/research", { method: "POST", body: body, headers: window.okfHeaders() })
      .then(function (response) {
        return response.text().then(function (text) {
          if (response.status === 401) window.okfAskForKey("Enter a valid API key, then start again.");
          if (!response.ok) {
            throw new Error(window.okfProblemText({ responseText: text, status: response.status }));
          }
          return JSON.parse(text);
        });
      })
      .then(function (job) {
        follow(job.id);
        document.body.dispatchEvent(new CustomEvent("okf-job-submitted"));
      })
      .catch(function (err) { showError(err.message); })
      .then(function () { button.disabled = false; });
  }

  function download(button) {
    var status = document.getElementById("download-status");
    status.textContent = "Preparing " + button.dataset.name + "…";
    fetch(button.dataset.download, { headers: window.okfHeaders() })
      .then(function (response) {
        if (!response.ok) throw new Error("Download failed (HTTP " + response.status + ")");
        return response.blob();
      })
      .then(function (blob) {
        var url = URL.createObjectURL(blob);
        var a = document.createElement("a");
        a.href = url;
        a.download = button.dataset.name;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
        status.textContent = button.dataset.name + " downloaded";
      })
      .catch(function (err) { status.textContent = err.message; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.getElementById("research-form").addEventListener("submit", submit);
    document.addEventListener("click", function (ev) {
      var t = ev.target;
      if (t && t.dataset && t.dataset.download) download(t);
      if (t && t.dataset && t.dataset.follow) follow(t.dataset.follow);
    });
  });
})();
