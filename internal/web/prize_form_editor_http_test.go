package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// editorValues are the form editor's inputs for a form, as the page
// fills them (row i: "f<i>.key", ...), with an empty new row.
func editorValues(f *prize.Form) url.Values {
	v := url.Values{"rows": {strconv.Itoa(len(f.Fields) + 1)}}
	for i, fd := range f.Fields {
		p := "f" + strconv.Itoa(i) + "."
		v.Set(p+"key", fd.Key)
		v.Set(p+"kind", fd.Kind)
		v.Set(p+"pos", strconv.Itoa(i+1))
		v.Set(p+"label", fd.Label)
		v.Set(p+"label_ko", fd.LabelKO)
		v.Set(p+"help", fd.Help)
		v.Set(p+"help_ko", fd.HelpKO)
		if fd.Required {
			v.Set(p+"required", "1")
		}
		if fd.MaxWords > 0 {
			v.Set(p+"max_words", strconv.Itoa(fd.MaxWords))
		}
		if fd.Min != nil {
			v.Set(p+"min", strconv.FormatFloat(*fd.Min, 'g', -1, 64))
		}
		if fd.Max != nil {
			v.Set(p+"max", strconv.FormatFloat(*fd.Max, 'g', -1, 64))
		}
		if fd.MaxFiles > 0 {
			v.Set(p+"max_files", strconv.Itoa(fd.MaxFiles))
		}
		var opts []string
		for _, o := range fd.Options {
			opts = append(opts, o.Value+" | "+o.Label+" | "+o.LabelKO)
		}
		v.Set(p+"options", strings.Join(opts, "\n"))
		if fd.ShowIf != nil {
			v.Set(p+"show_field", fd.ShowIf.Field)
			v.Set(p+"show_values", strings.Join(fd.ShowIf.Values, " "))
		}
	}
	n := "f" + strconv.Itoa(len(f.Fields)) + "."
	v.Set(n+"new", "1")
	v.Set(n+"kind", prize.KindText)
	return v
}

func fieldIndex(f *prize.Form, key string) int {
	for i, fd := range f.Fields {
		if fd.Key == key {
			return i
		}
	}
	return -1
}

// TestPrizeFormEditor checks the visual form editor over HTTP, without
// script, on both databases: the administrator opens the form of a track
// and applicant type (inherited from the default), sees each field with
// its kind, labels in both languages, limits, choices and condition;
// adds a field with a condition, removes one, moves one up and saves; the
// stored form (and the applicant's page) is the edited one, and the other
// forms are untouched. A refused edit (a label missing in Korean, a word
// limit that is not a number, a core field removed) names the fields,
// keeps what was typed and saves nothing. Only the secretariat may open
// or post it.
func TestPrizeFormEditor(t *testing.T) {
	for _, o := range storetest.Openers {
		t.Run(o.Name, func(t *testing.T) {
			env, _ := prizeEnv(t, o.Open(t))
			ctx := context.Background()
			admin := env.ClientAs(webtest.Admin)
			path := "/admin/prize/2026/form-editor"
			q := "?track=" + prize.TrackTech + "&type=" + prize.TypeCorporation

			if _, body := admin.Get("/admin/prize/2026/settings" + q); !strings.Contains(body, `<a href="/admin/prize/2026/form-editor`+strings.ReplaceAll(q, "&", "&amp;")+`" id="form-editor-link">`) {
				t.Errorf("the settings page does not link the editor of its track and type")
			}
			res, body := admin.Get(path + q)
			expectStatus(t, "the editor", res, body, http.StatusOK)
			for _, want := range []string{
				`<legend>Field 1: title</legend>`,
				`<input type="text" id="fe0-key" name="f0.key" value="title"`,
				`<option value="text" selected>Text (one line)</option>`,
				`id="fe0-max_words" name="f0.max_words" value="20"`,
				`value="프로젝트 제목 (영어)"`,
				"pilot | Pilot | 시범 운영",
				`<option value="stage" selected>stage</option>`,
				`<legend>New field</legend>`,
				`<button type="submit" name="move" value="up.1" id="fe1-up">Move up</button>`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("editor lacks %s", want)
				}
			}
			if _, ko := admin.Get(path + q + "&lang=ko"); !strings.Contains(ko, "<legend>항목 1: title</legend>") || !strings.Contains(ko, "텍스트 (한 줄)") {
				t.Errorf("the Korean editor is not in Korean")
			}
			admin.Get(path + "?lang=en")

			def := prize.DefaultForm()
			// Refused: a new field without its Korean label and with a
			// word limit that is not a number; nothing saved, typed kept.
			v := editorValues(def)
			n := "f" + strconv.Itoa(len(def.Fields)) + "."
			v.Set(n+"key", "pilot_city")
			v.Set(n+"label", "Where the pilot ran")
			v.Set(n+"max_words", "many")
			v.Set("track", prize.TrackTech)
			v.Set("type", prize.TypeCorporation)
			res, body = admin.PostForm(path, v)
			expectStatus(t, "a field without its Korean label", res, body, http.StatusBadRequest)
			for _, want := range []string{`href="#fe-pilot_city">pilot_city</a>: &#34;many&#34; is not a number`, `value="many"`, `value="Where the pilot ran"`} {
				if !strings.Contains(body, want) {
					t.Errorf("refusal lacks %s", want)
				}
			}
			v.Set(n+"max_words", "50")
			res, body = admin.PostForm(path, v)
			expectStatus(t, "a field without its Korean label", res, body, http.StatusBadRequest)
			if !strings.Contains(body, `pilot_city</a>: a field needs a label in English and Korean`) {
				t.Errorf("the missing Korean label is not named: %.3000s", body)
			}
			// A core field removed.
			rm := editorValues(def)
			rm.Set("f0.remove", "1")
			rm.Set("track", prize.TrackTech)
			rm.Set("type", prize.TypeCorporation)
			res, body = admin.PostForm(path, rm)
			expectStatus(t, "the title removed", res, body, http.StatusBadRequest)
			if !strings.Contains(body, `every form has the required field &#34;title&#34;`) {
				t.Errorf("removing the title is not refused by name")
			}
			if f, err := env.Services.Prize.FormFor(ctx, "2026", prize.TrackTech, prize.TypeCorporation); err != nil || len(f.Fields) != len(def.Fields) {
				t.Fatalf("a refused edit changed the form: %d fields, %v", len(f.Fields), err)
			}

			// Saved: the new field (shown from the pilot stage on), the
			// video link removed, the summary moved above the title.
			v.Set(n+"label_ko", "시범 운영 도시")
			v.Set(n+"show_field", "stage")
			v.Set(n+"show_values", "pilot ongoing")
			v.Set("f"+strconv.Itoa(fieldIndex(def, "video"))+".remove", "1")
			v.Set("move", "up.1")
			res, body = admin.PostForm(path, v)
			expectStatus(t, "the edited form", res, body, http.StatusSeeOther)
			f, err := env.Services.Prize.FormFor(ctx, "2026", prize.TrackTech, prize.TypeCorporation)
			if err != nil {
				t.Fatal(err)
			}
			if f.Fields[0].Key != "summary" || f.Fields[1].Key != "title" || fieldIndex(f, "video") >= 0 || len(f.Fields) != len(def.Fields) {
				t.Errorf("edited form order: %s, %s; video at %d; %d fields", f.Fields[0].Key, f.Fields[1].Key, fieldIndex(f, "video"), len(f.Fields))
			}
			last := f.Fields[len(f.Fields)-1]
			if last.Key != "pilot_city" || last.Kind != prize.KindText || last.MaxWords != 50 || last.LabelKO != "시범 운영 도시" ||
				last.ShowIf == nil || last.ShowIf.Field != "stage" || strings.Join(last.ShowIf.Values, ",") != "pilot,ongoing" {
				t.Errorf("new field: %+v %+v", last, last.ShowIf)
			}
			if stage, _ := f.Field("stage"); len(stage.Options) != 5 || stage.Options[2].LabelKO != "시범 운영" {
				t.Errorf("the stage's choices did not survive the editor: %+v", stage.Options)
			}
			if b, _ := f.Field("budget"); b.Min == nil || *b.Min != 0 {
				t.Errorf("the budget's least number did not survive: %+v", b)
			}
			// Other forms untouched.
			if g, _ := env.Services.Prize.FormFor(ctx, "2026", prize.TrackHuman, prize.TypeCorporation); fieldIndex(g, "pilot_city") >= 0 {
				t.Errorf("another track's form changed")
			}
			// Other roles: refused.
			for _, role := range []string{webtest.Focal, webtest.Regional, webtest.Judge} {
				c := env.ClientAs(role)
				if res, _ := c.Get(path + q); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s opens the editor: %d", role, res.StatusCode)
				}
				if res, _ := c.PostForm(path, v); res.StatusCode != http.StatusForbidden {
					t.Errorf("%s posts the editor: %d", role, res.StatusCode)
				}
			}
		})
	}
}
