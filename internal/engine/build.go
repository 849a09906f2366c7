package engine

import (
	"context"
	"strconv"

	"github.com/citylens/citylens"
)

// Version identifies the engine's mathematics; releases record it.
//
//   - 1: goalposts scored every indicator (x - low)/(high - low), whatever
//     its direction; the audit flagged |skew| ≥ 2 and kurtosis ≥ 3.5 and
//     took Cronbach's alpha over complete cases.
//   - 2: goalposts as COINr (a lower-is-better indicator scores
//     (high - x)/(high - low)); the audit's flag strict and alpha from
//     pairwise-complete covariances, as COINr's get_stats and get_cronbach;
//     unscored indicators, declared levels, scoped and normalised-scale
//     imputation.
const Version = "2"

// GoalpostsDirectionFixed is the first engine version whose goalposts
// respect a lower-is-better indicator's direction.
const GoalpostsDirectionFixed = "2"

// Result is every data set of a build, so a score explains itself.
type Result struct {
	Framework *Framework
	Method    Method

	Raw, Denominated, Imputed, Screened, Treated, Normalised *Matrix
	// Aggregated holds the normalised indicators and every aggregate, bottom-up.
	Aggregated *Matrix
	// Ranks ranks every column of Aggregated (1 = highest, ties share the lowest rank).
	Ranks *Matrix

	Screen []ScreenRow        // every unit of the data, with Included false for the unranked
	Treat  []TreatDetail      // per indicator
	Weight map[string]float64 // the weights used, by node code
	// Imputations flags every value imputation filled (raw-stage values of
	// units later screened out included), by stage, then indicator, then unit.
	Imputations []ImputedValue
	// Warnings announce every value that became missing on the way (a missing
	// denominator, a group with nothing to impute from).
	Warnings []string
}

// Build runs the whole pipeline. It checks ctx between steps.
func Build(ctx context.Context, f *Framework, d *Data, m Method) (*Result, error) {
	return build(ctx, f, d, m, buildHooks{})
}

// buildHooks are set by tests only, to inject a fault.
type buildHooks struct {
	beforeRankCol func(j int) // called before ranking column j
}

func build(ctx context.Context, f *Framework, d *Data, m Method, hooks buildHooks) (*Result, error) {
	if f == nil {
		return nil, citylens.Ef(citylens.EINVALID, "engine.framework.nil", "framework: empty framework")
	}
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if err := m.Validate(f, d); err != nil {
		return nil, err
	}
	r := &Result{Framework: f, Method: m}
	var err error
	if r.Raw, err = raw(f, d); err != nil {
		return nil, err
	}
	r.Denominated = r.Raw
	if m.Denominate {
		var warn []string
		if r.Denominated, warn, err = denominate(f, d, r.Raw); err != nil {
			return nil, err
		}
		r.Warnings = append(r.Warnings, warn...)
	}
	var warn []string
	specs := imputeSpecs(f, &m.Impute, r.Denominated.Codes)
	if r.Imputed, warn, err = impute(specs, ImputeRaw, d, r.Denominated, &r.Imputations); err != nil {
		return nil, err
	}
	r.Warnings = append(r.Warnings, warn...)
	r.Screened, r.Screen = screen(m.Screen, r.Imputed, scoredColumns(f, r.Imputed.Codes))
	if len(r.Screened.Units) == 0 {
		return nil, citylens.Ef(citylens.EINVALID, "engine.screen.everyone", "screen: every unit is below the data-availability threshold %v", m.Screen.Threshold)
	}
	if err := ctx.Err(); err != nil {
		return nil, citylens.Errorf(citylens.ECANCELED, "build cancelled: %v", err)
	}
	if r.Treated, r.Treat, err = treat(m.Treat, r.Screened); err != nil {
		return nil, err
	}
	if r.Normalised, err = normalise(f, &m, r.Treated); err != nil {
		return nil, err
	}
	if r.Normalised, warn, err = impute(specs, ImputeNormalised, d, r.Normalised, &r.Imputations); err != nil {
		return nil, err
	}
	r.Warnings = append(r.Warnings, warn...)
	if err := ctx.Err(); err != nil {
		return nil, citylens.Errorf(citylens.ECANCELED, "build cancelled: %v", err)
	}
	plan := newAggPlan(f, &m)
	w := nodeWeights(f, m.Weights)
	r.Aggregated = newMatrix(r.Normalised.Units, plan.codes)
	if err := plan.aggregateInto(f, r.Normalised, nil, w, r.Aggregated, &aggScratch{}); err != nil {
		return nil, err
	}
	if r.Ranks, err = ranks(r.Aggregated, hooks.beforeRankCol); err != nil {
		return nil, err
	}
	r.Weight = make(map[string]float64, len(f.nodes))
	for i, n := range f.nodes {
		r.Weight[n.Code] = w[i]
	}
	return r, nil
}

// Unranked returns the units screened out, with their data availability.
func (r *Result) Unranked() []ScreenRow {
	var out []ScreenRow
	for _, s := range r.Screen {
		if !s.Included {
			out = append(out, s)
		}
	}
	return out
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
