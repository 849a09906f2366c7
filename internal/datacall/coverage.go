package datacall

import (
	"sort"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

// Missing returns the edition's required indicators that have no value among
// values (one city's), in framework order.
func Missing(e *catalogue.Edition, values []Value) []string {
	have := make(map[string]bool, len(values))
	for _, v := range values {
		have[v.Indicator] = true
	}
	var out []string
	for _, n := range e.Indicators() {
		if !n.Optional && !have[n.Code] {
			out = append(out, n.Code)
		}
	}
	return out
}

// CheckComplete refuses a submission that lacks required values, listing them.
func CheckComplete(e *catalogue.Edition, values []Value) error {
	m := Missing(e, values)
	if len(m) == 0 {
		return nil
	}
	show := m
	more := ""
	if len(show) > 10 {
		show, more = show[:10], ", ..."
	}
	if len(m) == 1 {
		return citylens.Ef(citylens.EINVALID, "dc.error.incomplete_one", "%d required indicator is still without a value: %s%s", len(m), strings.Join(show, ", "), more)
	}
	return citylens.Ef(citylens.EINVALID, "dc.error.incomplete", "%d required indicators are still without a value: %s%s", len(m), strings.Join(show, ", "), more)
}

// CityProgress is one row of the coverage board.
type CityProgress struct {
	City     string  `json:"city"`
	State    string  `json:"state"`
	Entered  int     `json:"entered"`  // required indicators with a value
	Required int     `json:"required"` // required indicators of the edition
	Optional int     `json:"optional"` // optional indicators with a value
	Share    float64 `json:"share"`    // Entered / Required
}

// IndicatorAvailability is one indicator's data availability in an edition.
type IndicatorAvailability struct {
	Indicator string  `json:"indicator"`
	Cities    int     `json:"cities"`   // cities with a value
	Accepted  int     `json:"accepted"` // of which accepted
	Of        int     `json:"of"`       // cities in the data call
	Share     float64 `json:"share"`
}

// Coverage computes the coverage board from an edition's values: each
// city's progress (cities without a submission are drafts) and each
// indicator's availability among cities.
func Coverage(e *catalogue.Edition, cities []string, values []Value, subs []Submission) ([]CityProgress, []IndicatorAvailability) {
	cc, ic := countValues(e, cities, values, subs)
	return CoverageFromCounts(e, cities, cc, ic, subs)
}

// OptionalIndicators lists the edition's optional indicators.
func OptionalIndicators(e *catalogue.Edition) []string {
	var out []string
	for _, n := range e.Indicators() {
		if n.Optional {
			out = append(out, n.Code)
		}
	}
	return out
}

// countValues counts values as Store.ValueCounts does.
func countValues(e *catalogue.Edition, cities []string, values []Value, subs []Submission) ([]CityCount, []IndicatorCount) {
	inCall := make(map[string]bool, len(cities))
	for _, c := range cities {
		inCall[c] = true
	}
	accepted := map[string]bool{}
	for _, s := range subs {
		accepted[s.City] = s.State == StateAccepted
	}
	optional := map[string]bool{}
	inEd := map[string]bool{}
	for _, n := range e.Indicators() {
		inEd[n.Code], optional[n.Code] = true, n.Optional
	}
	byCity := map[string]*CityCount{}
	byInd := map[string]*IndicatorCount{}
	for _, v := range values {
		if !inCall[v.City] || !inEd[v.Indicator] {
			continue
		}
		c := byCity[v.City]
		if c == nil {
			c = &CityCount{City: v.City}
			byCity[v.City] = c
		}
		c.Values++
		if optional[v.Indicator] {
			c.Optional++
		}
		i := byInd[v.Indicator]
		if i == nil {
			i = &IndicatorCount{Indicator: v.Indicator}
			byInd[v.Indicator] = i
		}
		i.Cities++
		if accepted[v.City] {
			i.Accepted++
		}
	}
	var cc []CityCount
	for _, c := range byCity {
		cc = append(cc, *c)
	}
	var ic []IndicatorCount
	for _, i := range byInd {
		ic = append(ic, *i)
	}
	return cc, ic
}

// CoverageFromCounts computes the coverage board from value counts (see
// Store.ValueCounts).
func CoverageFromCounts(e *catalogue.Edition, cities []string, cc []CityCount, ic []IndicatorCount, subs []Submission) ([]CityProgress, []IndicatorAvailability) {
	state := make(map[string]string, len(subs))
	for _, s := range subs {
		state[s.City] = s.State
	}
	nreq := 0
	var order []string
	for _, n := range e.Indicators() {
		if !n.Optional {
			nreq++
		}
		order = append(order, n.Code)
	}
	counts := make(map[string]CityCount, len(cc))
	for _, c := range cc {
		counts[c.City] = c
	}
	progress := make([]CityProgress, len(cities))
	for i, c := range cities {
		st := state[c]
		if st == "" {
			st = StateDraft
		}
		n := counts[c]
		progress[i] = CityProgress{City: c, State: st, Entered: n.Values - n.Optional, Required: nreq, Optional: n.Optional}
		if nreq > 0 {
			progress[i].Share = float64(progress[i].Entered) / float64(nreq)
		}
	}
	sort.SliceStable(progress, func(a, b int) bool { return progress[a].City < progress[b].City })
	perInd := make(map[string]IndicatorCount, len(ic))
	for _, i := range ic {
		n := perInd[i.Indicator]
		n.Cities += i.Cities
		n.Accepted += i.Accepted
		perInd[i.Indicator] = n
	}
	avail := make([]IndicatorAvailability, 0, len(order))
	for _, code := range order {
		n := perInd[code]
		a := IndicatorAvailability{Indicator: code, Cities: n.Cities, Accepted: n.Accepted, Of: len(cities)}
		if a.Of > 0 {
			a.Share = float64(a.Cities) / float64(a.Of)
		}
		avail = append(avail, a)
	}
	return progress, avail
}
