window.addEventListener("load", function () {
  var rendered = 0, kinds = {};
  document.querySelectorAll("figure[data-figure]").forEach(function (figure) {
    var img = figure.querySelector("img"), svg = figure.querySelector("svg"), ok = false;
    if (img) { ok = img.complete && img.naturalWidth > 0; }
    else if (svg) { var box = svg.getBoundingClientRect(); ok = box.width > 0 && box.height > 0; }
    if (ok) { rendered += 1; kinds[figure.dataset.figure] = true; }
  });
  document.body.dataset.figuresRendered = String(rendered);
  document.body.dataset.figureKindsRendered = Object.keys(kinds).sort().join(" ");
});
