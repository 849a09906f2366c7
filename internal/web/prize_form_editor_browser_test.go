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

// TestPrizeFormEditorInBrowser drives the form editor in headless
// Chromium as the secretariat: a field moved up with its button, a new
// choice field with a condition added through the inputs and saved, a
// refused edit shown at its field with what was typed, and the editor in
// Korean. The page's buttons are plain form submissions.
func TestPrizeFormEditorInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	env := webtest.New(t, storetest.OpenSQLite(t))
	bg := context.Background()
	now := time.Now()
	if err := env.Services.Prize.SeedEdition(bg, auditlog.System("test"), &prize.Edition{Code: "2026", Year: 2026,
		Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026", TimeZone: "Asia/Seoul",
		Opens: now.Add(-24 * time.Hour), Deadline: now.AddDate(0, 0, 30), Published: true}); err != nil {
		t.Fatal(err)
	}
	base := env.URL("")
	editor := base + "/admin/prize/2026/form-editor?track=" + prize.TrackHuman + "&type=" + prize.TypeInstitution
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
	do := func(t *testing.T, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	set := func(t *testing.T, sel, value string) {
		t.Helper()
		str(t, "set "+sel, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event('change', {bubbles: true})); return 'ok' })()`, sel, value))
	}
	form := func() *prize.Form {
		f, err := env.Services.Prize.FormFor(bg, "2026", prize.TrackHuman, prize.TypeInstitution)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	admin := env.Users[webtest.Admin]
	do(t, "sign in", chromedp.Navigate(base+"/login"))
	do(t, "credentials", chromedp.SetValue(chromedp.CSS("#email"), admin.Email), chromedp.SetValue(chromedp.CSS("#password"), webtest.Password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)))
	waitFor(t, "signed in", `document.readyState === 'complete' && !location.pathname.startsWith('/login')`)

	do(t, "open the editor", chromedp.Navigate(editor+"&lang=en"))
	waitFor(t, "the editor", `document.getElementById('form-editor') !== null`)
	if l := str(t, "first legend", `document.querySelector('#form-editor legend').textContent`); l != "Field 1: title" {
		t.Fatalf("first field: %q", l)
	}
	// Move the summary up: the page comes back with it first, saved.
	str(t, "move up", `(() => { document.getElementById('fe1-up').click(); return 'ok' })()`)
	waitFor(t, "the moved field", `document.readyState === 'complete' && document.querySelector('#form-editor legend') !== null && document.querySelector('#form-editor legend').textContent === 'Field 1: summary'`)
	if f := form(); f.Fields[0].Key != "summary" || f.Fields[1].Key != "title" {
		t.Errorf("stored order after moving: %s, %s", f.Fields[0].Key, f.Fields[1].Key)
	}

	// A new choice field, shown only at the pilot and later stages; first
	// without its Korean label: refused at the field, typed values kept.
	newRow := str(t, "new row", `document.querySelector('#fe-new input[name$=".new"]').name.replace('.new', '.')`)
	set(t, `[name="`+newRow+`key"]`, "pilot_length")
	set(t, `[name="`+newRow+`kind"]`, "choice")
	set(t, `[name="`+newRow+`label"]`, "How long the pilot ran")
	set(t, `[name="`+newRow+`options"]`, "short | Under a year | 1년 미만\nlong | A year or more | 1년 이상")
	set(t, `[name="`+newRow+`show_field"]`, "stage")
	set(t, `[name="`+newRow+`show_values"]`, "pilot ongoing scaled")
	str(t, "save", `(() => { document.getElementById('editor-save').click(); return 'ok' })()`)
	waitFor(t, "the refusal", `document.readyState === 'complete' && document.getElementById('form-errors') !== null`)
	if e := str(t, "error", `document.getElementById('form-errors').innerText`); !strings.Contains(e, "pilot_length: a field needs a label in English and Korean") {
		t.Errorf("refusal: %q", e)
	}
	if v := str(t, "kept", `document.querySelector('#fe-pilot_length textarea').value`); !strings.Contains(v, "1년 이상") {
		t.Errorf("typed choices not kept: %q", v)
	}
	if fieldIndex(form(), "pilot_length") >= 0 {
		t.Fatal("a refused edit was saved")
	}
	set(t, `#fe-pilot_length input[name$=".label_ko"]`, "시범 운영 기간")
	str(t, "save again", `(() => { document.getElementById('editor-save').click(); return 'ok' })()`)
	waitFor(t, "saved", `document.readyState === 'complete' && document.getElementById('form-errors') === null && document.getElementById('fe-pilot_length') !== null`)
	f := form()
	fd, ok := f.Field("pilot_length")
	if !ok || fd.Kind != prize.KindChoice || len(fd.Options) != 2 || fd.Options[1].LabelKO != "1년 이상" || fd.ShowIf == nil || len(fd.ShowIf.Values) != 3 {
		t.Errorf("new field: %+v", fd)
	}

	// In Korean.
	do(t, "Korean", chromedp.Navigate(editor+"&lang=ko"))
	waitFor(t, "the Korean editor", `document.getElementById('form-editor') !== null`)
	text := str(t, "text", `document.getElementById('main').innerText`)
	for _, want := range []string{"양식 편집기", "항목 1: summary", "위로", "삭제", "이름 (한국어)"} {
		if !strings.Contains(text, want) {
			t.Errorf("Korean editor lacks %q", want)
		}
	}
	for _, english := range []string{"Move up", "Remove", "Label (Korean)", "Save the form"} {
		if strings.Contains(text, english) {
			t.Errorf("Korean editor shows %q", english)
		}
	}
}
