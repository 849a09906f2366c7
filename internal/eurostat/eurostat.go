// Package eurostat is CityLens's real-data example edition: an urban
// environment index of EU cities built from Eurostat's Urban Audit (city
// statistics), as extracted by the FAIRiCUBE project. The data files are
// embedded unchanged; see data/README.md for their origin and licence.
package eurostat

import (
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
)

//go:embed data/*.csv
var files embed.FS

// Attribution must accompany anything shown from this edition.
const Attribution = "Eurostat, Urban Audit (city statistics), CC BY 4.0; extraction by the FAIRiCUBE project (github.com/FAIRiCUBE/uc1-urban-climate); city boundaries: Eurostat GISCO"

// City is one Urban Audit city.
type City struct {
	Code    string // Urban Audit code, e.g. AT001C
	Name    string
	Country string // ISO 3166-1 alpha-2 (Eurostat uses EL for Greece)
	Lat     float64
	Lon     float64
}

// Edition is the example edition: framework, method, data and provenance.
type Edition struct {
	Name      string
	Framework []engine.Node
	Method    engine.Method
	Data      *engine.Data
	Cities    []City
	// Year[city][indicator] is the year of the value used (the latest reported).
	Year        map[string]map[string]int
	Attribution string
}

// indicators of the edition: Urban Audit code, pillar, direction, name,
// unit, and the name and unit in Korean.
var indicators = []struct {
	code, pillar   string
	direction      int
	name, unit     string
	nameKo, unitKo string
}{
	{"EN3012V", "Services", 1, "Population connected to potable drinking water", "%", "상수도 보급 인구", "%"},
	{"EN3013V", "Services", 1, "Population connected to sewerage treatment", "%", "하수처리 인구", "%"},
	{"EN5205V", "Land", 1, "Green urban areas and sports and leisure facilities", "% of land", "도시 녹지 및 체육·여가시설", "토지 면적 비율(%)"},
	{"EN5207V", "Land", 1, "Natural areas", "% of land", "자연지역", "토지 면적 비율(%)"},
	{"EN5202V", "Land", -1, "Industrial, commercial, public, military and private units", "% of land", "산업·상업·공공·군사·민간 용지", "토지 면적 비율(%)"},
	{"EN5203V", "Land", -1, "Transport infrastructure", "% of land", "교통 기반시설", "토지 면적 비율(%)"},
	{"EN1002V", "Climate", 1, "Hours of sunshine per day", "hours", "일평균 일조시간", "시간"},
	{"EN1003V", "Climate", -1, "Average temperature of the warmest month", "°C", "최난월 평균기온", "°C"},
	{"EN1004V", "Climate", 1, "Average temperature of the coldest month", "°C", "최한월 평균기온", "°C"},
}

// Load reads the embedded files and assembles the edition.
func Load() (*Edition, error) {
	e := &Edition{
		Name:        "EU urban environment (Eurostat Urban Audit, real data example)",
		Attribution: Attribution,
		Year:        map[string]map[string]int{},
	}
	e.Framework = []engine.Node{
		{Code: "Index", Name: "Urban environment", NameKo: "도시 환경", Kind: engine.Aggregate, Weight: 1},
		{Code: "Services", Name: "Water and sanitation", NameKo: "상하수도", Parent: "Index", Kind: engine.Aggregate, Weight: 1},
		{Code: "Land", Name: "Land use", NameKo: "토지 이용", Parent: "Index", Kind: engine.Aggregate, Weight: 1},
		{Code: "Climate", Name: "Climate comfort", NameKo: "기후 쾌적성", Parent: "Index", Kind: engine.Aggregate, Weight: 1},
	}
	known := map[string]bool{}
	for _, ind := range indicators {
		e.Framework = append(e.Framework, engine.Node{Code: ind.code, Name: ind.name, NameKo: ind.nameKo, Parent: ind.pillar, Kind: engine.Indicator,
			Weight: 1, Direction: ind.direction, Unit: ind.unit, UnitKo: ind.unitKo})
		known[ind.code] = true
	}
	e.Method = engine.DefaultMethod()
	e.Method.Screen = engine.Screening{Method: engine.ScreenByNA, Threshold: 0.6}
	e.Method.Treat = engine.Treatment{Method: engine.TreatWinsorise, Winmax: 5}

	names, coords, err := readBoxes()
	if err != nil {
		return nil, err
	}
	f, err := files.Open("data/fairicube_eurostat_urb_data_2004_2021.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("eurostat data: %w", err)
	}
	values := map[string]map[string]float64{}
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, citylens.Errorf(citylens.EINVALID, "eurostat data: line %d: %v", line, err)
		}
		code, city := rec[0], rec[1]
		if !known[code] {
			continue
		}
		// The latest year with a value.
		for j := len(rec) - 1; j >= 2; j-- {
			if rec[j] == "" {
				continue
			}
			v, err := strconv.ParseFloat(rec[j], 64)
			if err != nil {
				return nil, citylens.Errorf(citylens.EINVALID, "eurostat data: line %d, column %s: %q is not a number", line, header[j], rec[j])
			}
			year, _ := strconv.Atoi(header[j])
			if values[city] == nil {
				values[city] = map[string]float64{}
				e.Year[city] = map[string]int{}
			}
			values[city][code] = v
			e.Year[city][code] = year
			break
		}
	}
	units := make([]string, 0, len(values))
	for c := range values {
		units = append(units, c)
	}
	sort.Strings(units)
	d := &engine.Data{Units: units, Names: make([]string, len(units)), Groups: map[string][]string{"country": make([]string, len(units))}, Columns: map[string][]float64{}}
	for _, ind := range indicators {
		col := make([]float64, len(units))
		for i, u := range units {
			v, ok := values[u][ind.code]
			if !ok {
				v = engine.NA
			}
			col[i] = v
		}
		d.Columns[ind.code] = col
	}
	for i, u := range units {
		name := names[u]
		if name == "" {
			name = u
		}
		d.Names[i] = name
		d.Groups["country"][i] = u[:2]
		c := City{Code: u, Name: name, Country: u[:2]}
		if xy, ok := coords[u]; ok {
			c.Lon, c.Lat = xy[0], xy[1]
		}
		e.Cities = append(e.Cities, c)
	}
	e.Data = d
	return e, nil
}

// readBoxes returns city names and bounding-box centres (lon, lat) by code.
func readBoxes() (map[string]string, map[string][2]float64, error) {
	f, err := files.Open("data/fairicube_URAU_RG_100K_2021_4326_bounding_boxes.csv")
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, nil, fmt.Errorf("eurostat boxes: %w", err)
	}
	names := map[string]string{}
	coords := map[string][2]float64{}
	for i, r := range rows[1:] {
		if len(r) < 6 {
			return nil, nil, citylens.Errorf(citylens.EINVALID, "eurostat boxes: line %d: %d columns, want 6", i+2, len(r))
		}
		var xy [4]float64
		for k := range xy {
			if xy[k], err = strconv.ParseFloat(r[2+k], 64); err != nil {
				return nil, nil, citylens.Errorf(citylens.EINVALID, "eurostat boxes: line %d: %q is not a number", i+2, r[2+k])
			}
		}
		names[r[0]] = strings.TrimSpace(r[1])
		coords[r[0]] = [2]float64{(xy[0] + xy[2]) / 2, (xy[1] + xy[3]) / 2}
	}
	return names, coords, nil
}
