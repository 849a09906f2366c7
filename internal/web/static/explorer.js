// CityLens explorer: the small script the explorer's interaction needs.
// Rankings: filters apply as soon as a choice changes (the form works
// without it). City profile: the what-if form posts the changed values to
// the API and shows the recomputed score, rank and stage without a reload.
(function () {
  "use strict";
  var filters = document.getElementById("ranking-filters");
  if (filters) {
    filters.querySelectorAll("select").forEach(function (s) {
      s.addEventListener("change", function () { filters.submit(); });
    });
  }
  var form = document.getElementById("whatif");
  if (!form) return;
  var out = document.getElementById("whatif-result");
  function fill(tpl, args) {
    var i = 0;
    return tpl.replace(/%[sdv]/g, function () { var a = args[i++]; return a === undefined || a === null ? "—" : String(a); });
  }
  function num(x) { return x === null || x === undefined ? "—" : (Math.round(x * 10) / 10).toFixed(1); }
  form.addEventListener("input", function (e) {
    if (e.target.name) {
      e.target.classList.toggle("changed", e.target.value.trim() !== e.target.defaultValue.trim());
    }
  });
  form.addEventListener("reset", function () {
    form.querySelectorAll("input.changed").forEach(function (i) { i.classList.remove("changed"); });
    out.textContent = ""; out.className = "";
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var values = {};
    var n = 0;
    form.querySelectorAll("input[name]").forEach(function (i) {
      if (i.value.trim() !== i.defaultValue.trim()) { values[i.name] = i.value.trim(); n++; }
    });
    if (n === 0) { out.className = "error"; out.textContent = form.dataset.msgNochange; return; }
    out.className = ""; out.textContent = "…";
    fetch(form.dataset.api, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ values: values })
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (r) {
      if (!r.ok) {
        out.className = "error";
        out.textContent = form.dataset.msgError + " " + (r.body.error ? r.body.error.message : "");
        return;
      }
      var w = r.body.result;
      out.className = "ok";
      out.dataset.rank = w.rank || "";
      if (!w.ranked) { out.textContent = form.dataset.msgUnranked; return; }
      out.textContent = fill(form.dataset.msgResult, [num(w.old_score), num(w.score), w.old_rank, w.rank, w.cities, w.old_stage, w.stage]);
    }).catch(function (err) {
      out.className = "error";
      out.textContent = form.dataset.msgError + " " + err;
    });
  });
})();
