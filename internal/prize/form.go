package prize

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Field kinds of an application form.
const (
	KindText     = "text"     // one line, optionally with a word limit
	KindLongText = "longtext" // paragraphs, with a word limit
	KindNumber   = "number"
	KindMoney    = "money"  // an amount and a currency (two values)
	KindDate     = "date"   // YYYY-MM-DD
	KindChoice   = "choice" // one of Options
	KindMulti    = "multi"  // several of Options
	KindPlace    = "place"  // a country (ISO alpha-3) and a city (two values)
	KindFile     = "file"   // attachments (PDF, images), up to MaxFiles
	KindLink     = "link"   // an http(s) URL (video links)
)

var fieldKinds = []string{KindText, KindLongText, KindNumber, KindMoney, KindDate, KindChoice, KindMulti, KindPlace, KindFile, KindLink}

// FieldKinds lists the field kinds, in the order a form editor offers them.
func FieldKinds() []string { return append([]string(nil), fieldKinds...) }

// Keys of the fields the platform reads (the form may add others).
const (
	FieldTitle    = "title"
	FieldSummary  = "summary"
	FieldStage    = "stage"
	FieldPlace    = "place"
	FieldOriginal = "original_language"
	// FieldLibraryConsent is the applicant's consent to publish the
	// project as a case in the practice library: "public", "members"
	// (member cities only) or "no"; no answer is no consent.
	FieldLibraryConsent = "library_consent"
)

// Hard bounds of any answer, whatever the form says.
const (
	MaxFields       = 60
	MaxValueChars   = 20000 // one value of a long text
	MaxValuesPerKey = 30
	MaxOptions      = 60
	MaxCoApplicants = 10
	// MaxApplicationsPerAccount bounds an account's applications in one
	// edition (withdrawn ones included): an organisation puts forward a
	// few projects, and the duplicate check compares an account's
	// applications pairwise.
	MaxApplicationsPerAccount = 20
	DefaultMaxFiles           = 5
	MaxFilesPerField          = 10
)

// Option is one choice of a choice field.
type Option struct {
	Value   string `json:"value"`
	Label   string `json:"label"`
	LabelKO string `json:"label_ko"`
}

// Condition shows a field only when another field's answer is one of
// Values.
type Condition struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

// Field is one question of an application form. Labels and help are in
// English and Korean: the form is data the administrator configures.
type Field struct {
	Key      string     `json:"key"`
	Kind     string     `json:"kind"`
	Label    string     `json:"label"`
	LabelKO  string     `json:"label_ko"`
	Help     string     `json:"help,omitempty"`
	HelpKO   string     `json:"help_ko,omitempty"`
	Required bool       `json:"required,omitempty"`
	MaxWords int        `json:"max_words,omitempty"`
	Min      *float64   `json:"min,omitempty"`
	Max      *float64   `json:"max,omitempty"`
	Options  []Option   `json:"options,omitempty"`
	MaxFiles int        `json:"max_files,omitempty"`
	ShowIf   *Condition `json:"show_if,omitempty"`
}

// Form is an application form: its fields in order.
type Form struct {
	Fields []Field `json:"fields"`
}

// Field returns the form's field of key.
func (f *Form) Field(key string) (Field, bool) {
	for _, fd := range f.Fields {
		if fd.Key == key {
			return fd, true
		}
	}
	return Field{}, false
}

// ParseForm reads a form configuration (JSON) and checks it.
func ParseForm(data []byte) (*Form, error) {
	var f Form
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, citylens.Ef(citylens.EINVALID, "prize.error.form_json", "the form configuration is not valid JSON: %s", err.Error())
	}
	return &f, f.Check()
}

// Check checks a form configuration: known kinds, unique keys, options
// for choices, conditions on earlier fields, and the fields the platform
// reads (title, summary, stage, place) present with their kinds.
func (f *Form) Check() error {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	if len(f.Fields) > MaxFields {
		add("fields", "prize.error.form_fields", "a form has at most %d fields", MaxFields)
	}
	seen := map[string]Field{}
	for _, fd := range f.Fields {
		if !validKey(fd.Key) {
			add(fd.Key, "prize.error.form_key", "a field's key is 1 to 40 lower-case letters, digits and underscores")
			continue
		}
		if _, dup := seen[fd.Key]; dup {
			add(fd.Key, "prize.error.form_dup", "the key is used twice")
		}
		if !contains(fieldKinds, fd.Kind) {
			add(fd.Key, "prize.error.form_kind", "%q is not a field kind", fd.Kind)
		}
		if strings.TrimSpace(fd.Label) == "" || strings.TrimSpace(fd.LabelKO) == "" {
			add(fd.Key, "prize.error.form_label", "a field needs a label in English and Korean")
		}
		if (fd.Kind == KindChoice || fd.Kind == KindMulti) && (len(fd.Options) == 0 || len(fd.Options) > MaxOptions) {
			add(fd.Key, "prize.error.form_options", "a choice needs 1 to %d options", MaxOptions)
		}
		if fd.MaxWords < 0 || fd.MaxWords > MaxValueChars || (fd.MaxWords > 0 && fd.Kind != KindText && fd.Kind != KindLongText) {
			add(fd.Key, "prize.error.form_words", "a word limit (max_words) is for text and long-text fields, at most %d", MaxValueChars)
		}
		if fd.MaxFiles < 0 || fd.MaxFiles > MaxFilesPerField {
			add(fd.Key, "prize.error.form_files", "a file field takes at most %d files", MaxFilesPerField)
		}
		if fd.ShowIf != nil {
			if _, ok := seen[fd.ShowIf.Field]; !ok {
				add(fd.Key, "prize.error.form_condition", "the condition must name an earlier field")
			}
		}
		seen[fd.Key] = fd
	}
	for key, kind := range map[string]string{FieldTitle: KindText, FieldSummary: KindLongText, FieldStage: KindChoice, FieldPlace: KindPlace} {
		if fd, ok := seen[key]; !ok || fd.Kind != kind || !fd.Required || fd.ShowIf != nil {
			add(key, "prize.error.form_core", "every form has the required field %q of kind %s", key, kind)
		}
	}
	if fd, ok := seen[FieldStage]; ok {
		for _, st := range Stages {
			if !hasOption(fd, st) {
				add(FieldStage, "prize.error.form_stages", "the stage field offers every development stage")
				break
			}
		}
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "prize.error.form", "the form configuration was not saved: correct the fields named below").WithProblems(ps...)
	}
	return nil
}

func validKey(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func hasOption(f Field, v string) bool {
	for _, o := range f.Options {
		if o.Value == v {
			return true
		}
	}
	return false
}

// Answers are an application's answers by field key; multi-valued kinds
// (multi, money, place) hold several values.
type Answers map[string][]string

// First is the first value of key, "" when none.
func (a Answers) First(key string) string {
	if v := a[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// AnswersFromForm reads the posted values of the form's fields (inputs
// named "f.<key>"), trimmed, dropping what the form does not ask.
func AnswersFromForm(f *Form, v url.Values) Answers {
	out := Answers{}
	for _, fd := range f.Fields {
		if fd.Kind == KindFile {
			continue
		}
		vals := v["f."+fd.Key]
		var kept []string
		for _, s := range vals {
			kept = append(kept, strings.TrimSpace(s))
		}
		if fd.Kind == KindMulti {
			kept = nonEmpty(kept)
		}
		if len(kept) > 0 {
			out[fd.Key] = kept
		}
	}
	return out
}

func nonEmpty(vs []string) []string {
	var out []string
	for _, s := range vs {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Visible reports whether field fd is shown given the answers.
func (f *Form) Visible(fd Field, a Answers) bool {
	if fd.ShowIf == nil {
		return true
	}
	for _, v := range a[fd.ShowIf.Field] {
		if contains(fd.ShowIf.Values, v) {
			return true
		}
	}
	return false
}

// Words counts the words of s: runs of letters or digits (Korean is
// written with spaces between words, so it counts the same way); a
// Chinese or Japanese character, written without spaces, counts as one.
func Words(s string) int {
	n, in := 0, false
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r):
			n++
			in = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !in {
				n++
			}
			in = true
		default:
			in = false
		}
	}
	return n
}

// CheckBounds checks what any save must respect, draft or not: lengths,
// counts, choices among the options, numbers and dates well formed. Each
// problem names the field (its key) and the reason; the answers are not
// changed, so the form shows what was typed.
func (f *Form) CheckBounds(a Answers) []citylens.Problem {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	for key, vals := range a {
		fd, ok := f.Field(key)
		if !ok {
			add(key, "prize.error.unknown_field", "this form has no such field")
			continue
		}
		if len(vals) > MaxValuesPerKey {
			add(key, "prize.error.too_many_values", "at most %d values", MaxValuesPerKey)
			continue
		}
		for _, v := range vals {
			if !utf8.ValidString(v) {
				add(key, "prize.error.utf8", "the text is not valid UTF-8")
				break
			}
			if utf8.RuneCountInString(v) > MaxValueChars || (fd.Kind != KindLongText && utf8.RuneCountInString(v) > 2000) {
				limit := MaxValueChars
				if fd.Kind != KindLongText {
					limit = 2000
				}
				add(key, "prize.error.too_long", "at most %d characters", limit)
				break
			}
		}
		if p, bad := checkValue(fd, vals); bad {
			ps = append(ps, p)
		}
	}
	return ps
}

// checkValue checks one field's values by kind (blank values pass: that
// is the required check's business).
func checkValue(fd Field, vals []string) (citylens.Problem, bool) {
	p := citylens.Problem{Field: fd.Key}
	first := ""
	if len(vals) > 0 {
		first = vals[0]
	}
	switch fd.Kind {
	case KindNumber, KindMoney:
		if first == "" {
			break
		}
		x, err := strconv.ParseFloat(strings.ReplaceAll(first, ",", ""), 64)
		if err != nil || x != x {
			return p.Keyed("prize.error.number", "%q is not a number", first), true
		}
		if fd.Min != nil && x < *fd.Min {
			return p.Keyed("prize.error.min", "at least %s", fmtFloat(*fd.Min)), true
		}
		if fd.Max != nil && x > *fd.Max {
			return p.Keyed("prize.error.max", "at most %s", fmtFloat(*fd.Max)), true
		}
		if fd.Kind == KindMoney && len(vals) > 1 && vals[1] != "" && !validCurrency(vals[1]) {
			return p.Keyed("prize.error.currency", "%q is not a currency code (such as KRW, USD, EUR)", vals[1]), true
		}
	case KindDate:
		if first == "" {
			break
		}
		if _, err := time.Parse("2006-01-02", first); err != nil {
			return p.Keyed("prize.error.date", "%q is not a date (YYYY-MM-DD)", first), true
		}
	case KindChoice:
		if first != "" && !hasOption(fd, first) {
			return p.Keyed("prize.error.option", "%q is not one of the choices", first), true
		}
		if len(vals) > 1 {
			return p.Keyed("prize.error.one_choice", "choose one"), true
		}
	case KindMulti:
		for _, v := range vals {
			if !hasOption(fd, v) {
				return p.Keyed("prize.error.option", "%q is not one of the choices", v), true
			}
		}
	case KindPlace:
		if first != "" && !validCountry(first) {
			return p.Keyed("prize.error.country", "%q is not a country code (ISO 3166 alpha-3, such as KOR)", first), true
		}
	case KindLink:
		for _, v := range vals {
			if v == "" {
				continue
			}
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return p.Keyed("prize.error.link", "%q is not an http or https address", v), true
			}
		}
	}
	return p, false
}

// CheckComplete checks what a submission needs besides the bounds: every
// visible required field answered, word limits kept, at least one file
// where a file field is required (files counts an application's files by
// field).
func (f *Form) CheckComplete(a Answers, files map[string]int) []citylens.Problem {
	var ps []citylens.Problem
	for _, fd := range f.Fields {
		if !f.Visible(fd, a) {
			continue
		}
		p := citylens.Problem{Field: fd.Key}
		vals := a[fd.Key]
		blank := len(nonEmpty(vals)) == 0
		if fd.Kind == KindFile {
			blank = files[fd.Key] == 0
		}
		if fd.Kind == KindMoney && !blank && (len(vals) < 2 || vals[1] == "") {
			ps = append(ps, p.Keyed("prize.error.currency_missing", "give the currency"))
			continue
		}
		if fd.Kind == KindPlace && !blank && (len(vals) < 2 || vals[1] == "") {
			ps = append(ps, p.Keyed("prize.error.city_missing", "give the city"))
			continue
		}
		if blank {
			if fd.Required {
				ps = append(ps, p.Keyed("prize.error.required", "required"))
			}
			continue
		}
		if fd.MaxWords > 0 {
			if n := Words(strings.Join(vals, " ")); n > fd.MaxWords {
				ps = append(ps, p.Keyed("prize.error.words", "%d words, at most %d", n, fd.MaxWords))
			}
		}
	}
	return ps
}

// Visible drops the answers of fields hidden by their conditions (what a
// submission keeps).
func (f *Form) VisibleAnswers(a Answers) Answers {
	out := Answers{}
	for _, fd := range f.Fields {
		if v, ok := a[fd.Key]; ok && f.Visible(fd, a) {
			out[fd.Key] = v
		}
	}
	return out
}

func fmtFloat(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

func validCountry(s string) bool { return KnownCountry(s) }

// ValidCountry reports whether s is a known ISO 3166 alpha-3 code
// (Countries).
func ValidCountry(s string) bool { return validCountry(s) }
