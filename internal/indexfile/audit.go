package indexfile

import (
	"io"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/engine"
)

// The audit files. Numbers are printed to round-trip exactly, NA for missing;
// a note column says why a number is NA.

// AuditStatsHeader is the header of Audit_stats.csv.
var AuditStatsHeader = []string{"dataset", "code", "kind", "level", "n", "missing_share",
	"min", "max", "mean", "median", "sd", "skewness", "kurtosis", "skew_kurt_outlier", "note"}

// AuditCorrelationsHeader is the header of Audit_correlations.csv.
var AuditCorrelationsHeader = []string{"x", "y", "relation", "parent", "level", "n",
	"pearson", "spearman", "flag", "note"}

// AuditAggregatesHeader is the header of Audit_aggregates.csv. Children,
// eigenvalues (descending) and PC1 loadings (in children order) are lists
// separated by semicolons.
var AuditAggregatesHeader = []string{"aggregate", "level", "children", "n", "alpha",
	"pc1_share", "eigenvalues", "pc1_loadings", "alpha_note", "pca_note"}

// WriteAuditStats writes Audit_stats.csv: one row per data set and column.
func WriteAuditStats(w io.Writer, rep *engine.AuditReport) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(AuditStatsHeader); err != nil {
		return err
	}
	for _, s := range rep.Stats {
		rec := []string{s.Dataset, s.Code, s.Kind.String(), strconv.Itoa(s.Level), strconv.Itoa(s.N),
			FormatNumber(s.MissingShare), FormatNumber(s.Min), FormatNumber(s.Max), FormatNumber(s.Mean),
			FormatNumber(s.Median), FormatNumber(s.SD), FormatNumber(s.Skew), FormatNumber(s.Kurt),
			boolCell(s.SkewKurtOutlier), s.Note}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteAuditCorrelations writes Audit_correlations.csv: one row per pair.
func WriteAuditCorrelations(w io.Writer, rep *engine.AuditReport) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(AuditCorrelationsHeader); err != nil {
		return err
	}
	for _, c := range rep.Correlations {
		rec := []string{c.X, c.Y, c.Relation, c.Parent, strconv.Itoa(c.Level), strconv.Itoa(c.N),
			FormatNumber(c.Pearson), FormatNumber(c.Spearman), c.Flag, c.Note}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteAuditAggregates writes Audit_aggregates.csv: one row per aggregate.
func WriteAuditAggregates(w io.Writer, rep *engine.AuditReport) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(AuditAggregatesHeader); err != nil {
		return err
	}
	for _, a := range rep.Aggregates {
		eig, load := "NA", "NA"
		if a.Eigenvalues != nil {
			eig, load = formatList(a.Eigenvalues), formatList(a.PC1Loadings)
		}
		rec := []string{a.Code, strconv.Itoa(a.Level), strings.Join(a.Children, ";"), strconv.Itoa(a.N),
			FormatNumber(a.Alpha), FormatNumber(a.PC1Share), eig, load, a.AlphaNote, a.PCANote}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func formatList(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = FormatNumber(x)
	}
	return strings.Join(s, ";")
}
