// The application form's autosave: a change is saved to the server a
// moment after typing stops (and when the page is hidden), so a draft
// survives a closed browser. Problems come back by field and are shown
// beside it; nothing is saved then, and what was typed stays.
(function () {
  "use strict";
  var form = document.getElementById("prize-form");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var url = form.getAttribute("data-autosave");
  var timer = null, dirty = false, busy = false;

  function say(text, bad) {
    status.textContent = text;
    status.className = bad ? "autosave bad" : "autosave";
  }

  function clearProblems() {
    var old = form.querySelectorAll(".autosave-problem");
    for (var i = 0; i < old.length; i++) { old[i].parentNode.removeChild(old[i]); }
  }

  function showProblems(list) {
    clearProblems();
    (list || []).forEach(function (p) {
      var box = document.getElementById("field-" + p.Field);
      if (!box) { return; }
      var el = document.createElement("p");
      el.className = "field-error autosave-problem";
      el.setAttribute("role", "alert");
      el.textContent = p.Reason;
      box.appendChild(el);
    });
  }

  function save() {
    timer = null;
    if (busy) { dirty = true; return; }
    dirty = false;
    busy = true;
    say(status.getAttribute("data-saving"), false);
    var body = new URLSearchParams(new FormData(form));
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" } })
      .then(function (res) {
        return res.json().then(function (data) { return { ok: res.ok, data: data }; });
      })
      .then(function (r) {
        if (r.ok) {
          clearProblems();
          say(r.data.message, false);
          form.setAttribute("data-saved-at", r.data.saved_at);
        } else {
          say(r.data.error || status.getAttribute("data-failed"), true);
          showProblems(r.data.problems);
        }
      })
      .catch(function () { say(status.getAttribute("data-failed"), true); })
      .then(function () {
        busy = false;
        if (dirty) { schedule(); }
      });
  }

  function schedule() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 1200);
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && timer) {
      clearTimeout(timer);
      timer = null;
      var body = new URLSearchParams(new FormData(form));
      navigator.sendBeacon(url, new Blob([body.toString()], { type: "application/x-www-form-urlencoded" }));
    }
  });

  // Conditional fields: shown when the field they depend on has one of
  // their values (the server applies the same rule).
  function applyConditions() {
    var boxes = form.querySelectorAll("[data-show-field]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      var dep = box.getAttribute("data-show-field");
      var want = box.getAttribute("data-show-values").split(" ");
      var inputs = form.querySelectorAll("[name='f." + dep + "']");
      var on = false;
      for (var j = 0; j < inputs.length; j++) {
        var el = inputs[j];
        if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { continue; }
        if (want.indexOf(el.value) >= 0) { on = true; }
      }
      box.hidden = !on;
    }
  }
  form.addEventListener("change", applyConditions);
  applyConditions();
})();
