package catalogue

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
)

// u4sscCSV is the U4SSC KPI catalogue; seed/README.md gives its origin and attribution.
//
//go:embed seed/u4ssc_kpis.csv
var u4sscCSV []byte

// u4sscKoCSV gives the U4SSC indicators' Korean names and units by U4SSC
// code (CityLens's translation; seed/README.md).
//
//go:embed seed/u4ssc_kpis_ko.csv
var u4sscKoCSV []byte

// U4SSCAttribution is the citation to show wherever the seeded catalogue is shown.
const U4SSCAttribution = "ITU/U4SSC (2017), Collection Methodology for Key Performance Indicators for Smart Sustainable Cities"

// SeedU4SSC returns the 91 U4SSC key performance indicators as catalogue
// entries, with ESG pillars, valid ranges, definitions and guidance derived
// as seed/README.md documents.
func SeedU4SSC() ([]Indicator, error) {
	inds, err := ParseU4SSC(bytes.NewReader(u4sscCSV))
	if err != nil {
		return nil, err
	}
	return inds, addU4SSCKorean(inds, bytes.NewReader(u4sscKoCSV))
}

// addU4SSCKorean gives inds their Korean names, units and definitions from
// a file of columns code (U4SSC), name_ko and unit_ko. Every indicator must
// have a row and every row an indicator, so none is left English.
func addU4SSCKorean(inds []Indicator, r io.Reader) error {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return citylens.Errorf(citylens.EINVALID, "u4ssc Korean names: %v", err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "code,name_ko,unit_ko" {
		return citylens.Errorf(citylens.EINVALID, "u4ssc Korean names: header must be code,name_ko,unit_ko")
	}
	ko := map[string][]string{}
	for i, rec := range rows[1:] {
		if _, dup := ko[rec[0]]; dup || strings.TrimSpace(rec[1]) == "" {
			return citylens.Errorf(citylens.EINVALID, "u4ssc Korean names: line %d: code %q repeated or without a name", i+2, rec[0])
		}
		ko[rec[0]] = rec
	}
	for i := range inds {
		ind := &inds[i]
		rec, ok := ko[ind.Xwalk.U4SSC]
		if !ok {
			return citylens.Errorf(citylens.EINVALID, "u4ssc Korean names: no row for %q", ind.Xwalk.U4SSC)
		}
		delete(ko, ind.Xwalk.U4SSC)
		ind.Ko = Korean{Name: rec[1], Unit: rec[2]}
		ind.Ko.Definition = u4sscDefinitionKo(*ind)
	}
	for code := range ko {
		return citylens.Errorf(citylens.EINVALID, "u4ssc Korean names: %q is not a U4SSC indicator", code)
	}
	return nil
}

// u4sscDefinitionKo is u4sscDefinition in Korean.
func u4sscDefinitionKo(ind Indicator) string {
	tier := map[string]string{TierCore: "핵심", TierAdvanced: "고급"}[ind.Xwalk.U4SSCTier]
	unit := ind.Ko.Unit
	if unit == "" {
		unit = "방법론이 도시에 맡긴 단위(방법 설명에 밝히십시오)"
	}
	return fmt.Sprintf("%s: U4SSC %s 핵심성과지표(KPI) %s, 보고 단위: %s. 전체 정의는 ITU/U4SSC(2017) 「스마트 지속가능 도시 핵심성과지표 수집 방법론」에 있습니다.",
		ind.Ko.Name, tier, ind.Xwalk.U4SSC, unit)
}

// ParseU4SSC reads a catalogue in the layout of seed/u4ssc_kpis.csv. Errors name the line.
func ParseU4SSC(r io.Reader) ([]Indicator, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "u4ssc catalogue: reading header: %v", err)
	}
	want := []string{"code", "dimension", "subdimension", "category", "name", "tier", "sdg_goals", "sdg_targets", "unit", "direction", "notes"}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, w := range want {
		if _, ok := col[w]; !ok {
			return nil, citylens.Errorf(citylens.EINVALID, "u4ssc catalogue: header lacks column %q", w)
		}
	}
	var out []Indicator
	seen := map[string]int{}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, citylens.Errorf(citylens.EINVALID, "u4ssc catalogue: line %d: %v", line, err)
		}
		get := func(name string) string {
			if i := col[name]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		ind, err := u4sscIndicator(get)
		if err != nil {
			return nil, citylens.Errorf(citylens.EINVALID, "u4ssc catalogue: line %d: %s", line, citylens.ErrorMessage(err))
		}
		if prev, dup := seen[ind.Code]; dup {
			return nil, citylens.Errorf(citylens.EINVALID, "u4ssc catalogue: line %d: code %q already on line %d", line, ind.Xwalk.U4SSC, prev)
		}
		seen[ind.Code] = line
		out = append(out, ind)
	}
	return out, nil
}

func u4sscIndicator(get func(string) string) (Indicator, error) {
	u4 := get("code")
	ind := Indicator{
		Code:  CodeFromU4SSC(u4),
		Name:  get("name"),
		Unit:  get("unit"),
		Notes: get("notes"),
		Xwalk: Crosswalk{
			U4SSC:        u4,
			U4SSCTier:    get("tier"),
			Dimension:    get("dimension"),
			Subdimension: get("subdimension"),
			Category:     get("category"),
		},
	}
	switch d := get("direction"); d {
	case "+1", "1":
		ind.Direction = 1
	case "-1":
		ind.Direction = -1
	case "":
	default:
		return ind, citylens.Errorf(citylens.EINVALID, "%s: direction %q is not +1, -1 or empty", u4, d)
	}
	for _, g := range splitList(get("sdg_goals")) {
		n, err := strconv.Atoi(g)
		if err != nil {
			return ind, citylens.Errorf(citylens.EINVALID, "%s: SDG goal %q is not a number", u4, g)
		}
		ind.Xwalk.SDGGoals = append(ind.Xwalk.SDGGoals, n)
	}
	ind.Xwalk.SDGTargets = splitList(get("sdg_targets"))
	pillar, err := PillarForU4SSC(ind.Xwalk.Dimension, ind.Xwalk.Subdimension, ind.Xwalk.Category)
	if err != nil {
		return ind, err
	}
	ind.Xwalk.Pillar = pillar
	ind.Min, ind.Max = rangeForUnit(ind.Unit)
	ind.Definition = u4sscDefinition(ind)
	ind.Guidance = u4sscGuidance(ind)
	return ind, ind.Validate()
}

// CodeFromU4SSC turns a U4SSC code ("EC: ICT: ICT: 1C") into a URL-safe
// CityLens code ("EC-ICT-ICT-1C").
func CodeFromU4SSC(u4 string) string {
	parts := strings.Split(u4, ":")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
	}
	return strings.Join(parts, "-")
}

// economyPillars maps the U4SSC Economy dimension's categories (keyed
// "subdimension/category", since category names repeat) to ESG pillars.
// seed/README.md explains each choice.
var economyPillars = map[string]string{
	"ICT/ICT Infrastructure":              PillarS, // residents' digital access
	"ICT/Water and Sanitation":            PillarE, // smart metering and monitoring of a natural resource
	"ICT/Drainage":                        PillarE,
	"ICT/Electricity Supply":              PillarE, // demand response, smart meters: energy efficiency
	"ICT/Transport":                       PillarE, // traffic management: congestion, emissions
	"ICT/Public Sector":                   PillarG, // open data, e-government, e-procurement
	"Productivity/Innovation":             PillarS, // R&D, patents, SMEs: economic opportunity
	"Productivity/Employment":             PillarS,
	"Infrastructure/Water and Sanitation": PillarS, // access to basic services (SDG 6.1, 6.2)
	"Infrastructure/Waste":                PillarE,
	"Infrastructure/Electricity Supply":   PillarS, // households' access and service reliability
	"Infrastructure/Transport":            PillarE, // public and low-carbon transport
	"Infrastructure/Buildings":            PillarE,
	"Infrastructure/Urban Planning":       PillarG, // plans and planning instruments
}

// PillarForU4SSC returns the ESG pillar of a U4SSC dimension, sub-dimension and category.
func PillarForU4SSC(dimension, subdimension, category string) (string, error) {
	switch dimension {
	case "Environment":
		return PillarE, nil
	case "Society and Culture":
		return PillarS, nil
	case "Economy":
		if p, ok := economyPillars[subdimension+"/"+category]; ok {
			return p, nil
		}
		return "", citylens.Errorf(citylens.EINVALID, "no ESG pillar for Economy category %q in sub-dimension %q", category, subdimension)
	}
	return "", citylens.Errorf(citylens.EINVALID, "unknown U4SSC dimension %q (Economy, Environment, Society and Culture)", dimension)
}

// rangeForUnit derives a valid range from a unit: shares 0 to 100, yes/no and
// the Gini coefficient 0 to 1, life expectancy 0 to 130 years, every other
// U4SSC quantity (counts, rates, lengths, times) at least 0.
func rangeForUnit(unit string) (min, max *float64) {
	u := strings.ToLower(unit)
	switch {
	case strings.HasPrefix(u, "%") || strings.Contains(u, "% of"):
		return ptr(0), ptr(100)
	case strings.HasPrefix(u, "yes/no"), strings.Contains(u, "(0-1)"):
		return ptr(0), ptr(1)
	case u == "years":
		return ptr(0), ptr(130)
	}
	return ptr(0), nil
}

func u4sscDefinition(ind Indicator) string {
	x := ind.Xwalk
	unit := ind.Unit
	if unit == "" {
		unit = "a unit the methodology leaves to the city (state it in the method note)"
	}
	return fmt.Sprintf("%s: U4SSC %s KPI %s (%s › %s › %s), reported in %s. The full definition is in %s.",
		ind.Name, x.U4SSCTier, x.U4SSC, x.Dimension, x.Subdimension, x.Category, unit, U4SSCAttribution)
}

func u4sscGuidance(ind Indicator) string {
	var b strings.Builder
	b.WriteString("Use the city's official statistics or the records of the agency or utility responsible; name it as the source and give the year the data describe.")
	if pts := dataPoints(ind.Notes); pts != "" {
		fmt.Fprintf(&b, " The methodology collects several data points (%s): report the headline value and list the data points in the method note.", pts)
	}
	switch {
	case strings.HasPrefix(ind.Unit, "yes/no"):
		b.WriteString(" Enter 1 for yes and 0 for no.")
	case strings.Contains(ind.Unit, "%"):
		b.WriteString(" Enter a percentage between 0 and 100, not a fraction.")
	case strings.Contains(ind.Unit, "per 100,000"):
		b.WriteString(" Divide by the city's population and multiply by 100,000.")
	}
	if strings.Contains(ind.Notes, "not stated") {
		b.WriteString(" State the length or area unit you used in the method note.")
	}
	b.WriteString(" Tick 'estimated' when the value is modelled or extrapolated rather than measured.")
	return b.String()
}

// dataPoints extracts "a; b; c" from a note "... data points: a; b; c | ...".
func dataPoints(notes string) string {
	for _, part := range strings.Split(notes, "|") {
		if _, after, ok := strings.Cut(part, "data points"); ok {
			after = strings.TrimSpace(after)
			after = strings.TrimPrefix(after, "in the visualizer")
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(after), ":"))
		}
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
