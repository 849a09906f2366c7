package web_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// Expectations of the charts' routes for the authorisation matrix: all
// public.
func init() {
	pub := func(path string) []probe { return []probe{{Path: path, Allow: everyone}} }
	for _, base := range []string{"", "/releases/{hash}"} {
		p := strings.ReplaceAll(base, "{hash}", "latest")
		featureMatrix["GET "+base+"/cities/{code}/pillars.csv"] = pub(p + "/cities/" + webtest.CityX + "/pillars.csv")
		featureMatrix["GET "+base+"/cities/{code}/trend.csv"] = pub(p + "/cities/" + webtest.CityX + "/trend.csv")
		featureMatrix["GET "+base+"/cities/{code}/profile.pdf"] = pub(p + "/cities/" + webtest.CityX + "/profile.pdf")
		featureMatrix["GET "+base+"/embed/cities/{code}"] = pub(p + "/embed/cities/" + webtest.CityX)
		featureMatrix["GET "+base+"/embed/cities/{code}/{chart}"] = pub(p + "/embed/cities/" + webtest.CityX + "/pillars")
		featureMatrix["GET "+base+"/embed/compare"] = pub(p + "/embed/compare?c=a&c=b")
		featureMatrix["GET "+base+"/embed/indicators/{code}/distribution"] = pub(p + "/embed/indicators/EC-ICT-ICT-1C/distribution")
	}
	featureMatrix["GET /map.csv"] = pub("/map.csv")
	featureMatrix["GET /embed/map"] = pub("/embed/map")
	featureMatrix["GET /search"] = pub("/search?q=seoul")
}

// needTool returns a command's path; without it the test skips, saying
// so, and fails under CI=true (.ci/run installs it).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("this test needs %s (Debian's %s; .ci/run installs it)", name, pkg)
		}
		t.Skipf("SKIPPED: no %s (install Debian's %s); CI runs this test", name, pkg)
	}
	return p
}

var (
	reSVGPath  = regexp.MustCompile(`<path class="land" d="([^"]+)"`)
	reMapPoint = regexp.MustCompile(`<circle class="pt( q\d| none)"[^>]*data-city="([^"]+)"`)
)

// TestExplorerCharts checks what the charts show a reader, on both
// stores: the map coloured by what is chosen (no value drawn hollow, not as
// a low value), no land stripe across the map, every chart's CSV agreeing
// with the API, the embeddable charts framable while the pages are not,
// search in both languages, and every public page's weight.
func TestExplorerCharts(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		c := env.Client()
		var top rankingsBody
		getJSON(t, c, "/api/v1/releases/latest/rankings?limit=2", &top)
		if len(top.Rows) < 2 {
			t.Fatalf("the demo release ranks %d cities", len(top.Rows))
		}
		cityA, cityB := top.Rows[0].City.Code, top.Rows[1].City.Code

		t.Run("map coloured by a pillar and an indicator", func(t *testing.T) {
			var rk rankingsBody
			getJSON(t, c, "/api/v1/releases/latest/rankings", &rk)
			res, body := c.Get("/")
			if res.StatusCode != 200 {
				t.Fatalf("home: %d", res.StatusCode)
			}
			points := reMapPoint.FindAllStringSubmatch(body, -1)
			colored := 0
			for _, p := range points {
				if p[1] != " none" {
					colored++
				}
			}
			if colored != len(rk.Rows) || len(points) <= colored {
				t.Errorf("map by the index: %d of %d points coloured, want the %d ranked cities (and hollow points for the others)", colored, len(points), len(rk.Rows))
			}
			if !strings.Contains(body, `id="map-legend"`) || !strings.Contains(body, `class="swatch q0"`) {
				t.Errorf("home map has no legend")
			}
			// Stripes: no segment of the land's outline may span more than
			// 180° of longitude (360 px at 2 px a degree).
			m := reSVGPath.FindStringSubmatch(body)
			if m == nil {
				t.Fatal("no land on the map")
			}
			if w := widestSegment(t, m[1]); w > 360 {
				t.Errorf("the land's outline has a segment %.0f px wide: a stripe across the map", w)
			}
			// By an indicator some cities lack: those are hollow.
			var ind struct {
				Indicator struct {
					Code     string `json:"code"`
					Name     string `json:"name"`
					Coverage struct {
						WithValue int `json:"with_value"`
					} `json:"coverage"`
				} `json:"indicator"`
			}
			code := missingIndicator(t, c)
			getJSON(t, c, "/api/v1/releases/latest/indicators/"+code, &ind)
			res, body = c.Get("/?map=" + code)
			if res.StatusCode != 200 {
				t.Fatalf("map by %s: %d", code, res.StatusCode)
			}
			colored = 0
			for _, p := range reMapPoint.FindAllStringSubmatch(body, -1) {
				if p[1] != " none" {
					colored++
				}
			}
			if colored != ind.Indicator.Coverage.WithValue {
				t.Errorf("map by %s: %d points coloured, the indicator has %d values", code, colored, ind.Indicator.Coverage.WithValue)
			}
			if !strings.Contains(body, "coloured by "+ind.Indicator.Name) {
				t.Errorf("map by %s does not say so", code)
			}
			rows := readCSV(t, c, "/map.csv?map="+code)
			withValue := 0
			for _, r := range rows {
				if r["value"] != "" {
					withValue++
				}
				if r["value"] == "0" {
					t.Errorf("map CSV gives %s a 0", r["city"])
				}
			}
			if withValue != ind.Indicator.Coverage.WithValue {
				t.Errorf("map CSV has %d values, the indicator %d", withValue, ind.Indicator.Coverage.WithValue)
			}
			if res, _ := c.Get("/?map=NOPE"); res.StatusCode != http.StatusBadRequest {
				t.Errorf("map by an unknown measure: %d, want 400", res.StatusCode)
			}
		})

		t.Run("city charts and their CSV", func(t *testing.T) {
			var prof struct {
				Profile struct {
					Score   *float64 `json:"score"`
					Pillars []struct {
						Code  string   `json:"code"`
						Score *float64 `json:"score"`
					} `json:"pillars"`
				} `json:"profile"`
			}
			getJSON(t, c, "/api/v1/releases/latest/cities/"+cityA, &prof)
			res, body := c.Get("/cities/" + cityA)
			if res.StatusCode != 200 {
				t.Fatalf("profile: %d", res.StatusCode)
			}
			for _, want := range []string{`id="chart-pillars"`, `id="chart-trend"`, "Score (0–100, higher is better)", "Rank (1 = best)",
				`tabindex="0" data-tip="`, `/cities/` + cityA + `/pillars.csv"`, `/embed/cities/` + cityA + `/pillars?lang=en"`,
				`id="profile-pdf"`} {
				if !strings.Contains(body, want) {
					t.Errorf("profile page lacks %s", want)
				}
			}
			rows := readCSV(t, c, "/cities/"+cityA+"/pillars.csv")
			if len(rows) != 1+len(prof.Profile.Pillars) || rows[0]["value"] != fnum(*prof.Profile.Score) {
				t.Fatalf("pillars CSV has %d rows for %d pillars, index %v", len(rows), len(prof.Profile.Pillars), rows[0])
			}
			for i, p := range prof.Profile.Pillars {
				got := rows[1+i]
				want := ""
				if p.Score != nil {
					want = fnum(*p.Score)
				}
				if got["score"] != p.Code || got["value"] != want {
					t.Errorf("pillars CSV row %v, API %s = %s", got, p.Code, want)
				}
			}
			trend := readCSV(t, c, "/cities/"+cityA+"/trend.csv")
			if len(trend) < 1 || trend[len(trend)-1]["rank"] == "" {
				t.Errorf("trend CSV: %v", trend)
			}
		})

		t.Run("embeds are framable, pages are not", func(t *testing.T) {
			for _, p := range []string{"/embed/cities/" + cityA + "/pillars", "/embed/cities/" + cityA + "/trend",
				"/embed/cities/" + cityA, "/embed/compare?c=" + cityA + "&c=" + cityB,
				"/embed/indicators/EC-ICT-ICT-1C/distribution", "/embed/map"} {
				res, body := c.Get(p)
				if res.StatusCode != 200 {
					t.Errorf("%s: %d", p, res.StatusCode)
					continue
				}
				if res.Header.Get("X-Frame-Options") != "" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors *") {
					t.Errorf("%s cannot be framed: %v", p, res.Header)
				}
				if !strings.Contains(body, "<svg") || !strings.Contains(body, `target="_top"`) {
					t.Errorf("%s: no chart or no link to its page", p)
				}
			}
			for _, p := range []string{"/", "/cities/" + cityA, "/rankings"} {
				res, _ := c.Get(p)
				if res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
					t.Errorf("%s may be framed: %v", p, res.Header)
				}
			}
			if res, _ := c.Get("/embed/cities/" + cityA + "/nothing"); res.StatusCode != 404 {
				t.Errorf("unknown chart: %d", res.StatusCode)
			}
		})

		t.Run("search in both languages", func(t *testing.T) {
			cases := []struct{ q, lang, want string }{
				{"seoul", "en", `kr-seoul"`},
				{"SEOUL", "en", `kr-seoul"`},
				{"서울", "ko", `kr-seoul"`},                      // its Korean name
				{"서울", "en", `kr-seoul"`},                      // from an English page too
				{"athinai", "en", `href="/cities/gr-athinai"`}, // Athínai, without its accent
				{"순위", "ko", `href="/rankings"`},               // the rankings page's Korean title
				{"rankings", "ko", `href="/rankings"`},         // its English one, from a Korean page
				{"methodology", "en", `href="/methodology"`},
			}
			for _, tc := range cases {
				res, body := c.Get("/search?lang=" + tc.lang + "&q=" + urlQuery(tc.q))
				if res.StatusCode != 200 || !strings.Contains(body, tc.want) {
					t.Errorf("search %q (%s): %d, no %s", tc.q, tc.lang, res.StatusCode, tc.want)
				}
			}
			// An indicator by its name.
			var ind struct {
				Indicator struct{ Code, Name string } `json:"indicator"`
			}
			getJSON(t, c, "/api/v1/releases/latest/indicators/EC-ICT-ICT-1C", &ind)
			_, body := c.Get("/search?q=" + urlQuery(strings.ToLower(ind.Indicator.Name)))
			if !strings.Contains(body, `href="/indicators/EC-ICT-ICT-1C"`) {
				t.Errorf("search %q does not find the indicator", ind.Indicator.Name)
			}
			if res, _ := c.Get("/search?q=" + strings.Repeat("a", 101)); res.StatusCode != http.StatusBadRequest {
				t.Errorf("a 101-character search: %d, want 400", res.StatusCode)
			}
		})

		t.Run("public pages weigh at most 100 KB gzipped", func(t *testing.T) {
			pages := []string{"/", "/?map=EC-ICT-ICT-1C", "/rankings", "/cities/" + cityA, "/compare?c=" + cityA + "&c=" + cityB,
				"/indicators/EC-ICT-ICT-1C", "/methodology", "/releases", "/downloads", "/members", "/search?q=a",
				"/embed/map", "/embed/cities/" + cityA, "/releases/latest"}
			for _, p := range pages {
				res, body := c.Get(p)
				if res.StatusCode != 200 {
					t.Errorf("%s: %d", p, res.StatusCode)
					continue
				}
				var gz bytes.Buffer
				w, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
				w.Write([]byte(body))
				w.Close()
				if gz.Len() > 100<<10 {
					t.Errorf("%s weighs %d bytes gzipped (%d plain), over 100 KB", p, gz.Len(), len(body))
				}
			}
		})
	})
}

// TestProfilePDF prints a city's profile in English and Korean and reads
// it back with Poppler: A4, a page or more, the city's name and the
// headings in the reader's language, the pillar scores the API gives.
func TestProfilePDF(t *testing.T) {
	pdftotext := needTool(t, "pdftotext", "poppler-utils")
	pdfinfo := needTool(t, "pdfinfo", "poppler-utils")
	env := demoEnv(t, storetest.OpenSQLite(t))
	c := env.Client()
	var top rankingsBody
	getJSON(t, c, "/api/v1/releases/latest/rankings?limit=1", &top)
	if len(top.Rows) == 0 {
		t.Fatal("the demo release ranks no city")
	}
	city := top.Rows[0].City.Code
	var prof struct {
		Profile struct {
			City struct {
				Name string `json:"name"`
			} `json:"city"`
			Rank    int      `json:"rank"`
			Score   *float64 `json:"score"`
			Pillars []struct {
				Score *float64 `json:"score"`
			} `json:"pillars"`
		} `json:"profile"`
	}
	getJSON(t, c, "/api/v1/releases/latest/cities/"+city, &prof)
	for _, tc := range []struct {
		lang  string
		wants []string
	}{
		{"en", []string{"Scores by pillar", "Peers", "Sources of the values", "Page 1 of"}},
		{"ko", []string{"점수", "출처", "1 /"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			res, body := c.Get("/cities/" + city + "/profile.pdf?lang=" + tc.lang)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
				t.Fatalf("profile PDF: %d %s %.20q", res.StatusCode, res.Header.Get("Content-Type"), body)
			}
			f := t.TempDir() + "/profile.pdf"
			if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			info, err := exec.Command(pdfinfo, f).CombinedOutput()
			if err != nil {
				t.Fatalf("pdfinfo: %v\n%s", err, info)
			}
			pages := 0
			for _, l := range strings.Split(string(info), "\n") {
				if v, ok := strings.CutPrefix(l, "Pages:"); ok {
					pages, _ = strconv.Atoi(strings.TrimSpace(v))
				}
				if v, ok := strings.CutPrefix(l, "Page size:"); ok && !strings.Contains(v, "595.28 x 841.89") {
					t.Errorf("page size %s, want A4", strings.TrimSpace(v))
				}
			}
			if pages < 1 || pages > 3 {
				t.Errorf("profile PDF has %d pages", pages)
			}
			text, err := exec.Command(pdftotext, "-layout", f, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			s := string(text)
			wants := append([]string{prof.Profile.City.Name, strconv.Itoa(prof.Profile.Rank) + " / ", strconv.FormatFloat(*prof.Profile.Score, 'f', 1, 64)}, tc.wants...)
			for _, p := range prof.Profile.Pillars {
				if p.Score != nil {
					wants = append(wants, strconv.FormatFloat(*p.Score, 'f', 1, 64))
				}
			}
			for _, w := range wants {
				if !strings.Contains(s, w) {
					t.Errorf("the %s PDF does not say %q:\n%s", tc.lang, w, s)
				}
			}
		})
	}
}

// widestSegment is the widest horizontal span of one segment of an SVG
// path of absolute M and L commands.
func widestSegment(t *testing.T, d string) float64 {
	t.Helper()
	widest := 0.0
	for _, sub := range strings.Split(d, "M")[1:] {
		prev := -1.0
		for _, pt := range strings.Split(strings.TrimSuffix(sub, "Z"), "L") {
			f := strings.Fields(pt)
			if len(f) != 2 {
				t.Fatalf("path point %q", pt)
			}
			x, err := strconv.ParseFloat(f[0], 64)
			if err != nil {
				t.Fatal(err)
			}
			if prev >= 0 && abs(x-prev) > widest {
				widest = abs(x - prev)
			}
			prev = x
		}
	}
	return widest
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func urlQuery(s string) string {
	return strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", " ", "+", "#", "%23").Replace(s)
}

// missingIndicator is an indicator of the latest release that some ranked
// cities have no value for (the demo has such gaps), else any.
func missingIndicator(t *testing.T, c *webtest.Client) string {
	t.Helper()
	rows := readCSV(t, c, "/releases/latest/download/values.csv")
	missing, any := map[string]int{}, ""
	for _, r := range rows {
		code := r["indicator"]
		any = code
		if r["value"] == "" {
			missing[code]++
		}
	}
	best, n := any, 0
	for code, m := range missing {
		if m > n || m == n && code < best {
			best, n = code, m
		}
	}
	return best
}
