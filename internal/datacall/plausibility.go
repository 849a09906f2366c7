package datacall

import (
	"context"
	"math"
	"sort"
	"strconv"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

// MaxMagnitude bounds the size of a value a city may enter: no indicator
// of a city measures a quantity beyond a million billion (1e15) in its
// unit, so a larger number is a typing or unit error, refused with a plain
// message rather than checked against a range that only bounds it below.
const MaxMagnitude = 1e15

// Plausibility flag kinds.
const (
	FlagNetwork = "network" // far from the network's values of the indicator
	FlagChange  = "change"  // a change since last edition far from the network's changes
)

// PlausibilityFlag is a value the plausibility checks find unusual: not
// an error (the value is kept), a question for the focal point and the
// reviewer, with the reason in words.
type PlausibilityFlag struct {
	City      string  `json:"city"`
	Indicator string  `json:"indicator"`
	Kind      string  `json:"kind"` // FlagNetwork or FlagChange
	Z         float64 `json:"z"`    // the modified z-score
	Median    float64 `json:"median"`
	Cities    int     `json:"cities"` // the values (or changes) it is measured against
	// Reason words the flag: its key and arguments, its English text.
	Reason citylens.Phrase `json:"-"`
	Text   string          `json:"reason"`
}

// robust is a sample's median and scale for modified z-scores: the median
// absolute deviation, or, when more than half the values are equal (MAD
// 0), the mean absolute deviation (Iglewicz and Hoaglin).
type robust struct {
	median, mad, meanAD float64
	n                   int
}

func robustOf(xs []float64) robust {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	r := robust{median: medianSorted(s), n: len(s)}
	dev := make([]float64, len(s))
	for i, x := range s {
		dev[i] = math.Abs(x - r.median)
		r.meanAD += dev[i]
	}
	r.meanAD /= float64(len(s))
	sort.Float64s(dev)
	r.mad = medianSorted(dev)
	return r
}

func medianSorted(s []float64) float64 {
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// z is x's modified z-score (0 when the sample has no spread at all).
func (r robust) z(x float64) float64 {
	switch {
	case r.mad > 0:
		return 0.6745 * (x - r.median) / r.mad
	case r.meanAD > 0:
		return (x - r.median) / (1.253314 * r.meanAD)
	}
	return 0
}

// Plausible flags the values of the given cities (by key) that are far
// from the network's values of their indicator or whose change since last
// edition is far from the network's changes, under the edition's
// plausibility settings. all is every value of the edition (the network);
// last is last edition's values of the network's cities.
func Plausible(p catalogue.Plausibility, all map[Key]float64, last map[Key]float64, cities map[string]bool) map[Key][]PlausibilityFlag {
	p = p.WithDefaults()
	out := map[Key][]PlausibilityFlag{}
	if p.Off {
		return out
	}
	byInd := map[string][]Key{}
	for k := range all {
		byInd[k.Indicator] = append(byInd[k.Indicator], k)
	}
	for ind, keys := range byInd {
		sort.Slice(keys, func(i, j int) bool { return keys[i].City < keys[j].City })
		vals := make([]float64, 0, len(keys))
		var changes []float64
		for _, k := range keys {
			vals = append(vals, all[k])
			if l, ok := last[k]; ok {
				changes = append(changes, relChange(l, all[k]))
			}
		}
		var net, chg robust
		if len(vals) >= p.MinCities {
			net = robustOf(vals)
		}
		if len(changes) >= p.MinCities {
			chg = robustOf(changes)
		}
		for _, k := range keys {
			if !cities[k.City] {
				continue
			}
			x := all[k]
			if net.n > 0 {
				if z := net.z(x); math.Abs(z) > p.Z {
					out[k] = append(out[k], flag(k, FlagNetwork, z, net, x, p.Z, ind))
				}
			}
			if l, ok := last[k]; ok && chg.n > 0 {
				if z := chg.z(relChange(l, x)); math.Abs(z) > p.Z {
					f := flag(k, FlagChange, z, chg, x, p.Z, ind)
					f.Reason = citylens.Phrasef("dc.plausible.change",
						"the change since last edition (%s to %s) is unlike the other cities' changes of this indicator (robust z-score %s, above %s over %d cities): check it, or explain it in a comment",
						num(l), num(x), num1(z), num1(p.Z), chg.n)
					f.Text = f.Reason.English
					out[k] = append(out[k], f)
				}
			}
		}
	}
	return out
}

func flag(k Key, kind string, z float64, r robust, x, limit float64, ind string) PlausibilityFlag {
	f := PlausibilityFlag{City: k.City, Indicator: ind, Kind: kind, Z: z, Median: r.median, Cities: r.n}
	f.Reason = citylens.Phrasef("dc.plausible.network",
		"%s is far from the other cities' values of this indicator (median %s; robust z-score %s, above %s over %d cities): check the number and its unit",
		num(x), num(r.median), num1(z), num1(limit), r.n)
	f.Text = f.Reason.English
	return f
}

// relChange is the change from last to x relative to |last| (x − last when
// last is 0).
func relChange(last, x float64) float64 {
	if last == 0 {
		return x
	}
	return (x - last) / math.Abs(last)
}

func num(f float64) string  { return strconv.FormatFloat(f, 'g', 6, 64) }
func num1(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

// Plausibility flags a city's values against the network's: every value of
// the edition and last edition's values of every city.
func (s *Service) Plausibility(ctx context.Context, e *catalogue.Edition, cities []CityRef) (map[Key][]PlausibilityFlag, error) {
	vals, err := s.Store.EditionValues(ctx, e.Code)
	if err != nil {
		return nil, err
	}
	all := make(map[Key]float64, len(vals))
	var refs []CityRef
	seen := map[string]bool{}
	for _, v := range vals {
		all[v.Key()] = v.Value
		if !seen[v.City] {
			seen[v.City] = true
			refs = append(refs, CityRef{Code: v.City})
		}
	}
	last := map[Key]float64{}
	if e.PreviousEdition != "" && len(refs) > 0 {
		if last, err = s.LastValues(ctx, e, refs); err != nil {
			return nil, err
		}
	}
	want := map[string]bool{}
	for _, c := range cities {
		want[c.Code] = true
	}
	return Plausible(e.PlausibilityOf(), all, last, want), nil
}
