// Package hdi gives a country its human development group (UNDP's Human
// Development Report 2021/22), the peer groups the IMD Smart City Index
// rates cities within.
package hdi

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"strconv"
	"strings"
	"sync"
)

//go:embed data/undp_hdi_2021.csv
var table []byte

// Attribution must accompany HDI groups wherever they are shown.
const Attribution = "Human development groups: UNDP (2022), Human Development Report 2021/22 (CC BY 3.0 IGO)."

// Groups, from the highest: the codes peer groups carry.
const (
	VeryHigh = "hdi-very-high"
	High     = "hdi-high"
	Medium   = "hdi-medium"
	Low      = "hdi-low"
)

// Groups lists the groups, highest first.
func Groups() []string { return []string{VeryHigh, High, Medium, Low} }

// Country is one country's row of the table.
type Country struct {
	ISO3  string
	Name  string
	Group string  // "" where UNDP gives no HDI
	HDI   float64 // 0 where UNDP gives no HDI
}

var (
	once      sync.Once
	countries map[string]Country
)

func load() {
	countries = map[string]Country{}
	rows, err := csv.NewReader(bytes.NewReader(table)).ReadAll()
	if err != nil || len(rows) == 0 {
		return // the embedded table is checked by the package's tests
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, r := range rows[1:] {
		c := Country{ISO3: r[col["iso3"]], Name: r[col["country"]]}
		switch strings.ToLower(strings.TrimSpace(r[col["hdi_group"]])) {
		case "very high":
			c.Group = VeryHigh
		case "high":
			c.Group = High
		case "medium":
			c.Group = Medium
		case "low":
			c.Group = Low
		}
		c.HDI, _ = strconv.ParseFloat(r[col["hdi_2021"]], 64)
		countries[c.ISO3] = c
	}
}

// Of returns a country's row by its ISO 3166-1 alpha-3 code (upper case);
// ok is false for a country the table does not have.
func Of(iso3 string) (Country, bool) {
	once.Do(load)
	c, ok := countries[strings.ToUpper(strings.TrimSpace(iso3))]
	return c, ok
}

// GroupOf returns a country's human development group ("" when UNDP gives
// none or the country is unknown).
func GroupOf(iso3 string) string {
	c, _ := Of(iso3)
	return c.Group
}

// Index returns a country's 2021 HDI (0 when UNDP gives none).
func Index(iso3 string) float64 {
	c, _ := Of(iso3)
	return c.HDI
}
