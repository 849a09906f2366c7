package explorerweb

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
)

// surveyRules is what the explorer reads of an edition's residents'
// survey: its pooling rule. A store without surveys has no such method.
type surveyRules interface {
	Survey(ctx context.Context, edition string) (survey.Survey, error)
}

// surveyMethod is the methodology page's account of the residents'
// survey in a release: the values that entered the people-centric pillar
// and the uncertainty analysis, their margins of error and the pooling
// rule of the waves.
type surveyMethod struct {
	Indicators, Cities                 int
	MarginMin, MarginMedian, MarginMax float64
	MinNEff                            int
	Pooling                            string // "3:2:1"; "" when the survey's settings are not known
	Waves                              int
}

// surveyMethodOf reads the survey's part of a release from its
// uncertainty settings (the sampling input: every survey value's standard
// error, as it entered the rank bands), or nil when the release has none.
func surveyMethodOf(ctx context.Context, rules surveyRules, rel *release.Release) *surveyMethod {
	var margins []float64
	inds, cities := map[string]bool{}, map[string]bool{}
	for _, se := range rel.SamplingErrors() {
		margins = append(margins, survey.Z95*se.SE)
		inds[se.Indicator], cities[se.Unit] = true, true
	}
	if len(margins) == 0 {
		return nil
	}
	slices.Sort(margins)
	med := margins[len(margins)/2]
	if len(margins)%2 == 0 {
		med = (margins[len(margins)/2-1] + margins[len(margins)/2]) / 2
	}
	m := &surveyMethod{Indicators: len(inds), Cities: len(cities), MarginMin: margins[0], MarginMedian: med,
		MarginMax: margins[len(margins)-1], MinNEff: survey.MinEffectiveN}
	if rules == nil {
		return m
	}
	sv, err := rules.Survey(ctx, rel.Edition())
	if err != nil {
		return m // no survey settings to state (the values above stand)
	}
	pool := sv.Pooling
	if len(pool) == 0 {
		pool = survey.DefaultPooling
	}
	parts := make([]string, len(pool))
	for k, w := range pool {
		parts[k] = strconv.FormatFloat(w, 'f', -1, 64)
		if math.IsNaN(w) {
			parts[k] = "?"
		}
	}
	m.Pooling, m.Waves = strings.Join(parts, ":"), len(pool)
	return m
}

// perceptionRow is one area of the perception-versus-data view: the
// residents' scores of the area (structures, technology) with their
// margins of error, beside the city's measured indicators on its topics.
type perceptionRow struct {
	Area      string
	Residents []perceptionValue
	Measured  []release.Value
}

type perceptionValue struct {
	Pillar string
	Value  float64
	Margin *float64 // 95 %; nil when the release has no standard error for it
}

// perceptionOf builds the view from the release alone: the survey values
// in the city's values, their standard errors in the release's sampling
// input, and the catalogue categories of its other indicators.
func perceptionOf(rel *release.Release, p *release.Profile) []perceptionRow {
	se := map[string]float64{}
	for _, s := range rel.SamplingErrors() {
		if s.Unit == p.City.Code {
			se[s.Indicator] = s.SE
		}
	}
	category := map[string]string{}
	for _, info := range rel.IndicatorInfos() {
		category[info.Code] = info.Crosswalk.Category
	}
	var rows []perceptionRow
	at := map[string]int{}
	for _, v := range p.Values {
		area, pillar, ok := survey.AreaOf(v.Indicator)
		if !ok || v.Value == nil || survey.AreaCategories[area] == nil {
			continue
		}
		k, seen := at[area]
		if !seen {
			k = len(rows)
			at[area] = k
			rows = append(rows, perceptionRow{Area: area})
		}
		pv := perceptionValue{Pillar: pillar, Value: *v.Value}
		if s, ok := se[v.Indicator]; ok {
			m := survey.Z95 * s
			pv.Margin = &m
		}
		rows[k].Residents = append(rows[k].Residents, pv)
	}
	for k := range rows {
		cats := survey.AreaCategories[rows[k].Area]
		for _, v := range p.Values {
			if _, _, isSurvey := survey.AreaOf(v.Indicator); isSurvey || v.Value == nil {
				continue
			}
			if slices.Contains(cats, category[v.Indicator]) {
				rows[k].Measured = append(rows[k].Measured, v)
			}
		}
	}
	return rows
}
