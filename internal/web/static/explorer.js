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

// Charts: a tooltip that follows the pointer and the keyboard focus over
// any mark with data-tip (the SVG's <title> is the no-script fallback);
// embed codes and share links with this site's address; the home map's
// colour choice, zoom and pan.
(function () {
  "use strict";
  var tip = null;
  function showTip(el, x, y) {
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "chart-tip";
      tip.setAttribute("role", "tooltip");
      tip.id = "chart-tip";
      document.body.appendChild(tip);
    }
    tip.textContent = el.getAttribute("data-tip");
    tip.hidden = false;
    var r = el.getBoundingClientRect();
    var left = (x !== undefined ? x : r.left + r.width / 2) + window.scrollX + 12;
    var top = (y !== undefined ? y : r.top) + window.scrollY - 34;
    left = Math.min(left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(4, left) + "px";
    tip.style.top = Math.max(4, top) + "px";
    document.querySelectorAll(".mark.active").forEach(function (m) { m.classList.remove("active"); });
    el.classList.add("active");
    el.setAttribute("aria-describedby", "chart-tip");
  }
  function hideTip() {
    if (tip) tip.hidden = true;
    document.querySelectorAll(".mark.active").forEach(function (m) { m.classList.remove("active"); });
  }
  function tipTarget(e) {
    var t = e.target;
    return t && t.closest ? t.closest("[data-tip]") : null;
  }
  document.addEventListener("mouseover", function (e) { var el = tipTarget(e); if (el) showTip(el, e.clientX, e.clientY); });
  document.addEventListener("mousemove", function (e) { var el = tipTarget(e); if (el && tip && !tip.hidden) showTip(el, e.clientX, e.clientY); });
  document.addEventListener("mouseout", function (e) { if (tipTarget(e)) hideTip(); });
  document.addEventListener("focusin", function (e) { var el = tipTarget(e); if (el) showTip(el); });
  document.addEventListener("focusout", function (e) { if (tipTarget(e)) hideTip(); });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") hideTip(); });
  // SVG <title> tooltips would double the script's: keep them for screen
  // readers as aria-label and drop the native one.
  document.querySelectorAll(".chart-svg .mark[data-tip], .map-svg a[data-tip]").forEach(function (m) {
    m.setAttribute("aria-label", m.getAttribute("data-tip"));
    if (m.classList.contains("mark")) m.setAttribute("role", "img");
    m.querySelectorAll("title").forEach(function (t) { t.remove(); });
  });

  // Embed codes and share links carry this site's address.
  var origin = location.origin;
  document.querySelectorAll("textarea.embed-code").forEach(function (ta) {
    var src = ta.getAttribute("data-src");
    if (src && src.charAt(0) === "/") ta.value = ta.value.split('src="' + src + '"').join('src="' + origin + src + '"');
    ta.addEventListener("focus", function () { ta.select(); });
  });
  document.querySelectorAll("a.share-link").forEach(function (a) {
    if (!navigator.clipboard) return;
    var b = document.createElement("button");
    b.type = "button";
    b.className = "copy-link";
    b.textContent = a.dataset.copy || "Copy";
    b.addEventListener("click", function () {
      navigator.clipboard.writeText(a.href).then(function () { b.textContent = a.dataset.copied || "Copied"; });
    });
    a.after(b);
  });

  // The map: the colour choice applies at once; zoom and pan change the
  // viewBox, within the world's bounds, and keep the points' size.
  var mapForm = document.getElementById("map-form");
  if (mapForm) {
    var sel = document.getElementById("map-measure");
    sel.addEventListener("change", function () { mapForm.submit(); });
  }
  var svg = document.getElementById("network-map");
  if (!svg) return;
  var W = 720, H = 300, MAXZ = 12;
  var vb = { x: 0, y: 0, w: W, h: H };
  var zoomBox = svg.parentNode.querySelector(".map-zoom");
  function clamp() {
    vb.w = Math.min(W, Math.max(W / MAXZ, vb.w));
    vb.h = vb.w * H / W;
    vb.x = Math.min(W - vb.w, Math.max(0, vb.x));
    vb.y = Math.min(H - vb.h, Math.max(0, vb.y));
  }
  function apply() {
    clamp();
    svg.setAttribute("viewBox", [vb.x, vb.y, vb.w, vb.h].map(function (v) { return Math.round(v * 100) / 100; }).join(" "));
    var z = W / vb.w;
    svg.dataset.zoom = z.toFixed(2);
    svg.querySelectorAll("circle.pt").forEach(function (c) { c.setAttribute("r", (3.4 / Math.sqrt(z)).toFixed(2)); });
  }
  function zoomAt(f, cx, cy) {
    var nw = vb.w / f;
    nw = Math.min(W, Math.max(W / MAXZ, nw));
    var k = nw / vb.w;
    vb.x = cx - (cx - vb.x) * k;
    vb.y = cy - (cy - vb.y) * k;
    vb.w = nw;
    apply();
  }
  function toMap(clientX, clientY) {
    var r = svg.getBoundingClientRect();
    return { x: vb.x + (clientX - r.left) / r.width * vb.w, y: vb.y + (clientY - r.top) / r.height * vb.h };
  }
  if (zoomBox) {
    zoomBox.hidden = false;
    zoomBox.addEventListener("click", function (e) {
      var b = e.target.closest("button");
      if (!b) return;
      var z = b.getAttribute("data-zoom");
      if (z === "reset") { vb = { x: 0, y: 0, w: W, h: H }; apply(); return; }
      zoomAt(z === "in" ? 2 : 0.5, vb.x + vb.w / 2, vb.y + vb.h / 2);
    });
  }
  svg.addEventListener("wheel", function (e) {
    e.preventDefault();
    var p = toMap(e.clientX, e.clientY);
    zoomAt(e.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (e) {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, vx: vb.x, vy: vb.y, moved: false };
  });
  svg.addEventListener("pointermove", function (e) {
    if (!drag) return;
    var r = svg.getBoundingClientRect();
    var dx = (e.clientX - drag.x) / r.width * vb.w, dy = (e.clientY - drag.y) / r.height * vb.h;
    if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 3) drag.moved = true;
    vb.x = drag.vx - dx; vb.y = drag.vy - dy;
    apply();
  });
  window.addEventListener("pointerup", function () { if (drag && drag.moved) { svg.dataset.dragged = "1"; } drag = null; });
  svg.addEventListener("click", function (e) {
    if (svg.dataset.dragged) { e.preventDefault(); delete svg.dataset.dragged; }
  }, true);
  // Keyboard: + and − zoom, arrows pan, 0 resets, when the map's controls have focus.
  svg.parentNode.addEventListener("keydown", function (e) {
    var step = vb.w / 8;
    switch (e.key) {
      case "+": case "=": zoomAt(2, vb.x + vb.w / 2, vb.y + vb.h / 2); break;
      case "-": zoomAt(0.5, vb.x + vb.w / 2, vb.y + vb.h / 2); break;
      case "0": vb = { x: 0, y: 0, w: W, h: H }; apply(); break;
      case "ArrowLeft": vb.x -= step; apply(); break;
      case "ArrowRight": vb.x += step; apply(); break;
      case "ArrowUp": vb.y -= step; apply(); break;
      case "ArrowDown": vb.y += step; apply(); break;
      default: return;
    }
    e.preventDefault();
  });
})();
