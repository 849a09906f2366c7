package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/siteexport"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// staticServer serves an exported site as a plain static host does: Go's
// http.FileServer, with the export's _headers applied (as a CDN reads
// them).
func staticServer(t *testing.T, dir string) *httptest.Server {
	t.Helper()
	rules, err := siteexport.Headers(dir)
	if err != nil {
		t.Fatal(err)
	}
	fs := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, ok := rules[r.URL.Path]
		if !ok && strings.Contains(r.URL.Path, "/_variants/") {
			h, ok = rules[strings.TrimSuffix(r.URL.Path[:strings.Index(r.URL.Path, "/_variants/")+1], "/")+"/*/_variants/*"], true
			if h == nil {
				h = http.Header{"Content-Type": {"text/html; charset=utf-8"}}
			}
		}
		if ok {
			for k, v := range h {
				w.Header()[k] = v
			}
		}
		fs.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestStaticExportInBrowser exports the demo's 2026 release (the latest)
// as a static site, serves it with http.FileServer, and runs the same
// browser checks of the rankings and city pages against it as against the
// live server: sorting and filtering, a profile, the language switch, the
// CSV beside the API. On the static copy the what-if is a link to the
// live server.
func TestStaticExportInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 240*time.Second)
	env := demoEnv(t, storetest.OpenSQLite(t))
	out := t.TempDir()
	res, err := siteexport.Export(context.Background(), siteexport.Options{Handler: env.Server.Handler(), Release: "latest", Out: out,
		LiveURL: env.URL("")})
	if err != nil {
		t.Fatal(err)
	}
	var rel struct {
		Record struct{ Edition string } `json:"record"`
	}
	getJSON(t, env.Client(), "/api/v1/releases/"+res.Hash, &rel)
	if rel.Record.Edition != "2026" || !res.Latest || res.Files < 100 {
		t.Fatalf("exported release %s of edition %q (latest %v), %d files", res.Hash, rel.Record.Edition, res.Latest, res.Files)
	}
	static := staticServer(t, out)
	for _, site := range []struct {
		name, base string
		static     bool
	}{{"live", env.URL(""), false}, {"static", static.URL, true}} {
		t.Run(site.name, func(t *testing.T) {
			for _, prefix := range []string{"", "/releases/" + res.Hash} {
				browseRankingsAndCity(t, ctx, env, site.base, prefix, site.static)
			}
		})
	}

	t.Run("static headers", func(t *testing.T) {
		for p, want := range map[string]string{
			"/releases/" + res.Hash + "/rankings":             "public, max-age=86400, immutable",
			"/releases/" + res.Hash + "/download/results.csv": "public, max-age=31536000, immutable",
			"/api/v1/releases/" + res.Hash + "/rankings":      "public, max-age=31536000, immutable",
			"/rankings": "public, max-age=60, must-revalidate",
			"/ko/releases/" + res.Hash + "/cities/" + webtest.CityX: "",
		} {
			r, err := http.Get(static.URL + p)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			if want == "" {
				continue
			}
			if r.StatusCode != 200 || r.Header.Get("Cache-Control") != want {
				t.Errorf("%s: %d, Cache-Control %q, want %q", p, r.StatusCode, r.Header.Get("Cache-Control"), want)
			}
		}
		r, err := http.Get(static.URL + "/api/v1/releases/" + res.Hash + "/rankings")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("static API answer: Content-Type %q", ct)
		}
	})
}

// browseRankingsAndCity walks the rankings and a city page at base+prefix
// ("" for the latest release's URLs, /releases/HASH for its own) in the
// browser. On a static copy (static) the what-if is a link to the live
// server, and the language is in the path, not a cookie.
func browseRankingsAndCity(t *testing.T, ctx context.Context, env *webtest.Env, base, prefix string, static bool) {
	api := env.Client()
	do := func(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(t *testing.T, what, js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	strs := func(t *testing.T, what, js string) []string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	waitFor := func(t *testing.T, what, js string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// shown waits for a rankings page's content to be the one its address
	// asks for (the static copy swaps a variant in).
	shown := func(t *testing.T, key string) {
		t.Helper()
		if static {
			waitFor(t, "the variant "+key, `document.documentElement.dataset.variant === '`+key+`'`)
		}
		waitFor(t, "the page", `document.readyState === 'complete' && document.getElementById('f-region') !== null`)
	}
	t.Run("rankings sort and filter"+prefix, func(t *testing.T) {
		do(t, "open rankings", chromedp.Navigate(base+prefix+"/rankings"))
		allRows := strs(t, "rows", `[...document.querySelectorAll('#rankings tbody tr[data-city]')].map(r => r.dataset.city)`)
		var first rankingsBody
		getJSON(t, api, "/api/v1/releases/latest/rankings?limit=50", &first)
		if len(allRows) != len(first.Rows) || allRows[0] != first.Rows[0].City.Code {
			t.Fatalf("rows %v, want the API's first 50 from %s", allRows, first.Rows[0].City.Code)
		}
		do(t, "sort by name", chromedp.Click(chromedp.CSS("#sort-name")))
		waitFor(t, "the name sort", `location.search.includes('sort=name')`)
		shown(t, "sort=name")
		names := strs(t, "names", `[...document.querySelectorAll('#rankings tbody tr[data-city] td:nth-child(2) a')].map(a => a.textContent)`)
		if !sort.StringsAreSorted(names) || len(names) < 2 {
			t.Errorf("after sorting by name the rows are not sorted: %q", names)
		}
		eval(t, "filter Europe", `(() => { const s = document.getElementById('f-region'); s.value = 'EU'; s.dispatchEvent(new Event('change')); return true })()`)
		waitFor(t, "the region filter", `location.search.includes('region=EU')`)
		shown(t, "region=EU&sort=name")
		regions := strs(t, "regions", `[...document.querySelectorAll('#rankings tbody tr[data-city]')].map(r => r.dataset.region)`)
		if len(regions) == 0 {
			t.Fatal("no European city after filtering")
		}
		for _, r := range regions {
			if r != "EU" {
				t.Errorf("a %s city among the European ones", r)
			}
		}
		var eu rankingsBody
		getJSON(t, api, "/api/v1/releases/latest/rankings?region=EU", &eu)
		line := eval(t, "shown", `document.querySelector('.downloads-line').textContent`).(string)
		if !strings.Contains(line, itoa(int64(eu.Total))+" ") || eu.Total == len(first.Rows) {
			t.Errorf("filtered page says %q; the API has %d European cities", line, eu.Total)
		}
	})

	t.Run("city profile and what-if"+prefix, func(t *testing.T) {
		city, ind, value, want := whatIfThatMoves(t, api)
		do(t, "open profile", chromedp.Navigate(base+prefix+"/cities/"+city))
		name := eval(t, "name", `document.getElementById('city-name').textContent`).(string)
		var prof struct {
			Profile struct {
				City struct{ Name string } `json:"city"`
				Rank int                   `json:"rank"`
			} `json:"profile"`
		}
		getJSON(t, api, "/api/v1/releases/latest/cities/"+city, &prof)
		if !strings.HasPrefix(name, prof.Profile.City.Name) || eval(t, "twins", `document.querySelectorAll('#twins tbody tr').length`).(float64) == 0 {
			t.Errorf("profile of %s: name %q (API %q), or no twins", city, name, prof.Profile.City.Name)
		}
		before := eval(t, "rank", `document.getElementById('city-rank').textContent`).(string)
		if !strings.HasPrefix(before, itoa(int64(prof.Profile.Rank))) {
			t.Errorf("rank shown %q, API %d", before, prof.Profile.Rank)
		}
		if static {
			// A computation needs the server: the copy links to its page.
			href := eval(t, "what-if link", `(document.getElementById('whatif-live') || {}).href || ''`).(string)
			if href != env.URL(prefix+"/cities/"+city) || eval(t, "no what-if form", `document.getElementById('whatif') === null`) != true {
				t.Errorf("static what-if: link %q, want %s", href, env.URL(prefix+"/cities/"+city))
			}
			return
		}
		do(t, "what-if", chromedp.SetValue(chromedp.CSS(`#whatif input[name="`+ind+`"]`), value), chromedp.Click(chromedp.CSS("#whatif-run")))
		waitFor(t, "the what-if result", `document.querySelector('#whatif-result.ok') !== null`)
		got := eval(t, "new rank", `document.getElementById('whatif-result').dataset.rank`).(string)
		if got != itoa(int64(want)) {
			t.Errorf("what-if rank %s (API %d)", got, want)
		}
	})

	t.Run("Korean"+prefix, func(t *testing.T) {
		do(t, "open rankings", chromedp.Navigate(base+prefix+"/rankings"))
		do(t, "switch", chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="ko"]`)))
		waitFor(t, "Korean", `document.documentElement.lang === 'ko'`)
		h1 := eval(t, "heading", `document.querySelector('h1').textContent`).(string)
		if !strings.Contains(h1, "순위") {
			t.Errorf("Korean heading %q", h1)
		}
		// A link of a Korean page leads to the Korean page.
		href := eval(t, "a city link", `document.querySelector('#rankings tbody tr[data-city] td:nth-child(2) a').href`).(string)
		do(t, "open a city", chromedp.Navigate(href))
		waitFor(t, "the city page", `document.getElementById('city-name') !== null`)
		if lang := eval(t, "lang", `document.documentElement.lang`).(string); lang != "ko" {
			t.Errorf("the city page linked from the Korean rankings is in %s (%s)", lang, href)
		}
		do(t, "back to English", chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="en"]`)))
		waitFor(t, "English", `document.documentElement.lang === 'en'`)
	})

	t.Run("CSV download matches the API"+prefix, func(t *testing.T) {
		do(t, "open rankings", chromedp.Navigate(base+prefix+"/rankings"))
		text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById('csv-link').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil || len(recs) < 2 {
			t.Fatalf("CSV: %d records, %v", len(recs), err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		var rk rankingsBody
		getJSON(t, api, "/api/v1/releases/latest/rankings", &rk)
		if len(recs)-1 != len(rk.Rows) {
			t.Errorf("CSV has %d rows, the API %d", len(recs)-1, len(rk.Rows))
		}
		byCity := map[string][]string{}
		for _, r := range recs[1:] {
			byCity[r[col["city"]]] = r
		}
		for _, row := range rk.Rows {
			r, ok := byCity[row.City.Code]
			if !ok || r[col["rank"]] != itoa(int64(row.Rank)) || r[col["stage"]] != row.Stage {
				t.Errorf("%s: CSV %v; API rank %d stage %s", row.City.Code, r, row.Rank, row.Stage)
			}
		}
	})
}
