package web_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

func readCSV(t *testing.T, c interface {
	Get(string) (*http.Response, string)
}, path string) []map[string]string {
	t.Helper()
	res, body := c.Get(path)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s: %d %s\n%.300s", path, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("GET %s: %v", path, err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestExplorerFilteredCSV: the rankings page's CSV link downloads exactly
// the rows its filters show, in its order, as the API answers them; the
// compare chart and the indicator distribution download their data.
func TestExplorerFilteredCSV(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var all rankingsBody
		getJSON(t, c, "/api/v1/releases/latest/rankings", &all)
		stage := all.Rows[len(all.Rows)/2].Stage
		for _, filter := range []string{"", "region=EU&sort=name", "stage=" + stage + "&sort=score&reverse=1", "population_class=1m-5m&sort=change", "region=AS&peer_group=AS"} {
			t.Run(filter, func(t *testing.T) {
				var api rankingsBody
				if st := getJSON(t, c, "/api/v1/releases/latest/rankings?"+filter, &api); st != 200 {
					t.Fatalf("API: %d", st)
				}
				// The page links to the CSV of its filters.
				_, page := c.Get("/rankings?" + filter)
				want := `id="csv-link" href="` + html.EscapeString("/rankings.csv?"+canonical(filter)) + `"`
				if !strings.Contains(page, want) {
					t.Errorf("rankings page lacks %s", want)
				}
				rows := readCSV(t, c, "/rankings.csv?"+filter)
				if len(rows) != api.Total || len(rows) != len(api.Rows) {
					t.Fatalf("CSV has %d rows, the API %d of %d", len(rows), len(api.Rows), api.Total)
				}
				for i, r := range api.Rows {
					got := rows[i]
					if got["city"] != r.City.Code || got["rank"] != itoa(int64(r.Rank)) || got["score"] != fnum(r.Score) || got["stage"] != r.Stage {
						t.Errorf("row %d: CSV %v, API %s rank %d score %v stage %s", i, got, r.City.Code, r.Rank, r.Score, r.Stage)
					}
					if r.RankBand.Q5 != nil && got["rank_q5"] != fnum(*r.RankBand.Q5) {
						t.Errorf("row %d: rank_q5 %s, API %v", i, got["rank_q5"], *r.RankBand.Q5)
					}
				}
			})
		}
		if res, _ := c.Get("/rankings.csv?sort=height"); res.StatusCode != http.StatusBadRequest {
			t.Errorf("bad sort: %d, want 400", res.StatusCode)
		}
		if res, _ := c.Get("/releases/0123456789abcdef/rankings.csv"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown release: %d, want 404", res.StatusCode)
		}

		// The compare chart's data.
		a, b := all.Rows[0].City.Code, all.Rows[3].City.Code
		_, page := c.Get("/compare?c=" + a + "&c=" + b)
		if !strings.Contains(page, `id="compare-csv"`) {
			t.Errorf("compare page lacks its chart's CSV link")
		}
		var cmp struct {
			Rows []release.CompareRow `json:"cities"`
		}
		getJSON(t, c, "/api/v1/releases/latest/compare?c="+a+"&c="+b, &cmp)
		rows := readCSV(t, c, "/compare.csv?c="+a+"&c="+b)
		if len(rows) != 2 || len(cmp.Rows) != 2 {
			t.Fatalf("compare CSV %d rows, API %d", len(rows), len(cmp.Rows))
		}
		for i, r := range cmp.Rows {
			if rows[i]["city"] != r.City.Code || rows[i]["score"] != fnum(*r.Score) || rows[i]["rank"] != itoa(int64(r.Rank)) {
				t.Errorf("compare row %d: %v, API %s %d %v", i, rows[i], r.City.Code, r.Rank, *r.Score)
			}
			for _, p := range r.Pillars {
				if p.Score != nil && rows[i][p.Code] != fnum(*p.Score) {
					t.Errorf("compare row %d pillar %s: %s, API %v", i, p.Code, rows[i][p.Code], *p.Score)
				}
			}
		}
		for path, want := range map[string]int{"/compare.csv?c=" + a: 400, "/compare.csv?c=" + a + "&c=nowhere": 404} {
			if res, _ := c.Get(path); res.StatusCode != want {
				t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
			}
		}

		// The indicator page's distribution.
		_, page = c.Get("/indicators/EC-ICT-ICT-1C")
		if !strings.Contains(page, `id="distribution-csv"`) {
			t.Errorf("indicator page lacks its distribution's CSV link")
		}
		var ind struct {
			I release.IndicatorView `json:"indicator"`
		}
		getJSON(t, c, "/api/v1/releases/latest/indicators/EC-ICT-ICT-1C", &ind)
		iv := ind.I
		rows = readCSV(t, c, "/indicators/EC-ICT-ICT-1C/distribution.csv")
		if len(rows) != len(iv.Distribution.Bins) || len(rows) == 0 {
			t.Fatalf("distribution CSV %d rows, API %d bins", len(rows), len(iv.Distribution.Bins))
		}
		total := 0
		for i, bn := range iv.Distribution.Bins {
			if rows[i]["from"] != fnum(bn.From) || rows[i]["to"] != fnum(bn.To) || rows[i]["cities"] != itoa(int64(bn.Count)) {
				t.Errorf("bin %d: %v, API %+v", i, rows[i], bn)
			}
			total += bn.Count
		}
		if total != iv.Distribution.N {
			t.Errorf("bins count %d cities, the distribution %d", total, iv.Distribution.N)
		}
		if res, _ := c.Get("/indicators/NO-SUCH/distribution.csv"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown indicator's distribution: %d, want 404", res.StatusCode)
		}
	})
}

// fnum is a number as the files write it: 15 significant digits, no
// arithmetic noise.
func fnum(f float64) string { return release.FormatNumber(f) }

// canonical is a query as url.Values encodes it (keys sorted).
func canonical(q string) string {
	v, _ := url.ParseQuery(q)
	return v.Encode()
}
