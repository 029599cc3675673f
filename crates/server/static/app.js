// Danjiang pages work without this script; it only saves a click: filter forms marked
// data-autosubmit are sent as soon as a choice in a drop-down changes.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
