package survey

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/citylens/citylens/internal/engine"
)

// IndexValue is one survey figure entering an edition's data set as an
// indicator of the people-centric pillar: a city's pooled 0–100 score of
// one area within one pillar (as IMD: five areas × structures and
// technology), with its standard error and provenance.
type IndexValue struct {
	City      string    `json:"city"`
	Indicator string    `json:"indicator"` // IndicatorCode(area, pillar)
	Value     float64   `json:"value"`
	SE        float64   `json:"se"`
	NEff      float64   `json:"n_eff"`
	N         int       `json:"n"` // valid responses of the edition's wave
	Waves     []string  `json:"waves"`
	Shares    []float64 `json:"shares"`
	// Source is the provenance the data set shows: the survey, its waves
	// and weights, n, effective n and the margin of error.
	Source string `json:"source"`
}

// IndicatorCode is the indicator of an area within a pillar:
// "PC-MOBILITY-T" for mobility × technology.
func IndicatorCode(area, pillar string) string {
	p := "S"
	if pillar == PillarTechnology {
		p = "T"
	}
	return "PC-" + strings.ToUpper(area) + "-" + p
}

// IndexValues are the edition's people-centric indicator values: per city
// and area × pillar, the score pooled over the edition's waves. A figure
// on too few responses (effective n under MinEffectiveN) is left out: it
// enters the index as missing, never as a number.
func (s *Service) IndexValues(ctx context.Context, edition string) ([]IndexValue, error) {
	in, err := s.Store.SurveyInstrument(ctx, edition, 0)
	if err != nil {
		return nil, err
	}
	pooled, _, err := s.Pool(ctx, edition)
	if err != nil {
		return nil, err
	}
	res, err := s.Store.SurveyResults(ctx, edition)
	if err != nil {
		return nil, err
	}
	var out []IndexValue
	for _, c := range res.Cities {
		pc, ok := pooled[c.City]
		if !ok {
			continue
		}
		for _, a := range in.Areas {
			for _, p := range []string{PillarStructures, PillarTechnology} {
				v := pc.Groups[GroupKey("cell", a.Code, p)]
				if math.IsNaN(v.Mean) || math.IsNaN(v.SE) || v.NEff < MinEffectiveN {
					continue
				}
				waves := make([]string, len(v.Waves))
				for k, w := range v.Waves {
					waves[k] = fmt.Sprintf("%s (%.0f%%)", w, v.Share[k]*100)
				}
				out = append(out, IndexValue{City: c.City, Indicator: IndicatorCode(a.Code, p), Value: v.Mean, SE: v.SE, NEff: v.NEff,
					N: c.Responses - c.Excluded, Waves: v.Waves, Shares: v.Share,
					Source: fmt.Sprintf("CityLens residents' survey, waves %s; n = %d, effective n = %.0f, margin of error ±%.1f",
						strings.Join(waves, ", "), c.Responses-c.Excluded, v.NEff, Z95*v.SE)})
			}
		}
	}
	return out, nil
}

// SamplingInput is the uncertainty analysis's input for these values:
// each drawn from its sampling distribution per replication, kept within
// 0–100.
func SamplingInput(vals []IndexValue) engine.UncertainInput {
	in := engine.UncertainInput{Name: "Survey sampling", Param: "sampling", Bounds: []float64{0, 100}}
	for _, v := range vals {
		in.Sampling = append(in.Sampling, engine.SamplingError{Indicator: v.Indicator, Unit: v.City, SE: v.SE})
	}
	return in
}

// AreaOf is the area and pillar of a people-centric indicator code
// (IndicatorCode's inverse); ok is false for any other code.
func AreaOf(code string) (area, pillar string, ok bool) {
	rest, found := strings.CutPrefix(code, "PC-")
	if !found || len(rest) < 3 || rest[len(rest)-2] != '-' {
		return "", "", false
	}
	switch rest[len(rest)-1] {
	case 'S':
		pillar = PillarStructures
	case 'T':
		pillar = PillarTechnology
	default:
		return "", "", false
	}
	return strings.ToLower(rest[:len(rest)-2]), pillar, true
}
