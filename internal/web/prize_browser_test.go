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
	page := browsertest.Open(t, 120*time.Second)
	env := webtest.New(t, storetest.OpenSQLite(t))
	bg := context.Background()
	seedOpenPrizeEdition(t, env, bg)
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

	// typeInto sets a field's value as typing does (input events).
	typeInto := func(t *testing.T, sel, value string) {
		t.Helper()
		page.For(t).Eval("type into "+sel, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.focus(); el.value = %q;
			el.dispatchEvent(new Event('input', {bubbles: true})); return 'ok' })()`, sel, value))
	}

	page.SignIn(base, u.Email, webtest.Password, browsertest.LoginButton)

	t.Run("autosave survives reopening", func(t *testing.T) {
		p := page.For(t)
		p.Do("open the form", chromedp.Navigate(form+"?lang=en"))
		p.WaitFor("the form", `document.getElementById('prize-form') !== null`)
		if hidden := p.Eval("results hidden", `String(document.getElementById('field-results').hidden)`); hidden != "true" {
			t.Errorf("results field shown before a stage is chosen")
		}
		typeInto(t, "#in-title", "Night buses for shift workers")
		typeInto(t, "#in-summary", "On-demand night buses for workers whose shifts end after the metro closes.")
		p.Eval("choose pilot", `(() => { const r = document.querySelector('input[name="f.stage"][value="pilot"]'); r.click(); return 'ok' })()`)
		if hidden := p.Eval("results shown", `String(document.getElementById('field-results').hidden)`); hidden != "false" {
			t.Errorf("results field still hidden at the pilot stage")
		}
		p.WaitFor("the autosave", `document.getElementById('autosave-status').textContent.startsWith('Saved')`)
		// Reopen the page: what was typed is there, from the server.
		p.Do("reopen", chromedp.Navigate("about:blank"), chromedp.Navigate(form))
		p.WaitFor("the form again", `document.getElementById('in-title') !== null`)
		if v := p.Eval("title", `document.getElementById('in-title').value`); v != "Night buses for shift workers" {
			t.Errorf("title after reopening: %q", v)
		}
		if v := p.Eval("stage", `(document.querySelector('input[name="f.stage"]:checked') || {}).value || ''`); v != "pilot" {
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
		p := page.For(t)
		p.Do("open the form", chromedp.Navigate(form))
		p.WaitFor("the form", `document.getElementById('prize-form') !== null`)
		typeInto(t, `#field-budget input[aria-label="Amount"]`, "a lot")
		p.WaitFor("the problem", `document.querySelector('#field-budget .autosave-problem') !== null`)
		if msg := p.Eval("problem", `document.querySelector('#field-budget .autosave-problem').textContent`); msg != `"a lot" is not a number` {
			t.Errorf("problem at the budget: %q", msg)
		}
		if v := p.Eval("typed value kept", `document.querySelector('#field-budget input').value`); v != "a lot" {
			t.Errorf("typed value replaced: %q", v)
		}
	})

	t.Run("Korean", func(t *testing.T) {
		p := page.For(t)
		p.Do("open in Korean", chromedp.Navigate(form+"?lang=ko"))
		p.WaitFor("the form", `document.getElementById('prize-form') !== null`)
		if l := p.Eval("label", `document.querySelector('label[for="in-title"]').textContent`); !strings.Contains(l, "프로젝트 제목") {
			t.Errorf("title label in Korean: %q", l)
		}
		if b := p.Eval("submit", `document.getElementById('submit').textContent`); b != "제출" {
			t.Errorf("submit button: %q", b)
		}
		typeInto(t, "#in-title", "심야 버스")
		p.WaitFor("the Korean autosave", `document.getElementById('autosave-status').textContent.startsWith('저장됨')`)
		text := p.Eval("main text", `document.getElementById('main').innerText`)
		for _, english := range []string{"Saved", "Submit", "Summary", "Development stage", "Attach", "required"} {
			if strings.Contains(text, english) {
				t.Errorf("Korean form shows %q", english)
			}
		}
		p.Do("reopen", chromedp.Navigate("about:blank"), chromedp.Navigate(form+"?lang=ko"))
		p.WaitFor("the form again", `document.getElementById('in-title') !== null`)
		if v := p.Eval("title", `document.getElementById('in-title').value`); v != "심야 버스" {
			t.Errorf("Korean title after reopening: %q", v)
		}
	})
	// The upload form is streamed: the browser must send the CSRF token
	// and the field before the file, as the page orders them.
	t.Run("attach a file through the form", func(t *testing.T) {
		p := page.For(t)
		p.Do("open", chromedp.Navigate(form+"?lang=en"))
		p.WaitFor("the form", `document.querySelector('input[type=file][form=upload-evidence]') !== null`)
		p.Eval("choose a file", `(() => { const dt = new DataTransfer();
			dt.items.add(new File(['%PDF-1.4\n%%EOF\n'], 'plan.pdf', {type: 'application/pdf'}));
			const in_ = document.querySelector('input[type=file][form=upload-evidence]'); in_.files = dt.files;
			document.querySelector('button[form=upload-evidence]').click(); return 'ok' })()`)
		p.WaitFor("the attached file listed", `Array.from(document.querySelectorAll('#field-evidence a')).some(a => a.textContent === 'plan.pdf')`)
	})
}

// seedOpenPrizeEdition seeds the published 2026 prize edition, opened a
// day ago and closing in 30 days, for the prize pages' browser tests.
func seedOpenPrizeEdition(t *testing.T, env *webtest.Env, bg context.Context) {
	t.Helper()
	now := time.Now()
	if err := env.Services.Prize.SeedEdition(bg, auditlog.System("test"), &prize.Edition{Code: "2026", Year: 2026,
		Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026", TimeZone: "Asia/Seoul",
		Opens: now.Add(-24 * time.Hour), Deadline: now.AddDate(0, 0, 30), Published: true}); err != nil {
		t.Fatal(err)
	}
}
