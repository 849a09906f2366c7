package web_test

import (
	"context"
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/hdi"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The explorer's numbers (issue 11, findings 1–8 and 10–12), on the demo
// network: every figure a reader sees is checked against its meaning.

// eurostatHash is the Eurostat example's release, by its API.
func eurostatHash(t *testing.T, c *webtest.Client) string {
	t.Helper()
	var list struct {
		Releases []release.Record `json:"releases"`
	}
	if st := getJSON(t, c, "/api/v1/releases", &list); st != 200 {
		t.Fatalf("releases API: %d", st)
	}
	for _, r := range list.Releases {
		if r.Edition == demo.EurostatEdition {
			return r.Hash
		}
	}
	t.Fatal("no Eurostat release")
	return ""
}

// cells are a table row's cells' text, from the row with data-city="code".
func rowCells(t *testing.T, body, code string) []string {
	t.Helper()
	at := strings.Index(body, `data-city="`+code+`"`)
	if at < 0 {
		t.Fatalf("no row of %s", code)
	}
	end := strings.Index(body[at:], "</tr>")
	row := body[at : at+end]
	var out []string
	for _, m := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(row, -1) {
		out = append(out, strings.TrimSpace(html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""))))
	}
	return out
}

// TestExplorerMissingIsNeverZero (finding 1): a pillar a city has no score
// for is "—" in the rankings table, empty in the CSV and null in the API.
func TestExplorerMissingIsNeverZero(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		hash := eurostatHash(t, c)
		res, raw := c.API(http.MethodGet, "/api/v1/releases/"+hash+"/rankings", "", "")
		if res.StatusCode != 200 {
			t.Fatalf("rankings API: %d", res.StatusCode)
		}
		var api struct {
			Rows []struct {
				Rank    int `json:"rank"`
				City    release.City
				Pillars []struct {
					Code    string   `json:"code"`
					Score   *float64 `json:"score"`
					Missing bool     `json:"missing"`
				} `json:"pillars"`
			} `json:"rows"`
		}
		getJSON(t, c, "/api/v1/releases/"+hash+"/rankings", &api)
		csvRows := readCSV(t, c, "/releases/"+hash+"/rankings.csv")
		byCity := map[string]map[string]string{}
		for _, r := range csvRows {
			byCity[r["city"]] = r
		}
		missing := 0
		checked := 0
		for _, row := range api.Rows {
			for k, p := range row.Pillars {
				if !p.Missing {
					if p.Score == nil {
						t.Errorf("%s %s: not missing but score null", row.City.Code, p.Code)
					}
					continue
				}
				missing++
				if p.Score != nil {
					t.Errorf("API: %s's missing %s has score %v, want null", row.City.Code, p.Code, *p.Score)
				}
				if v := byCity[row.City.Code][p.Code]; v != "" {
					t.Errorf("CSV: %s's missing %s is %q, want empty", row.City.Code, p.Code, v)
				}
				if checked < 5 { // the page of the row: its pillar cell is "—"
					checked++
					page := (row.Rank-1)/50 + 1
					_, body := c.Get("/releases/" + hash + "/rankings?page=" + strconv.Itoa(page))
					cells := rowCells(t, body, row.City.Code)
					// rank, city, band, score, then the pillars
					if got := cells[4+k]; got != "—" {
						t.Errorf("rankings page: %s's missing %s shows %q, want —", row.City.Code, p.Code, got)
					}
				}
			}
		}
		if missing == 0 {
			t.Fatal("the Eurostat release has no missing pillar: the test checks nothing")
		}
		if !regexp.MustCompile(`"score":\s*null`).MatchString(raw) {
			t.Error("the API writes no null score")
		}
	})
}

// TestExplorerRankChangeAmongCommonCities (finding 2): a rank change is the
// move among the cities ranked in both editions, a city new to the ranking
// is "new", and the methodology page states the rule.
func TestExplorerRankChangeAmongCommonCities(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var rk struct {
			Rows []release.RankingRow `json:"rows"`
		}
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		// Expected: ranks among the cities ranked in both, then and now.
		var both []release.RankingRow
		for _, r := range rk.Rows {
			if r.PrevRank > 0 {
				both = append(both, r)
			}
		}
		if len(both) == 0 {
			t.Fatal("no city ranked in both editions")
		}
		among := func(rank func(release.RankingRow) int, r release.RankingRow) int {
			n := 1
			for _, o := range both {
				if rank(o) < rank(r) {
					n++
				}
			}
			return n
		}
		up, news := 0, 0
		for _, r := range rk.Rows {
			if r.PrevRank == 0 {
				news++
				if r.Change != nil || !r.New {
					t.Errorf("%s was not ranked in 2025: change %v, new %v", r.City.Code, r.Change, r.New)
				}
				continue
			}
			want := among(func(x release.RankingRow) int { return x.PrevRank }, r) - among(func(x release.RankingRow) int { return x.Rank }, r)
			if r.Change == nil || *r.Change != want {
				t.Errorf("%s: change %v, want %d among the %d cities ranked in both", r.City.Code, r.Change, want, len(both))
			}
			if *r.Change > 0 {
				up++
			}
		}
		if up == len(both) {
			t.Errorf("every one of the %d cities ranked in both rose: the change is not measured among them", up)
		}
		_, body := c.Get("/rankings")
		if news > 0 && !strings.Contains(body, `<span class="new">new</span>`) {
			t.Error("a city new to the ranking is not shown as new")
		}
		_, body = c.Get("/methodology")
		if !strings.Contains(body, `id="rule-change"`) || !strings.Contains(body, "cities ranked in both editions") {
			t.Error("the methodology page does not state the rank-change rule")
		}
	})
}

// TestExplorerTiesMeanSomething (finding 3): ties only where the rule says,
// shown as groups, the rule on the methodology page, the tooltip a list of
// names without a stray separator.
func TestExplorerTiesMeanSomething(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var rk struct {
			Rows []release.RankingRow `json:"rows"`
		}
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		tied := 0
		for k, r := range rk.Rows {
			if r.TieSize > 1 {
				tied++
				// Neighbours in a group: the lower one's median rank is no worse.
				if k > 0 && rk.Rows[k-1].TieGroup == r.TieGroup && *r.RankBand.Median > *rk.Rows[k-1].RankBand.Median {
					t.Errorf("%s is tied with %s, whose median rank %v is better than its %v", r.City.Code, rk.Rows[k-1].City.Code, *rk.Rows[k-1].RankBand.Median, *r.RankBand.Median)
				}
			}
		}
		if tied >= len(rk.Rows)-1 {
			t.Errorf("%d of %d rows are tied: the marker says nothing", tied, len(rk.Rows))
		}
		t.Logf("%d of %d rows tied", tied, len(rk.Rows))
		_, body := c.Get("/rankings")
		titles := regexp.MustCompile(`<abbr class="tie" title="([^"]*)"`).FindAllStringSubmatch(body, -1)
		if tied > 0 && len(titles) == 0 {
			t.Fatal("no tie marker on the page")
		}
		for _, m := range titles {
			title := html.UnescapeString(m[1])
			if strings.Contains(title, ";") || !strings.HasPrefix(title, "Statistically tied, ranks ") {
				t.Errorf("tie tooltip %q", title)
			}
		}
		if tied > 0 && !strings.Contains(body, `class="tied tie-first`) {
			t.Error("tie groups are not shown as groups")
		}
		if _, body := c.Get("/methodology"); !strings.Contains(body, `id="rule-ties"`) || !strings.Contains(body, "cannot order") {
			t.Error("the methodology page does not state the tie rule")
		}
	})
}

// TestExplorerSobolPeopleCanTrust (finding 4): indices shown within [0, 1],
// the estimate outside explained, intervals as computed or said to be
// absent (never "—–—"), and a caveat for a small design.
func TestExplorerSobolPeopleCanTrust(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		_, body := c.Get("/methodology")
		at := strings.Index(body, `<table id="sobol">`)
		if at < 0 {
			t.Fatal("no Sobol table")
		}
		table := body[at : at+strings.Index(body[at:], "</table>")]
		if strings.Contains(table, "—–—") || strings.Contains(body, "—–—") {
			t.Error("an empty interval prints —–—")
		}
		for _, m := range regexp.MustCompile(`<td class="num">(-?[0-9.]+)`).FindAllStringSubmatch(table, -1) {
			if v, _ := strconv.ParseFloat(m[1], 64); v < 0 || v > 1 {
				t.Errorf("a Sobol index shown as %s, outside [0, 1]", m[1])
			}
		}
		var m struct {
			M release.Methodology `json:"methodology"`
		}
		getJSON(t, c, "/api/v1/releases/latest/methodology", &m)
		outside := false
		for _, x := range m.M.Sobol {
			if x.S1 != nil && (*x.S1 < 0 || *x.S1 > 1) || x.ST != nil && (*x.ST < 0 || *x.ST > 1) {
				outside = true
			}
		}
		if outside && !strings.Contains(body, `id="sobol-clipped"`) {
			t.Error("estimates outside [0, 1] are shown without saying so")
		}
		if m.M.Uncertainty.SAN < 500 && !strings.Contains(body, `id="sobol-caveat"`) {
			t.Errorf("a design of N = %d is shown without a caveat", m.M.Uncertainty.SAN)
		}
	})
}

// TestExplorerLongPagesLeadWithASummary (findings 7, 8): the methodology
// page has no inline style (the CSP blocks them), leads with flag counts by
// kind and collapses the lists; the draft page puts its publish or correct
// form first, with the same count of cities not ranked as the published
// rankings (finding 5).
func TestExplorerLongPagesLeadWithASummary(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		_, body := c.Get("/methodology")
		if n := strings.Count(body, "style="); n > 0 {
			t.Errorf("the methodology page has %d inline style attributes", n)
		}
		sum, tree := strings.Index(body, `id="flag-summary"`), strings.Index(body, `id="framework"`)
		if sum < 0 || tree < 0 || sum > tree {
			t.Errorf("the flag summary (at %d) does not come before the framework (at %d)", sum, tree)
		}
		if strings.Contains(body, `<ul id="audit-flags">`) || !strings.Contains(body, `<details class="long flags"`) {
			t.Error("the audit flags are not collapsed by kind")
		}
		var m struct {
			M release.Methodology `json:"methodology"`
		}
		getJSON(t, c, "/api/v1/releases/latest/methodology", &m)
		for _, g := range release.FlagGroups(m.M.Audit) {
			want := `<li data-kind="` + g.Kind + `"><strong>` + strconv.Itoa(g.Count()) + `</strong>`
			if !strings.Contains(body, want) {
				t.Errorf("the summary lacks %d flags of kind %s", g.Count(), g.Kind)
			}
		}

		_, ranking := c.Get("/rankings")
		mm := regexp.MustCompile(`<section id="unranked"><h2>(\d+) cit`).FindStringSubmatch(ranking)
		if mm == nil {
			t.Fatal("the rankings page lists no city not ranked")
		}
		var latest struct {
			Release struct {
				DraftID int64 `json:"draft_id"`
			} `json:"record"`
		}
		getJSON(t, c, "/api/v1/releases/latest", &latest)
		if latest.Release.DraftID == 0 {
			t.Fatal("the latest release names no draft")
		}
		admin := env.ClientAs(webtest.Admin)
		res, draft := admin.Get("/admin/releases/drafts/" + itoa(latest.Release.DraftID))
		if res.StatusCode != 200 {
			t.Fatalf("draft page: %d", res.StatusCode)
		}
		counts := regexp.MustCompile(`id="draft-counts">(\d+) ranked, (\d+) not ranked`).FindStringSubmatch(draft)
		if counts == nil || counts[2] != mm[1] {
			t.Errorf("the draft page says %v not ranked, the published rankings %s", counts, mm[1])
		}
		form, preview := strings.Index(draft, `id="decision"`), strings.Index(draft, `id="preview"`)
		if form < 0 || preview < 0 || form > preview {
			t.Errorf("the decision (at %d) is not above the preview (at %d)", form, preview)
		}
		// A correction without a note (finding 11): the review again with
		// the reason and the form, not a bare error page.
		res, body = admin.PostForm("/admin/releases/drafts/"+itoa(latest.Release.DraftID)+"/correct", url.Values{"note": {"  "}, "n": {"250"}})
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="form-error"`) || !strings.Contains(body, "a correction needs a note") ||
			!strings.Contains(body, `id="decision"`) {
			t.Errorf("a correction without a note: %d\n%.600s", res.StatusCode, body)
		}
	})
}

// TestExplorerTitlesHashesPagesAndSmallThings (findings 10, 12): titles
// with their year once, short hashes that resolve, page numbers past the
// last are 404, plurals, CSV numbers without float noise, a favicon, the
// sources on a line of their own.
func TestExplorerTitlesHashesPagesAndSmallThings(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		for _, path := range []string{"/", "/releases", "/downloads", "/rankings", "/methodology"} {
			_, body := c.Get(path)
			if regexp.MustCompile(`Index (\d{4}) (\d{4})`).MatchString(body) {
				t.Errorf("%s: a title with its year twice", path)
			}
		}
		hash := eurostatHash(t, c)
		_, body := c.Get("/releases/" + hash + "/rankings")
		if strings.Contains(body, "eurostat-urban-audit</h1>") || strings.Contains(body, "Urban environment eurostat-urban-audit") {
			t.Error("the Eurostat release is titled by its edition code")
		}
		_, list := c.Get("/releases")
		for _, m := range regexp.MustCompile(`<code class="muted">([0-9a-f]{12})</code>`).FindAllStringSubmatch(list, -1) {
			if res, _ := c.Get("/releases/" + m[1] + "/rankings"); res.StatusCode != 200 {
				t.Errorf("short hash %s shown on /releases: %d", m[1], res.StatusCode)
			}
		}
		if res, _ := c.Get("/releases/0000/rankings"); res.StatusCode != http.StatusNotFound {
			t.Errorf("a 4-character prefix: %d, want 404", res.StatusCode)
		}
		if res, _ := c.Get("/rankings?page=999"); res.StatusCode != http.StatusNotFound {
			t.Errorf("/rankings?page=999: %d, want 404", res.StatusCode)
		}
		if res, _ := c.Get("/rankings?page=1"); res.StatusCode != 200 {
			t.Errorf("/rankings?page=1: %d", res.StatusCode)
		}
		// One city: "1 city".
		var rk struct {
			Rows []release.RankingRow `json:"rows"`
		}
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		q := url.Values{"region": {rk.Rows[0].City.Region}, "population_class": {rk.Rows[0].PopulationClass}, "stage": {rk.Rows[0].Stage}}
		var one struct {
			Total int `json:"total"`
		}
		for _, r := range rk.Rows { // a filter matching exactly one city
			q = url.Values{"region": {r.City.Region}, "population_class": {r.PopulationClass}, "stage": {r.Stage}}
			getJSON(t, c, "/api/v1/releases/latest/rankings?"+q.Encode(), &one)
			if one.Total == 1 {
				break
			}
		}
		if one.Total == 1 {
			_, body := c.Get("/rankings?" + q.Encode())
			if strings.Contains(body, "1 cities") || !strings.Contains(body, "1 city matches") {
				t.Errorf("one city matching %v: no singular", q)
			}
		} else {
			t.Log("no filter matches exactly one city")
		}
		// CSV numbers: 15 significant digits, no float noise.
		noise := regexp.MustCompile(`\d\.\d*(0000000\d|9999999\d)`)
		for _, path := range []string{"/rankings.csv", "/releases/latest/download/" + release.FileResults} {
			res, body := c.Get(path)
			if res.StatusCode != 200 {
				t.Errorf("%s: %d", path, res.StatusCode)
				continue
			}
			recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range recs {
				for _, cell := range rec {
					if noise.MatchString(cell) {
						t.Errorf("%s: float noise %q", path, cell)
						break
					}
				}
			}
		}
		res, ico := c.Get("/favicon.ico")
		if res.StatusCode != 200 || !strings.Contains(ico, "<svg") {
			t.Errorf("favicon: %d", res.StatusCode)
		}
		_, home := c.Get("/")
		if !strings.Contains(home, `rel="icon"`) {
			t.Error("the layout names no icon")
		}
		if strings.Contains(home, "smart cities. Demo cities") || !strings.Contains(home, `<p class="sources">`) {
			t.Error("the footer runs the sources into the line before")
		}
		_, rankings := c.Get("/rankings")
		if strings.Contains(rankings, "Smart Sustainable Cities Demo cities") {
			t.Error("two sources run together in the attribution line")
		}
	})
}

// TestDataCallPlausibilityAndMagnitudes (finding 6): an absurd magnitude is
// refused in plain words; a value far from the network's is kept but
// flagged, with the reason, to the focal point and the reviewer.
func TestDataCallPlausibilityAndMagnitudes(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		ctx := context.Background()
		fs := s.(storetest.FeatureStore)
		vals, err := fs.EditionValues(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		// A city's value of an indicator set to 1,000 times the network's largest.
		var target datacall.Value
		largest := map[string]float64{}
		for _, v := range vals {
			largest[v.Indicator] = max(largest[v.Indicator], v.Value)
			if target.Indicator == "" && v.Value > 0 {
				target = v
			}
		}
		if target.Indicator == "" {
			t.Fatal("no value in 2026")
		}
		target.Value = largest[target.Indicator]*1000 + 1
		if err := fs.PutValues(ctx, []datacall.Value{target}); err != nil {
			t.Fatal(err)
		}
		admin := env.ClientAs(webtest.Admin)
		page := "/datacall/2026/cities/" + target.City
		res, body := admin.Get(page)
		if res.StatusCode != 200 {
			t.Fatalf("city page: %d", res.StatusCode)
		}
		if !strings.Contains(body, `id="unusual"`) || !strings.Contains(body, `data-indicator="`+target.Indicator+`"`) ||
			!strings.Contains(body, "robust z-score") {
			t.Errorf("the reviewer is not shown the unusual value of %s", target.Indicator)
		}
		if _, ko := admin.Get(page + "?lang=ko"); !strings.Contains(ko, "로버스트 z-점수") {
			t.Error("the Korean page does not word the flag in Korean")
		}
		// An absurd magnitude is refused in plain words; nothing is saved.
		form := url.Values{"v_" + target.Indicator: {"1e300"}, "src_" + target.Indicator: {"x"}, "yr_" + target.Indicator: {"2025"}}
		res, body = admin.PostForm(page+"/values", form)
		if res.StatusCode == http.StatusBadRequest {
			if !strings.Contains(body, "too large to be a measured value") || regexp.MustCompile(`\d{30}`).MatchString(body) {
				t.Errorf("1e300: %.600s", body)
			}
		} else if res.StatusCode != http.StatusConflict && res.StatusCode != http.StatusForbidden {
			t.Errorf("1e300 saved: %d", res.StatusCode)
		}
	})
}

// TestKoreanCityNamesAndSearch: the member directory names cities in the
// reader's language and finds them by any of their names (서울 finds Seoul,
// Cairo finds Al-Qahirah); the rankings show the Korean name on a Korean
// page and the common English name beside the official one.
func TestKoreanCityNamesAndSearch(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		for q, code := range map[string]string{"서울": "kr-seoul", "Cairo": "eg-al-qahirah", "방콕": "th-krung-thep", "Bangkok": "th-krung-thep"} {
			res, body := c.Get("/members?q=" + url.QueryEscape(q))
			if res.StatusCode != 200 || !strings.Contains(body, `data-city="`+code+`"`) {
				t.Errorf("searching %s does not find %s", q, code)
			}
		}
		_, body := c.Get("/members?lang=ko&q=" + url.QueryEscape("서울"))
		if cells := rowCells(t, body, "kr-seoul"); !strings.HasPrefix(cells[0], "서울") {
			t.Errorf("the Korean directory names Seoul %q", cells[0])
		}
		_, body = c.Get("/members?lang=en&q=Cairo")
		if cells := rowCells(t, body, "eg-al-qahirah"); cells[0] != "Cairo (Al-Qahirah)" {
			t.Errorf("the English directory names Cairo %q, want its common name beside the official one", cells[0])
		}
		_, body = c.Get("/cities/kr-seoul?lang=ko")
		if !strings.Contains(body, `<h1 id="city-name">서울`) {
			t.Error("the Korean profile of Seoul is not titled 서울")
		}
		if _, body = c.Get("/members/eg-al-qahirah?lang=ko"); !strings.Contains(body, "카이로") || !strings.Contains(body, `id="hdi-group"`) {
			t.Error("the Korean member page of Cairo lacks its Korean name or its HDI group")
		}
	})
}

// TestPeerGroupsByHDIInTheExplorer: the demo network rates cities within
// their country's HDI group, says so on the methodology page and shows the
// group on the profile.
func TestPeerGroupsByHDIInTheExplorer(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var rk struct {
			Rows []release.RankingRow `json:"rows"`
		}
		getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
		top := map[string]string{} // the best-rated city of each group is rated AAA
		for _, r := range rk.Rows {
			if want := hdi.GroupOf(r.City.Country); r.City.PeerGroup != want {
				t.Errorf("%s (%s): peer group %q, want %q", r.City.Code, r.City.Country, r.City.PeerGroup, want)
			}
			if _, seen := top[r.City.PeerGroup]; !seen && r.City.PeerGroup != "" {
				top[r.City.PeerGroup] = r.Rating
			}
		}
		for g, rating := range top {
			if rating != "AAA" {
				t.Errorf("the best city of %s is rated %q, not AAA: ratings are not within HDI groups", g, rating)
			}
		}
		if len(top) < 3 {
			t.Errorf("%d HDI groups among the ranked cities", len(top))
		}
		if _, body := c.Get("/methodology"); !strings.Contains(body, "human development groups") {
			t.Error("the methodology page does not state the HDI rule")
		}
		if _, body := c.Get("/cities/" + rk.Rows[0].City.Code); !strings.Contains(body, "rated among the cities of very high human development") {
			t.Error("the profile does not say which group its rating is within")
		}
	})
}
