// The live tags page works without this script (reload it); with it, the table's values, times,
// ages, qualities and stale flags are fetched again from the JSON API every few seconds.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("live-tags");
  if (!table) { return; }
  var words = table.dataset;
  var status = document.getElementById("live-status");

  function shown(value) {
    var text = value.toFixed(3).replace(/0+$/, "").replace(/\.$/, "");
    return text === "-0" ? "0" : text;
  }
  function age(seconds) {
    if (seconds < 120) { return seconds + " " + words.unitS; }
    if (seconds < 7200) { return Math.floor(seconds / 60) + " " + words.unitMin; }
    if (seconds < 172800) { return Math.floor(seconds / 3600) + " " + words.unitH; }
    return Math.floor(seconds / 86400) + " " + words.unitD;
  }
  function cell(row, selector, text) {
    var found = row.querySelector(selector);
    if (found) { found.textContent = text; }
  }
  function update(tags) {
    var rows = {};
    table.querySelectorAll("tbody tr[data-tag]").forEach(function (row) {
      rows[row.dataset.tag] = row;
    });
    tags.forEach(function (tag) {
      var row = rows[tag.code];
      if (!row) { return; }
      var point = tag.latest;
      cell(row, ".value", point ? shown(point.value) : "–");
      cell(row, ".time", point ? point.time : "–");
      cell(row, ".age", tag.age_s === null || tag.age_s === undefined ? "–" : age(tag.age_s));
      var quality = row.querySelector(".quality");
      if (quality) {
        quality.className = point ? "quality q-" + point.quality : "quality";
        quality.textContent = point ? (words[point.quality] || point.quality) : "";
      }
      var flag = row.querySelector(".stale-flag");
      if (flag) { flag.hidden = !tag.stale; }
      row.classList.toggle("stale", tag.stale);
    });
    if (status) { status.dataset.updated = new Date().toISOString(); }
  }
  function poll() {
    fetch(words.refresh, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : Promise.reject(answer.status); })
      .then(function (tags) { table.classList.remove("offline"); update(tags); })
      .catch(function () { table.classList.add("offline"); });
  }
  setInterval(poll, 1000 * (Number(words.seconds) || 5));
});
