package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The survey in a real browser: answered in Korean by keyboard alone on a
// phone-sized window; the city's results page with its error bars; and
// axe-core on the form and the results page.
func TestSurveyInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 240*time.Second)
	env := surveyEnv(t, storetest.OpenSQLite(t))
	base := env.URL("")
	bg := context.Background()
	sys := auditlog.System("test")

	// Figures for CityX, so its results page has something to show.
	var rows strings.Builder
	rows.WriteString("city,seconds,hs_s1,hs_s2,hs_t1,mo_s1,mo_t1,ac_s1,go_t1,sex,age,education,priorities\n")
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&rows, "%s,%d,%d,%d,%d,%d,%d,%d,%d,%s,%s,%s,air jobs\n", webtest.CityX, 300+i, 1+i%5, 1+(i/2)%5, 1+(i/3)%5, 2+i%4, 1+(i+1)%5, 3, 1+(i/4)%5,
			[]string{"female", "male"}[i%2], []string{"18-29", "30-44", "45-64", "65+"}[i%4], []string{"low", "mid", "high"}[i%3])
	}
	svc := env.Services.Survey
	if _, err := svc.ImportResponses(bg, sys, "2026", "p.csv", []byte(rows.String()), 0); err != nil {
		t.Fatal(err)
	}
	margins := "city,variable,category,population\n"
	for _, m := range [][3]string{{"sex", "female", "51"}, {"sex", "male", "49"}, {"age", "18-29", "20"}, {"age", "30-44", "30"},
		{"age", "45-64", "30"}, {"age", "65+", "20"}, {"education", "low", "30"}, {"education", "mid", "40"}, {"education", "high", "30"}} {
		margins += webtest.CityX + "," + m[0] + "," + m[1] + "," + m[2] + "\n"
	}
	if _, err := svc.ImportMargins(bg, sys, "2026", "m.csv", []byte(margins), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Compute(bg, sys, "2026"); err != nil {
		t.Fatal(err)
	}

	eval := func(t *testing.T, js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	open := func(t *testing.T, path string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
	}

	t.Run("answered by keyboard on a phone, in Korean", func(t *testing.T) {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		form := "/survey/2026/" + webtest.CityXB
		open(t, form+"?lang=ko")
		if w := eval(t, `document.documentElement.scrollWidth <= window.innerWidth + 1`); w != true {
			t.Errorf("the form scrolls sideways on a phone")
		}
		// Tab through the page; in each radio group pick the second choice
		// with an arrow key, tick the first two priorities with the space
		// bar, and send with Enter on the button.
		picked := 0
		for i := 0; i < 400; i++ {
			if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
				t.Fatal(err)
			}
			kind, _ := eval(t, `(() => { const e = document.activeElement; return e.tagName + ':' + (e.type || '') + ':' + (e.name || '') })()`).(string)
			switch {
			case strings.HasPrefix(kind, "INPUT:radio:"):
				if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
					t.Fatal(err)
				}
				picked++
			case strings.HasPrefix(kind, "INPUT:checkbox:priorities") && picked < 1000:
				if n := eval(t, `document.querySelectorAll('input[name=priorities]:checked').length`); n.(float64) < 2 {
					if err := chromedp.Do(ctx, chromedp.KeyEvent(" ")); err != nil {
						t.Fatal(err)
					}
				}
			case strings.HasPrefix(kind, "BUTTON:submit:"):
				if eval(t, `document.activeElement.closest('form').classList.contains('survey-form')`) != true {
					continue
				}
				if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
					t.Fatal(err)
				}
				i = 1000
			}
		}
		waitUntil(t, ctx, "the thanks page", `document.querySelector('h1') && document.querySelector('h1').textContent === '감사합니다'`)
		rs := responsesOf(t, env, webtest.CityXB)
		if len(rs) != 1 {
			t.Fatalf("%d responses stored", len(rs))
		}
		r := rs[0]
		if r.Lang != "ko" || r.Answers["hs_s1"] != "2" || r.Answers["attention"] != "2" || r.Answers["sex"] != "male" || len(r.Priorities) != 2 {
			t.Errorf("stored response %+v (%d radio groups answered)", r, picked)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the results page shows error bars", func(t *testing.T) {
		open(t, "/survey/2026/"+webtest.CityX+"/results?lang=ko")
		n := eval(t, `document.querySelectorAll('svg.errbar line.ci').length`).(float64)
		wide := eval(t, `Array.from(document.querySelectorAll('svg.errbar')).filter(s => { const l = s.querySelector('line.ci'); return l && l.getBoundingClientRect().width > 2 }).length`).(float64)
		if n == 0 || wide == 0 {
			t.Errorf("%v interval lines, %v visibly wide", n, wide)
		}
	})

	t.Run("axe-core finds no serious or critical violation", func(t *testing.T) {
		axe := axeScript(t)
		for _, path := range []string{"/survey/2026/" + webtest.CityY + "?lang=ko", "/survey/2026/" + webtest.CityY + "?lang=en",
			"/survey/2026/" + webtest.CityX + "/results?lang=ko", "/survey/2026/" + webtest.CityX + "/results?lang=en", "/survey?lang=ko"} {
			open(t, path)
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
				t.Fatalf("injecting axe-core: %v", err)
			}
			out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe.run on %s: %v", path, err)
			}
			var v []struct {
				ID, Impact, Help string
				Nodes            []string
			}
			if err := json.Unmarshal([]byte(out), &v); err != nil {
				t.Fatal(err)
			}
			for _, x := range v {
				t.Errorf("%s: %s (%s): %s, e.g. %s", path, x.ID, x.Impact, x.Help, strings.Join(x.Nodes, " | "))
			}
		}
	})
}
