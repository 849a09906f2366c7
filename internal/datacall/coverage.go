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
	return citylens.Errorf(citylens.EINVALID, "%d required %s still without a value: %s%s",
		len(m), plural(len(m), "indicator is", "indicators are"), strings.Join(show, ", "), more)
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

// Coverage computes the coverage board: each city's progress (cities without
// a submission are drafts) and each indicator's availability.
func Coverage(e *catalogue.Edition, cities []string, values []Value, subs []Submission) ([]CityProgress, []IndicatorAvailability) {
	state := make(map[string]string, len(subs))
	for _, s := range subs {
		state[s.City] = s.State
	}
	required := map[string]bool{}
	var order []string
	for _, n := range e.Indicators() {
		required[n.Code] = !n.Optional
		order = append(order, n.Code)
	}
	nreq := 0
	for _, r := range required {
		if r {
			nreq++
		}
	}
	inCall := make(map[string]int, len(cities))
	progress := make([]CityProgress, len(cities))
	for i, c := range cities {
		inCall[c] = i
		st := state[c]
		if st == "" {
			st = StateDraft
		}
		progress[i] = CityProgress{City: c, State: st, Required: nreq}
	}
	perInd := map[string]*IndicatorAvailability{}
	for _, code := range order {
		perInd[code] = &IndicatorAvailability{Indicator: code, Of: len(cities)}
	}
	for _, v := range values {
		i, ok := inCall[v.City]
		req, inEd := required[v.Indicator]
		if !ok || !inEd {
			continue
		}
		if req {
			progress[i].Entered++
		} else {
			progress[i].Optional++
		}
		a := perInd[v.Indicator]
		a.Cities++
		if progress[i].State == StateAccepted {
			a.Accepted++
		}
	}
	for i := range progress {
		if nreq > 0 {
			progress[i].Share = float64(progress[i].Entered) / float64(nreq)
		}
	}
	sort.SliceStable(progress, func(a, b int) bool { return progress[a].City < progress[b].City })
	avail := make([]IndicatorAvailability, 0, len(order))
	for _, code := range order {
		a := perInd[code]
		if a.Of > 0 {
			a.Share = float64(a.Cities) / float64(a.Of)
		}
		avail = append(avail, *a)
	}
	return progress, avail
}
