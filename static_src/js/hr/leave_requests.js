/*
 * Leave request form: shows how many calendar days the chosen dates cover
 * and keeps "To" from going before "From".
 */
(function (document) {
  "use strict";

  var start = document.getElementById("id_start");
  var end = document.getElementById("id_end");
  var output = document.querySelector("[data-leave-days]");
  if (!start || !end || !output) {
    return;
  }

  var DAY_MS = 24 * 60 * 60 * 1000;

  function parse(value) {
    // "YYYY-MM-DD" as UTC midnight, so daylight-saving changes cannot shift the count.
    var parts = value.split("-").map(Number);
    return parts.length === 3 ? Date.UTC(parts[0], parts[1] - 1, parts[2]) : NaN;
  }

  function update() {
    end.min = start.value;
    var days = Math.round((parse(end.value) - parse(start.value)) / DAY_MS) + 1;
    if (!isFinite(days) || days < 1) {
      output.textContent = "";
      return;
    }
    var label = days === 1 ? output.dataset.labelOne : output.dataset.labelMany;
    output.textContent = window.ERP.formatNumber(days) + " " + label;
  }

  start.addEventListener("change", update);
  end.addEventListener("change", update);
  update();
})(document);
