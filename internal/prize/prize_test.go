package prize

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
)

func TestEditionPhasesAndGrace(t *testing.T) {
	t0 := time.Date(2026, 6, 30, 9, 0, 0, 0, time.UTC) // 18:00 in Seoul
	e := &Edition{Code: "2026", Year: 2026, Title: "T", TitleKO: "T", TimeZone: "Asia/Seoul", Opens: t0.AddDate(0, -3, 0),
		Deadline: t0, Grace: 30 * time.Minute, Published: true}
	if err := e.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at          time.Time
		phase       string
		takes, late bool
	}{
		{t0.AddDate(0, -4, 0), PhaseUpcoming, false, false},
		{t0.Add(-time.Second), PhaseOpen, true, false},
		{t0, PhaseClosed, true, true}, // the grace: taken, late, and the call shows closed
		{t0.Add(29 * time.Minute), PhaseClosed, true, true},
		{t0.Add(30 * time.Minute), PhaseClosed, false, true},
	} {
		if got := e.Phase(c.at); got != c.phase {
			t.Errorf("%v: phase %s, want %s", c.at, got, c.phase)
		}
		if got := e.TakesChanges(c.at); got != c.takes {
			t.Errorf("%v: takes changes %v, want %v", c.at, got, c.takes)
		}
		if got := e.Late(c.at); got != c.late {
			t.Errorf("%v: late %v, want %v", c.at, got, c.late)
		}
	}
	err := deadlineError(e)
	if !strings.Contains(err.Error(), "2026-06-30 18:00 (Asia/Seoul)") {
		t.Errorf("deadline error in the edition's zone: %v", err)
	}
	bad := &Edition{Code: "X 1", Year: 1990, TimeZone: "Mars/Olympus", Opens: t0, Deadline: t0.Add(-time.Hour), Grace: 8 * 24 * time.Hour}
	e2 := citylens.AsError(bad.Validate())
	var fields []string
	for _, p := range e2.Problems {
		fields = append(fields, p.Field)
	}
	if diff := cmp.Diff([]string{"code", "year", "title", "title_ko", "time_zone", "deadline", "grace"}, fields); diff != "" {
		t.Errorf("edition problems (-want +got):\n%s", diff)
	}
}

func TestDefaultEligibility(t *testing.T) {
	m := EligibilityOf(DefaultEligibility())
	for _, c := range []struct {
		track, typ string
		want       bool
	}{
		{TrackTech, TypeCorporation, true}, {TrackHuman, TypeNationalGov, true}, {TrackTech, TypeIndividual, false},
		{TrackLeadership, TypeIndividual, true}, {TrackLeadership, TypeCorporation, false}, {TrackSpecial, TypeInstitution, true},
	} {
		if got := m.Allows(c.track, c.typ); got != c.want {
			t.Errorf("%s × %s = %v, want %v", c.track, c.typ, got, c.want)
		}
	}
}

func TestFormChecks(t *testing.T) {
	f := DefaultForm()
	if err := f.Check(); err != nil {
		t.Fatalf("default form: %v", err)
	}
	bounds := f.CheckBounds(Answers{
		"budget": {"12x", "KRW"}, "stage": {"dreaming"}, "start_date": {"30/06/2026"}, "video": {"javascript:alert(1)"},
		"place": {"Korea", "Seoul"}, "nosuch": {"x"}, "title": {strings.Repeat("a", 2001)}, "themes": {"mobility", "space"},
	})
	got := map[string]string{}
	for _, p := range bounds {
		got[p.Field] = p.Reason
	}
	want := map[string]string{
		"budget": `"12x" is not a number`, "stage": `"dreaming" is not one of the choices`, "start_date": `"30/06/2026" is not a date (YYYY-MM-DD)`,
		"video": `"javascript:alert(1)" is not an http or https address`, "place": `"Korea" is not a country code (ISO 3166 alpha-3, such as KOR)`,
		"nosuch": "this form has no such field", "title": "at most 2000 characters", "themes": `"space" is not one of the choices`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bounds (-want +got):\n%s", diff)
	}
	// Completeness: required fields, words, a condition's field only when
	// shown, money needs its currency.
	ans := Answers{"title": {"Night buses"}, "summary": {strings.Repeat("word ", 301)}, "place": {"KOR", "Seoul"},
		"problem": {"p"}, "target_groups": {"elderly"}, "stage": {"concept"}, "themes": {"mobility"}, "budget": {"100"}}
	got = map[string]string{}
	for _, p := range f.CheckComplete(ans, nil) {
		got[p.Field] = p.Reason
	}
	want = map[string]string{"summary": "301 words, at most 300", "budget": "give the currency"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("completeness (-want +got):\n%s", diff)
	}
	ans["results"] = []string{"hidden at the concept stage"}
	if _, kept := f.VisibleAnswers(ans)["results"]; kept {
		t.Errorf("a hidden field's answer is kept")
	}
	ans["stage"] = []string{"pilot"}
	if _, kept := f.VisibleAnswers(ans)["results"]; !kept {
		t.Errorf("a shown field's answer is dropped")
	}
	for s, want := range map[string]int{"서울 스마트시티 night buses, 2026": 5, "智慧城市 night": 5, "": 0, " a-b ": 2} {
		if n := Words(s); n != want {
			t.Errorf("Words(%q) = %d, want %d", s, n, want)
		}
	}
}

func TestFormConfigurationRefused(t *testing.T) {
	_, err := ParseForm([]byte(`{"fields":[{"key":"title","kind":"text","label":"T","label_ko":"제목","required":true},
		{"key":"title","kind":"essay","label":"X"},
		{"key":"pick","kind":"choice","label":"P","label_ko":"P","show_if":{"field":"later","values":["a"]}}]}`))
	e := citylens.AsError(err)
	if e == nil {
		t.Fatal("a bad form configuration was accepted")
	}
	var got []string
	for _, p := range e.Problems {
		got = append(got, p.Field+": "+p.Reason)
	}
	for _, want := range []string{"title: the key is used twice", `title: "essay" is not a field kind`, "title: a field needs a label in English and Korean",
		"pick: a choice needs 1 to 60 options", "pick: the condition must name an earlier field",
		`summary: every form has the required field "summary" of kind longtext`} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("problems lack %q: %q", want, got)
		}
	}
	if _, err := ParseForm([]byte(`{"fields": [], "extra": 1}`)); citylens.ErrorCode(err) != citylens.EINVALID {
		t.Errorf("unknown JSON field: %v", err)
	}
}

func TestSniffType(t *testing.T) {
	for _, c := range []struct {
		head []byte
		want string
	}{
		{[]byte("%PDF-1.7\n"), "application/pdf"},
		{[]byte("\x89PNG\r\n\x1a\n...."), "image/png"},
		{[]byte("\xff\xd8\xff\xe0"), "image/jpeg"},
		{[]byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "image/webp"},
		{[]byte("PK\x03\x04"), ""}, // a zip (office file or zip bomb), whatever its name
		{[]byte("<html><script>"), ""},
		{[]byte("GIF89a"), ""},
	} {
		if got := SniffType(c.head); got != c.want {
			t.Errorf("SniffType(%q) = %q, want %q", c.head, got, c.want)
		}
	}
	if n := CleanFileName("../../etc/pass\"wd\x00.pdf"); n != "passwd.pdf" {
		t.Errorf("CleanFileName = %q", n)
	}
	if n := CleanFileName(strings.Repeat("가", 100) + ".pdf"); len(n) > MaxFileName || !strings.HasPrefix(n, "가") {
		t.Errorf("long name cut to %d bytes", len(n))
	}
	_ = bytes.MinRead
}

func TestDuplicatesAndChecks(t *testing.T) {
	mk := func(id, user int64, org, title, track, state string) *Application {
		return &Application{ID: id, UserID: user, Organisation: org, Title: title, Track: track, State: state, Answers: Answers{}}
	}
	apps := []*Application{
		mk(1, 10, "Acme Mobility", "Night buses for shift workers", TrackTech, StateSubmitted),
		mk(2, 10, "Acme Mobility", "Night buses for shift workers in Seoul", TrackHuman, StateSubmitted), // same account
		mk(3, 11, "ACME  mobility", "Night Buses for Shift Workers", TrackSpecial, StateSubmitted),       // same organisation, other account
		mk(4, 12, "Other", "Night buses for shift workers", TrackTech, StateSubmitted),                   // other organisation
		mk(5, 10, "Acme Mobility", "Night buses for shift workers", TrackTech, StateDraft),               // a draft
		mk(6, 10, "Acme Mobility", "Digital companions for older residents", TrackHuman, StateSubmitted),
	}
	var got [][2]int64
	for _, d := range FindDuplicates(apps) {
		got = append(got, [2]int64{d.A, d.B})
	}
	if diff := cmp.Diff([][2]int64{{1, 2}, {1, 3}, {2, 3}}, got); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
	e := &Edition{Code: "2026"}
	a := mk(7, 10, "Acme", "T", TrackLeadership, StateSubmitted)
	a.ApplicantType = TypeCorporation
	checks := AutoChecks(ScreenInput{Edition: e, Eligibility: EligibilityOf(DefaultEligibility()), Form: DefaultForm(), App: a})
	var failed []string
	for _, c := range checks {
		if !c.Passed {
			failed = append(failed, c.Rule)
		}
	}
	if diff := cmp.Diff([]string{RuleEligibility, RuleRequired, RuleEndorsement}, failed); diff != "" {
		t.Errorf("failed checks (-want +got):\n%s", diff)
	}
	b := BoardOf(apps, func(c string) string { return "" })
	if b.Total != 5 || b.ByState[StateDraft] != 1 || b.ByTrack[TrackTech] != 2 {
		t.Errorf("board: %+v", b)
	}
}

// TestDupCache checks the board's duplicate cache gives what
// FindDuplicates gives, and follows a change of title, state or account.
func TestDupCache(t *testing.T) {
	mk := func(id, user int64, title string) *Application {
		return &Application{ID: id, UserID: user, State: StateSubmitted, Organisation: "Acme", Title: title,
			Answers: Answers{FieldSummary: {"a summary of " + title}}}
	}
	apps := []*Application{mk(1, 1, "night buses for shift workers"), mk(2, 1, "night buses for shift workers now"), mk(3, 2, "library kiosks")}
	var c dupCache
	first := c.duplicates("2026", apps)
	if len(first) != 1 || first[0].A != 1 || first[0].B != 2 {
		t.Fatalf("duplicates %+v", first)
	}
	if again := c.duplicates("2026", apps); len(again) != 1 || again[0] != first[0] {
		t.Errorf("cached %+v, want %+v", again, first)
	}
	apps[1].Title, apps[1].Answers = "flood sensors in basements", Answers{FieldSummary: {"water level alarms"}}
	if got := c.duplicates("2026", apps); len(got) != 0 {
		t.Errorf("after a new title: %+v, want none", got)
	}
	apps[2].Title, apps[2].UserID, apps[2].Organisation = "flood sensors in basements", 1, "Acme"
	apps[2].Answers = Answers{FieldSummary: {"water level alarms"}}
	if got := c.duplicates("2026", apps); len(got) != 1 || got[0].A != 2 || got[0].B != 3 {
		t.Errorf("after a same title: %+v", got)
	}
	apps[2].State = StateWithdrawn
	if got := c.duplicates("2026", apps); len(got) != 0 {
		t.Errorf("after a withdrawal: %+v, want none", got)
	}
}

// TestFormWordLimitKinds checks a form configuration's word limits: on a
// text or long-text field they are kept, on another kind or negative they
// are refused naming the field.
func TestFormWordLimitKinds(t *testing.T) {
	f := DefaultForm()
	for i := range f.Fields {
		switch f.Fields[i].Key {
		case "beneficiaries":
			f.Fields[i].MaxWords = 10
		case "funding":
			f.Fields[i].MaxWords = -1
		}
	}
	err := f.Check()
	e := citylens.AsError(err)
	if e == nil {
		t.Fatalf("a word limit on a number field was accepted")
	}
	got := map[string]bool{}
	for _, p := range e.Problems {
		if strings.Contains(p.Reason, "max_words") {
			got[p.Field] = true
		}
	}
	if !got["beneficiaries"] || !got["funding"] || len(got) != 2 {
		t.Errorf("word limit problems on %v, want beneficiaries and funding", got)
	}
	if err := DefaultForm().Check(); err != nil {
		t.Errorf("the default form, with its long-text word limits: %v", err)
	}
}
