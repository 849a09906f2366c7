package web_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/survey"
)

// TestExplorerSurveyMethod: the demo's 2026 release carries the residents'
// survey (the people-centric pillar and its sampling error), and its
// methodology page states the pooling rule and the survey values' margins
// of error as they entered the bands, in English and Korean.
func TestExplorerSurveyMethod(t *testing.T) {
	s := storetest.OpenSQLite(t)
	env := demoEnv(t, s)
	ctx := context.Background()
	wf := &release.Workflow{Store: s, Audit: s}
	rec, err := wf.Latest(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	r, err := wf.Load(ctx, rec.Hash)
	if err != nil {
		t.Fatal(err)
	}
	var margins []float64
	cities := map[string]bool{}
	for _, in := range r.Config().Uncertainty.Spec.Inputs {
		for _, se := range in.Sampling {
			margins = append(margins, survey.Z95*se.SE)
			cities[se.Unit] = true
		}
	}
	if len(margins) == 0 {
		t.Fatal("the demo's 2026 release has no survey sampling input")
	}
	// The demo surveys its first 20 member cities (those in the edition
	// have values).
	if len(cities) == 0 || len(cities) > 20 {
		t.Errorf("%d cities with survey values, want 1 to 20", len(cities))
	}
	slices.Sort(margins)
	n := len(margins)
	med := margins[n/2]
	if n%2 == 0 {
		med = (margins[n/2-1] + margins[n/2]) / 2
	}
	c := env.Client()
	for lang, want := range map[string][]string{
		"en": {"Residents&#39; survey (people-centric pillar)", "latest 3 waves of the survey with the weights 3:2:1",
			fmt.Sprintf("from ±%.1f to ±%.1f points, median ±%.1f", margins[0], margins[n-1], med), "under 30 responses",
			fmt.Sprintf("; %d cities have survey values", len(cities))},
		"ko": {"주민 설문 (시민 중심 축)", "최근 3개 차수를 가중치 3:2:1",
			fmt.Sprintf("±%.1f점부터 ±%.1f점까지, 중앙값 ±%.1f점", margins[0], margins[n-1], med), "응답 30건 미만",
			fmt.Sprintf("설문 값이 있는 도시는 %d곳", len(cities))},
	} {
		res, body := c.Get("/methodology?lang=" + lang)
		if res.StatusCode != 200 {
			t.Fatalf("GET /methodology?lang=%s: %d", lang, res.StatusCode)
		}
		i := strings.Index(body, `id="survey-method"`)
		if i < 0 {
			t.Fatalf("%s: no survey section", lang)
		}
		sec := body[i:]
		sec = sec[:strings.Index(sec, "</section>")]
		for _, w := range want {
			if !strings.Contains(sec, w) {
				t.Errorf("%s: the survey section lacks %q\n%s", lang, w, sec)
			}
		}
		if lang == "ko" && strings.Contains(sec, "survey") && !strings.Contains(sec, `href="/survey"`) {
			t.Errorf("English left in the Korean survey section:\n%s", sec)
		}
	}
}
