// colmind Playground: draws the explorer's plot from the JSON block and wires the copy buttons.
// No inline scripts anywhere (Content-Security-Policy: script-src 'self').
(function () {
  "use strict";
  var SYMBOLS = ["circle", "square", "diamond", "cross", "x", "triangle-up", "triangle-down", "star",
                 "hexagon", "pentagon", "hourglass", "bowtie", "circle-open", "square-open"];

  function drawPlot() {
    var holder = document.getElementById("plot");
    var dataEl = document.getElementById("plot-data");
    if (!holder || !dataEl || typeof Plotly === "undefined") { return; }
    var d = JSON.parse(dataEl.textContent);
    var bar = d.type === "bar";
    var traces = d.traces.map(function (t) {
      var tr = {name: t.name, x: t.x, y: t.y, text: t.text, customdata: t.uid, hoverinfo: "text",
                type: bar ? "bar" : "scatter", mode: "markers", marker: {}};
      if (!bar && d.symbols) { tr.marker.symbol = t.symbol.map(function (i) { return SYMBOLS[i % SYMBOLS.length]; }); }
      if (!bar && d.sizes) { tr.marker.size = t.size; }
      return tr;
    });
    if (d.front && d.front.x && d.front.x.length) {
      traces.push({name: "Pareto front", x: d.front.x, y: d.front.y, type: "scatter", mode: "lines",
                   line: {color: "#d62728", width: 2, shape: "hv"}, hoverinfo: "skip"});
    }
    var layout = {title: d.title || "", height: 560, margin: {t: 40},
                  xaxis: {title: {text: d.x}, type: d.logx ? "log" : "linear"},
                  yaxis: {title: {text: d.y}, type: d.logy ? "log" : "linear"},
                  legend: {orientation: "v"}, hovermode: "closest"};
    Plotly.newPlot(holder, traces, layout, {displaylogo: false, responsive: true,
                                             toImageButtonOptions: {format: "svg"}}).then(function () {
      holder.setAttribute("data-drawn", String(traces.reduce(function (n, t) {
        return n + (t.name === "Pareto front" ? 0 : t.x.length); }, 0)));
    });
    holder.on("plotly_click", function (ev) {
      var p = ev.points && ev.points[0];
      if (p && p.customdata) {
        window.location.href = "/?action=experiments&result_uid=" + encodeURIComponent(p.customdata);
      }
    });
  }

  function wireCopy() {
    document.querySelectorAll("button.copy").forEach(function (b) {
      b.addEventListener("click", function () {
        var el = document.getElementById(b.getAttribute("data-target"));
        if (el && navigator.clipboard) { navigator.clipboard.writeText(el.textContent); b.textContent = "Copied"; }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { drawPlot(); wireCopy(); });
})();
