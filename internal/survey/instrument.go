// Package survey is the people-centric survey: its instrument (a versioned
// item bank in several languages, each text with its provenance), the
// checking of responses and their quality flags, and the statistics that
// turn the valid responses of a city into figures with margins of error:
// raking to the population, Kish's design effect, weighted shares and
// scores with standard errors, pooling of waves.
//
// The statistics equal R's survey package (rake, svymean) on the reference
// in testdata/rsurvey within 1e-9.
package survey

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Item kinds.
const (
	KindRating     = "rating"     // an area × pillar statement on the agree scale
	KindAttitude   = "attitude"   // an attitude statement on the agree scale
	KindAttention  = "attention"  // asks for one given answer: a check that the reader reads
	KindPriorities = "priorities" // pick up to Max of a list
	KindWeight     = "weight"     // a weighting question (sex, age band, education)
)

// Pillars of rating items.
const (
	PillarStructures = "structures"
	PillarTechnology = "technology"
)

// Special choice codes.
const (
	AgreeList     = "agree" // the list of the agree scale: 1..5, na, none
	NotAvailable  = "na"    // "not available in my city": left out of the item's figures
	NoAnswer      = "none"  // "no answer": left out of the item's figures
	PreferNotSay  = "refused"
	maxItems      = 300
	maxLanguages  = 30
	maxChoices    = 100
	maxLists      = 50
	maxAreas      = 30
	maxTextRunes  = 1000
	defaultMaxPik = 5
)

// Text is one language's wording with its provenance: who wrote or
// translated it and when.
type Text struct {
	Text string    `json:"text"`
	By   string    `json:"by"`
	At   time.Time `json:"at"`
}

// Labels are a text in each language (language code → text).
type Labels map[string]Text

// In is the text in lang, else in English, else any.
func (l Labels) In(lang string) string {
	if t, ok := l[lang]; ok && t.Text != "" {
		return t.Text
	}
	if t, ok := l["en"]; ok && t.Text != "" {
		return t.Text
	}
	for _, k := range sortedKeys(l) {
		if l[k].Text != "" {
			return l[k].Text
		}
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Area is one of the areas the rating items cover.
type Area struct {
	Code  string `json:"code"`
	Label Labels `json:"label"`
}

// Choice is one answer of a list.
type Choice struct {
	Code  string `json:"code"`
	Label Labels `json:"label"`
}

// List is a named list of choices (XLSForm's choices sheet).
type List struct {
	Name    string   `json:"name"`
	Choices []Choice `json:"choices"`
}

// Item is one question.
type Item struct {
	Code     string `json:"code"`
	Kind     string `json:"kind"`
	List     string `json:"list"` // the choices: AgreeList for rating, attitude, attention
	Area     string `json:"area,omitempty"`
	Pillar   string `json:"pillar,omitempty"`
	Reverse  bool   `json:"reverse,omitempty"`  // agreeing is the unfavourable answer: scored 6 − answer
	Required bool   `json:"required,omitempty"` // "no answer" is not accepted
	Expect   int    `json:"expect,omitempty"`   // attention: the answer asked for
	Opposes  string `json:"opposes,omitempty"`  // a statement this one contradicts: strongly agreeing with both is impossible
	Max      int    `json:"max,omitempty"`      // priorities: the most choices
	Label    Labels `json:"label"`
}

// Scaled says the item's answers are on the agree scale.
func (it Item) Scaled() bool {
	return it.Kind == KindRating || it.Kind == KindAttitude || it.Kind == KindAttention
}

// Instrument is a version of a survey's questionnaire.
type Instrument struct {
	Version   int      `json:"version"`
	Languages []string `json:"languages"`
	Areas     []Area   `json:"areas"`
	Lists     []List   `json:"lists"`
	Items     []Item   `json:"items"`
}

// Item is the item of code (false if none).
func (in *Instrument) Item(code string) (Item, bool) {
	for _, it := range in.Items {
		if it.Code == code {
			return it, true
		}
	}
	return Item{}, false
}

// ListOf is the list of name.
func (in *Instrument) ListOf(name string) (List, bool) {
	for _, l := range in.Lists {
		if l.Name == name {
			return l, true
		}
	}
	return List{}, false
}

// AreaOf is the area of code.
func (in *Instrument) AreaOf(code string) (Area, bool) {
	for _, a := range in.Areas {
		if a.Code == code {
			return a, true
		}
	}
	return Area{}, false
}

// WeightVariables are the codes of the weighting questions, in the order
// raking adjusts them.
func (in *Instrument) WeightVariables() []string {
	var out []string
	for _, it := range in.Items {
		if it.Kind == KindWeight {
			out = append(out, it.Code)
		}
	}
	return out
}

// Clone is a deep copy.
func (in *Instrument) Clone() *Instrument {
	out := *in
	out.Languages = slices.Clone(in.Languages)
	out.Areas = make([]Area, len(in.Areas))
	for i, a := range in.Areas {
		out.Areas[i] = Area{Code: a.Code, Label: cloneLabels(a.Label)}
	}
	out.Lists = make([]List, len(in.Lists))
	for i, l := range in.Lists {
		cs := make([]Choice, len(l.Choices))
		for j, c := range l.Choices {
			cs[j] = Choice{Code: c.Code, Label: cloneLabels(c.Label)}
		}
		out.Lists[i] = List{Name: l.Name, Choices: cs}
	}
	out.Items = make([]Item, len(in.Items))
	for i, it := range in.Items {
		it.Label = cloneLabels(it.Label)
		out.Items[i] = it
	}
	return &out
}

func cloneLabels(l Labels) Labels {
	out := make(Labels, len(l))
	for k, v := range l {
		out[k] = v
	}
	return out
}

var (
	codeRe = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
	langRe = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$`)
	choRe  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_+.\-]{0,39}$`)
)

// Validate checks an instrument: codes well formed and unique; kinds,
// lists, areas and pillars known; the agree scale complete; every area
// covered by structures and technology items; every text present in every
// language, and of bounded length. Every problem is listed.
func (in *Instrument) Validate() error {
	var ps []citylens.Problem
	add := func(field, key, reason string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field, Reason: reason, Key: key, Args: args})
	}
	if len(in.Languages) == 0 || !slices.Contains(in.Languages, "en") {
		add("languages", "survey.problem.no_english", "English is required")
	}
	if len(in.Languages) > maxLanguages || len(in.Items) > maxItems || len(in.Lists) > maxLists || len(in.Areas) > maxAreas {
		add("instrument", "survey.problem.too_many", fmt.Sprintf("at most %d languages, %d items, %d lists, %d areas", maxLanguages, maxItems, maxLists, maxAreas),
			maxLanguages, maxItems, maxLists, maxAreas)
		return invalidInstrument(ps)
	}
	seenLang := map[string]bool{}
	for _, l := range in.Languages {
		if !langRe.MatchString(l) || seenLang[l] {
			add("languages", "survey.problem.language", "language code "+l+" is malformed or repeated", l)
		}
		seenLang[l] = true
	}
	checkLabels := func(field string, l Labels) {
		for _, lang := range in.Languages {
			t := l[lang]
			if strings.TrimSpace(t.Text) == "" {
				add(field+".label::"+lang, "survey.problem.label_missing", "no text in "+lang, lang)
			} else if utf8.RuneCountInString(t.Text) > maxTextRunes || !utf8.ValidString(t.Text) {
				add(field+".label::"+lang, "survey.problem.label_long", fmt.Sprintf("text longer than %d characters or not UTF-8", maxTextRunes), maxTextRunes)
			}
		}
		for lang := range l {
			if !seenLang[lang] {
				add(field+".label::"+lang, "survey.problem.label_language", "text in "+lang+", which is not a language of the instrument", lang)
			}
		}
	}
	areas := map[string]bool{}
	for _, a := range in.Areas {
		f := "area " + a.Code
		if !codeRe.MatchString(a.Code) || areas[a.Code] {
			add(f, "survey.problem.code", "code malformed or repeated")
		}
		areas[a.Code] = true
		checkLabels(f, a.Label)
	}
	lists := map[string]List{}
	for _, l := range in.Lists {
		f := "list " + l.Name
		if !codeRe.MatchString(l.Name) || lists[l.Name].Name != "" {
			add(f, "survey.problem.code", "name malformed or repeated")
		}
		lists[l.Name] = l
		if len(l.Choices) == 0 || len(l.Choices) > maxChoices {
			add(f, "survey.problem.choices_count", fmt.Sprintf("1 to %d choices", maxChoices), maxChoices)
		}
		seen := map[string]bool{}
		for _, c := range l.Choices {
			cf := f + " choice " + c.Code
			if !choRe.MatchString(c.Code) || seen[c.Code] {
				add(cf, "survey.problem.code", "code malformed or repeated")
			}
			seen[c.Code] = true
			checkLabels(cf, c.Label)
		}
	}
	if ag, ok := lists[AgreeList]; !ok {
		add("list "+AgreeList, "survey.problem.agree_scale", "the agree scale (1 to 5, na, none) is required")
	} else {
		var codes []string
		for _, c := range ag.Choices {
			codes = append(codes, c.Code)
		}
		if !slices.Equal(codes, []string{"1", "2", "3", "4", "5", NotAvailable, NoAnswer}) {
			add("list "+AgreeList, "survey.problem.agree_scale", "the agree scale (1 to 5, na, none) is required")
		}
	}
	items := map[string]Item{}
	covered := map[string]bool{}
	priorities := 0
	for _, it := range in.Items {
		f := "item " + it.Code
		if !codeRe.MatchString(it.Code) || items[it.Code].Code != "" {
			add(f, "survey.problem.code", "code malformed or repeated")
		}
		items[it.Code] = it
		checkLabels(f, it.Label)
		l, hasList := lists[it.List]
		switch it.Kind {
		case KindRating, KindAttitude, KindAttention:
			if it.List != AgreeList {
				add(f, "survey.problem.item_list", "the list "+it.List+" does not suit this kind of question", it.List)
			}
		case KindPriorities, KindWeight:
			if !hasList || it.List == AgreeList {
				add(f, "survey.problem.item_list", "the list "+it.List+" does not suit this kind of question", it.List)
			}
		default:
			add(f, "survey.problem.kind", "unknown kind "+it.Kind, it.Kind)
		}
		switch it.Kind {
		case KindRating:
			if !areas[it.Area] {
				add(f, "survey.problem.area", "unknown area "+it.Area, it.Area)
			}
			if it.Pillar != PillarStructures && it.Pillar != PillarTechnology {
				add(f, "survey.problem.pillar", "pillar must be structures or technology", it.Pillar)
			}
			covered[it.Area+"/"+it.Pillar] = true
		case KindAttention:
			if it.Expect < 1 || it.Expect > 5 {
				add(f, "survey.problem.expect", "an attention item names the answer it asks for, 1 to 5")
			}
		case KindPriorities:
			priorities++
			if hasList && (it.Max < 1 || it.Max > len(l.Choices)) {
				add(f, "survey.problem.max", fmt.Sprintf("max must be 1 to %d", len(l.Choices)), len(l.Choices))
			}
		case KindWeight:
			if hasList && !slices.ContainsFunc(l.Choices, func(c Choice) bool { return c.Code == PreferNotSay }) {
				add(f, "survey.problem.refused", "a weighting question offers \"prefer not to say\" (refused)")
			}
		}
	}
	for _, it := range in.Items {
		if it.Opposes == "" {
			continue
		}
		if o, ok := items[it.Opposes]; !ok || !o.Scaled() || !it.Scaled() || o.Code == it.Code {
			add("item "+it.Code, "survey.problem.opposes", "opposes an unknown item or one off the agree scale", it.Opposes)
		}
	}
	if priorities > 1 {
		add("items", "survey.problem.priorities", "at most one priorities question")
	}
	for _, a := range in.Areas {
		for _, p := range []string{PillarStructures, PillarTechnology} {
			if !covered[a.Code+"/"+p] {
				add("area "+a.Code, "survey.problem.uncovered", "no "+p+" item for area "+a.Code,
					citylens.Phrase{Key: "survey.pillar." + p, English: p})
			}
		}
	}
	if len(ps) > 0 {
		return invalidInstrument(ps)
	}
	return nil
}

func invalidInstrument(ps []citylens.Problem) error {
	return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.instrument", Message: "the instrument is not valid", Problems: ps}
}
