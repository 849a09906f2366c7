package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestExplorerChartsInBrowser drives the charts in Chromium as a reader
// does: the map (coloured, with a legend, zoomed and panned, no stripe
// across it), a chart's tooltip under the mouse and under keyboard focus,
// the printable profile fetched from its link and read back, an axe-core
// audit of the main pages, and screenshots of them in English and Korean
// for reviewers (browsertest.ScreenshotDir).
func TestExplorerChartsInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 240*time.Second)
	env := demoEnv(t, storetest.OpenSQLite(t))
	api := env.Client()
	base := env.URL("")
	var top rankingsBody
	getJSON(t, api, "/api/v1/releases/latest/rankings?limit=3", &top)
	if len(top.Rows) < 3 {
		t.Fatalf("the demo ranks %d cities", len(top.Rows))
	}
	city := top.Rows[0].City.Code
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
	num := func(t *testing.T, what, js string) float64 {
		t.Helper()
		f, ok := eval(t, what, js).(float64)
		if !ok {
			t.Fatalf("%s: not a number", what)
		}
		return f
	}
	open := func(t *testing.T, path string) {
		t.Helper()
		do(t, "open "+path, chromedp.Navigate(base+path))
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
	}

	t.Run("map", func(t *testing.T) {
		open(t, "/")
		colored := num(t, "coloured", `document.querySelectorAll('#network-map circle.pt:not(.none)').length`)
		hollow := num(t, "hollow", `document.querySelectorAll('#network-map circle.pt.none').length`)
		if colored != float64(top.Total) || hollow == 0 {
			t.Errorf("map: %v coloured points (the release ranks %d), %v hollow", colored, top.Total, hollow)
		}
		// The points' colours are the legend's.
		bad := eval(t, "colours", `(() => { const legend = new Set([...document.querySelectorAll('#map-legend .swatch[data-color]')].map(s => s.dataset.color));
			return [...document.querySelectorAll('#network-map circle.pt:not(.none)')].filter(c => !legend.has(c.getAttribute('fill'))).length })()`)
		if bad.(float64) != 0 || num(t, "legend", `document.querySelectorAll('#map-legend li').length`) < 3 {
			t.Errorf("%v points in a colour the legend does not show", bad)
		}
		// No stripes: no drawn segment of the land spans 180° of longitude.
		widest := num(t, "stripes", `(() => { let w = 0; for (const sub of document.querySelector('#network-map path.land').getAttribute('d').split('M').slice(1)) {
			let prev = null; for (const p of sub.replace('Z','').split('L')) { const x = parseFloat(p); if (prev !== null) w = Math.max(w, Math.abs(x - prev)); prev = x } } return w })()`)
		if widest > 360 {
			t.Errorf("a land segment spans %v px: a stripe", widest)
		}
		// Zoom in twice with the button, then pan with the keyboard, then reset.
		do(t, "zoom in", chromedp.Click(chromedp.CSS(`.map-zoom button[data-zoom="in"]`)), chromedp.Click(chromedp.CSS(`.map-zoom button[data-zoom="in"]`)))
		vb := eval(t, "viewBox", `document.getElementById('network-map').getAttribute('viewBox')`).(string)
		f := strings.Fields(vb)
		if len(f) != 4 || f[2] != "180" {
			t.Errorf("after zooming in twice the viewBox is %q, want a width of 180", vb)
		}
		r := num(t, "radius", `parseFloat(document.querySelector('#network-map circle.pt').getAttribute('r'))`)
		if r >= 3.4 {
			t.Errorf("points keep radius %v when zoomed (they grow with the map)", r)
		}
		x0 := strings.Fields(eval(t, "viewBox", `document.getElementById('network-map').getAttribute('viewBox')`).(string))[0]
		do(t, "pan with the keyboard", chromedp.Focus(chromedp.CSS(`.map-zoom button[data-zoom="in"]`)), chromedp.KeyEvent(kb.ArrowRight))
		x1 := strings.Fields(eval(t, "viewBox", `document.getElementById('network-map').getAttribute('viewBox')`).(string))[0]
		if x0 == x1 {
			t.Errorf("the arrow key did not pan the map (x stays %s)", x0)
		}
		// Dragging pans too.
		box := eval(t, "map box", `(() => { const r = document.getElementById('network-map').getBoundingClientRect(); return [r.left + r.width/2, r.top + r.height/2] })()`).([]any)
		cx, cy := box[0].(float64), box[1].(float64)
		do(t, "drag", chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, cx, cy, chromedp.ButtonLeft), chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, cx-120, cy, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, cx-120, cy, chromedp.ButtonLeft))
		x2 := strings.Fields(eval(t, "viewBox", `document.getElementById('network-map').getAttribute('viewBox')`).(string))[0]
		if x2 == x1 {
			t.Errorf("dragging did not pan the map (x stays %s)", x1)
		}
		do(t, "reset", chromedp.Click(chromedp.CSS(`.map-zoom button[data-zoom="reset"]`)))
		if vb := eval(t, "viewBox", `document.getElementById('network-map').getAttribute('viewBox')`).(string); vb != "0 0 720 300" {
			t.Errorf("reset: viewBox %q", vb)
		}
		// Colour by a pillar: the select applies at once.
		eval(t, "choose a pillar", `(() => { const s = document.getElementById('map-measure'); s.value = s.querySelector('optgroup option').value; s.dispatchEvent(new Event('change')); return true })()`)
		waitUntil(t, ctx, "the map by a pillar", `location.search.includes('map=') && document.readyState === 'complete'`)
		title := eval(t, "title", `document.getElementById('map-title').textContent`).(string)
		if !strings.Contains(title, eval(t, "option", `document.querySelector('#map-measure option:checked').textContent`).(string)) {
			t.Errorf("map title %q does not name the chosen pillar", title)
		}
	})

	t.Run("chart hover and keyboard focus", func(t *testing.T) {
		open(t, "/cities/"+city)
		// The mouse over the first pillar bar shows its value.
		pos := eval(t, "bar", `(() => { const r = document.querySelectorAll('#chart-pillars .mark rect')[1].getBoundingClientRect(); return [r.left + 5, r.top + r.height/2] })()`).([]any)
		do(t, "hover", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, pos[0].(float64), pos[1].(float64)))
		waitUntil(t, ctx, "the tooltip", `(() => { const t = document.getElementById('chart-tip'); return t !== null && !t.hidden })()`)
		tip := eval(t, "tip", `document.getElementById('chart-tip').textContent`).(string)
		want := eval(t, "mark", `document.querySelectorAll('#chart-pillars .mark')[1].dataset.tip`).(string)
		if tip != want || !strings.Contains(tip, ":") {
			t.Errorf("hover tooltip %q, want %q", tip, want)
		}
		// Tab from the control before the chart lands on its first mark,
		// which shows its tooltip; Tab again moves to the next.
		do(t, "focus before", chromedp.Focus(chromedp.CSS(".share-box details summary")), chromedp.KeyEvent("\t"))
		focused := eval(t, "focused", `document.activeElement.closest('#chart-pillars') !== null && document.activeElement.classList.contains('mark')`).(bool)
		if !focused {
			t.Fatalf("Tab did not reach the chart: focus on %v", eval(t, "active", `document.activeElement.outerHTML.slice(0, 120)`))
		}
		first := eval(t, "tip", `document.getElementById('chart-tip').textContent`).(string)
		if first != eval(t, "active tip", `document.activeElement.dataset.tip`).(string) || eval(t, "visible", `!document.getElementById('chart-tip').hidden`) != true {
			t.Errorf("keyboard focus shows tooltip %q", first)
		}
		do(t, "tab", chromedp.KeyEvent("\t"))
		second := eval(t, "tip", `document.getElementById('chart-tip').textContent`).(string)
		if second == first || !strings.Contains(second, ":") {
			t.Errorf("next mark's tooltip %q after %q", second, first)
		}
		outline := eval(t, "focus ring", `getComputedStyle(document.activeElement.querySelector('rect')).strokeWidth`).(string)
		if outline == "0px" || outline == "" {
			t.Errorf("the focused bar has no visible outline (stroke %q)", outline)
		}
	})

	t.Run("rank band by keyboard", func(t *testing.T) {
		open(t, "/rankings")
		// Tab from a row's city link lands on its rank band, whose tooltip
		// (the interval in words) shows as under the mouse.
		do(t, "focus the first city", chromedp.Focus(chromedp.CSS(`.rank-table tbody tr:first-child td:nth-child(2) a`)), chromedp.KeyEvent("\t"))
		if eval(t, "band focused", `document.activeElement.matches('.rank-table tbody tr:first-child svg.band')`) != true {
			t.Fatalf("Tab from the city did not reach its rank band: focus on %v", eval(t, "active", `document.activeElement.outerHTML.slice(0, 120)`))
		}
		tip := eval(t, "tip", `document.getElementById('chart-tip').textContent`).(string)
		want := eval(t, "band tip", `document.activeElement.dataset.tip`).(string)
		if tip != want || eval(t, "visible", `!document.getElementById('chart-tip').hidden`) != true || !strings.ContainsAny(tip, "0123456789") {
			t.Errorf("keyboard focus on the band shows tooltip %q, want %q", tip, want)
		}
		if o := eval(t, "focus ring", `getComputedStyle(document.activeElement).outlineStyle`).(string); o == "none" {
			t.Errorf("the focused band has no visible outline")
		}
	})

	t.Run("printable profile", func(t *testing.T) {
		pdftotext := needTool(t, "pdftotext", "poppler-utils")
		pdfinfo := needTool(t, "pdfinfo", "poppler-utils")
		open(t, "/cities/"+city)
		name := eval(t, "name", `document.getElementById('city-name').firstChild.textContent.trim()`).(string)
		b64, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById('profile-pdf').href).then(r => r.arrayBuffer()).then(b => {
			let s = ''; const u = new Uint8Array(b); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s) })`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		pdf, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("the profile link gave no PDF: %v %.20q", err, pdf)
		}
		f := filepath.Join(t.TempDir(), "profile.pdf")
		os.WriteFile(f, pdf, 0o644)
		info, _ := exec.Command(pdfinfo, f).Output()
		text, _ := exec.Command(pdftotext, f, "-").Output()
		if !strings.Contains(string(info), "Pages:") || strings.Contains(string(info), "Pages:           0") {
			t.Errorf("pdfinfo: %s", info)
		}
		if !strings.Contains(string(text), name) {
			t.Errorf("the printed profile does not name %q:\n%s", name, text)
		}
	})

	t.Run("axe-core finds no serious or critical violation", func(t *testing.T) {
		axe := axeScript(t)
		pages := []string{"/", "/rankings", "/cities/" + city, "/compare?c=" + top.Rows[0].City.Code + "&c=" + top.Rows[1].City.Code, "/methodology"}
		check := func(t *testing.T, path string) {
			t.Helper()
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
		for _, p := range pages {
			sep := "?"
			if strings.Contains(p, "?") {
				sep = "&"
			}
			check(t, p+sep+"lang=en")
		}
		// Korean: the pages whose text differs most (the chart labels, the map).
		check(t, "/?lang=ko")
		check(t, "/cities/"+city+"?lang=ko")
		// The data call's form, signed in as the city's focal point.
		signIn(t, ctx, base, env.Users[webtest.Focal].Email)
		check(t, "/datacall/2026/cities/"+webtest.CityX)
		do(t, "sign out", chromedp.Navigate(base+"/"))
		eval(t, "sign out", `(() => { const f = document.querySelector('form[action="/logout"]'); if (f) f.submit(); return true })()`)
		time.Sleep(300 * time.Millisecond)
	})

	t.Run("screenshots", func(t *testing.T) {
		dir := browsertest.ScreenshotDir(t, "pages")
		pages := map[string]string{"home": "/", "rankings": "/rankings", "city": "/cities/" + city, "compare": "/compare?c=" + top.Rows[0].City.Code + "&c=" + top.Rows[1].City.Code + "&c=" + top.Rows[2].City.Code,
			"indicator": "/indicators/EC-ICT-ICT-1C", "methodology": "/methodology", "search": "/search?q=a"}
		n := 0
		for _, lang := range []string{"en", "ko"} {
			for name, p := range pages {
				sep := "?"
				if strings.Contains(p, "?") {
					sep = "&"
				}
				open(t, p+sep+"lang="+lang)
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
				if err != nil || len(png) < 1000 {
					t.Fatalf("screenshot of %s: %v", p, err)
				}
				if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%s.jpg", lang, name)), png, 0o644); err != nil {
					t.Fatal(err)
				}
				n++
			}
		}
		t.Logf("%d screenshots of the main pages in %s", n, dir)
	})
}

// waitUntil polls js until it is true, across page loads.
func waitUntil(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && v {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// signIn signs the browser in with the fixture password.
func signIn(t *testing.T, ctx context.Context, base, email string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="email"]`), email), chromedp.SetValue(chromedp.CSS(`input[name="password"]`), webtest.Password)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('input[name="password"]').form.submit(); true`)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, ctx, "signed in", `document.readyState === 'complete' && location.pathname !== '/login' && document.querySelector('form[action="/logout"]') !== null`)
}

// axeScript is axe-core's axe.min.js, installed from npm by .ci/run
// (CITYLENS_TEST_AXE names the file). Without it the test skips, saying
// so; under CI=true it fails.
func axeScript(t *testing.T) string {
	t.Helper()
	p := os.Getenv("CITYLENS_TEST_AXE")
	if p == "" {
		home, _ := os.UserHomeDir()
		p = filepath.Join(home, ".cache", "citylens-axe", "node_modules", "axe-core", "axe.min.js")
	}
	b, err := os.ReadFile(p)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the accessibility audit needs axe-core (npm install axe-core; .ci/run does and sets CITYLENS_TEST_AXE): %v", err)
		}
		t.Skipf("SKIPPED: no axe-core at %s (npm install --prefix ~/.cache/citylens-axe axe-core, or set CITYLENS_TEST_AXE); CI runs this test", p)
	}
	return string(b)
}
