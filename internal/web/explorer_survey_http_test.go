package web_test

import (
	"context"
	"fmt"
	"html"
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

	// The perception-versus-data view of a surveyed city: residents' score
	// of each area with its margin, beside its measured indicators on the
	// area's topics.
	var city string
	se := map[string]float64{}
	for _, in := range r.Config().Uncertainty.Spec.Inputs {
		for _, x := range in.Sampling {
			if city == "" {
				city = x.Unit
			}
			if x.Unit == city {
				se[x.Indicator] = x.SE
			}
		}
	}
	p, err := r.Profile(city)
	if err != nil {
		t.Fatal(err)
	}
	// The measured indicators of an area are those the edition's mapping
	// pairs with the area's statements (the demo's: the default pairs).
	topics, err := env.Services.Survey.Topics(ctx, "2026")
	if err != nil || len(topics) == 0 {
		t.Fatalf("the demo survey's topics: %v, %v", topics, err)
	}
	in, err := env.Services.Survey.Instrument(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	mobility := map[string]bool{}
	for _, tp := range topics {
		if it, _ := in.Item(tp.Item); it.Area == "mobility" {
			mobility[tp.Indicator] = true
		}
	}
	var want, measured []string
	for _, v := range p.Values {
		if v.Value == nil {
			continue
		}
		if _, pillar, ok := survey.AreaOf(v.Indicator); ok {
			word := map[string]string{survey.PillarStructures: "Structures", survey.PillarTechnology: "Technology"}[pillar]
			want = append(want, fmt.Sprintf("%s: %.1f ± %.1f", word, *v.Value, survey.Z95*se[v.Indicator]))
		} else if mobility[v.Indicator] {
			measured = append(measured, v.Name)
		}
	}
	if len(want) != 10 || len(measured) == 0 {
		t.Fatalf("%s: %d survey values, %d measured mobility indicators", city, len(want), len(measured))
	}
	for _, lang := range []string{"en", "ko"} {
		res, body := c.Get("/cities/" + city + "?lang=" + lang)
		i := strings.Index(body, `id="perception"`)
		if res.StatusCode != 200 || i < 0 {
			t.Fatalf("GET /cities/%s?lang=%s: %d, no perception view", city, lang, res.StatusCode)
		}
		sec := body[i:]
		sec = sec[:strings.Index(sec, "</section>")]
		if lang == "en" {
			for _, w := range want {
				if !strings.Contains(sec, w) {
					t.Errorf("the perception view lacks %q\n%s", w, sec)
				}
			}
			mob := sec[strings.Index(sec, `data-area="mobility"`):]
			mob = mob[:strings.Index(mob, "</tr>")]
			for _, m := range measured {
				if !strings.Contains(mob, html.EscapeString(m)) {
					t.Errorf("mobility row lacks the measured indicator %q\n%s", m, mob)
				}
			}
		} else {
			for _, w := range []string{"주민의 평가와 측정된 지표", "보건과 안전", "기반 시설: ", "기술: "} {
				if !strings.Contains(sec, w) {
					t.Errorf("ko: the perception view lacks %q\n%s", w, sec)
				}
			}
			if strings.Contains(sec, "Structures") || strings.Contains(sec, "Residents") {
				t.Errorf("English left in the Korean perception view:\n%s", sec)
			}
		}
	}
}
