// Draws the page's charts: each <div class="vega" data-spec="KEY"> gets the Vega-Lite spec
// KEY from the JSON block #chart-specs (Vega-Embed comes from /assets/vega.js, served by
// Accord itself; nothing is loaded from the internet).
(function () {
  function draw() {
    var block = document.getElementById("chart-specs");
    if (!block || typeof window.vegaEmbed !== "function") { return; }
    var specs = JSON.parse(block.textContent);
    document.querySelectorAll("div.vega[data-spec]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-spec")];
      if (spec) { window.vegaEmbed(el, spec, { actions: false, renderer: "svg" }); }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
