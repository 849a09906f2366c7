package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestSlotsPageInBrowser, in headless Chromium: the administrator
// schedules a finalist's presentation on the slots page (local times in
// Seoul), then a clashing one, which is refused naming the first slot
// and its time with the typed values still in the form; axe-core finds
// no serious or critical violation on the slots, programme and
// attendance pages, in English and Korean.
func TestSlotsPageInBrowser(t *testing.T) {
	env, _, apps, r, _ := committeeEnv(t, storetest.OpenSQLite(t))
	base := env.URL("")
	b := browsertest.Open(t, 120*time.Second)
	b.SignIn(base, env.Users[webtest.Admin].Email, webtest.Password, browsertest.LoginButton)

	slots := fmt.Sprintf("%s/judging/rounds/%d/slots?lang=en", base, r.ID)
	fill := func(app int64, starts, ends, room string) {
		t.Helper()
		b.Str(fmt.Sprintf(`(() => { document.getElementById('slot-app').value = '%d'; document.getElementById('slot-starts').value = '%s';
			document.getElementById('slot-ends').value = '%s'; document.getElementById('slot-room').value = '%s'; return 'ok' })()`, app, starts, ends, room))
		b.Do("save the slot", chromedp.Click(chromedp.CSS(`#slot-form button[type=submit]`)))
	}
	b.Do("slots page", chromedp.Navigate(slots))
	b.WaitFor("the slot form", `document.getElementById('slot-form') !== null`)
	fill(apps[1].ID, "2026-10-29T10:00", "2026-10-29T10:30", "Hall 2")
	b.WaitFor("the slot listed", `document.querySelector('#slots tr[data-slot]') !== null`)
	row := b.Str(`document.querySelector('#slots tr[data-slot]').innerText`)
	if !strings.Contains(row, apps[1].Title) || !strings.Contains(row, "2026-10-29 10:00–10:30") || !strings.Contains(row, "Hall 2") {
		t.Fatalf("the slot's row: %q", row)
	}
	id := b.Str(`document.querySelector('#slots tr[data-slot]').dataset.slot`)
	fill(apps[2].ID, "2026-10-29T10:15", "2026-10-29T10:45", "Hall 2")
	b.WaitFor("the clash", `document.getElementById('slot-error') !== null`)
	if msg := b.Str(`document.getElementById('slot-error').innerText`); msg != "The slot clashes with slot "+id+" (2026-10-29 10:00–10:30) in the same room." {
		t.Fatalf("the clash reads %q", msg)
	}
	if kept := b.Str(`[document.getElementById('slot-app').value, document.getElementById('slot-starts').value, document.getElementById('slot-ends').value, document.getElementById('slot-room').value].join('|')`); kept != fmt.Sprintf("%d|2026-10-29T10:15|2026-10-29T10:45|Hall 2", apps[2].ID) {
		t.Fatalf("the form kept %q", kept)
	}

	axe := axeScript(t)
	for _, path := range []string{fmt.Sprintf("/judging/rounds/%d/slots", r.ID), "/judging/editions/2026/programme", "/judging/editions/2026/attendance"} {
		for _, lang := range []string{"en", "ko"} {
			b.Do("open "+path, chromedp.Navigate(base+path+"?lang="+lang))
			b.WaitFor(path, `document.readyState === 'complete' && document.querySelector('main h1') !== null`)
			if _, err := chromedp.Run(b.Ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
				t.Fatalf("injecting axe-core: %v", err)
			}
			out, err := chromedp.Run(b.Ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ['violations']}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))`, chromedp.EvalAwaitPromise))
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
				t.Errorf("%s?lang=%s: %s (%s): %s, e.g. %s", path, lang, x.ID, x.Impact, x.Help, strings.Join(x.Nodes, " | "))
			}
		}
	}
}
