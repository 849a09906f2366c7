package publication

import (
	"context"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
)

// SurveySource gives an edition's people-centric values: the residents'
// survey's scores pooled over its waves (survey.Service).
type SurveySource interface {
	IndexValues(ctx context.Context, edition string) ([]survey.IndexValue, error)
	Instrument(ctx context.Context, edition string) (*survey.Instrument, error)
}

// PeopleCentric is the code of the people-centric pillar the survey feeds.
const PeopleCentric = "PC"

// surveyValues are the edition's survey values, or none when the edition
// has no survey (or the service has no survey source).
func (s *Service) surveyValues(ctx context.Context, edition string) ([]survey.IndexValue, *survey.Instrument, error) {
	if s.Survey == nil {
		return nil, nil, nil
	}
	vals, err := s.Survey.IndexValues(ctx, edition)
	switch {
	case citylens.ErrorCode(err) == citylens.ENOTFOUND:
		return nil, nil, nil
	case err != nil:
		return nil, nil, err
	case len(vals) == 0:
		return nil, nil, nil
	}
	in, err := s.Survey.Instrument(ctx, edition)
	if err != nil {
		return nil, nil, err
	}
	return vals, in, nil
}

// addSurvey adds the survey to a release's draft: the people-centric
// pillar (under the index, beside the others, unless the edition's
// framework already places the survey's indicators), one indicator per
// area × pillar of the instrument, and each city's value with its
// provenance (waves, n, effective n, margin of error). Values of cities
// the draft does not cover are left out; a value on too few responses was
// never given (missing, not a number).
func addSurvey(d *release.Draft, vals []survey.IndexValue, in *survey.Instrument) {
	has := map[string]bool{}
	root := ""
	for _, n := range d.Framework {
		has[n.Code] = true
		if n.Parent == "" {
			root = n.Code
		}
	}
	if root == "" {
		return
	}
	zero, hundred := 0.0, 100.0
	if !has[PeopleCentric] {
		d.Framework = append(d.Framework, engine.Node{Code: PeopleCentric, Name: "People-centric", Parent: root, Kind: engine.Aggregate, Weight: 1})
		has[PeopleCentric] = true
		for _, a := range in.Areas {
			for _, p := range []string{survey.PillarStructures, survey.PillarTechnology} {
				code := survey.IndicatorCode(a.Code, p)
				if has[code] {
					continue
				}
				has[code] = true
				d.Framework = append(d.Framework, engine.Node{Code: code, Name: "Residents: " + a.Label.In("en") + " (" + p + ")",
					Parent: PeopleCentric, Kind: engine.Indicator, Weight: 1, Direction: 1, Unit: "score 0–100"})
				d.Indicators = append(d.Indicators, release.IndicatorInfo{Code: code, Min: &zero, Max: &hundred,
					Definition: "Residents' survey: the weighted 0–100 score of the " + p + " items of the area " + a.Label.In("en") +
						", pooled over the survey's waves"})
			}
		}
	}
	cities := map[string]bool{}
	for _, c := range d.Cities {
		cities[c.Code] = true
	}
	for _, v := range vals {
		if !cities[v.City] || !has[v.Indicator] {
			continue
		}
		year := 0
		if len(v.Waves) > 0 {
			year, _ = strconv.Atoi(strings.TrimSpace(v.Waves[0]))
		}
		d.Data = append(d.Data, release.DataPoint{City: v.City, Indicator: v.Indicator, Value: v.Value, Source: v.Source, DataYear: year})
	}
}

// addSampling adds the survey's sampling error to the analysis: the
// edition's inputs (or the default ones) and the sampling input, each
// survey value drawn from its sampling distribution per replication, so
// a city's rank band carries its survey's error.
func addSampling(u *release.Uncertainty, d release.Draft, vals []survey.IndexValue) error {
	if len(vals) == 0 {
		return nil
	}
	for _, in := range u.Spec.Inputs {
		if in.Param == "sampling" {
			return nil // the edition declares its own
		}
	}
	inData := map[[2]string]bool{}
	for _, p := range d.Data {
		inData[[2]string{p.City, p.Indicator}] = true
	}
	var kept []survey.IndexValue
	for _, v := range vals {
		if inData[[2]string{v.City, v.Indicator}] {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	if len(u.Spec.Inputs) == 0 {
		f, err := engine.NewFramework(d.Framework)
		if err != nil {
			return err
		}
		u.Spec.Inputs = release.DefaultUncertainty(f, d.Method).Inputs
	}
	if u.Spec.Nodes != nil && !contains(u.Spec.Nodes, PeopleCentric) {
		u.Spec.Nodes = append(append([]string(nil), u.Spec.Nodes...), PeopleCentric)
	}
	u.Spec.Inputs = append(append([]engine.UncertainInput(nil), u.Spec.Inputs...), survey.SamplingInput(kept))
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
