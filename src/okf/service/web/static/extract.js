// The extract page: files into the text box, keyword ↔ occurrence highlighting, exports.
"use strict";
(function () {
  var TYPES = { md: "text/markdown", markdown: "text/markdown", html: "text/html", htm: "text/html" };
  var marksByKeyword = [];
  var current = -1;
  var cursor = {};

  function loadFile(file) {
    if (!file) return;
    var ext = (file.name.split(".").pop() || "").toLowerCase();
    var reader = new FileReader();
    reader.onload = function () {
      document.getElementById("text").value = String(reader.result);
      var select = document.getElementById("content_type");
      var type = TYPES[ext] || "text/plain";
      // A format this service cannot convert yet is sent as plain text.
      select.value = select.querySelector('option[value="' + type + '"]') ? type : "text/plain";
    };
    reader.onerror = function () { window.okfShowError("form-error", "Could not read " + file.name); };
    reader.readAsText(file);
  }

  var build = null;  // the text still being built: {lines, next, doc}
  // Work per slice of the build; between slices the browser handles input and paints.
  var SLICE_MS = 12;

  function addMark(mark) {
    var keys = mark.dataset.k.split(" ");
    for (var j = 0; j < keys.length; j++) {
      var k = +keys[j];
      (marksByKeyword[k] || (marksByKeyword[k] = [])).push(mark);
      if (k === current) mark.classList.add("on");
    }
  }

  // The server-rendered marks (the first block), indexed once per answer.
  function indexMarks() {
    marksByKeyword = [];
    cursor = {};
    current = -1;
    var doc = document.getElementById("doc");
    if (!doc) return;
    var marks = doc.getElementsByTagName("mark");
    for (var i = 0; i < marks.length; i++) addMark(marks[i]);
  }

  // One block of the text from its data: text nodes and <mark>s, never parsed markup.
  function blockElement(items) {
    var span = document.createElement("span");
    span.className = "chunk";
    for (var i = 0; i < items.length; i++) {
      var item = items[i];
      if (typeof item === "string") {
        span.appendChild(document.createTextNode(item));
        continue;
      }
      var mark = document.createElement("mark");
      mark.dataset.k = item[0];
      mark.textContent = item[1];
      addMark(mark);
      span.appendChild(mark);
    }
    return span;
  }

  function buildSlice(job) {
    if (build !== job) return;  // a newer answer replaced this text
    var until = performance.now() + SLICE_MS;
    var fragment = document.createDocumentFragment();
    do {
      fragment.appendChild(blockElement(JSON.parse(job.lines[job.next++])));
    } while (job.next < job.lines.length && performance.now() < until);
    job.doc.appendChild(fragment);
    if (job.next < job.lines.length) {
      setTimeout(function () { buildSlice(job); }, 0);
      return;
    }
    build = null;
    job.doc.removeAttribute("aria-busy");
    document.body.dataset.built = String(Date.now());
  }

  // The rest of a long text arrives as data (one JSON line per block) and is built a
  // slice at a time, so no single task blocks the page while a 1 MB text appears.
  function buildRest() {
    build = null;
    var pending = document.getElementById("okf-pending");
    var doc = document.getElementById("doc");
    if (!pending || !doc) return;
    var job = { lines: pending.textContent.split("\n"), next: 0, doc: doc };
    pending.remove();
    build = job;
    setTimeout(function () { buildSlice(job); }, 0);
  }

  function highlight(k, on) {
    var list = marksByKeyword[k] || [];
    for (var i = 0; i < list.length; i++) list[i].classList.toggle("on", on);
  }

  function select(k) {
    if (current === k) return;
    if (current >= 0) highlight(current, false);
    current = k;
    if (k >= 0) highlight(k, true);
  }

  function jump(k) {
    var list = marksByKeyword[k] || [];
    if (!list.length) return;
    var n = cursor[k] === undefined ? 0 : (cursor[k] + 1) % list.length;
    cursor[k] = n;
    list[n].scrollIntoView({ block: "center" });
  }

  function resultData() {
    var el = document.getElementById("okf-result");
    return el ? JSON.parse(el.textContent) : null;
  }

  // A cell a spreadsheet would run as a formula gets a leading apostrophe.
  function csvCell(value) {
    var s = String(value);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }

  function toCsv(data) {
    var head = ["rank", "phrase", "score", "count", "intent", "funnel", "modifiers", "variants", "offsets"];
    var lines = [head.join(",")];
    data.keywords.forEach(function (k) {
      lines.push([k.rank, k.phrase, k.score, k.count, k.intent, k.funnel, k.modifiers.join("; "),
        k.variants.join("; "), k.offsets.map(function (o) { return o[0] + "-" + o[1]; }).join(" ")]
        .map(csvCell).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  function exportResult(kind, action) {
    var data = resultData();
    if (!data) return;
    var body = kind === "csv" ? toCsv(data) : JSON.stringify(data, null, 2) + "\n";
    var status = document.getElementById("export-status");
    if (action === "copy") {
      navigator.clipboard.writeText(body).then(
        function () { status.textContent = kind.toUpperCase() + " copied"; },
        function () { status.textContent = "Copy failed: use Download"; });
      return;
    }
    var type = kind === "csv" ? "text/csv;charset=utf-8" : "application/json";
    var url = URL.createObjectURL(new Blob([body], { type: type }));
    var a = document.createElement("a");
    a.href = url;
    a.download = "keywords." + kind;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    status.textContent = "keywords." + kind + " downloaded";
  }

  function keywordOf(ev) {
    var t = ev.target;
    return t && t.classList && t.classList.contains("kw") ? +t.dataset.k : -1;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var text = document.getElementById("text");
    var file = document.getElementById("file");
    file.addEventListener("change", function () { loadFile(file.files[0]); });
    text.addEventListener("dragover", function (ev) { ev.preventDefault(); text.classList.add("drop"); });
    text.addEventListener("dragleave", function () { text.classList.remove("drop"); });
    text.addEventListener("drop", function (ev) {
      ev.preventDefault();
      text.classList.remove("drop");
      if (ev.dataTransfer.files.length) loadFile(ev.dataTransfer.files[0]);
    });

    var results = document.getElementById("results");
    results.addEventListener("mouseover", function (ev) { var k = keywordOf(ev); if (k >= 0) select(k); });
    results.addEventListener("focusin", function (ev) { var k = keywordOf(ev); if (k >= 0) select(k); });
    results.addEventListener("click", function (ev) {
      var k = keywordOf(ev);
      if (k >= 0) { select(k); jump(k); return; }
      var t = ev.target;
      if (t && t.dataset && t.dataset.export) exportResult(t.dataset.export, t.dataset.action);
    });
  });

  document.addEventListener("htmx:afterSwap", function (ev) {
    if (ev.detail.target && ev.detail.target.id === "results") {
      indexMarks();
      buildRest();
      document.body.dataset.results = String(Date.now());
    }
  });
})();
