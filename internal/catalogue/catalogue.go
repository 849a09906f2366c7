// Package catalogue is CityLens's indicator catalogue and its editions: the
// indicators a network can ask its cities for (with a crosswalk to U4SSC, ISO
// 37120/37122/37123, the SDGs and ESG pillars) and, per edition of the index,
// the framework, method, reference year and data-call window drawn from it.
//
// It holds rules only; the store packages implement its narrow interfaces.
package catalogue

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
)

// ESG pillars.
const (
	PillarE = "E" // environmental
	PillarS = "S" // social
	PillarG = "G" // governance
)

// PillarName returns the long name of an ESG pillar code.
func PillarName(p string) string {
	switch p {
	case PillarE:
		return "Environmental"
	case PillarS:
		return "Social"
	case PillarG:
		return "Governance"
	}
	return p
}

// PillarNameKo returns the Korean name of an ESG pillar code ("" for
// another code).
func PillarNameKo(p string) string {
	switch p {
	case PillarE:
		return "환경"
	case PillarS:
		return "사회"
	case PillarG:
		return "거버넌스"
	}
	return ""
}

// Indicator is one entry of the catalogue.
type Indicator struct {
	Code       string `json:"code"` // CityLens code, URL-safe (e.g. EC-ICT-ICT-1C)
	Name       string `json:"name"`
	Definition string `json:"definition"`
	Unit       string `json:"unit"`
	// Direction is +1 when higher is better, -1 when lower is better and 0
	// when the catalogue cannot say (an edition must then choose).
	Direction int `json:"direction"`
	// Min and Max bound valid values; nil leaves a side open.
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Guidance string   `json:"guidance"` // where cities find the data and how to report it
	// Notes record where the entry came from and its known problems.
	Notes string    `json:"notes,omitempty"`
	Xwalk Crosswalk `json:"crosswalk"`
	// Ko is the indicator's name, unit and definition in Korean, shown on
	// Korean pages (an empty field: the English one).
	Ko Korean `json:"ko,omitzero"`
}

// Korean is an indicator's text in Korean.
type Korean struct {
	Name       string `json:"name,omitempty"`
	Unit       string `json:"unit,omitempty"`
	Definition string `json:"definition,omitempty"`
}

// NameIn is the indicator's name in a language ("en", "ko"): its Korean
// name on a Korean page when it has one, its name otherwise.
func (ind Indicator) NameIn(lang string) string {
	if lang == "ko" && ind.Ko.Name != "" {
		return ind.Ko.Name
	}
	return ind.Name
}

// Crosswalk ties an indicator to the frameworks cities already report to.
type Crosswalk struct {
	U4SSC        string   `json:"u4ssc,omitempty"`        // e.g. "EC: ICT: ICT: 1C"
	U4SSCTier    string   `json:"u4ssc_tier,omitempty"`   // core or advanced
	Dimension    string   `json:"dimension,omitempty"`    // U4SSC dimension
	Subdimension string   `json:"subdimension,omitempty"` // U4SSC sub-dimension
	Category     string   `json:"category,omitempty"`     // U4SSC category
	ISO37120     string   `json:"iso37120,omitempty"`     // clause, e.g. "5.1"
	ISO37122     string   `json:"iso37122,omitempty"`
	ISO37123     string   `json:"iso37123,omitempty"`
	SDGGoals     []int    `json:"sdg_goals,omitempty"`
	SDGTargets   []string `json:"sdg_targets,omitempty"` // e.g. "11.6"
	Pillar       string   `json:"pillar"`                // E, S or G
}

// ValidCode reports whether code may name an indicator, an aggregate or an
// edition: 1 to 40 letters, digits, '-', '_' or '.', starting with a letter or digit.
func ValidCode(code string) bool {
	if code == "" || len(code) > 40 {
		return false
	}
	for i, r := range code {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z', r >= '0' && r <= '9':
		case (r == '-' || r == '_' || r == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// U4SSC tiers of an indicator.
const (
	TierCore     = "core"
	TierAdvanced = "advanced"
)

// invalid is the error of an indicator with problems: EINVALID naming the
// indicator, with every problem (each naming its field as the indicator
// form and the JSON name it), its English message naming the first few.
func invalid(code string, ps []citylens.Problem) *citylens.Error {
	e := citylens.Ef(citylens.EINVALID, "catalogue.error.invalid", "indicator %q: %d problem(s)", code, len(ps))
	e.Message += ": " + citylens.ProblemsSummary(ps, func(p citylens.Problem) string { return p.Reason })
	return e.WithProblems(ps...)
}

var isoClausePattern = regexp.MustCompile(`^[0-9]{1,2}(\.[0-9]{1,2}){0,3}$`)

// Problems checks every field of an indicator, returning what is wrong
// with each (empty when the indicator is valid). Each problem names its
// field (Field) and is worded by catalogue key.
func (ind *Indicator) Problems() []citylens.Problem {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	if !ValidCode(ind.Code) {
		add("code", "catalogue.problem.code", "indicator code %q: use 1 to 40 letters, digits, '-', '_' or '.'", ind.Code)
	}
	if strings.TrimSpace(ind.Name) == "" {
		add("name", "catalogue.problem.name_required", "name is required")
	} else if len(ind.Name) > 300 {
		add("name", "catalogue.problem.name_long", "name is longer than %d characters", 300)
	}
	if len(ind.Unit) > 100 {
		add("unit", "catalogue.problem.unit_long", "unit is longer than %d characters", 100)
	}
	if len(ind.Ko.Name) > 300 {
		add("name_ko", "catalogue.problem.name_long", "name is longer than %d characters", 300)
	}
	if len(ind.Ko.Unit) > 100 {
		add("unit_ko", "catalogue.problem.unit_long", "unit is longer than %d characters", 100)
	}
	if len(ind.Ko.Definition) > 10000 {
		add("definition_ko", "catalogue.problem.definition_long", "definition is longer than %s characters", "10,000")
	}
	switch ind.Direction {
	case -1, 0, 1:
	default:
		add("direction", "catalogue.problem.direction", "direction must be 1 (higher is better), -1 (lower is better) or 0 (undecided), got %d", ind.Direction)
	}
	for _, b := range []struct {
		field string
		v     *float64
	}{{"min", ind.Min}, {"max", ind.Max}} {
		if b.v != nil && (math.IsNaN(*b.v) || math.IsInf(*b.v, 0)) {
			add(b.field, "catalogue.problem.bound", "valid range bounds must be finite numbers")
		}
	}
	if ind.Min != nil && ind.Max != nil && !(*ind.Min < *ind.Max) {
		add("max", "catalogue.problem.range", "valid range: minimum %v must be below maximum %v", *ind.Min, *ind.Max)
	}
	switch ind.Xwalk.Pillar {
	case PillarE, PillarS, PillarG:
	default:
		add("pillar", "catalogue.problem.pillar", "ESG pillar must be E, S or G, got %q", ind.Xwalk.Pillar)
	}
	switch ind.Xwalk.U4SSCTier {
	case "", TierCore, TierAdvanced:
	default:
		add("u4ssc_tier", "catalogue.problem.tier", "U4SSC tier must be core, advanced or empty, got %q", ind.Xwalk.U4SSCTier)
	}
	for _, iso := range []struct{ field, name, clause string }{
		{"iso37120", "ISO 37120", ind.Xwalk.ISO37120}, {"iso37122", "ISO 37122", ind.Xwalk.ISO37122}, {"iso37123", "ISO 37123", ind.Xwalk.ISO37123},
	} {
		if iso.clause != "" && !isoClausePattern.MatchString(iso.clause) {
			add(iso.field, "catalogue.problem.iso_clause", "%s clause %q is not a clause number (e.g. 5.1)", iso.name, iso.clause)
		}
	}
	for _, g := range ind.Xwalk.SDGGoals {
		if g < 1 || g > 17 {
			add("sdg_goals", "catalogue.problem.sdg_goal", "SDG goal %d is not between 1 and 17", g)
		}
	}
	for _, t := range ind.Xwalk.SDGTargets {
		goal, target, ok := strings.Cut(t, ".")
		n, err := strconv.Atoi(goal)
		if !ok || err != nil || n < 1 || n > 17 || target == "" {
			add("sdg_targets", "catalogue.problem.sdg_target", "SDG target %q is not of the form goal.target (e.g. 11.6)", t)
		}
	}
	for _, f := range []struct{ field, key, format, v string }{
		{"definition", "catalogue.problem.definition_long", "definition is longer than %s characters", ind.Definition},
		{"guidance", "catalogue.problem.guidance_long", "guidance is longer than %s characters", ind.Guidance},
		{"notes", "catalogue.problem.notes_long", "notes is longer than %s characters", ind.Notes},
	} {
		if len(f.v) > 10000 {
			add(f.field, f.key, f.format, "10,000")
		}
	}
	return ps
}

// Validate checks an indicator: nil, or an EINVALID error naming the code,
// with a problem for every field at fault.
func (ind *Indicator) Validate() error {
	if ps := ind.Problems(); len(ps) > 0 {
		return invalid(ind.Code, ps)
	}
	return nil
}

// InRange reports whether v lies within the indicator's valid range.
func (ind Indicator) InRange(v float64) bool {
	if ind.Min != nil && v < *ind.Min {
		return false
	}
	if ind.Max != nil && v > *ind.Max {
		return false
	}
	return true
}

// RangeText describes the valid range for people: "0 to 100", "at least 0", "any number".
func (ind Indicator) RangeText() string { return ind.RangePhrase().English }

// RangePhrase is RangeText as a message argument, worded in the reader's
// language on a page.
func (ind Indicator) RangePhrase() citylens.Phrase {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	switch {
	case ind.Min != nil && ind.Max != nil:
		return citylens.Phrasef("cat.range.between", "%s to %s", f(*ind.Min), f(*ind.Max))
	case ind.Min != nil:
		return citylens.Phrasef("cat.range.min", "at least %s", f(*ind.Min))
	case ind.Max != nil:
		return citylens.Phrasef("cat.range.max", "at most %s", f(*ind.Max))
	}
	return citylens.Phrasef("cat.range.any", "any number")
}

// DirectionText describes the direction for people.
func DirectionText(d int) string {
	switch d {
	case 1:
		return "higher is better"
	case -1:
		return "lower is better"
	}
	return "not set"
}

// Store keeps the catalogue. Implementations live in the store packages;
// every method joins the transaction carried by ctx (see InTx).
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// Indicators returns the whole catalogue ordered by code.
	Indicators(ctx context.Context) ([]Indicator, error)
	// Indicator returns one indicator or an ENOTFOUND error.
	Indicator(ctx context.Context, code string) (Indicator, error)
	// PutIndicators inserts or replaces indicators by code, in one transaction.
	PutIndicators(ctx context.Context, inds []Indicator) error
}

// Index maps codes to indicators.
func Index(inds []Indicator) map[string]Indicator {
	m := make(map[string]Indicator, len(inds))
	for _, ind := range inds {
		m[ind.Code] = ind
	}
	return m
}

func ptr(v float64) *float64 { return &v }

// GoalsText joins SDG goals for display.
func (x Crosswalk) GoalsText() string {
	s := make([]string, len(x.SDGGoals))
	for i, g := range x.SDGGoals {
		s[i] = fmt.Sprintf("SDG %d", g)
	}
	return strings.Join(s, ", ")
}
