// Progressive enhancement only: every flow works without this file.
"use strict";
document.querySelectorAll("[data-drop]").forEach(function (zone) {
  var input = zone.querySelector("input[type=file]");
  ["dragenter", "dragover"].forEach(function (ev) {
    zone.addEventListener(ev, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (ev) {
    zone.addEventListener(ev, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    e.preventDefault();
    if (input && e.dataTransfer && e.dataTransfer.files.length) { input.files = e.dataTransfer.files; }
  });
});
document.querySelectorAll("[data-print]").forEach(function (b) {
  b.addEventListener("click", function () { window.print(); });
});
// Keep the progress bar's ARIA value in step with the rows streamed in so far.
var bar = document.getElementById("progress");
var rows = document.querySelector("#results tbody");
if (bar && rows) {
  var sync = function () { bar.setAttribute("aria-valuenow", String(rows.rows.length)); };
  new MutationObserver(sync).observe(rows, { childList: true });
  sync();
}
