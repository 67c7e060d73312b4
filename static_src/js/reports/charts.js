/*
 * Bar charts for the report pages, drawn on <canvas class="js-bar-chart">.
 * The data comes from a json_script block named by the canvas's data-source:
 * {"labels": [...], "values": [...]}. Bars run right to left on Arabic pages.
 */
(function (window, document) {
  "use strict";

  var ERP = window.ERP;
  var COLORS = { bar: "#0f766e", barAlt: "#c8963e", grid: "#dfe5e3", text: "#64706e" };
  // Room for the value axis on the inline-start side, a small margin on the other.
  var PADDING = { top: 24, bottom: 48, axis: 72, edge: 16 };
  var GRID_LINES = 4;

  function readData(canvas) {
    var source = document.getElementById(canvas.dataset.source);
    return source ? JSON.parse(source.textContent) : { labels: [], values: [] };
  }

  // A round number just above the data maximum, so grid labels read 25,000 not 23,817.
  function niceCeiling(value) {
    if (value <= 0) {
      return 1;
    }
    var magnitude = Math.pow(10, Math.floor(Math.log10(value)));
    var steps = [1, 2, 2.5, 5, 10];
    for (var i = 0; i < steps.length; i += 1) {
      if (steps[i] * magnitude >= value) {
        return steps[i] * magnitude;
      }
    }
    return 10 * magnitude;
  }

  // Category names can be wider than their bar's slot: break them over two lines at a space.
  function labelLines(ctx, label, maxWidth) {
    var words = label.split(" ");
    if (ctx.measureText(label).width <= maxWidth || words.length === 1) {
      return [label];
    }
    var best = null;
    var bestWidth = Infinity;
    for (var cut = 1; cut < words.length; cut += 1) {
      var lines = [words.slice(0, cut).join(" "), words.slice(cut).join(" ")];
      var width = Math.max(ctx.measureText(lines[0]).width, ctx.measureText(lines[1]).width);
      if (width < bestWidth) {
        best = lines;
        bestWidth = width;
      }
    }
    return best;
  }

  function draw(canvas) {
    var data = readData(canvas);
    var ratio = window.devicePixelRatio || 1;
    var width = canvas.clientWidth;
    var height = Number(canvas.getAttribute("height")) || 260;

    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    canvas.style.height = height + "px";

    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "12px system-ui, sans-serif";

    var plotWidth = width - PADDING.axis - PADDING.edge;
    var plotLeft = ERP.rtl ? PADDING.edge : PADDING.axis;
    var plotHeight = height - PADDING.top - PADDING.bottom;
    var max = niceCeiling(Math.max.apply(null, data.values.concat([0])));

    // Horizontal grid lines with their values.
    ctx.strokeStyle = COLORS.grid;
    ctx.fillStyle = COLORS.text;
    ctx.textBaseline = "middle";
    ctx.textAlign = ERP.rtl ? "left" : "right";
    for (var line = 0; line <= GRID_LINES; line += 1) {
      var y = PADDING.top + plotHeight - (plotHeight * line) / GRID_LINES;
      ctx.beginPath();
      ctx.moveTo(plotLeft, y);
      ctx.lineTo(plotLeft + plotWidth, y);
      ctx.stroke();
      var labelX = ERP.rtl ? plotLeft + plotWidth + 8 : plotLeft - 8;
      ctx.fillText(ERP.formatNumber((max * line) / GRID_LINES), labelX, y);
    }

    var count = data.values.length;
    var slot = plotWidth / Math.max(count, 1);
    var barWidth = Math.min(64, slot * 0.6);

    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    data.values.forEach(function (value, index) {
      var position = ERP.rtl ? count - 1 - index : index;
      var x = plotLeft + slot * position + (slot - barWidth) / 2;
      var barHeight = (plotHeight * value) / max;
      ctx.fillStyle = index % 2 ? COLORS.barAlt : COLORS.bar;
      ctx.fillRect(x, PADDING.top + plotHeight - barHeight, barWidth, barHeight);
      ctx.fillStyle = COLORS.text;
      labelLines(ctx, data.labels[index], slot - 4).forEach(function (text, line) {
        ctx.fillText(text, x + barWidth / 2, PADDING.top + plotHeight + 10 + line * 15);
      });
    });
  }

  var canvases = Array.prototype.slice.call(document.querySelectorAll("canvas.js-bar-chart"));
  canvases.forEach(draw);

  // Redraw at the new width once resizing settles.
  var pending;
  window.addEventListener("resize", function () {
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      canvases.forEach(draw);
    }, 150);
  });
})(window, document);
