// Draws every <canvas data-chart="{Chart.js config}"> on the page. Without Chart.js (or
// without script) the tables under "Show as table" carry the same numbers.
(function () {
  "use strict";
  if (typeof window.Chart === "undefined") {
    document.querySelectorAll("details.chart-table").forEach(function (d) { d.open = true; });
    return;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    try {
      var config = JSON.parse(canvas.getAttribute("data-chart"));
      new window.Chart(canvas, config);
      canvas.setAttribute("data-drawn", "1");
    } catch (err) {
      var table = canvas.closest(".chart-box").nextElementSibling;
      if (table) { table.open = true; }
      if (window.console) { window.console.error(err); }
    }
  });
}());
