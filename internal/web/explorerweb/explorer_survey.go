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
	for _, in := range rel.Config().Uncertainty.Spec.Inputs {
		if in.Param != "sampling" {
			continue
		}
		for _, se := range in.Sampling {
			margins = append(margins, survey.Z95*se.SE)
			inds[se.Indicator], cities[se.Unit] = true, true
		}
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
