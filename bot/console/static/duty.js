// The duty entry form: "select all" per site and the count of deputies chosen (the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("duty-entry");
  if (!form) { return; }
  var shown = document.getElementById("duty-chosen");
  function boxes(site) {
    var set = site ? form.querySelector('fieldset[data-site="' + site + '"]') : form;
    return Array.prototype.slice.call(set.querySelectorAll('input[name="deputy"]'));
  }
  function refresh() {
    var n = boxes().filter(function (b) { return b.checked; }).length;
    shown.textContent = n ? "已勾选 " + n + " 位" : "";
    form.querySelectorAll("input.duty-all").forEach(function (all) {
      var own = boxes(all.dataset.site);
      all.checked = own.length > 0 && own.every(function (b) { return b.checked; });
    });
  }
  form.querySelectorAll("input.duty-all").forEach(function (all) {
    all.addEventListener("change", function () {
      boxes(all.dataset.site).forEach(function (b) { b.checked = all.checked; });
      refresh();
    });
  });
  form.addEventListener("change", function (e) {
    if (e.target.name === "deputy") { refresh(); }
  });
  refresh();
});
