// CityLens static copy: what the live server does with a rankings page's
// query (filter, sort, page), the static copy does with the variants the
// export wrote (_variants/rankings/<query>.html): this script swaps the
// page's content for the variant that matches the address. A query with no
// variant (two filters at once) gets a link to the live server.
(function () {
  "use strict";
  var me = document.getElementById("citylens-export");
  if (!me || !me.dataset.variants) return;
  var keys = ["page", "peer_group", "population_class", "region", "reverse", "sort", "stage"];
  var q = new URLSearchParams(location.search);
  var parts = [];
  keys.forEach(function (k) {
    var v = q.get(k);
    if (v && !(k === "page" && v === "1") && !(k === "sort" && v === "rank")) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v).replace(/%20/g, "+"));
  });
  var key = parts.join("&");
  if (key === "" || key === (me.dataset.variant || "")) return;
  var main = document.querySelector("main") || document.body;
  fetch(me.dataset.variants + encodeURIComponent(key) + ".html").then(function (res) {
    if (!res.ok) throw new Error(String(res.status));
    return res.text();
  }).then(function (text) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    var next = doc.querySelector("main") || doc.body;
    main.innerHTML = next.innerHTML;
    // The filters apply as soon as a choice changes, as explorer.js does.
    var filters = document.getElementById("ranking-filters");
    if (filters) {
      filters.querySelectorAll("select").forEach(function (s) {
        s.addEventListener("change", function () { filters.submit(); });
      });
    }
    document.documentElement.dataset.variant = key;
  }).catch(function () {
    var p = document.createElement("p");
    p.className = "flash";
    p.id = "live-only";
    p.textContent = me.dataset.liveText + " ";
    var a = document.createElement("a");
    a.href = (me.dataset.live || "") + location.pathname + location.search;
    a.textContent = a.href;
    p.appendChild(a);
    main.insertBefore(p, main.firstChild);
  });
})();
