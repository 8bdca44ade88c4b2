// The portal's only script of its own (the Content-Security-Policy allows no inline script):
// - a <select data-autosubmit> sends its form when a choice is made (the period picker);
// - each <div class="vega" data-spec="KEY"> gets the Vega-Lite spec KEY from the JSON block
//   #chart-specs, drawn by Vega-Embed from /assets/vega.js (served by Accord itself; nothing
//   is loaded from the internet) with Vega's expression interpreter, since the policy allows
//   no eval.
(function () {
  function autosubmit() {
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }
  function draw() {
    var block = document.getElementById("chart-specs");
    if (!block || typeof window.vegaEmbed !== "function") { return; }
    var specs = JSON.parse(block.textContent);
    document.querySelectorAll("div.vega[data-spec]").forEach(function (el) {
      var spec = specs[el.getAttribute("data-spec")];
      if (spec) { window.vegaEmbed(el, spec, { actions: false, renderer: "svg", ast: true }); }
    });
  }
  // Started at DOMContentLoaded, when every deferred script has run: /assets/vega.js comes
  // after this one on a page with charts.
  var started = false;
  function start() {
    if (started) { return; }
    started = true;
    autosubmit();
    draw();
  }
  document.addEventListener("DOMContentLoaded", start);
  window.addEventListener("load", start);
  if (document.readyState === "complete") { start(); }
})();
