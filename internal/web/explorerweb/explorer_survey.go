package explorerweb

import (
	"bytes"
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web"
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

// SurveyReader is what the explorer reads of the residents' survey beyond
// the release: the perception-versus-data mapping the secretariat edits,
// the instrument (the items' areas and statements) and the pooled figures
// (*survey.Service is one).
type SurveyReader interface {
	Topics(ctx context.Context, edition string) ([]survey.Topic, error)
	Instrument(ctx context.Context, edition string) (*survey.Instrument, error)
	Pool(ctx context.Context, edition string) (map[string]survey.PooledCity, []string, error)
}

// perceptionOf builds the view: the survey values in the city's values,
// their standard errors in the release's sampling input, and beside each
// area the city's measured values of the indicators the edition's mapping
// pairs with the area's items (topics, in; none without a mapping).
func perceptionOf(rel *release.Release, p *release.Profile, topics []survey.Topic, in *survey.Instrument) []perceptionRow {
	se := map[string]float64{}
	for _, s := range rel.SamplingErrors() {
		if s.Unit == p.City.Code {
			se[s.Indicator] = s.SE
		}
	}
	// The indicators paired with each area's items, in the mapping's order.
	paired := map[string][]string{}
	if in != nil {
		for _, t := range topics {
			if it, ok := in.Item(t.Item); ok && it.Area != "" && !slices.Contains(paired[it.Area], t.Indicator) {
				paired[it.Area] = append(paired[it.Area], t.Indicator)
			}
		}
	}
	var rows []perceptionRow
	at := map[string]int{}
	for _, v := range p.Values {
		area, pillar, ok := survey.AreaOf(v.Indicator)
		if !ok || v.Value == nil {
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
		for _, code := range paired[rows[k].Area] {
			for _, v := range p.Values {
				if v.Indicator == code && v.Value != nil {
					rows[k].Measured = append(rows[k].Measured, v)
				}
			}
		}
	}
	return rows
}

// topicGaps is one pair of the mapping across the release's cities: the
// residents' pooled score of the item (0–100, higher is better) beside the
// indicator's min–max normalised score over the cities that reported it
// (0–100, reversed when lower is better), and their gap.
type topicGaps struct {
	Topic         survey.Topic
	Statement     string // the item, in the page's language
	Indicator     string // its name in the release
	Unit          string
	InRelease     bool     // the release has the indicator
	Rows          []gapRow // cities with both figures: disagreements first, each group by the size of the gap
	Missing       []gapRow // cities without a residents' figure or a measured value
	Disagreements int      // rows whose gap exceeds the margin of error
}

type gapRow struct {
	City, Name string
	Residents  *float64 // nil: no survey figure
	Margin     *float64 // 95 % margin of error of Residents
	TooFew     bool     // surveyed, but under survey.MinEffectiveN effective responses
	Value      *float64 // the reported value; nil: none
	Score      *float64 // its normalised score
	Gap        *float64 // Residents − Score
	Disagree   bool     // |Gap| > Margin
}

// gapsOf computes every pair of the mapping over the release's cities.
// A city without a residents' figure (no survey, or too few responses) or
// without a reported value has no gap: it is listed apart, never as 0.
func gapsOf(v *relView, topics []survey.Topic, in *survey.Instrument, pooled map[string]survey.PooledCity) []topicGaps {
	cities := v.rel.Cities()
	values := map[string]map[string]*float64{} // indicator → city → value
	names := map[string][2]string{}            // indicator → name, unit
	for _, t := range topics {
		values[t.Indicator] = map[string]*float64{}
	}
	for _, c := range cities {
		vals, err := v.rel.Values(c.Code)
		if err != nil {
			continue
		}
		for _, x := range vals {
			if m, ok := values[x.Indicator]; ok {
				names[x.Indicator] = [2]string{x.Name, x.Unit}
				if x.Value != nil && !math.IsNaN(*x.Value) {
					m[c.Code] = x.Value
				}
			}
		}
	}
	out := make([]topicGaps, 0, len(topics))
	for _, t := range topics {
		g := topicGaps{Topic: t, Statement: t.Item, Indicator: t.Indicator}
		if in != nil {
			if it, ok := in.Item(t.Item); ok {
				g.Statement = it.Label.In(string(v.lang))
			}
		}
		if n, ok := names[t.Indicator]; ok {
			g.Indicator, g.Unit, g.InRelease = n[0], n[1], true
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, x := range values[t.Indicator] {
			lo, hi = math.Min(lo, *x), math.Max(hi, *x)
		}
		for _, c := range cities {
			r := gapRow{City: c.Code, Name: v.CityName(c.Code, c.Name)}
			if pc, ok := pooled[c.Code]; ok {
				if f, ok := pc.Items[t.Item]; ok && !math.IsNaN(f.Mean) {
					if f.NEff < survey.MinEffectiveN {
						r.TooFew = true
					} else {
						r.Residents = ptrf(f.Mean)
						if !math.IsNaN(f.SE) {
							r.Margin = ptrf(survey.Z95 * f.SE)
						}
					}
				}
			}
			if x, ok := values[t.Indicator][c.Code]; ok {
				r.Value = x
				if hi > lo {
					s := (*x - lo) / (hi - lo) * 100
					if t.LowerBetter {
						s = 100 - s
					}
					r.Score = ptrf(s)
				}
			}
			if r.Residents == nil || r.Score == nil {
				g.Missing = append(g.Missing, r)
				continue
			}
			r.Gap = ptrf(*r.Residents - *r.Score)
			r.Disagree = r.Margin != nil && math.Abs(*r.Gap) > *r.Margin
			if r.Disagree {
				g.Disagreements++
			}
			g.Rows = append(g.Rows, r)
		}
		slices.SortStableFunc(g.Rows, func(a, b gapRow) int {
			if a.Disagree != b.Disagree {
				if a.Disagree {
					return -1
				}
				return 1
			}
			if d := math.Abs(*b.Gap) - math.Abs(*a.Gap); d != 0 {
				if d > 0 {
					return 1
				}
				return -1
			}
			return strings.Compare(a.City, b.City)
		})
		out = append(out, g)
	}
	return out
}

func ptrf(v float64) *float64 { return &v }

// surveyTopics is the edition's mapping and latest instrument; none when
// the explorer reads no survey or the edition has none.
func (a *Explorer) surveyTopics(ctx context.Context, edition string) ([]survey.Topic, *survey.Instrument, error) {
	if a.survey == nil {
		return nil, nil, nil
	}
	topics, err := a.survey.Topics(ctx, edition)
	if err != nil || len(topics) == 0 {
		return nil, nil, err
	}
	in, err := a.survey.Instrument(ctx, edition)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return nil, nil, nil
	}
	return topics, in, err
}

// perceptionData is the disagreement list of a release: every pair of
// its edition's mapping with the cities ranked by their gap.
type perceptionData struct {
	R        *relView
	Topics   []topicGaps
	NoSurvey bool // the edition has no survey figures
}

// perceptionGaps reads the mapping, instrument and pooled figures of the
// release's edition and computes every pair's gaps.
func (a *Explorer) perceptionGaps(ctx context.Context, v *relView) (*perceptionData, error) {
	d := &perceptionData{R: v}
	topics, in, err := a.surveyTopics(ctx, v.Rec.Edition)
	if err != nil || len(topics) == 0 {
		return d, err
	}
	pooled, _, err := a.survey.Pool(ctx, v.Rec.Edition)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		pooled, d.NoSurvey = nil, true
	} else if err != nil {
		return nil, err
	}
	if len(pooled) == 0 {
		d.NoSurvey = true
	}
	d.Topics = gapsOf(v, topics, in, pooled)
	return d, nil
}

// explorerPerception is the list of cities where residents' perception and
// the measured data disagree most, per pair of the mapping.
func (a *Explorer) explorerPerception(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	return a.renderExplorer(w, r, "explorer_perception.html", v, nil, func(lang i18n.Lang) (any, error) {
		return a.perceptionGaps(r.Context(), v)
	})
}

// explorerPerceptionCSV is the list as CSV: one row per pair and city, the
// cities with both figures in the page's order, then those without (their
// missing figures empty, never 0).
func (a *Explorer) explorerPerceptionCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	v.in(web.RequestLang(w, r), a.s.Catalog())
	d, err := a.perceptionGaps(r.Context(), v)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write([]string{"item", "indicator", "lower_is_better", "city", "name", "residents_score", "margin_of_error", "too_few_responses",
		"value", "indicator_score", "gap", "disagree"})
	for _, g := range d.Topics {
		for _, rows := range [][]gapRow{g.Rows, g.Missing} {
			for _, x := range rows {
				dis := ""
				if x.Gap != nil {
					dis = strconv.FormatBool(x.Disagree)
				}
				cw.Write([]string{g.Topic.Item, g.Topic.Indicator, strconv.FormatBool(g.Topic.LowerBetter), x.City, x.Name,
					optNum(x.Residents), optNum(x.Margin), strconv.FormatBool(x.TooFew), optNum(x.Value), optNum(x.Score), optNum(x.Gap), dis})
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	writeCSV(w, v.Rec.Edition+"-"+v.Short()+"-perception.csv", buf.Bytes())
	return nil
}
