package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestPrizeFormInBrowser fills the application form in headless Chromium,
// in English and Korean: typing is saved by the page's autosave without a
// button, survives reopening the page, conditional fields follow the
// stage, and a refused value is named beside its field.
func TestPrizeFormInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	env := webtest.New(t, storetest.OpenSQLite(t))
	bg := context.Background()
	now := time.Now()
	if err := env.Services.Prize.SeedEdition(bg, auditlog.System("test"), &prize.Edition{Code: "2026", Year: 2026,
		Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026", TimeZone: "Asia/Seoul",
		Opens: now.Add(-24 * time.Hour), Deadline: now.AddDate(0, 0, 30), Published: true}); err != nil {
		t.Fatal(err)
	}
	u := env.Users[webtest.Applicant]
	who := prize.Who{UserID: u.ID, Email: u.Email, Role: u.Role}
	if err := env.Services.Prize.SaveProfile(bg, who, prize.Profile{Type: prize.TypeCorporation, Organisation: "Acme Mobility", Country: "KOR", CityName: "Seoul"}); err != nil {
		t.Fatal(err)
	}
	app, err := env.Services.Prize.CreateApplication(bg, who, "2026", prize.TrackTech)
	if err != nil {
		t.Fatal(err)
	}
	base := env.URL("")
	form := fmt.Sprintf("%s/prize/applications/%d", base, app.ID)

	do := func(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	str := func(t *testing.T, what, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	waitFor := func(t *testing.T, what, js string) {
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
	// typeInto sets a field's value as typing does (input events).
	typeInto := func(t *testing.T, sel, value string) {
		t.Helper()
		str(t, "type into "+sel, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.focus(); el.value = %q;
			el.dispatchEvent(new Event('input', {bubbles: true})); return 'ok' })()`, sel, value))
	}

	do(t, "sign in", chromedp.Navigate(base+"/login"))
	do(t, "credentials", chromedp.SetValue(chromedp.CSS("#email"), u.Email), chromedp.SetValue(chromedp.CSS("#password"), webtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	waitFor(t, "signed in", `document.readyState === 'complete' && !location.pathname.startsWith('/login')`)

	t.Run("autosave survives reopening", func(t *testing.T) {
		do(t, "open the form", chromedp.Navigate(form+"?lang=en"))
		waitFor(t, "the form", `document.getElementById('prize-form') !== null`)
		if hidden := str(t, "results hidden", `String(document.getElementById('field-results').hidden)`); hidden != "true" {
			t.Errorf("results field shown before a stage is chosen")
		}
		typeInto(t, "#in-title", "Night buses for shift workers")
		typeInto(t, "#in-summary", "On-demand night buses for workers whose shifts end after the metro closes.")
		str(t, "choose pilot", `(() => { const r = document.querySelector('input[name="f.stage"][value="pilot"]'); r.click(); return 'ok' })()`)
		if hidden := str(t, "results shown", `String(document.getElementById('field-results').hidden)`); hidden != "false" {
			t.Errorf("results field still hidden at the pilot stage")
		}
		waitFor(t, "the autosave", `document.getElementById('autosave-status').textContent.startsWith('Saved')`)
		// Reopen the page: what was typed is there, from the server.
		do(t, "reopen", chromedp.Navigate("about:blank"), chromedp.Navigate(form))
		waitFor(t, "the form again", `document.getElementById('in-title') !== null`)
		if v := str(t, "title", `document.getElementById('in-title').value`); v != "Night buses for shift workers" {
			t.Errorf("title after reopening: %q", v)
		}
		if v := str(t, "stage", `(document.querySelector('input[name="f.stage"]:checked') || {}).value || ''`); v != "pilot" {
			t.Errorf("stage after reopening: %q", v)
		}
		got, err := env.Store.PrizeApplication(bg, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != "Night buses for shift workers" || got.Stage != prize.StagePilot || got.State != prize.StateDraft {
			t.Errorf("stored draft: %q %q %q", got.Title, got.Stage, got.State)
		}
	})

	t.Run("a refused value is named at its field", func(t *testing.T) {
		do(t, "open the form", chromedp.Navigate(form))
		waitFor(t, "the form", `document.getElementById('prize-form') !== null`)
		typeInto(t, `#field-budget input[aria-label="Amount"]`, "a lot")
		waitFor(t, "the problem", `document.querySelector('#field-budget .autosave-problem') !== null`)
		if msg := str(t, "problem", `document.querySelector('#field-budget .autosave-problem').textContent`); msg != `"a lot" is not a number` {
			t.Errorf("problem at the budget: %q", msg)
		}
		if v := str(t, "typed value kept", `document.querySelector('#field-budget input').value`); v != "a lot" {
			t.Errorf("typed value replaced: %q", v)
		}
	})

	t.Run("Korean", func(t *testing.T) {
		do(t, "open in Korean", chromedp.Navigate(form+"?lang=ko"))
		waitFor(t, "the form", `document.getElementById('prize-form') !== null`)
		if l := str(t, "label", `document.querySelector('label[for="in-title"]').textContent`); !strings.Contains(l, "프로젝트 제목") {
			t.Errorf("title label in Korean: %q", l)
		}
		if b := str(t, "submit", `document.getElementById('submit').textContent`); b != "제출" {
			t.Errorf("submit button: %q", b)
		}
		typeInto(t, "#in-title", "심야 버스")
		waitFor(t, "the Korean autosave", `document.getElementById('autosave-status').textContent.startsWith('저장됨')`)
		text := str(t, "main text", `document.getElementById('main').innerText`)
		for _, english := range []string{"Saved", "Submit", "Summary", "Development stage", "Attach", "required"} {
			if strings.Contains(text, english) {
				t.Errorf("Korean form shows %q", english)
			}
		}
		do(t, "reopen", chromedp.Navigate("about:blank"), chromedp.Navigate(form+"?lang=ko"))
		waitFor(t, "the form again", `document.getElementById('in-title') !== null`)
		if v := str(t, "title", `document.getElementById('in-title').value`); v != "심야 버스" {
			t.Errorf("Korean title after reopening: %q", v)
		}
	})
	// The upload form is streamed: the browser must send the CSRF token
	// and the field before the file, as the page orders them.
	t.Run("attach a file through the form", func(t *testing.T) {
		do(t, "open", chromedp.Navigate(form+"?lang=en"))
		waitFor(t, "the form", `document.querySelector('input[type=file][form=upload-evidence]') !== null`)
		str(t, "choose a file", `(() => { const dt = new DataTransfer();
			dt.items.add(new File(['%PDF-1.4\n%%EOF\n'], 'plan.pdf', {type: 'application/pdf'}));
			const in_ = document.querySelector('input[type=file][form=upload-evidence]'); in_.files = dt.files;
			document.querySelector('button[form=upload-evidence]').click(); return 'ok' })()`)
		waitFor(t, "the attached file listed", `Array.from(document.querySelectorAll('#field-evidence a')).some(a => a.textContent === 'plan.pdf')`)
	})
}
