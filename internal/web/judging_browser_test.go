package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestJudgingInBrowser, in headless Chromium: a judge scores an
// application on the scoring page; the administrator reads the decision
// view, records a Gold and, at the ceremony, announces; the winners page
// reads in Korean with no English left.
func TestJudgingInBrowser(t *testing.T) {
	env, clock := prizeEnv(t, storetest.OpenSQLite(t))
	r, _ := judgingSetup(t, env)
	base := env.URL("")

	run := func(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(t *testing.T, ctx context.Context, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	waitFor := func(t *testing.T, ctx context.Context, what, js string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
			if err == nil && ok {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("waiting for %s: %v", what, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	login := func(t *testing.T, ctx context.Context, role string) {
		run(t, ctx, "sign in", chromedp.Navigate(base+"/login"))
		run(t, ctx, "credentials", chromedp.SetValue(chromedp.CSS("#email"), env.Users[role].Email),
			chromedp.SetValue(chromedp.CSS("#password"), webtest.Password),
			chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
		waitFor(t, ctx, "signed in", `document.readyState === 'complete' && !location.pathname.startsWith('/login')`)
	}

	judge := browsertest.New(t, 120*time.Second)
	login(t, judge, webtest.Judge)
	run(t, judge, "work list", chromedp.Navigate(base+"/judging?lang=en"))
	waitFor(t, judge, "the work list", `document.querySelector('#work a') !== null`)
	if strings.Contains(str(t, judge, `document.body.innerText`), "Night buses") {
		t.Fatal("the work list shows the conflicted application")
	}
	run(t, judge, "open the sheet", chromedp.Click(chromedp.CSS(`#work a`)))
	waitFor(t, judge, "the sheet", `document.getElementById('sheet') !== null`)
	str(t, judge, `(() => { for (const el of document.querySelectorAll('#sheet input[type=number]')) el.value = '9'; return 'ok' })()`)
	str(t, judge, `(() => { document.querySelector('textarea[name=comment_value]').value = 'Residents gain hours each week.';
		document.querySelector('select[name=visibility_value]').value = 'applicant'; return 'ok' })()`)
	run(t, judge, "submit", chromedp.Click(chromedp.CSS(`button[value=submit]`)))
	waitFor(t, judge, "saved", `location.search.includes('saved=1') && document.body.innerText.includes('Saved.')`)
	if got := str(t, judge, `document.querySelector('#score_value').value`); got != "9" {
		t.Fatalf("the saved sheet shows %q for value generation", got)
	}

	admin := browsertest.New(t, 120*time.Second)
	login(t, admin, webtest.Admin)
	results := fmt.Sprintf("%s/judging/rounds/%d/results?lang=en", base, r.ID)
	run(t, admin, "decision view", chromedp.Navigate(results))
	waitFor(t, admin, "the ranking", `document.querySelector('#ranking tbody tr') !== null`)
	row := str(t, admin, `(() => { for (const tr of document.querySelectorAll('#ranking tbody tr')) if (tr.innerText.includes('9.00')) return tr.innerText; return '' })()`)
	if row == "" {
		t.Fatalf("no application at 9.00 in the decision view:\n%s", str(t, admin, `document.getElementById('ranking').innerText`))
	}
	str(t, admin, `(() => { for (const tr of document.querySelectorAll('#ranking tbody tr')) if (tr.innerText.includes('9.00')) {
		tr.querySelector('select[name=kind]').value = 'winner'; tr.querySelector('select[name=grade]').value = 'gold';
		tr.querySelector('form button').click(); return 'ok' } return 'none' })()`)
	waitFor(t, admin, "the decision", `document.getElementById('decisions') !== null && document.getElementById('decisions').innerText.includes('Winner · Gold')`)

	e, _ := env.Store.PrizeEdition(context.Background(), "2026")
	clock.Set(e.Ceremony)
	login(t, admin, webtest.Admin) // months later: a new session
	run(t, admin, "decision view", chromedp.Navigate(results))
	waitFor(t, admin, "the announce button", `document.querySelector('form[action$="/announce"] button') !== null`)
	run(t, admin, "announce", chromedp.Click(chromedp.CSS(`form[action$="/announce"] button`)))
	waitFor(t, admin, "the winners page", `location.pathname === '/prize/editions/2026/winners' && document.getElementById('winners') !== null`)
	run(t, admin, "Korean", chromedp.Navigate(base+"/prize/editions/2026/winners?lang=ko"))
	waitFor(t, admin, "Korean winners", `document.documentElement.lang === 'ko' && document.getElementById('winners') !== null`)
	table := str(t, admin, `document.getElementById('winners').innerText`)
	if !strings.Contains(table, "수상 · 금상") || !strings.Contains(table, "사업") {
		t.Fatalf("Korean winners table:\n%s", table)
	}
	// The page's own words, without the applicants' data (an organisation
	// may well be called "City of Odense").
	words := str(t, admin, `(() => { const m = (document.querySelector('main') || document.body).cloneNode(true);
		m.querySelectorAll('td').forEach(td => { if (!td.matches(':first-child')) td.remove() }); document.body.appendChild(m);
		const s = m.innerText; m.remove(); return s })()`)
	for _, en := range []string{"Winner", "Gold", "Award", "Project", "Organisation", "City"} {
		if strings.Contains(words, en) {
			t.Errorf("English %q on the Korean winners page:\n%s", en, words)
		}
	}
}
