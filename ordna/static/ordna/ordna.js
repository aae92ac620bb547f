// Ordna's small behaviours. Loaded as a file: the Content Security Policy forbids inline script.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so keyboard and screen-reader users hear it first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
