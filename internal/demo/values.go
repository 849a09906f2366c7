package demo

import (
	"hash/fnv"
	"math"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/hdi"
	"github.com/citylens/citylens/internal/members"
)

// The demo's synthetic values describe a plausible world, not a real one.
// Each city has a development level from its country's Human Development
// Index (UNDP 2021), a size from its population and a character of its own;
// each indicator moves from what a city of low development typically
// reports to what a city of very high development does (published
// magnitudes, a universal service reaching 100 % before the top: life expectancy 58 to 84 years, electricity use 400 to 7,000
// kWh per person, maternal mortality 600 to 5 per 100,000 births...), with
// its own noise. Some indicators rise with development although lower is
// better (emissions, electricity and water use), as they do. Values are
// deterministic: the same city, indicator and year give the same value, and
// a year changes them by a few percent.

// profile is an indicator's synthetic world.
type profile struct {
	low, high float64 // typical values at very low and very high development
	log       bool    // interpolate in log space (rates and magnitudes spanning decades)
	size      float64 // effect of the city's size (log population), in development units
	noise     float64 // the indicator's own spread, in development units
	binary    bool    // a yes/no indicator
}

// profiles by catalogue code; an indicator of the catalogue not listed takes
// the generic profile of its unit (genericProfile).
var profiles = map[string]profile{
	"EC-ICT-ICT-1C": {low: 15, high: 95, noise: .5},
	"EC-ICT-ICT-2C": {low: 3, high: 85, noise: .6},
	"EC-ICT-ICT-3C": {low: 20000, high: 130000, log: true, noise: .5},
	"EC-ICT-ICT-4C": {low: 60, high: 100, noise: .5},
	"EC-ICT-ICT-5A": {low: 20, high: 2000, log: true, size: .8, noise: .8},
	"EC-ICT-WS-1C":  {low: 1, high: 60, noise: .9},
	"EC-ICT-WS-2A":  {low: 5, high: 80, noise: .9},
	"EC-ICT-D-1A":   {low: 2, high: 60, noise: .9},
	"EC-ICT-ES-1C":  {low: 2, high: 85, noise: .9},
	"EC-ICT-ES-2A":  {low: 10, high: 90, noise: .8},
	"EC-ICT-ES-3A":  {low: .5, high: 25, log: true, noise: .9},
	"EC-ICT-T-1C":   {low: 2, high: 80, size: .3, noise: .8},
	"EC-ICT-T-2C":   {low: 5, high: 80, size: .3, noise: .8},
	"EC-ICT-T-3A":   {low: 5, high: 70, noise: .8},
	"EC-ICT-PS-1A":  {low: 5, high: 80, noise: .9},
	"EC-ICT-PS-2A":  {low: 10, high: 400, log: true, size: .3, noise: .7},
	"EC-ICT-PS-3A":  {low: 5, high: 90, noise: .8},
	"EC-P-IN-1C":    {low: .1, high: 3.5, log: true, size: .3, noise: .6},
	"EC-P-IN-2C":    {low: .2, high: 60, log: true, size: .4, noise: .7},
	"EC-P-IN-3A":    {low: 90, high: 99, noise: .8},
	"EC-P-EM-1C":    {low: 18, high: 4, noise: .8},
	"EC-P-EM-2C":    {low: 35, high: 10, noise: .8},
	"EC-P-EM-4A":    {low: .5, high: 6, log: true, size: .4, noise: .6},
	"EC-I-WS-1C":    {low: 55, high: 103, noise: .5},
	"EC-I-WS-2C":    {low: 40, high: 100, noise: .5},
	"EC-I-WS-3C":    {low: 45, high: 10, noise: .7},
	"EC-I-WS-4C":    {low: 20, high: 98, noise: .6},
	"EC-I-WS-5C":    {low: 35, high: 102, noise: .5},
	"EC-I-WA-1C":    {low: 40, high: 102, noise: .5},
	"EC-I-ES-1C":    {low: 40, high: .5, log: true, noise: .6},
	"EC-I-ES-2C":    {low: 3000, high: 20, log: true, noise: .6},
	"EC-I-ES-3C":    {low: 50, high: 103, noise: .4},
	"EC-I-T-1C":     {low: 10, high: 120, log: true, size: .3, noise: .7},
	"EC-I-T-2A":     {low: 30, high: 95, size: .2, noise: .6},
	"EC-I-T-3C":     {low: .5, high: 80, log: true, noise: .9},
	"EC-I-T-5A":     {low: 1.8, high: 1.2, size: -.6, noise: .7},
	"EC-I-T-6A":     {low: 2, high: 400, log: true, noise: 1},
	"EC-I-T-7A":     {low: 1, high: 100, log: true, size: .3, noise: 1},
	"EC-I-T-8A":     {low: .1, high: 15, log: true, noise: .9},
	"EC-I-B-1A":     {low: 1, high: 40, noise: .9},
	"EC-I-B-2A":     {low: 2, high: 60, noise: .9},
	"EC-I-UP-1A":    {low: 2, high: 20, noise: .7},
	"EC-I-UP-2A":    {binary: true, noise: .8},
	"EN-EN-AQ-1C":   {low: 80, high: 8, log: true, size: -.5, noise: .6},
	"EN-EN-AQ-2C":   {low: 1, high: 7, log: true, noise: .5}, // richer cities emit more
	"EN-EN-WS-1C":   {low: 60, high: 99.5, noise: .5},
	"EN-EN-WS-2C":   {low: 80, high: 180, log: true, noise: .5}, // and use more water
	"EN-EN-WS-3C":   {low: 70, high: 40, noise: .8},
	"EN-EN-WS-4C":   {low: 10, high: 95, noise: .6},
	"EN-EN-EQ-1C":   {low: 70, high: 100, noise: .6},
	"EN-EN-EQ-2A":   {low: 40, high: 20, size: -.5, noise: .7},
	"EN-EN-PSN-1C":  {low: 50, high: 500, log: true, size: -.3, noise: .7},
	"EN-EN-PSN-2A":  {low: 30, high: 85, noise: .7},
	"EN-EN-PSN-3A":  {low: 2, high: 15, noise: 1},
	"EN-E-E-1C":     {low: 5, high: 35, noise: 1},
	"EN-E-E-2C":     {low: 400, high: 7000, log: true, noise: .5}, // and more electricity
	"EN-E-E-3C":     {low: 2, high: 20, log: true, noise: .7},
	"EN-E-E-4A":     {low: 250, high: 120, noise: .7},
	"SC-EH-ED-1C":   {low: 10, high: 98, noise: .6},
	"SC-EH-ED-2C":   {low: 60, high: 99, noise: .5},
	"SC-EH-ED-3C":   {low: 3000, high: 35000, log: true, size: .3, noise: .6},
	"SC-EH-ED-4C":   {low: 55, high: 99.5, noise: .4},
	"SC-EH-ED-5A":   {low: 2, high: 85, noise: .8},
	"SC-EH-H-1C":    {low: 58, high: 84, noise: .3},
	"SC-EH-H-2C":    {low: 600, high: 5, log: true, noise: .4},
	"SC-EH-H-3C":    {low: 10, high: 450, log: true, size: .2, noise: .5},
	"SC-EH-H-4A":    {low: 50, high: 600, log: true, noise: .6},
	"SC-EH-H-5A":    {low: 20, high: 100, noise: .6},
	"SC-EH-C-1C":    {low: .2, high: 4, log: true, noise: .8},
	"SC-EH-C-2A":    {low: .5, high: 12, log: true, noise: .8},
	"SC-SH-HO-1C":   {low: 50, high: .5, log: true, noise: .6},
	"SC-SH-HO-2A":   {low: 35, high: 25, size: -.4, noise: .8},
	"SC-SH-SI-2C":   {low: .55, high: .3, noise: .7},
	"SC-SH-SI-3C":   {low: 45, high: 5, noise: .6},
	"SC-SH-SI-4C":   {low: 40, high: 70, noise: 1.2},
	"SC-SH-SI-5A":   {low: 10, high: 85, noise: .8},
	"SC-SH-SA-1C":   {low: 3, high: .05, log: true, noise: 1},
	"SC-SH-SA-2C":   {low: 2, high: .1, log: true, noise: 1},
	"SC-SH-SA-3A":   {binary: true, noise: .8},
	"SC-SH-SA-4A":   {low: 30, high: 8, noise: 1},
	"SC-SH-SA-5A":   {low: 30, high: 8, size: -.4, noise: .6},
	"SC-SH-SA-6C":   {low: 120, high: 280, noise: .8},
	"SC-SH-SA-7C":   {low: 15, high: 90, log: true, noise: .7},
	"SC-SH-SA-8C":   {low: 40, high: 3, log: true, noise: 1},
	"SC-SH-SA-9C":   {low: 25, high: 3, log: true, noise: .6},
	"SC-SH-FS-1A":   {low: 5, high: 20, noise: 1.2},
}

// genericProfile is the world of an indicator without a profile of its own,
// from its bounds and direction.
func genericProfile(ind catalogue.Indicator) profile {
	switch {
	case strings.HasPrefix(ind.Unit, "yes/no"):
		return profile{binary: true, noise: .8}
	case ind.Min != nil && ind.Max != nil:
		lo, hi := *ind.Min, *ind.Max
		p := profile{low: lo + .15*(hi-lo), high: lo + .85*(hi-lo), noise: .8}
		if ind.Direction < 0 {
			p.low, p.high = p.high, p.low
		}
		return p
	}
	p := profile{low: 10, high: 100, log: true, noise: .8}
	if ind.Direction < 0 {
		p.low, p.high = p.high, p.low
	}
	return p
}

// development is a city's development level: its country's HDI on a scale
// where 0 is the middle of the world's cities (HDI 0.72) and ±1 about one
// HDI group away; a country UNDP gives no HDI takes 0.70.
func development(c members.City) float64 {
	h := hdi.Index(c.Country)
	if h == 0 {
		h = .70
	}
	return (h - .72) / .14
}

// citySize is the city's size: 0 for a million inhabitants, +1 per tenfold.
func citySize(c members.City) float64 {
	if c.Population <= 0 {
		return 0
	}
	return math.Log10(float64(c.Population)) - 6
}

// normal is a deterministic standard normal draw for key (Box–Muller
// over two hashed uniforms).
func normal(key string) float64 {
	uniform := func(salt string) float64 {
		h := fnv.New64a()
		h.Write([]byte(key + salt))
		return (float64(h.Sum64()>>11) + .5) / (1 << 53)
	}
	return math.Sqrt(-2*math.Log(uniform("#1"))) * math.Cos(2*math.Pi*uniform("#2"))
}

// Value is the synthetic value of ind for city c in year, in ind's unit and
// within its valid range, rounded as a city would report it.
func Value(ind catalogue.Indicator, c members.City, year int) float64 {
	p, ok := profiles[ind.Code]
	if !ok {
		p = genericProfile(ind)
	}
	// The city's position: its development, its size, its character (shared
	// by its indicators), the indicator's own noise, and a small drift and
	// wobble a year.
	g := .85*development(c) + p.size*citySize(c) + .35*normal("city|"+c.Code) + p.noise*normal(ind.Code+"|"+c.Code) +
		.03*float64(year-2024) + .04*normal(ind.Code+"|"+c.Code+"|"+strconv.Itoa(year))
	t := 1 / (1 + math.Exp(-1.4*g)) // 0 (least developed) to 1 (most)
	var v float64
	switch {
	case p.binary: // a plan exists or not: the same every year
		if 1/(1+math.Exp(-1.4*(g-.03*float64(year-2024)-.04*normal(ind.Code+"|"+c.Code+"|"+strconv.Itoa(year))))) > .45 {
			return 1
		}
		return 0
	case p.log:
		v = math.Exp(math.Log(p.low) + (math.Log(p.high)-math.Log(p.low))*t)
	default:
		v = p.low + (p.high-p.low)*t
	}
	if ind.Min != nil {
		v = math.Max(v, *ind.Min)
	}
	if ind.Max != nil {
		v = math.Min(v, *ind.Max)
	}
	return roundReport(v)
}

// roundReport rounds as statistics offices report: three significant
// digits, at most two decimals.
func roundReport(v float64) float64 {
	if v == 0 {
		return 0
	}
	d := math.Max(0, math.Min(2, 2-math.Floor(math.Log10(math.Abs(v)))))
	f := math.Pow(10, d)
	return math.Round(v*f) / f
}
