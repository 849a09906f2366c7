package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/storetest"
)

// TestPartnershipsMapInBrowser: the demo's partnerships map in Korean, as
// Chromium renders it: one line per public partnership between two cities,
// each reachable with the Tab key and opening its partnership with Enter;
// the table alternative holds every partnership of the map (and those with
// a partner organisation) with the same links; the page is in Korean and
// axe-core finds no serious or critical violation. It leaves a screenshot
// (ko-partnerships.jpg) beside the main pages'.
func TestPartnershipsMapInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 180*time.Second)
	env := demoEnv(t, storetest.OpenSQLite(t))
	eval := func(what, js string) any {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[any](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL("/partnerships?lang=ko")), chromedp.WaitVisible(chromedp.CSS(`#partnership-map`))); err != nil {
		t.Fatal(err)
	}
	if got := eval("lines", `document.querySelectorAll('#partnership-map a.pl').length`); got != 7.0 {
		t.Errorf("%v lines on the map, want 7", got)
	}
	// Each line is drawn: a path with a length on the screen.
	if got := eval("drawn", `[...document.querySelectorAll('#partnership-map a.pl path')].filter(p => p.getTotalLength() > 5 && p.getBoundingClientRect().width > 0).length`); got != 7.0 {
		t.Errorf("%v lines drawn with a length, want 7", got)
	}
	// The table holds the same partnerships: every line's link is a row's.
	missing := eval("table", `(() => { const rows = new Set([...document.querySelectorAll('#partnership-table tbody th a')].map(a => a.getAttribute('href')));
		return [...document.querySelectorAll('#partnership-map a.pl')].map(a => a.getAttribute('href')).filter(h => !rows.has(h)) })()`)
	if m, _ := missing.([]any); len(m) != 0 {
		t.Errorf("lines without a row in the table: %v", m)
	}
	if got := eval("rows", `document.querySelectorAll('#partnership-table tbody tr').length`); got != 8.0 {
		t.Errorf("%v rows in the table, want 8", got)
	}
	text := eval("text", `document.body.innerText`).(string)
	for _, want := range []string{"네트워크의 파트너십", "로테르담–부산: 공유 모빌리티와 스마트 항만", "서울–더블린: 디지털 트윈과 공공데이터", "파트너십 표", "진행 중", "완료", "중단", "제안"} {
		if !strings.Contains(text, want) {
			t.Errorf("the Korean map page lacks %q", want)
		}
	}
	for _, en := range []string{"The network's partnerships", "Partnerships as a table", "Line styles by status"} {
		if strings.Contains(text, en) {
			t.Errorf("English left on the Korean map page: %q", en)
		}
	}
	// The keyboard: Tab reaches a line of the map; Enter opens its page.
	var href string
	for i := 0; i < 200 && href == ""; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatal(err)
		}
		if v, _ := eval("focus", `(() => { const a = document.activeElement; return a && a.matches('#partnership-map a.pl') ? a.getAttribute('href') : '' })()`).(string); v != "" {
			href = v
		}
	}
	if href == "" {
		t.Fatal("no line of the map is reached with the Tab key")
	}
	if got := eval("focus style", `getComputedStyle(document.activeElement.querySelector('path')).strokeWidth`); got != "3.5px" {
		t.Errorf("a focused line's stroke is %v, want the focus style's 3.5px", got)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "the partnership's page", `location.pathname === '`+href+`' && document.readyState === 'complete'`)
	if !strings.Contains(eval("partnership", `document.body.innerText`).(string), "활동") {
		t.Errorf("the partnership's page %s is not in Korean", href)
	}
	// axe-core on the map page.
	axe := axeScript(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(env.URL("/partnerships?lang=ko")), chromedp.WaitVisible(chromedp.CSS(`#partnership-map`))); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({id: v.id, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if out != "[]" {
		t.Errorf("axe-core on the partnerships map: %s", out)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(browsertest.ScreenshotDir(t, "pages"), "ko-partnerships.jpg"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}
