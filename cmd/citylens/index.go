package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
	"github.com/citylens/citylens/internal/indexspec"
)

func runIndex(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usagef("index: which command? build, audit, uncertainty or sensitivity")
	}
	switch args[0] {
	case "build":
		return runIndexBuild(ctx, args[1:], stdout, stderr)
	case "audit":
		return runIndexAudit(ctx, args[1:], stdout, stderr)
	case "uncertainty":
		return runIndexUncertainty(ctx, args[1:], stdout, stderr)
	case "sensitivity":
		return runIndexSensitivity(ctx, args[1:], stdout, stderr)
	}
	return usagef("index: unknown command %q", args[0])
}

const indexBuildUsage = `usage: citylens index build SPEC --out DIR

Builds the composite index that the spec SPEC describes and writes one CSV per
pipeline step into DIR (created if needed), in COINr's wide layout: Raw,
Denominated, Imputed, Screened, Treated, Normalised, Aggregated, Ranks; then
Results.csv (ranked units by index, then the units not ranked), Imputed_values, Screen_summary,
Treat_details, Treat_points, Weights, the audit, and warnings.txt when a value
went missing on the way. Flags may come before or after SPEC.
`

// parseSpecArgs parses the flags of an index command that takes one spec,
// before or after it, and returns the spec's path. -h prints usage.
func parseSpecArgs(name, usage string, fs *flag.FlagSet, args []string, stderr io.Writer) (string, error) {
	pos, err := parseFlagsAnywhere(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(stderr, usage)
		return "", err
	}
	if err != nil {
		return "", usagef("%s: %v\n%s", name, err, usage)
	}
	switch {
	case len(pos) == 0:
		return "", usagef("%s: which spec?\n%s", name, usage)
	case len(pos) > 1:
		return "", usagef("%s: one spec at a time, got %q\n%s", name, pos, usage)
	}
	return pos[0], nil
}

// parseFlagsAnywhere parses flags that may come before or after the positional
// arguments, which it returns.
func parseFlagsAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func runIndexBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("index build", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "folder to write the results into")
	quiet := fs.Bool("quiet", false, "print nothing on success")
	spec, err := parseSpecArgs("index build", indexBuildUsage, fs, args, stderr)
	if err != nil {
		return err
	}
	if *out == "" {
		return usagef("index build: --out DIR is required\n%s", indexBuildUsage)
	}
	ix, err := indexspec.Load(spec)
	if err != nil {
		return err
	}
	r, err := ix.Build(ctx)
	if err != nil {
		return err
	}
	if err := writeBuild(*out, ix, r); err != nil {
		return err
	}
	if err := writeAuditFiles(*out, r); err != nil {
		return err
	}
	if !*quiet {
		printBuildSummary(stdout, *out, ix, r)
	}
	return nil
}

// buildTopAggregate is the node the index ranks by: the first root.
func buildTopAggregate(f *engine.Framework) string {
	if roots := f.Roots(); len(roots) > 0 {
		return roots[0]
	}
	return ""
}

// buildAggregatesTopDown lists the aggregates from the index down to the pillars.
func buildAggregatesTopDown(f *engine.Framework) []string {
	// The tree as written: each aggregate followed by the aggregates under it
	// (depth first, children in the framework's order), so a branch deeper
	// than its siblings reads in place.
	var out []string
	var walk func(code string)
	walk = func(code string) {
		if n, _ := f.Node(code); n.Kind != engine.Aggregate {
			return
		}
		out = append(out, code)
		for _, c := range f.Children(code) {
			walk(c)
		}
	}
	for _, r := range f.Roots() {
		walk(r)
	}
	return out
}

// writeBuild writes every file of a build into dir. Each file is written to a
// temporary name and renamed, so a failed write never leaves half a file.
func writeBuild(dir string, ix *indexspec.Index, r *engine.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return citylens.Errorf(citylens.EINVALID, "--out %s: %v", dir, err)
	}
	steps := []struct {
		name string
		m    *engine.Matrix
	}{
		{"Raw.csv", r.Raw}, {"Denominated.csv", r.Denominated}, {"Imputed.csv", r.Imputed},
		{"Screened.csv", r.Screened}, {"Treated.csv", r.Treated}, {"Normalised.csv", r.Normalised},
		{"Aggregated.csv", r.Aggregated}, {"Ranks.csv", r.Ranks},
	}
	for _, s := range steps {
		m := s.m
		if err := writeBuildFile(dir, s.name, func(w io.Writer) error { return indexfile.WriteWide(w, m) }); err != nil {
			return err
		}
	}
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"Results.csv", func(w io.Writer) error { return writeResults(w, ix, r) }},
		{"Screen_summary.csv", func(w io.Writer) error { return indexfile.WriteScreenSummary(w, r.Screen) }},
		{"Treat_details.csv", func(w io.Writer) error { return indexfile.WriteTreatDetails(w, r.Treat) }},
		{"Treat_points.csv", func(w io.Writer) error { return indexfile.WriteTreatPoints(w, r.Treated.Units, r.Treat) }},
		{"Weights.csv", func(w io.Writer) error { return writeWeights(w, r) }},
		{"Imputed_values.csv", func(w io.Writer) error { return writeImputedValues(w, r) }},
	}
	for _, f := range files {
		if err := writeBuildFile(dir, f.name, f.write); err != nil {
			return err
		}
	}
	if len(r.Warnings) == 0 {
		// A warnings file left by an earlier build would belong to other results.
		if err := os.Remove(filepath.Join(dir, "warnings.txt")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return citylens.Errorf(citylens.EINVALID, "--out %s: %v", dir, err)
		}
		return nil
	}
	return writeBuildFile(dir, "warnings.txt", func(w io.Writer) error {
		_, err := io.WriteString(w, strings.Join(r.Warnings, "\n")+"\n")
		return err
	})
}

func writeBuildFile(dir, name string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return fmt.Errorf("writing %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return citylens.Errorf(citylens.EINVALID, "--out %s: %v", dir, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return citylens.Errorf(citylens.EINVALID, "--out %s: %v", dir, err)
	}
	return nil
}

// buildResultRow is one line of Results.csv.
type buildResultRow struct {
	unit, name string
	rank       float64 // NA when not ranked
	index      float64
	scores     []float64 // nil when screened out
	status     string
}

// buildResults orders the units: ranked by index (descending), then units with no
// index score, then the units screened out, with their data availability.
func buildResults(ix *indexspec.Index, r *engine.Result) (aggs []string, rows []buildResultRow) {
	f := r.Framework
	aggs = buildAggregatesTopDown(f)
	top := buildTopAggregate(f)
	if len(aggs) == 0 && top != "" {
		aggs = []string{top} // a flat framework: its single root indicator
	}
	names := map[string]string{}
	for i, u := range ix.Data.Units {
		if i < len(ix.Data.Names) {
			names[u] = ix.Data.Names[i]
		}
	}
	cols := make([][]float64, len(aggs))
	for k, a := range aggs {
		cols[k], _ = r.Aggregated.Col(a)
	}
	topScore, _ := r.Aggregated.Col(top)
	topRank, _ := r.Ranks.Col(top)
	for i, u := range r.Aggregated.Units {
		row := buildResultRow{unit: u, name: names[u], rank: engine.NA, index: engine.NA, status: "ranked"}
		if topScore != nil {
			row.index, row.rank = topScore[i], topRank[i]
		}
		if engine.IsNA(row.index) {
			row.status = "not ranked (no " + top + " score)"
		}
		for k := range aggs {
			row.scores = append(row.scores, cols[k][i])
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(a, b int) bool {
		ra, rb := rows[a], rows[b]
		if engine.IsNA(ra.index) != engine.IsNA(rb.index) {
			return !engine.IsNA(ra.index)
		}
		if ra.index != rb.index && !engine.IsNA(ra.index) {
			return ra.index > rb.index
		}
		return ra.unit < rb.unit
	})
	for _, s := range r.Unranked() {
		rows = append(rows, buildResultRow{unit: s.Unit, name: names[s.Unit], rank: engine.NA, index: engine.NA,
			status: fmt.Sprintf("not ranked (data availability %.2f)", s.DatAvail)})
	}
	return aggs, rows
}

// writeResults writes Results.csv: uCode, uName (when the data names units),
// the rank by the index, every aggregate score top-down, and the status.
func writeResults(w io.Writer, ix *indexspec.Index, r *engine.Result) error {
	aggs, rows := buildResults(ix, r)
	hasNames := len(ix.Data.Names) > 0
	header := []string{"uCode"}
	if hasNames {
		header = append(header, "uName")
	}
	header = append(header, "Rank")
	header = append(header, aggs...)
	header = append(header, "Status")
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, row := range rows {
		rec := []string{row.unit}
		if hasNames {
			rec = append(rec, row.name)
		}
		rank := ""
		if !engine.IsNA(row.rank) {
			rank = strconv.Itoa(int(row.rank))
		} else if row.scores != nil {
			rank = "NA"
		}
		rec = append(rec, rank)
		for k := range aggs {
			if row.scores == nil {
				rec = append(rec, "")
			} else {
				rec = append(rec, indexfile.FormatNumber(row.scores[k]))
			}
		}
		rec = append(rec, row.status)
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeWeights writes the weights used (iCode, Level, Weight): indicators in
// framework order, then aggregates bottom-up.
func writeWeights(w io.Writer, r *engine.Result) error {
	f := r.Framework
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"iCode", "Level", "Weight"}); err != nil {
		return err
	}
	for _, code := range append(f.Indicators(), f.Aggregates()...) {
		if err := cw.Write([]string{code, strconv.Itoa(f.Level(code)), indexfile.FormatNumber(r.Weight[code])}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeImputedValues writes Imputed_values.csv: every value imputation
// filled, with its stage (raw or normalised), method and group column.
func writeImputedValues(w io.Writer, r *engine.Result) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"uCode", "iCode", "Stage", "Method", "Group", "Value"}); err != nil {
		return err
	}
	for _, v := range r.Imputations {
		if err := cw.Write([]string{v.Unit, v.Indicator, v.Stage, v.Method, v.Group, indexfile.FormatNumber(v.Value)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func printBuildSummary(w io.Writer, dir string, ix *indexspec.Index, r *engine.Result) {
	_, rows := buildResults(ix, r)
	ranked, notRanked := 0, 0
	for _, row := range rows {
		if engine.IsNA(row.rank) {
			notRanked++
		} else {
			ranked++
		}
	}
	fmt.Fprintf(w, "%s: %d units ranked, %d not ranked; results in %s\n", ix.Spec.Name, ranked, notRanked, dir)
	top := buildTopAggregate(r.Framework)
	n := min(5, ranked)
	if n > 0 {
		fmt.Fprintf(w, "top %d by %s:\n", n, top)
	}
	for _, row := range rows[:n] {
		label := row.unit
		if row.name != "" && row.name != row.unit {
			label += " " + row.name
		}
		fmt.Fprintf(w, "  %3d  %-32s %s\n", int(row.rank), label, strconv.FormatFloat(buildRoundSig(row.index, 6), 'g', -1, 64))
	}
	for _, row := range rows {
		if engine.IsNA(row.rank) {
			fmt.Fprintf(w, "  not ranked: %s (%s)\n", row.unit, strings.TrimPrefix(strings.TrimSuffix(row.status, ")"), "not ranked ("))
		}
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintf(w, "%d warnings: see %s\n", len(r.Warnings), filepath.Join(dir, "warnings.txt"))
	}
}

func buildRoundSig(v float64, sig int) float64 {
	if v == 0 || engine.IsNA(v) || math.IsInf(v, 0) {
		return v
	}
	s, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', sig, 64), 64)
	return s
}
