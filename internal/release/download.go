package release

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
)

// Download file names, as the data package names them.
const (
	FileResults     = "results.csv"
	FileValues      = "values.csv"
	FileXLSX        = "release.xlsx"
	FileJSON        = "release.json"
	FileDataPackage = "datapackage.json"
)

// Files lists a release's downloads.
func Files() []string {
	return []string{FileResults, FileValues, FileXLSX, FileJSON, FileDataPackage}
}

// Field describes one column of a download (a Frictionless table schema field).
type Field struct {
	Name        string `json:"name"`
	Type        string `json:"type"` // string, integer, number, boolean
	Description string `json:"description"`
	Unit        string `json:"unit,omitempty"`
}

// table is a download table: typed cells (string, int, float64 with NaN
// for missing, bool) that CSV and XLSX write alike.
type table struct {
	fields []Field
	rows   [][]any
}

// resultsTable has one row per city: ranked cities by rank, then the others by code.
func (r *Release) resultsTable() table {
	t := table{fields: []Field{
		{"rank", "integer", "Rank on the index (1 = best); empty when not ranked", ""},
		{"rank_q5", "number", "5th percentile of the rank under uncertainty", ""},
		{"rank_median", "number", "Median rank under uncertainty", ""},
		{"rank_q95", "number", "95th percentile of the rank under uncertainty", ""},
		{"tie_group", "integer", "Cities sharing a tie group are statistically tied", ""},
		{"city", "string", "City code", ""},
		{"name", "string", "City name", ""},
		{"country", "string", "Country", ""},
		{"region", "string", "Region", ""},
		{"peer_group", "string", "Peer group the rating is relative to", ""},
		{"population", "integer", "Population", "inhabitants"},
		{"population_class", "string", "Population class", ""},
		{"lat", "number", "Latitude", "degrees"},
		{"lon", "number", "Longitude", "degrees"},
		{"ranked", "boolean", "Whether the city is ranked (enough data)", ""},
		{"data_availability", "number", "Share of indicators with a value", "share"},
		{"stage", "string", "Development stage of the index score", ""},
		{"rating", "string", "Rating within the peer group", ""},
		{"prev_rank", "integer", "Rank in the previous edition", ""},
		{"change", "integer", "Previous rank minus rank (positive: moved up)", ""},
	}}
	aggs := append([]string{r.d.Index}, r.d.Pillars...)
	for _, a := range r.f.Aggregates() {
		if !contains(aggs, a) {
			aggs = append(aggs, a)
		}
	}
	for _, a := range aggs {
		t.fields = append(t.fields, Field{"score_" + a, "number", "Score of " + r.nodeName(a), "score"})
	}
	for _, p := range r.d.Pillars {
		t.fields = append(t.fields, Field{"stage_" + p, "string", "Development stage of " + r.nodeName(p), ""})
	}
	inds := r.f.Indicators()
	for _, c := range inds {
		n, _ := r.f.Node(c)
		t.fields = append(t.fields, Field{"value_" + c, "number", "Submitted value of " + nameOr(n.Name, c) + " (empty when missing)", n.Unit})
	}
	order := make([]int, 0, len(r.d.Cities))
	for _, row := range r.rankRows {
		order = append(order, r.cityIdx[row.City.Code])
	}
	for i, res := range r.d.Results {
		if !res.Ranked {
			order = append(order, i)
		}
	}
	na := math.NaN()
	for _, i := range order {
		c, res := r.d.Cities[i], r.d.Results[i]
		tie, change := 0, any(nil)
		if pos, ok := r.dv.rankPos[c.Code]; ok && res.Ranked {
			rr := &r.rankRows[pos]
			tie = rr.TieGroup
			if rr.Change != nil {
				change = *rr.Change // among the cities ranked in both editions
			}
		}
		row := []any{optInt(res.Rank), float64(res.Q5), float64(res.Median), float64(res.Q95), optInt(tie), c.Code, c.Name, c.Country, c.Region, c.PeerGroup,
			optInt64(c.Population), PopulationClassOf(c.Population), c.Lat, c.Lon, res.Ranked, res.DataAvail, res.Stage, res.Rating, optInt(res.PrevRank), change}
		for _, a := range aggs {
			s, _ := r.aggScore(i, a)
			row = append(row, s)
		}
		for k := range r.d.Pillars {
			st := ""
			if k < len(res.PillarStages) {
				st = res.PillarStages[k]
			}
			row = append(row, st)
		}
		for _, code := range inds {
			v := na
			if j, ok := r.colRaw[code]; ok {
				v = r.d.Raw.Cols[j][i]
			}
			row = append(row, v)
		}
		t.rows = append(t.rows, row)
	}
	return t
}

// valuesTable has one row per city and indicator, with provenance.
func (r *Release) valuesTable() table {
	t := table{fields: []Field{
		{"city", "string", "City code", ""},
		{"indicator", "string", "Indicator code", ""},
		{"name", "string", "Indicator name", ""},
		{"unit", "string", "Unit of the value", ""},
		{"value", "number", "Submitted value; empty when missing", "indicator unit"},
		{"imputed", "boolean", "The value was missing and the pipeline filled it", ""},
		{"imputed_value", "number", "The value the pipeline filled in", "indicator unit"},
		{"source", "string", "Source of the value", ""},
		{"data_year", "integer", "Year the value describes", "year"},
		{"estimated", "boolean", "The city marked the value as an estimate", ""},
		{"score", "number", "Normalised score (higher is better); empty when the city is not ranked", "score"},
		{"rank", "integer", "Rank on the indicator among ranked cities", ""},
		{"imputed_method", "string", "How an imputed value was filled: mean, median, group_mean, group_median", ""},
		{"imputed_group", "string", "The group column of a group imputation", ""},
		{"imputed_stage", "string", "raw: the value was filled before scoring; normalised: the score was filled after scoring", ""},
	}}
	for i, c := range r.d.Cities {
		for _, v := range r.values(i) {
			t.rows = append(t.rows, []any{c.Code, v.Indicator, v.Name, v.Unit, deref(v.Value), v.Imputed, deref(v.ImputedValue), v.Source, optInt(v.DataYear), v.Estimated, deref(v.Score), optInt(v.Rank), v.ImputedMethod, v.ImputedGroup, v.ImputedStage})
		}
	}
	return t
}

func (r *Release) frameworkTable() table {
	t := table{fields: []Field{
		{"code", "string", "Node code", ""},
		{"name", "string", "Node name", ""},
		{"kind", "string", "indicator or aggregate", ""},
		{"parent", "string", "Parent aggregate", ""},
		{"level", "integer", "Level: 1 for indicators, up to the index", ""},
		{"weight", "number", "Weight relative to its siblings", ""},
		{"effective_weight", "number", "Share of the index", "share"},
		{"direction", "integer", "1: higher is better; -1: lower is better", ""},
		{"unit", "string", "Unit of an indicator", ""},
	}}
	for _, n := range r.Methodology().Tree {
		t.rows = append(t.rows, []any{n.Code, n.Name, n.Kind, n.Parent, n.Level, n.Weight, n.EffectiveWeight, optInt(n.Direction), n.Unit})
	}
	return t
}

func (r *Release) metadataTable() table {
	t := table{fields: []Field{{"key", "string", "Property of the release", ""}, {"value", "string", "Its value", ""}}}
	method, _ := json.Marshal(r.d.Method)
	cfg, _ := json.Marshal(r.d.Config)
	for _, kv := range [][2]string{
		{"hash", r.d.Hash}, {"edition", r.d.Edition}, {"engine_version", r.d.EngineVersion},
		{"published_at", r.d.PublishedAt.Format(time.RFC3339)}, {"corrects", r.d.Corrects}, {"previous", r.d.Previous},
		{"licence", r.d.Licence.Name}, {"licence_title", r.d.Licence.Title}, {"licence_url", r.d.Licence.Path}, {"attribution", r.d.Attribution},
		{"index", r.d.Index}, {"uncertainty_replications", strconv.Itoa(r.d.Uncertainty.N)}, {"uncertainty_seed", strconv.FormatUint(r.d.Uncertainty.Seed, 10)},
		{"method", string(method)}, {"config", string(cfg)},
	} {
		t.rows = append(t.rows, []any{kv[0], kv[1]})
	}
	return t
}

func optInt(v int) any {
	if v == 0 {
		return nil
	}
	return v
}

func optInt64(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func deref(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// cellText formats a cell for CSV: numbers exactly, missing as empty.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return num(x)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func (t table) writeCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	head := make([]string, len(t.fields))
	for k, f := range t.fields {
		head[k] = f.Name
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	rec := make([]string, len(t.fields))
	for _, row := range t.rows {
		for k, v := range row {
			rec[k] = cellText(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// ResultsCSV writes results.csv: one row per city with rank, band, tie
// group, stage, rating, change, the score of every aggregate and every
// indicator value.
func (r *Release) ResultsCSV(w io.Writer) error { return r.resultsTable().writeCSV(w) }

// ValuesCSV writes values.csv: every value with its provenance.
func (r *Release) ValuesCSV(w io.Writer) error { return r.valuesTable().writeCSV(w) }

// JSON writes release.json: the whole release document.
func (r *Release) JSON(w io.Writer) error {
	b, err := r.MarshalJSON()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// XLSX sheet names.
const (
	SheetResults   = "results"
	SheetValues    = "values"
	SheetFramework = "framework"
	SheetMetadata  = "metadata"
)

// XLSX writes release.xlsx with the sheets results, values (with
// provenance), framework and metadata.
func (r *Release) XLSX(w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	sheets := []struct {
		name string
		t    table
	}{{SheetResults, r.resultsTable()}, {SheetValues, r.valuesTable()}, {SheetFramework, r.frameworkTable()}, {SheetMetadata, r.metadataTable()}}
	for k, s := range sheets {
		if k == 0 {
			if err := x.SetSheetName("Sheet1", s.name); err != nil {
				return citylens.Errorf(citylens.EINTERNAL, "xlsx: %v", err)
			}
		} else if _, err := x.NewSheet(s.name); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "xlsx: %v", err)
		}
		sw, err := x.NewStreamWriter(s.name)
		if err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "xlsx: %v", err)
		}
		head := make([]any, len(s.t.fields))
		for k, f := range s.t.fields {
			head[k] = f.Name
		}
		if err := sw.SetRow("A1", head); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "xlsx: %v", err)
		}
		for i, row := range s.t.rows {
			cells := make([]any, len(row))
			for k, v := range row {
				if f, ok := v.(float64); ok && math.IsNaN(f) {
					v = nil
				}
				cells[k] = v
			}
			cell, _ := excelize.CoordinatesToCellName(1, i+2)
			if err := sw.SetRow(cell, cells); err != nil {
				return citylens.Errorf(citylens.EINTERNAL, "xlsx: %v", err)
			}
		}
		if err := sw.Flush(); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "xlsx: %v", err)
		}
	}
	return x.Write(w)
}

// DataPackage is a Frictionless-style data package describing a release's downloads.
type DataPackage struct {
	Profile     string          `json:"profile"`
	Name        string          `json:"name"`
	Title       string          `json:"title"`
	Version     string          `json:"version"` // the release hash
	Hash        string          `json:"hash"`
	Created     string          `json:"created"`
	Licenses    []Licence       `json:"licenses"`
	Attribution string          `json:"attribution,omitempty"`
	Sources     []PackageSource `json:"sources,omitempty"`
	Resources   []Resource      `json:"resources"`
}

// PackageSource is a data package's source (its attribution).
type PackageSource struct {
	Title string `json:"title"`
}

// Resource is one file of a data package.
type Resource struct {
	Name        string  `json:"name"`
	Path        string  `json:"path"`
	Profile     string  `json:"profile"`
	Format      string  `json:"format"`
	Mediatype   string  `json:"mediatype"`
	Encoding    string  `json:"encoding,omitempty"`
	Description string  `json:"description"`
	Sheet       string  `json:"sheet,omitempty"` // XLSX resources: the sheet
	Schema      *Schema `json:"schema,omitempty"`
}

// Schema is a Frictionless table schema.
type Schema struct {
	Fields     []Field  `json:"fields"`
	PrimaryKey []string `json:"primaryKey,omitempty"`
}

// Package returns the data package of the release's downloads.
func (r *Release) Package() DataPackage {
	p := DataPackage{Profile: "tabular-data-package", Name: "citylens-" + r.d.Edition + "-" + ShortHash(r.d.Hash),
		Title: r.nodeName(r.d.Index) + " " + r.d.Edition, Version: r.d.Hash, Hash: r.d.Hash, Created: r.d.PublishedAt.Format(time.RFC3339),
		Licenses: []Licence{r.d.Licence}, Attribution: r.d.Attribution}
	if r.d.Attribution != "" {
		p.Sources = []PackageSource{{Title: r.d.Attribution}}
	}
	fields := func(t table) []Field { return append([]Field(nil), t.fields...) }
	const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	p.Resources = []Resource{
		{Name: "results", Path: FileResults, Profile: "tabular-data-resource", Format: "csv", Mediatype: "text/csv", Encoding: "utf-8",
			Description: "One row per city: rank with its 5–95% band, tie group, stage, rating, change since the previous edition, every score and every value.",
			Schema:      &Schema{Fields: fields(r.resultsTable()), PrimaryKey: []string{"city"}}},
		{Name: "values", Path: FileValues, Profile: "tabular-data-resource", Format: "csv", Mediatype: "text/csv", Encoding: "utf-8",
			Description: "One row per city and indicator: the value with its source, year, estimated and imputed flags, its normalised score and rank.",
			Schema:      &Schema{Fields: fields(r.valuesTable()), PrimaryKey: []string{"city", "indicator"}}},
	}
	for _, s := range []struct {
		sheet, desc string
		t           table
	}{{SheetResults, "Results, as results.csv", r.resultsTable()}, {SheetValues, "Values with provenance, as values.csv", r.valuesTable()},
		{SheetFramework, "The framework: every indicator and aggregate with its weight and share of the index", r.frameworkTable()},
		{SheetMetadata, "The release's hash, edition, engine version, licence, method and configuration", r.metadataTable()}} {
		p.Resources = append(p.Resources, Resource{Name: "xlsx-" + s.sheet, Path: FileXLSX, Profile: "tabular-data-resource", Format: "xlsx", Mediatype: xlsxType,
			Sheet: s.sheet, Description: s.desc, Schema: &Schema{Fields: fields(s.t)}})
	}
	p.Resources = append(p.Resources, Resource{Name: "release", Path: FileJSON, Profile: "data-resource", Format: "json", Mediatype: "application/json", Encoding: "utf-8",
		Description: "The whole release: inputs, every data set of the build, uncertainty and sensitivity results, stages, ratings and change log."})
	return p
}

// DataPackageJSON writes datapackage.json.
func (r *Release) DataPackageJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r.Package(), "", "  ")
	if err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "datapackage: %v", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
