package datacall

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/engine"
)

// City is a city of the data call, with what the method may group it by
// (catalogue.Groups).
type City struct {
	Code    string `json:"code"`
	Name    string `json:"name"`
	Region  string `json:"region"`
	Country string `json:"country"`
	// PeerGroup is the group the city's rating is relative to, given by
	// the edition's release configuration (release.Config.PeerGroupOf).
	PeerGroup  string `json:"peer_group,omitempty"`
	Population int64  `json:"population,omitempty"`
}

// Unit is the city as the engine's data set knows it.
func (c City) Unit() catalogue.Unit {
	return catalogue.Unit{Code: c.Code, Name: c.Name, Region: c.Region, Country: c.Country, PeerGroup: c.PeerGroup, Population: c.Population}
}

// Progress reports how far a compute is: Done of Total steps, Stage names the current one.
type Progress struct {
	Stage       string
	Done, Total int
}

// ComputeInput is what an edition is computed from.
type ComputeInput struct {
	Edition     *catalogue.Edition
	Catalogue   map[string]catalogue.Indicator
	Cities      []City
	Values      []Value      // the edition's values; only accepted submissions' count
	Submissions []Submission // the edition's submissions
}

// DataPoint is one value a release was computed from, with its provenance,
// so each score traces back to its sources.
type DataPoint struct {
	City      string  `json:"city"`
	Indicator string  `json:"indicator"`
	Value     float64 `json:"value"`
	Source    string  `json:"source"`
	DataYear  int     `json:"data_year"`
	Estimated bool    `json:"estimated,omitempty"`
}

// CityResult is one city's scores (every aggregate: pillars and index) and ranks.
type CityResult struct {
	City   string             `json:"city"`
	Name   string             `json:"name"`
	Scores map[string]float64 `json:"scores"`
	Ranks  map[string]int     `json:"ranks"`
}

// Unranked is a city left out of the ranking, with its data availability.
type Unranked struct {
	City         string  `json:"city"`
	Availability float64 `json:"availability"`
}

// DraftRelease is a computed edition, ready to store: what was computed
// (framework, method, data), with what (engine version) and the result.
type DraftRelease struct {
	Edition       string        `json:"edition"`
	EngineVersion string        `json:"engine_version"`
	Method        engine.Method `json:"method"`
	Framework     []engine.Node `json:"framework"`
	DataHash      string        `json:"data_hash"` // SHA-256 of the data points, in order
	// Hash identifies the release's content: framework, method, data and engine version.
	Hash       string       `json:"hash"`
	Data       []DataPoint  `json:"data"`
	Results    []CityResult `json:"results"` // ordered by the index rank
	Unranked   []Unranked   `json:"unranked,omitempty"`
	Warnings   []string     `json:"warnings,omitempty"`
	ComputedAt time.Time    `json:"computed_at"`
}

// Compute builds an edition from the values of its accepted submissions. It
// reports progress and stops, with an ECANCELED error, when ctx is done.
func Compute(ctx context.Context, in ComputeInput, progress func(Progress)) (*DraftRelease, error) {
	const total = 4
	report := func(stage string, done int) {
		if progress != nil {
			progress(Progress{Stage: stage, Done: done, Total: total})
		}
	}
	e := in.Edition
	report("collecting accepted values", 0)
	f, err := e.EngineFramework(in.Catalogue)
	if err != nil {
		return nil, err
	}
	accepted := map[string]bool{}
	for _, s := range in.Submissions {
		if s.Edition == e.Code && s.State == StateAccepted {
			accepted[s.City] = true
		}
	}
	var cities []City
	for _, c := range in.Cities {
		if accepted[c.Code] {
			cities = append(cities, c)
		}
	}
	sort.Slice(cities, func(a, b int) bool { return cities[a].Code < cities[b].Code })
	if len(cities) < 2 {
		if len(cities) == 1 {
			return nil, citylens.Ef(citylens.ECONFLICT, "dc.error.too_few_accepted_one", "edition %s has %d accepted city: an index needs at least 2", e.Code, len(cities))
		}
		return nil, citylens.Ef(citylens.ECONFLICT, "dc.error.too_few_accepted", "edition %s has %d accepted cities: an index needs at least 2", e.Code, len(cities))
	}
	unit := make(map[string]int, len(cities))
	units := make([]catalogue.Unit, len(cities))
	for i, c := range cities {
		unit[c.Code] = i
		units[i] = c.Unit()
	}
	inEd := map[string]bool{}
	for _, c := range catalogue.DataColumns(f) {
		inEd[c] = true
	}
	var data []DataPoint
	for _, v := range in.Values {
		if _, ok := unit[v.City]; v.Edition != e.Code || !ok || !inEd[v.Indicator] {
			continue
		}
		data = append(data, DataPoint{City: v.City, Indicator: v.Indicator, Value: v.Value, Source: v.Source, DataYear: v.DataYear, Estimated: v.Estimated})
	}
	sort.Slice(data, func(a, b int) bool {
		if data[a].City != data[b].City {
			return data[a].City < data[b].City
		}
		return data[a].Indicator < data[b].Indicator
	})
	points := make([]catalogue.Point, len(data))
	for k, p := range data {
		points[k] = catalogue.Point{City: p.City, Indicator: p.Indicator, Value: p.Value}
	}
	d, err := catalogue.DataSet(f, units, points)
	if err != nil {
		return nil, citylens.Ef(citylens.ErrorCode(err), "dc.error.compute_value", "edition %s: value %s", e.Code, citylens.MessageArg(err))
	}
	if err := ctx.Err(); err != nil {
		return nil, citylens.Errorf(citylens.ECANCELED, "compute cancelled: %v", err)
	}
	report("building the index", 1)
	res, err := engine.Build(ctx, f, d, e.Method)
	if err != nil {
		return nil, err
	}
	report("ranking", 2)
	r := &DraftRelease{
		Edition: e.Code, EngineVersion: engine.Version, Method: e.Method, Framework: f.Nodes(),
		Data: data, Warnings: res.Warnings, ComputedAt: time.Now().UTC(),
	}
	aggs := f.Aggregates()
	for i, u := range res.Aggregated.Units {
		cr := CityResult{City: u, Name: cities[unit[u]].Name, Scores: map[string]float64{}, Ranks: map[string]int{}}
		for _, code := range aggs {
			col, _ := res.Aggregated.Col(code)
			rk, _ := res.Ranks.Col(code)
			if !engine.IsNA(col[i]) {
				cr.Scores[code] = col[i]
				cr.Ranks[code] = int(rk[i])
			}
		}
		r.Results = append(r.Results, cr)
	}
	root := f.Roots()[0]
	sort.SliceStable(r.Results, func(a, b int) bool {
		ra, oka := r.Results[a].Ranks[root]
		rb, okb := r.Results[b].Ranks[root]
		if oka != okb {
			return oka
		}
		return ra < rb
	})
	for _, s := range res.Unranked() {
		r.Unranked = append(r.Unranked, Unranked{City: s.Unit, Availability: s.DatAvail})
	}
	report("hashing", 3)
	if r.DataHash, err = hashJSON(data); err != nil {
		return nil, err
	}
	if r.Hash, err = hashJSON(struct {
		Framework []engine.Node
		Method    engine.Method
		DataHash  string
		Engine    string
	}{r.Framework, r.Method, r.DataHash, r.EngineVersion}); err != nil {
		return nil, err
	}
	report("done", total)
	return r, nil
}

func hashJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", citylens.Errorf(citylens.EINTERNAL, "hashing the release: %v", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// FormatScore prints a score for people.
func FormatScore(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }
