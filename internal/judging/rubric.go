package judging

import (
	"math"
	"sort"

	"github.com/citylens/citylens"
)

// The six published criteria of the Seoul Smart City Prize.
const (
	CritInnovation     = "innovation"     // problem-centred innovation
	CritDevelopment    = "development"    // rational development
	CritBudget         = "budget"         // feasible budget and plan
	CritImplementation = "implementation" // implementation
	CritLearning       = "learning"       // learning and improvement
	CritValue          = "value"          // value generation
)

// Comment visibilities.
const (
	VisibleJudges    = "judges"    // the judges of the application
	VisibleCommittee = "committee" // the chair and the administrators
	VisibleApplicant = "applicant" // the applicant, after the decision
)

// Criterion is one line of a rubric.
type Criterion struct {
	Code     string  `json:"code"`
	Name     string  `json:"name"`
	NameKO   string  `json:"name_ko"`
	Weight   float64 `json:"weight"`
	Required bool    `json:"required"`
}

// Rubric is an edition's rubric for one round: criteria with weights, a
// scale (1–10 by default) and a level descriptor per band.
type Rubric struct {
	Criteria []Criterion `json:"criteria"`
	Min      int         `json:"min"`
	Max      int         `json:"max"`
	Levels   []Level     `json:"levels"`
}

// Level describes a band of the scale, e.g. 9–10 "exceptional".
type Level struct {
	From, To int
	Key      string // i18n key of the descriptor
}

// DefaultRubric is the six criteria, equally weighted, on 1–10.
func DefaultRubric() Rubric {
	c := func(code, en, ko string) Criterion {
		return Criterion{Code: code, Name: en, NameKO: ko, Weight: 1, Required: true}
	}
	return Rubric{
		Criteria: []Criterion{
			c(CritInnovation, "Problem-centred innovation", "문제 중심의 혁신성"),
			c(CritDevelopment, "Rational development", "합리적 개발"),
			c(CritBudget, "Feasible budget and plan", "실현 가능한 예산과 계획"),
			c(CritImplementation, "Implementation", "이행"),
			c(CritLearning, "Learning and improvement", "학습과 개선"),
			c(CritValue, "Value generation", "가치 창출"),
		},
		Min: 1, Max: 10,
		Levels: []Level{
			{1, 2, "judging.level.poor"}, {3, 4, "judging.level.weak"}, {5, 6, "judging.level.fair"},
			{7, 8, "judging.level.strong"}, {9, 10, "judging.level.exceptional"},
		},
	}
}

// Validate checks the rubric itself.
func (r Rubric) Validate() error {
	if r.Min >= r.Max {
		return citylens.Ef(citylens.EINVALID, "judging.err.scale", "The scale's lowest value must be below its highest.")
	}
	if len(r.Criteria) == 0 {
		return citylens.Ef(citylens.EINVALID, "judging.err.nocriteria", "A rubric needs at least one criterion.")
	}
	seen := map[string]bool{}
	for _, c := range r.Criteria {
		if c.Code == "" || seen[c.Code] {
			return citylens.Ef(citylens.EINVALID, "judging.err.critcode", "Criterion %q is empty or repeated.", c.Code)
		}
		seen[c.Code] = true
		if !(c.Weight > 0) || math.IsInf(c.Weight, 0) {
			return citylens.Ef(citylens.EINVALID, "judging.err.weight", "Criterion %q needs a positive weight.", c.Code)
		}
	}
	return nil
}

// Sheet is one judge's scores for one application: a value per criterion
// (absent while a draft) and a comment per criterion with its visibility.
type Sheet struct {
	Scores   map[string]int     `json:"scores"`
	Comments map[string]Comment `json:"comments"`
}

// Comment is a judge's comment on one criterion.
type Comment struct {
	Text       string `json:"text"`
	Visibility string `json:"visibility"`
}

// MaxComment bounds a comment's length in characters.
const MaxComment = 4000

// Check validates a sheet against the rubric. A draft may leave criteria
// out; a submission must score every required one. Each problem names the
// criterion at fault.
func (r Rubric) Check(s Sheet, submit bool) error {
	var probs []citylens.Problem
	known := map[string]bool{}
	for _, c := range r.Criteria {
		known[c.Code] = true
		v, ok := s.Scores[c.Code]
		switch {
		case !ok && submit && c.Required:
			probs = append(probs, citylens.Problem{Field: c.Code}.Keyed("judging.err.required", "Criterion %s has no score.", c.Name))
		case ok && (v < r.Min || v > r.Max):
			probs = append(probs, citylens.Problem{Field: c.Code}.Keyed("judging.err.range", "Criterion %s: %d is outside the scale %d–%d.", c.Name, v, r.Min, r.Max))
		}
	}
	for code := range s.Scores {
		if !known[code] {
			probs = append(probs, citylens.Problem{Field: code}.Keyed("judging.err.unknown", "%q is not a criterion of this rubric.", code))
		}
	}
	for code, c := range s.Comments {
		if !known[code] {
			probs = append(probs, citylens.Problem{Field: code}.Keyed("judging.err.unknown", "%q is not a criterion of this rubric.", code))
			continue
		}
		if len([]rune(c.Text)) > MaxComment {
			probs = append(probs, citylens.Problem{Field: code}.Keyed("judging.err.comment", "The comment is longer than %d characters.", MaxComment))
		}
		switch c.Visibility {
		case VisibleJudges, VisibleCommittee, VisibleApplicant:
		default:
			probs = append(probs, citylens.Problem{Field: code}.Keyed("judging.err.visibility", "Visibility %q is not judges, committee or applicant.", c.Visibility))
		}
	}
	if len(probs) == 0 {
		return nil
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Field < probs[j].Field })
	e := citylens.Ef(citylens.EINVALID, "judging.err.sheet", "The scores have %d problems.", len(probs))
	e.Problems = probs
	return e
}

// Weighted is the sheet's weighted mean over the criteria it scores; ok is
// false when it scores none.
func (r Rubric) Weighted(s Sheet) (float64, bool) {
	var sum, w float64
	for _, c := range r.Criteria {
		if v, ok := s.Scores[c.Code]; ok {
			sum += c.Weight * float64(v)
			w += c.Weight
		}
	}
	if w == 0 {
		return 0, false
	}
	return sum / w, true
}
