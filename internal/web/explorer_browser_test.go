package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

// TestExplorerInBrowser walks the public explorer of the demo network in
// headless Chromium: the map, sorting and filtering the rankings, a city
// profile, a what-if that changes the rank, Korean, and the CSV download
// checked against the API.
func TestExplorerInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	env := demoEnv(t, storetest.OpenSQLite(t))
	api := env.Client()
	base := env.URL("")
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
	// waitFor polls js until it is true, across page loads (a navigation
	// destroys the page's context under a running poll).
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

	t.Run("home map", func(t *testing.T) {
		do(t, "open home", chromedp.Navigate(base+"/"))
		n := eval(t, "count points", `document.querySelectorAll('#network-map circle.pt').length`).(float64)
		ranked := eval(t, "count ranked", `document.querySelectorAll('#network-map a circle.pt').length`).(float64)
		if n < 100 || ranked < 50 {
			t.Errorf("map has %v city points, %v of them linked to profiles", n, ranked)
		}
	})

	var allRows []string
	t.Run("rankings sort and filter", func(t *testing.T) {
		do(t, "open rankings", chromedp.Navigate(base+"/rankings"))
		allRows = strs(t, "rows", `[...document.querySelectorAll('#rankings tbody tr[data-city]')].map(r => r.dataset.city)`)
		if len(allRows) == 0 {
			t.Fatal("no ranking rows")
		}
		do(t, "sort by name", chromedp.Click(chromedp.CSS("#sort-name")))
		// The new page's rows, not the old page's or none while it loads.
		waitFor(t, "the name sort", `location.search.includes('sort=name') && document.readyState === 'complete' && document.querySelectorAll('#rankings tbody tr[data-city]').length > 0`)
		names := strs(t, "names", `[...document.querySelectorAll('#rankings tbody tr[data-city] td:nth-child(2) a')].map(a => a.textContent)`)
		if !sort.StringsAreSorted(names) || len(names) < 2 {
			t.Errorf("after sorting by name the rows are not sorted: %q", names)
		}
		waitFor(t, "the sorted page", `document.readyState === 'complete' && document.getElementById('f-region') !== null`)
		eval(t, "filter Europe", `(() => { const s = document.getElementById('f-region'); s.value = 'EU'; s.dispatchEvent(new Event('change')); return true })()`)
		waitFor(t, "the region filter", `location.search.includes('region=EU') && document.readyState === 'complete' && document.querySelectorAll('#rankings tbody tr[data-city]').length > 0`)
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
		shown := eval(t, "shown", `document.querySelector('.downloads-line').textContent`).(string)
		if !strings.Contains(shown, itoa(int64(eu.Total))+" ") || eu.Total == len(allRows) {
			t.Errorf("filtered page says %q; the API has %d European cities", shown, eu.Total)
		}
	})

	t.Run("city profile and what-if", func(t *testing.T) {
		city, ind, value, want := whatIfThatMoves(t, api)
		do(t, "open profile", chromedp.Navigate(base+"/cities/"+city))
		name := eval(t, "name", `document.getElementById('city-name').textContent`).(string)
		if name == "" || eval(t, "twins", `document.querySelectorAll('#twins tbody tr').length`).(float64) == 0 {
			t.Errorf("profile of %s: name %q, no twins", city, name)
		}
		before := eval(t, "rank", `document.getElementById('city-rank').textContent`).(string)
		do(t, "bad value", chromedp.SetValue(chromedp.CSS(`#whatif input[name="`+ind+`"]`), "lots"), chromedp.Click(chromedp.CSS("#whatif-run")))
		waitFor(t, "the error message", `document.querySelector('#whatif-result.error') !== null`)
		msg := eval(t, "message", `document.getElementById('whatif-result').textContent`).(string)
		if !strings.Contains(msg, ind) {
			t.Errorf("the what-if error %q does not name the indicator %s", msg, ind)
		}
		do(t, "what-if", chromedp.SetValue(chromedp.CSS(`#whatif input[name="`+ind+`"]`), value), chromedp.Click(chromedp.CSS("#whatif-run")))
		waitFor(t, "the what-if result", `document.querySelector('#whatif-result.ok') !== null`)
		got := eval(t, "new rank", `document.getElementById('whatif-result').dataset.rank`).(string)
		if got != itoa(int64(want)) || strings.HasPrefix(before, got+" ") {
			t.Errorf("what-if rank %s (API %d); page rank before %q", got, want, before)
		}
		if loc := eval(t, "location", `location.pathname`).(string); loc != "/cities/"+city {
			t.Errorf("the what-if reloaded the page to %s", loc)
		}
	})

	t.Run("Korean", func(t *testing.T) {
		do(t, "open rankings", chromedp.Navigate(base+"/rankings"))
		do(t, "switch", chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="ko"]`)))
		waitFor(t, "Korean", `document.documentElement.lang === 'ko'`)
		h1 := eval(t, "heading", `document.querySelector('h1').textContent`).(string)
		if !strings.Contains(h1, "순위") {
			t.Errorf("Korean heading %q", h1)
		}
		do(t, "home", chromedp.Navigate(base+"/"))
		if lang := eval(t, "lang", `document.documentElement.lang`).(string); lang != "ko" {
			t.Errorf("the language did not stick: %s", lang)
		}
		do(t, "back to English", chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="en"]`)))
		waitFor(t, "English", `document.documentElement.lang === 'en'`)
	})

	t.Run("CSV download matches the API", func(t *testing.T) {
		do(t, "open rankings", chromedp.Navigate(base+"/rankings"))
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
		byCity := map[string][]string{}
		for _, r := range recs[1:] {
			byCity[r[col["city"]]] = r
		}
		for _, row := range rk.Rows {
			r, ok := byCity[row.City.Code]
			if !ok {
				t.Errorf("%s is ranked in the API but not in the CSV", row.City.Code)
				continue
			}
			if r[col["rank"]] != itoa(int64(row.Rank)) || r[col["stage"]] != row.Stage {
				t.Errorf("%s: CSV rank %s stage %s; API %d %s", row.City.Code, r[col["rank"]], r[col["stage"]], row.Rank, row.Stage)
			}
		}
	})
}

// whatIfThatMoves finds, through the API, a city and one indicator value
// whose what-if changes the city's rank.
func whatIfThatMoves(t *testing.T, c interface {
	API(method, path, token, body string) (*http.Response, string)
}) (city, ind, value string, rank int) {
	t.Helper()
	res, body := c.API(http.MethodGet, "/api/v1/releases/latest/rankings", "", "")
	var rk rankingsBody
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &rk) != nil {
		t.Fatalf("rankings: %d", res.StatusCode)
	}
	for _, row := range rk.Rows[len(rk.Rows)/2:] {
		_, body := c.API(http.MethodGet, "/api/v1/releases/latest/cities/"+row.City.Code, "", "")
		var p struct {
			Profile release.Profile `json:"profile"`
		}
		json.Unmarshal([]byte(body), &p)
		for _, v := range p.Profile.Values {
			if v.Value == nil || v.Unit != "%" {
				continue
			}
			for _, try := range []string{"99", "1"} {
				res, body := c.API(http.MethodPost, "/api/v1/releases/latest/cities/"+row.City.Code+"/whatif", "", `{"values":{"`+v.Indicator+`":"`+try+`"}}`)
				var w struct {
					Result release.WhatIfResult `json:"result"`
				}
				if res.StatusCode == 200 && json.Unmarshal([]byte(body), &w) == nil && w.Result.Ranked && w.Result.Rank != w.Result.OldRank {
					return row.City.Code, v.Indicator, try, w.Result.Rank
				}
			}
		}
	}
	t.Fatal("no single-value what-if moves any city's rank")
	return
}
