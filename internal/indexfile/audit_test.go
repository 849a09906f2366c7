package indexfile_test

import (
	"bytes"
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
)

// auditReport is a small report with defined values, NA values with their
// notes, and a number that needs all 17 digits.
func auditReport() *engine.AuditReport {
	na := engine.NA
	return &engine.AuditReport{
		Stats: []engine.ColumnStats{
			{Dataset: engine.AuditRaw, Code: "a", Kind: engine.Indicator, Level: 1, N: 3, MissingShare: 0.25,
				Min: 1, Max: 6, Mean: 3, Median: 2, SD: math.Sqrt(7), Skew: 1.5 * 18 / math.Pow(7, 1.5), Kurt: na,
				Note: "kurtosis needs at least 4 values"},
			{Dataset: engine.AuditAggregated, Code: "P", Kind: engine.Aggregate, Level: 2, N: 20,
				Min: 0, Max: 100, Mean: 5, Median: 0, SD: 1.0 / 3, Skew: 4.47, Kurt: 20, SkewKurtOutlier: true},
		},
		Correlations: []engine.Correlation{
			{X: "a", Y: "P", Relation: engine.RelationParent, Parent: "P", Level: 1, N: 4,
				Pearson: 3 / math.Sqrt(10), Spearman: 1, Flag: engine.FlagRedundant},
			{X: "a", Y: "b", Relation: engine.RelationSibling, Parent: "P", Level: 1, N: 1,
				Pearson: na, Spearman: na, Note: "1 complete pairs: at least 3 are needed"},
		},
		Aggregates: []engine.AggregateAudit{
			{Code: "P", Level: 2, Children: []string{"a", "b"}, Applicable: true, N: 3, Alpha: 2.0 / 3,
				Eigenvalues: []float64{1.5, 0.5}, PC1Share: 0.75, PC1Loadings: []float64{1 / math.Sqrt(2), 1 / math.Sqrt(2)}},
			{Code: "Q", Level: 3, Children: []string{"P"}, Alpha: na, PC1Share: na,
				AlphaNote: "not applicable: a single child", PCANote: "not applicable: a single child"},
		},
	}
}

func TestWriteAudit(t *testing.T) {
	r2 := strconv.FormatFloat(1/math.Sqrt(2), 'g', -1, 64)
	tests := []struct {
		name  string
		write func(io.Writer, *engine.AuditReport) error
		want  [][]string
	}{
		{"stats", indexfile.WriteAuditStats, [][]string{
			indexfile.AuditStatsHeader,
			{"Raw", "a", "Indicator", "1", "3", "0.25", "1", "6", "3", "2", "2.6457513110645907",
				"1.4578629673213048", "NA", "FALSE", "kurtosis needs at least 4 values"},
			{"Aggregated", "P", "Aggregate", "2", "20", "0", "0", "100", "5", "0", "0.3333333333333333",
				"4.47", "20", "TRUE", ""},
		}},
		{"correlations", indexfile.WriteAuditCorrelations, [][]string{
			indexfile.AuditCorrelationsHeader,
			{"a", "P", "parent", "P", "1", "4", "0.9486832980505138", "1", "redundant", ""},
			{"a", "b", "sibling", "P", "1", "1", "NA", "NA", "", "1 complete pairs: at least 3 are needed"},
		}},
		{"aggregates", indexfile.WriteAuditAggregates, [][]string{
			indexfile.AuditAggregatesHeader,
			{"P", "2", "a;b", "3", "0.6666666666666666", "0.75", "1.5;0.5", r2 + ";" + r2, "", ""},
			{"Q", "3", "P", "0", "NA", "NA", "NA", "NA", "not applicable: a single child", "not applicable: a single child"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tt.write(&buf, auditReport()); err != nil {
				t.Fatal(err)
			}
			got, err := csv.NewReader(&buf).ReadAll()
			if err != nil {
				t.Fatalf("the file does not read back as CSV: %v", err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestWriteAuditRoundTrip checks that every number reads back to the same float64.
func TestWriteAuditRoundTrip(t *testing.T) {
	rep := auditReport()
	var buf bytes.Buffer
	if err := indexfile.WriteAuditStats(&buf, rep); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range rep.Stats {
		want := []float64{s.MissingShare, s.Min, s.Max, s.Mean, s.Median, s.SD, s.Skew, s.Kurt}
		for k, w := range want {
			cell := rows[i+1][5+k]
			got, _, err := indexfile.ParseNumber(cell)
			if err != nil {
				t.Fatalf("row %d column %s: %v", i+1, indexfile.AuditStatsHeader[5+k], err)
			}
			if got != w && !(engine.IsNA(got) && engine.IsNA(w)) {
				t.Errorf("row %d column %s: %q reads back as %v, want %v", i+1, indexfile.AuditStatsHeader[5+k], cell, got, w)
			}
		}
	}
}
