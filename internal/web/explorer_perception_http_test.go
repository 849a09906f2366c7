package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"maps"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web/webtest"
)

// wantGap is a city's expected line of the disagreement list.
type wantGap struct {
	city                     string
	residents, margin, score float64
	gap                      float64
	disagree                 bool
}

// expectedGaps computes a pair's list from the release and the survey's
// pooled figures, independently of the explorer: the indicator's values
// min–max scaled to 0–100 over the cities that reported it (reversed when
// lower is better), the residents' pooled score where its effective n is
// 30 or more, the gap, disagreements first by the size of the gap. The
// cities without both figures are returned apart.
func expectedGaps(t *testing.T, r *release.Release, pooled map[string]survey.PooledCity, tp survey.Topic) (rows []wantGap, missing []string) {
	t.Helper()
	vals := map[string]float64{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range r.Cities() {
		vs, err := r.Values(c.Code)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Indicator == tp.Indicator && v.Value != nil {
				vals[c.Code] = *v.Value
				lo, hi = math.Min(lo, *v.Value), math.Max(hi, *v.Value)
			}
		}
	}
	for _, c := range r.Cities() {
		f, ok := pooled[c.Code].Items[tp.Item]
		v, hasValue := vals[c.Code]
		if !ok || math.IsNaN(f.Mean) || f.NEff < survey.MinEffectiveN || !hasValue || !(hi > lo) {
			missing = append(missing, c.Code)
			continue
		}
		score := (v - lo) / (hi - lo) * 100
		if tp.LowerBetter {
			score = 100 - score
		}
		g := wantGap{city: c.Code, residents: f.Mean, margin: survey.Z95 * f.SE, score: score, gap: f.Mean - score}
		g.disagree = math.Abs(g.gap) > g.margin
		rows = append(rows, g)
	}
	slices.SortStableFunc(rows, func(a, b wantGap) int {
		switch {
		case a.disagree != b.disagree && a.disagree:
			return -1
		case a.disagree != b.disagree:
			return 1
		case math.Abs(a.gap) > math.Abs(b.gap):
			return -1
		case math.Abs(a.gap) < math.Abs(b.gap):
			return 1
		}
		return strings.Compare(a.city, b.city)
	})
	return rows, missing
}

// TestExplorerPerceptionHTTP: the secretariat pairs survey statements with
// indicators in the browser; the explorer's disagreement list then shows,
// per pair, the cities ranked with the right numbers, a disagreement only
// beyond the margin of error, the cities without both figures as — (never
// 0), in English and Korean and as CSV.
func TestExplorerPerceptionHTTP(t *testing.T) {
	env := demoEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	admin := env.ClientAs(webtest.Admin)
	// The mapping, edited in the browser: safety (lower crime is better),
	// congestion (a lower travel time index is better), internet access.
	form := url.Values{"rows": {"4"},
		"item_0": {"hs_s1"}, "indicator_0": {"SC-SH-SA-8C"}, "lower_0": {"1"},
		"item_1": {"mo_s1"}, "indicator_1": {"EC-I-T-5A"}, "lower_1": {"1"},
		"item_2": {"op_t2"}, "indicator_2": {"EC-ICT-ICT-1C"},
		"item_3": {""}, "indicator_3": {""}}
	if res, body := admin.PostForm("/admin/survey/2026/topics", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the topics: %d\n%s", res.StatusCode, body)
	}
	topics, err := env.Services.Survey.Topics(ctx, "2026")
	if err != nil || len(topics) != 3 || !topics[0].LowerBetter || topics[2].LowerBetter {
		t.Fatalf("topics %+v, %v", topics, err)
	}
	wf := &release.Workflow{Store: env.Store, Audit: env.Store}
	rec, err := wf.Latest(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	r, err := wf.Load(ctx, rec.Hash)
	if err != nil {
		t.Fatal(err)
	}
	pooled, _, err := env.Services.Survey.Pool(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}

	c := env.Client()
	res, page := c.Get("/perception")
	if res.StatusCode != 200 {
		t.Fatalf("GET /perception: %d", res.StatusCode)
	}
	csvRes, csvBody := c.Get("/perception.csv")
	if csvRes.StatusCode != 200 || !strings.HasPrefix(csvRes.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET /perception.csv: %d %s", csvRes.StatusCode, csvRes.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(strings.NewReader(csvBody)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for k, h := range recs[0] {
		col[h] = k
	}
	rowRe := regexp.MustCompile(`<tr data-city="([^"]+)"><td class="num">(\d+)</td><th scope="row"><a [^>]+>[^<]*</a></th><td class="num">([^<]*)</td><td class="num">[^<]*</td><td class="num">([^<]*)</td><td class="num">([^<]*)</td><td>(.*?)</td></tr>`)
	var disagreements, within, missingSeen int
	line := 1
	for i, tp := range topics {
		want, missing := expectedGaps(t, r, pooled, tp)
		sec := page[strings.Index(page, fmt.Sprintf(`id="topic-%d"`, i)):]
		sec = sec[:strings.Index(sec, "</section>")]
		if !strings.Contains(sec, fmt.Sprintf(`data-item="%s" data-indicator="%s"`, tp.Item, tp.Indicator)) {
			t.Fatalf("topic %d is not %s ↔ %s:\n%s", i, tp.Item, tp.Indicator, sec)
		}
		got := rowRe.FindAllStringSubmatch(sec, -1)
		if len(got) != len(want) {
			t.Fatalf("%s ↔ %s: %d rows, want %d\n%s", tp.Item, tp.Indicator, len(got), len(want), sec)
		}
		nDis := 0
		for k, w := range want {
			g := got[k]
			resid := fmt.Sprintf("%.1f ± %.1f", w.residents, w.margin)
			verdict := "Within the margin of error"
			if w.disagree {
				verdict, nDis = "<strong>Disagree</strong>", nDis+1
			}
			if g[1] != w.city || g[2] != strconv.Itoa(k+1) || g[3] != resid || g[4] != fmt.Sprintf("%.1f", w.score) ||
				g[5] != fmt.Sprintf("%.1f", w.gap) || g[6] != verdict {
				t.Errorf("%s ↔ %s row %d: %q, want %s %s score %.1f gap %.1f %s", tp.Item, tp.Indicator, k+1, g[1:], w.city, resid, w.score, w.gap, verdict)
			}
			// The CSV: the same order, the figures in full.
			rec := recs[line]
			line++
			for name, v := range map[string]float64{"residents_score": w.residents, "margin_of_error": w.margin, "indicator_score": w.score, "gap": w.gap} {
				x, err := strconv.ParseFloat(rec[col[name]], 64)
				if err != nil || math.Abs(x-v) > 1e-9*math.Max(1, math.Abs(v)) {
					t.Errorf("CSV line %d %s = %q, want %v", line, name, rec[col[name]], v)
				}
			}
			if rec[col["city"]] != w.city || rec[col["item"]] != tp.Item || rec[col["disagree"]] != strconv.FormatBool(w.disagree) {
				t.Errorf("CSV line %d: %v, want %s %v", line, rec, w.city, w.disagree)
			}
		}
		if want := fmt.Sprintf("%d of %d cities with both figures disagree beyond the margin of error.", nDis, len(want)); !strings.Contains(sec, want) {
			t.Errorf("%s ↔ %s lacks %q", tp.Item, tp.Indicator, want)
		}
		disagreements += nDis
		within += len(want) - nDis
		// The cities without both figures: listed as —, and empty (never
		// 0) in the CSV.
		for _, code := range missing {
			if !strings.Contains(sec, `<span data-city="`+code+`">`) {
				t.Errorf("%s ↔ %s: %s without both figures is not listed apart", tp.Item, tp.Indicator, code)
			}
			rec := recs[line]
			line++
			if rec[col["city"]] != code || rec[col["gap"]] != "" || rec[col["disagree"]] != "" ||
				(rec[col["residents_score"]] == "" && rec[col["margin_of_error"]] != "") {
				t.Errorf("CSV line %d of a city without both figures: %v", line, rec)
			}
			missingSeen++
		}
	}
	if line != len(recs) {
		t.Errorf("the CSV has %d lines, want %d", len(recs), line)
	}
	// The demo's figures make every case appear.
	if disagreements == 0 || within == 0 || missingSeen == 0 {
		t.Errorf("%d disagreements, %d within the margin, %d cities apart: want each", disagreements, within, missingSeen)
	}
	t.Logf("%d disagreements, %d within the margin, %d cities without both figures", disagreements, within, missingSeen)

	// Korean: the page's words are Korean.
	_, ko := c.Get("/perception?lang=ko")
	for _, w := range []string{"주민 인식과 데이터가 어긋나는 도시", "오차 범위", "비교하지 못한 도시:"} {
		if !strings.Contains(ko, w) {
			t.Errorf("ko: the page lacks %q", w)
		}
	}
	for _, english := range []string{"Disagree<", "Within the margin", "Not compared", "Gap<"} {
		if strings.Contains(ko, english) {
			t.Errorf("ko: English %q left on the page", english)
		}
	}

	// A new mapping shows at once: one pair, reversed.
	form = url.Values{"rows": {"1"}, "item_0": {"op_t2"}, "indicator_0": {"EC-ICT-ICT-1C"}, "lower_0": {"1"}}
	if res, body := admin.PostForm("/admin/survey/2026/topics", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the topics: %d\n%s", res.StatusCode, body)
	}
	_, page = c.Get("/perception?lang=en")
	if n := strings.Count(page, `class="topic"`); n != 1 || !strings.Contains(page, "Lower values of the indicator are better.") {
		t.Errorf("the edited mapping does not show: %d topics", n)
	}
}

// TestSurveyTopicsHTTP: the mapping editor is the secretariat's; a bad
// row is refused with the unknown item and indicator named and nothing
// saved; a save is audited.
func TestSurveyTopicsHTTP(t *testing.T) {
	env := surveyEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	admin := env.ClientAs(webtest.Admin)
	before, err := env.Services.Survey.Topics(ctx, "2026")
	if err != nil || len(before) == 0 {
		t.Fatalf("the default topics: %v, %v", before, err)
	}
	for lang, words := range map[string][]string{"en": {"Perception and data: topics of the 2026 survey", "lower is better"},
		"ko": {"주민 인식과 데이터: 2026 설문의 주제", "낮을수록 좋음"}} {
		res, page := admin.Get("/admin/survey/2026/topics?lang=" + lang)
		if res.StatusCode != 200 {
			t.Fatalf("GET topics: %d", res.StatusCode)
		}
		for _, w := range words {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the editor lacks %q", lang, w)
			}
		}
		// Every saved pair is a filled row.
		if !strings.Contains(page, `value="`+before[0].Indicator+`"`) || !strings.Contains(page, `<option value="`+before[0].Item+`" selected>`) {
			t.Errorf("%s: the editor does not show the pair %+v", lang, before[0])
		}
	}
	// Only the secretariat: every other role is refused, and nothing changes.
	bad := url.Values{"rows": {"1"}, "item_0": {"mo_s1"}, "indicator_0": {"EC-I-T-5A"}}
	for _, role := range webtest.Roles {
		if role == webtest.Admin {
			continue
		}
		c := env.ClientAs(role)
		res, _ := c.Get("/admin/survey/2026/topics")
		res2, _ := c.PostForm("/admin/survey/2026/topics", maps.Clone(bad))
		for _, r := range []*http.Response{res, res2} {
			if r.StatusCode != http.StatusForbidden && r.StatusCode != http.StatusUnauthorized && !(r.StatusCode == http.StatusSeeOther && strings.HasPrefix(r.Header.Get("Location"), "/login")) {
				t.Errorf("%s: %s %d, want refused", role, r.Request.Method, r.StatusCode)
			}
		}
	}
	if res, _ := env.Client().PostForm("/admin/survey/2026/topics", maps.Clone(bad)); res.StatusCode != http.StatusUnauthorized && res.StatusCode != http.StatusForbidden &&
		!(res.StatusCode == http.StatusSeeOther && strings.HasPrefix(res.Header.Get("Location"), "/login")) {
		t.Errorf("anonymous: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	if now, _ := env.Services.Survey.Topics(ctx, "2026"); !slices.Equal(now, before) {
		t.Errorf("a refused request changed the topics: %+v", now)
	}
	// Unknown item and indicator: 400 naming both, nothing saved.
	res, page := admin.PostForm("/admin/survey/2026/topics", url.Values{"rows": {"2"},
		"item_0": {"mo_s1"}, "indicator_0": {"EC-I-T-5A"}, "lower_0": {"1"}, "item_1": {"mo_s9"}, "indicator_1": {"XX-NOPE-1"}})
	if res.StatusCode != 400 || !strings.Contains(page, "mo_s9") || !strings.Contains(page, "XX-NOPE-1") {
		t.Errorf("bad rows: %d, the page names mo_s9 %v and XX-NOPE-1 %v", res.StatusCode, strings.Contains(page, "mo_s9"), strings.Contains(page, "XX-NOPE-1"))
	}
	res, page = admin.PostForm("/admin/survey/2026/topics?lang=ko", url.Values{"rows": {"1"}, "item_0": {"mo_s9"}, "indicator_0": {"EC-I-T-5A"}})
	if res.StatusCode != 400 || !strings.Contains(page, "mo_s9&#34; 문항이 없습니다") {
		t.Errorf("ko bad row: %d", res.StatusCode)
	}
	// Rows are named as the form numbers them, empty rows included.
	res, page = admin.PostForm("/admin/survey/2026/topics?lang=en", url.Values{"rows": {"3"}, "item_0": {"mo_s1"}, "indicator_0": {"EC-I-T-5A"},
		"item_2": {"hs_s1"}, "indicator_2": {"XX-NOPE-2"}})
	if res.StatusCode != 400 || !strings.Contains(page, "row 3") || !strings.Contains(page, "XX-NOPE-2") {
		t.Errorf("a bad third row after an empty one: %d, names row 3 %v", res.StatusCode, strings.Contains(page, "row 3"))
	}
	if res, _ := admin.PostForm("/admin/survey/2026/topics", url.Values{"rows": {"100000"}}); res.StatusCode != 400 {
		t.Errorf("too many rows: %d", res.StatusCode)
	}
	if now, _ := env.Services.Survey.Topics(ctx, "2026"); !slices.Equal(now, before) {
		t.Errorf("a refused mapping changed the topics: %+v", now)
	}
	// A good save: replaced, credited, audited.
	if res, body := admin.PostForm("/admin/survey/2026/topics", bad); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", res.StatusCode, body)
	}
	now, _ := env.Services.Survey.Topics(ctx, "2026")
	if len(now) != 1 || now[0].Item != "mo_s1" || now[0].LowerBetter || now[0].UpdatedBy != env.Users[webtest.Admin].Email {
		t.Errorf("saved %+v", now)
	}
	hist, err := env.Store.ListAudit(ctx, auditlog.Filter{EntityType: "survey"})
	if err != nil || len(hist) == 0 || hist[0].Action != "survey.topics" {
		t.Errorf("audit: %+v, %v", hist, err)
	}
}
