package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

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
	b := browsertest.Open(t, 120*time.Second)
	env := webtest.New(t, storetest.OpenSQLite(t))
	bg := context.Background()
	seedOpenPrizeEdition(t, env, bg)
	base := env.URL("")
	editor := base + "/admin/prize/2026/form-editor?track=" + prize.TrackHuman + "&type=" + prize.TypeInstitution
	set := func(t *testing.T, sel, value string) {
		t.Helper()
		b.Eval("set "+sel, fmt.Sprintf(`(() => { const el = document.querySelector(%q); el.value = %q; el.dispatchEvent(new Event('change', {bubbles: true})); return 'ok' })()`, sel, value))
	}
	form := func() *prize.Form {
		f, err := env.Services.Prize.FormFor(bg, "2026", prize.TrackHuman, prize.TypeInstitution)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	admin := env.Users[webtest.Admin]
	b.SignIn(base, admin.Email, webtest.Password, browsertest.LoginButton)

	b.Do("open the editor", chromedp.Navigate(editor+"&lang=en"))
	b.WaitFor("the editor", `document.getElementById('form-editor') !== null`)
	if l := b.Eval("first legend", `document.querySelector('#form-editor legend').textContent`); l != "Field 1: title" {
		t.Fatalf("first field: %q", l)
	}
	// Move the summary up: the page comes back with it first, saved.
	b.Eval("move up", `(() => { document.getElementById('fe1-up').click(); return 'ok' })()`)
	b.WaitFor("the moved field", `document.readyState === 'complete' && document.querySelector('#form-editor legend') !== null && document.querySelector('#form-editor legend').textContent === 'Field 1: summary'`)
	if f := form(); f.Fields[0].Key != "summary" || f.Fields[1].Key != "title" {
		t.Errorf("stored order after moving: %s, %s", f.Fields[0].Key, f.Fields[1].Key)
	}

	// A new choice field, shown only at the pilot and later stages; first
	// without its Korean label: refused at the field, typed values kept.
	newRow := b.Eval("new row", `document.querySelector('#fe-new input[name$=".new"]').name.replace('.new', '.')`)
	set(t, `[name="`+newRow+`key"]`, "pilot_length")
	set(t, `[name="`+newRow+`kind"]`, "choice")
	set(t, `[name="`+newRow+`label"]`, "How long the pilot ran")
	set(t, `[name="`+newRow+`options"]`, "short | Under a year | 1년 미만\nlong | A year or more | 1년 이상")
	set(t, `[name="`+newRow+`show_field"]`, "stage")
	set(t, `[name="`+newRow+`show_values"]`, "pilot ongoing scaled")
	b.Eval("save", `(() => { document.getElementById('editor-save').click(); return 'ok' })()`)
	b.WaitFor("the refusal", `document.readyState === 'complete' && document.getElementById('form-errors') !== null`)
	if e := b.Eval("error", `document.getElementById('form-errors').innerText`); !strings.Contains(e, "pilot_length: a field needs a label in English and Korean") {
		t.Errorf("refusal: %q", e)
	}
	if v := b.Eval("kept", `document.querySelector('#fe-pilot_length textarea').value`); !strings.Contains(v, "1년 이상") {
		t.Errorf("typed choices not kept: %q", v)
	}
	if fieldIndex(form(), "pilot_length") >= 0 {
		t.Fatal("a refused edit was saved")
	}
	set(t, `#fe-pilot_length input[name$=".label_ko"]`, "시범 운영 기간")
	b.Eval("save again", `(() => { document.getElementById('editor-save').click(); return 'ok' })()`)
	b.WaitFor("saved", `document.readyState === 'complete' && document.getElementById('form-errors') === null && document.getElementById('fe-pilot_length') !== null`)
	f := form()
	fd, ok := f.Field("pilot_length")
	if !ok || fd.Kind != prize.KindChoice || len(fd.Options) != 2 || fd.Options[1].LabelKO != "1년 이상" || fd.ShowIf == nil || len(fd.ShowIf.Values) != 3 {
		t.Errorf("new field: %+v", fd)
	}

	// In Korean.
	b.Do("Korean", chromedp.Navigate(editor+"&lang=ko"))
	b.WaitFor("the Korean editor", `document.getElementById('form-editor') !== null`)
	text := b.Eval("text", `document.getElementById('main').innerText`)
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
