package members

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// CSVColumns are the columns of a members CSV file, in the order written by
// the template; a file may order them freely. Required: code, name, country,
// region, latitude, longitude, status.
var CSVColumns = []string{"code", "name", "local_name", "country", "region", "office",
	"latitude", "longitude", "population", "status", "member_since", "name_en", "name_ko"}

var requiredColumns = map[string]bool{"code": true, "name": true, "country": true, "region": true,
	"latitude": true, "longitude": true, "status": true}

// ImportResult counts what an import did.
type ImportResult struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

// ParseCSV reads a members CSV file, returning the cities or an EINVALID
// error whose problems name every bad row and column. Nothing is stored.
func ParseCSV(r io.Reader) ([]City, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, citylens.Ef(citylens.EINVALID, "members.error.csv_empty", "members CSV: the file is empty; the first line must name the columns %s", strings.Join(CSVColumns, ","))
	}
	if err != nil {
		return nil, citylens.Ef(citylens.EINVALID, "members.error.csv_header", "members CSV: line 1: %s", err.Error())
	}
	index := map[string]int{}
	var ps []citylens.Problem
	known := map[string]bool{}
	for _, c := range CSVColumns {
		known[c] = true
	}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch {
		case !known[h]:
			ps = append(ps, citylens.Problem{Row: 1, Column: h}.Keyed("members.problem.unknown_column", "unknown column (expected %s)", strings.Join(CSVColumns, ", ")))
		case index[h] != 0:
			ps = append(ps, citylens.Problem{Row: 1, Column: h}.Keyed("members.problem.column_twice", "column appears twice"))
		default:
			index[h] = i + 1 // 1-based so 0 means absent
		}
	}
	for _, c := range CSVColumns {
		if requiredColumns[c] && index[c] == 0 {
			ps = append(ps, citylens.Problem{Row: 1, Column: c}.Keyed("members.problem.column_missing", "required column is missing"))
		}
	}
	if len(ps) > 0 {
		return nil, invalid(ps)
	}
	var cities []City
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// (FieldPos panics after a failed read: the error says where.)
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			ps = append(ps, citylens.Problem{Row: line, Column: "-"}.Keyed("members.problem.not_csv", "not valid CSV: %s", err.Error()))
			continue
		}
		line, _ := cr.FieldPos(0)
		get := func(col string) string {
			if i := index[col]; i > 0 && i <= len(rec) {
				return strings.TrimSpace(rec[i-1])
			}
			return ""
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		c := City{Code: get("code"), Name: get("name"), LocalName: get("local_name"), Country: strings.ToUpper(get("country")),
			RegionCode: get("region"), OfficeCode: get("office"), Status: get("status"), MemberSince: get("member_since"),
			Names: CityNames{En: get("name_en"), Ko: get("name_ko")}}
		var rowProblems []citylens.Problem
		parseFloat := func(col string, dst *float64) {
			v := get(col)
			if v == "" {
				rowProblems = append(rowProblems, required(col))
				return
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				rowProblems = append(rowProblems, problem(col, "members.problem.not_a_number", "%q is not a number", v))
				return
			}
			*dst = f
		}
		parseFloat("latitude", &c.Latitude)
		parseFloat("longitude", &c.Longitude)
		if v := get("population"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				rowProblems = append(rowProblems, problem("population", "members.problem.not_whole", "%q is not a whole number", v))
			}
			c.Population = n
		}
		for _, p := range ValidateCity(c) {
			if (p.Column == "latitude" || p.Column == "longitude") && hasColumn(rowProblems, p.Column) {
				continue
			}
			rowProblems = append(rowProblems, p)
		}
		if first, dup := seen[c.Code]; dup && c.Code != "" {
			rowProblems = append(rowProblems, problem("code", "members.problem.code_twice", "%q already appears on row %d", c.Code, first))
		} else {
			seen[c.Code] = line
		}
		for _, p := range rowProblems {
			p.Row = line
			ps = append(ps, p)
		}
		cities = append(cities, c)
	}
	if len(ps) > 0 {
		return nil, invalid(ps)
	}
	if len(cities) == 0 {
		return nil, citylens.Ef(citylens.EINVALID, "members.error.csv_no_rows", "members CSV: no rows after the header")
	}
	return cities, nil
}

func hasColumn(ps []citylens.Problem, col string) bool {
	for _, p := range ps {
		if p.Column == col {
			return true
		}
	}
	return false
}

// Import validates every city against the database (regions, offices), then
// stores them all in one transaction, or nothing if any row is bad. rows[i]
// is the CSV line of cities[i], used in problems (0 to number from 2).
// Importing the same cities again changes nothing and records nothing.
func (s *Service) Import(ctx context.Context, actor auditlog.Actor, cities []City) (ImportResult, error) {
	var res ImportResult
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		res = ImportResult{}
		regions, offices, err := s.referenceSets(ctx)
		if err != nil {
			return err
		}
		var ps []citylens.Problem
		for i, c := range cities {
			for _, p := range s.checkReferences(ctx, normaliseCity(c), regions, offices) {
				p.Row = i + 2
				ps = append(ps, p)
			}
		}
		if len(ps) > 0 {
			return invalid(ps)
		}
		for _, c := range cities {
			outcome, err := s.put(ctx, actor, normaliseCity(c))
			if err != nil {
				return err
			}
			switch outcome {
			case "created":
				res.Created++
			case "updated":
				res.Updated++
			default:
				res.Unchanged++
			}
		}
		return nil
	})
	return res, err
}

// ImportCSV parses and imports a members CSV file: all rows or none.
func (s *Service) ImportCSV(ctx context.Context, actor auditlog.Actor, r io.Reader) (ImportResult, error) {
	cities, err := ParseCSV(r)
	if err != nil {
		return ImportResult{}, err
	}
	return s.Import(ctx, actor, cities)
}
