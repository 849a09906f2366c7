package catalogue

import (
	"math"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

// The engine's data set of an edition is laid out here, once: the data
// call's compute (a draft), a release's publication and an edition's
// validation all use DataSet, so a city has the same groups and a value
// the same place whichever of them reads it.

// Group columns of every data set: a method may impute by any of them.
const (
	GroupRegion     = "region"
	GroupCountry    = "country"
	GroupPeer       = "peer_group"       // the group a city's rating is relative to
	GroupPopulation = "population_class" // see PopulationClassOf
)

// Groups lists the group columns of every data set.
func Groups() []string {
	return []string{GroupRegion, GroupCountry, GroupPeer, GroupPopulation}
}

// Population classes.
const (
	PopUnder300k = "under-300k" // fewer than 300,000 inhabitants
	Pop300kTo1M  = "300k-1m"    // 300,000 to 999,999
	Pop1MTo5M    = "1m-5m"      // 1 million to 4,999,999
	Pop5MTo10M   = "5m-10m"     // 5 million to 9,999,999
	PopOver10M   = "over-10m"   // 10 million or more
)

// PopulationClassOf returns the class of a population ("" when unknown, i.e. 0).
func PopulationClassOf(pop int64) string {
	switch {
	case pop <= 0:
		return ""
	case pop < 300_000:
		return PopUnder300k
	case pop < 1_000_000:
		return Pop300kTo1M
	case pop < 5_000_000:
		return Pop1MTo5M
	case pop < 10_000_000:
		return Pop5MTo10M
	}
	return PopOver10M
}

// Unit is a city as a data set knows it: its code and name and what it is
// grouped by.
type Unit struct {
	Code       string
	Name       string
	Region     string
	Country    string
	PeerGroup  string
	Population int64 // inhabitants; 0 when unknown (no population class)
}

// Group returns the unit's value of a group column ("" for an unknown column).
func (u Unit) Group(column string) string {
	switch column {
	case GroupRegion:
		return u.Region
	case GroupCountry:
		return u.Country
	case GroupPeer:
		return u.PeerGroup
	case GroupPopulation:
		return PopulationClassOf(u.Population)
	}
	return ""
}

// Point is one value of a data set: a city's value of an indicator or a
// denominator.
type Point struct {
	City      string
	Indicator string
	Value     float64
}

// DataColumns lists the columns of f's data sets: its indicators, then the
// denominators they name, each once.
func DataColumns(f *engine.Framework) []string {
	var out []string
	seen := map[string]bool{}
	add := func(c string) {
		if c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	inds := f.Indicators()
	for _, c := range inds {
		add(c)
	}
	for _, c := range inds {
		if n, ok := f.Node(c); ok {
			add(n.Denominator)
		}
	}
	return out
}

// DataSet lays values out for the engine: one unit per city, in the order
// given; the group columns (Groups) from the units; one column per data
// column of f (DataColumns), NA where a city has no value. A point of a
// city or column not in the set, a value that is not a finite number (a
// missing value is a missing point) and two points of one city and column
// are EINVALID errors naming the point.
func DataSet(f *engine.Framework, units []Unit, points []Point) (*engine.Data, error) {
	n := len(units)
	d := &engine.Data{Units: make([]string, n), Names: make([]string, n), Groups: map[string][]string{}, Columns: map[string][]float64{}}
	for _, g := range Groups() {
		d.Groups[g] = make([]string, n)
	}
	row := make(map[string]int, n)
	for i, u := range units {
		if _, dup := row[u.Code]; dup {
			return nil, citylens.Ef(citylens.EINVALID, "catalogue.data.city_twice", "city %q appears twice", u.Code)
		}
		row[u.Code] = i
		d.Units[i], d.Names[i] = u.Code, u.Name
		for _, g := range Groups() {
			d.Groups[g][i] = u.Group(g)
		}
	}
	for _, c := range DataColumns(f) {
		col := make([]float64, n)
		for i := range col {
			col[i] = engine.NA
		}
		d.Columns[c] = col
	}
	for _, p := range points {
		i, ok := row[p.City]
		if !ok {
			return nil, citylens.Ef(citylens.EINVALID, "catalogue.data.unknown_city", "%s/%s: city %q is not a city of the data set", p.City, p.Indicator, p.City)
		}
		col, ok := d.Columns[p.Indicator]
		if !ok {
			return nil, citylens.Ef(citylens.EINVALID, "catalogue.data.unknown_indicator", "%s/%s: %q is not an indicator or denominator of the framework", p.City, p.Indicator, p.Indicator)
		}
		if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
			return nil, citylens.Ef(citylens.EINVALID, "catalogue.data.not_finite", "%s/%s: value is not a finite number (leave a missing value out)", p.City, p.Indicator)
		}
		if !engine.IsNA(col[i]) {
			return nil, citylens.Ef(citylens.EINVALID, "catalogue.data.point_twice", "%s/%s appears twice", p.City, p.Indicator)
		}
		col[i] = p.Value
	}
	return d, nil
}
