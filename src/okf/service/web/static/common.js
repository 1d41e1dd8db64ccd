// Shared by every page: the API key (kept in sessionStorage only), the key header on
// htmx requests, and errors shown from the service's problem documents.
"use strict";
(function () {
  var KEY = "okf-api-key";
  var needsKey = document.body.dataset.keys === "required";

  function storedKey() {
    try { return window.sessionStorage.getItem(KEY) || ""; } catch (e) { return ""; }
  }

  function askForKey(message) {
    var panel = document.getElementById("key-panel");
    if (!panel) return;
    panel.hidden = false;
    document.getElementById("key-message").textContent = message || "";
    document.getElementById("key-input").focus();
  }

  function problemText(xhr) {
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && typeof body.detail === "string") return body.detail;
    } catch (e) { /* not JSON */ }
    return "The request failed (HTTP " + xhr.status + ").";
  }

  // Headers for fetch() calls made by page scripts.
  window.okfHeaders = function (extra) {
    var headers = Object.assign({}, extra || {});
    var key = storedKey();
    if (key) headers.Authorization = "Bearer " + key;
    return headers;
  };

  // Where a page shows errors: the element named by data-error on the form, or a default.
  window.okfShowError = function (target, message) {
    var el = document.getElementById(target || "form-error");
    if (el) el.textContent = message;
  };

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("key-form");
    if (form) {
      form.addEventListener("submit", function (ev) {
        ev.preventDefault();
        var value = document.getElementById("key-input").value.trim();
        if (!value) return;
        try { window.sessionStorage.setItem(KEY, value); } catch (e) { /* private mode */ }
        document.getElementById("key-input").value = "";
        document.getElementById("key-panel").hidden = true;
        var first = document.querySelector("main textarea, main input:not([type=hidden])");
        if (first) first.focus();
      });
    }
    if (needsKey && !storedKey()) askForKey("");
  });

  document.addEventListener("htmx:configRequest", function (ev) {
    var key = storedKey();
    if (key) ev.detail.headers.Authorization = "Bearer " + key;
  });

  document.addEventListener("htmx:beforeRequest", function (ev) {
    var target = ev.detail.elt && ev.detail.elt.dataset ? ev.detail.elt.dataset.error : null;
    window.okfShowError(target, "");
  });

  document.addEventListener("htmx:responseError", function (ev) {
    var xhr = ev.detail.xhr;
    var target = ev.detail.elt && ev.detail.elt.dataset ? ev.detail.elt.dataset.error : null;
    if (xhr.status === 401) {
      try { window.sessionStorage.removeItem(KEY); } catch (e) { /* ignore */ }
      askForKey("That key was not accepted; enter a valid key and send again.");
    }
    window.okfShowError(target, problemText(xhr));
  });

  document.addEventListener("htmx:sendError", function (ev) {
    var target = ev.detail.elt && ev.detail.elt.dataset ? ev.detail.elt.dataset.error : null;
    window.okfShowError(target, "The service could not be reached.");
  });

  window.okfProblemText = problemText;
  window.okfAskForKey = askForKey;
})();
