package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
	"github.com/citylens/citylens/internal/indexspec"
)

const indexAuditUsage = `usage: citylens index audit SPEC [--out DIR]

Builds the index that the spec SPEC describes and prints its statistical audit:
  - statistics of every indicator as submitted (Raw) and of every normalised
    indicator and aggregate (Aggregated): n, missing share, min, max, mean,
    median, sd, skewness, kurtosis; "skew/kurt" marks |skewness| >= 2 with
    kurtosis >= 3.5;
  - the flagged correlations (Pearson over complete pairs) of each indicator
    and aggregate with its parent and with its siblings: weak below 0.3,
    negative below 0, redundant above 0.9;
  - Cronbach's alpha and the principal components of each aggregate's children.
A statistic that cannot be computed shows NA, with the reason in the notes.
With --out, also writes Audit_stats.csv, Audit_correlations.csv and
Audit_aggregates.csv into DIR (created if needed).
`

// runIndexAudit prints the statistical audit of an index spec as a table.
func runIndexAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("index audit", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	out := fs.String("out", "", "folder to write the audit CSV files into")
	spec, err := parseSpecArgs("index audit", indexAuditUsage, fs, args, stderr)
	if err != nil {
		return err
	}
	ix, err := indexspec.Load(spec)
	if err != nil {
		return err
	}
	r, err := ix.Build(ctx)
	if err != nil {
		return err
	}
	rep, err := engine.Audit(r)
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return citylens.Errorf(citylens.EINVALID, "--out %s: %v", *out, err)
		}
		if err := writeAudit(*out, rep); err != nil {
			return err
		}
	}
	name := ix.Spec.Name
	if name == "" {
		name = spec
	}
	var buf bytes.Buffer
	printAudit(&buf, name, r, rep)
	// Tables pad their empty last cells: drop the trailing blanks.
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	_, err = io.WriteString(stdout, strings.Join(lines, "\n"))
	return err
}

// writeAuditFiles writes the audit of a build into dir, beside the step CSVs.
func writeAuditFiles(dir string, r *engine.Result) error {
	rep, err := engine.Audit(r)
	if err != nil {
		return err
	}
	return writeAudit(dir, rep)
}

func writeAudit(dir string, rep *engine.AuditReport) error {
	files := []struct {
		name  string
		write func(io.Writer, *engine.AuditReport) error
	}{
		{"Audit_stats.csv", indexfile.WriteAuditStats},
		{"Audit_correlations.csv", indexfile.WriteAuditCorrelations},
		{"Audit_aggregates.csv", indexfile.WriteAuditAggregates},
	}
	for _, f := range files {
		write := f.write
		if err := writeBuildFile(dir, f.name, func(w io.Writer) error { return write(w, rep) }); err != nil {
			return err
		}
	}
	return nil
}

// printAudit prints the three audit tables, aligned, into a buffer.
func printAudit(w *bytes.Buffer, name string, r *engine.Result, rep *engine.AuditReport) {
	f := r.Framework
	fmt.Fprintf(w, "%s: statistical audit of %d units (%d in the aggregated data), %d indicators, %d aggregates\n",
		name, len(r.Raw.Units), len(r.Aggregated.Units), len(f.Indicators()), len(f.Aggregates()))

	fmt.Fprintf(w, "\nStatistics (Raw: indicators as submitted; Aggregated: normalised indicators and aggregates)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "dataset\tcode\tlevel\tn\tmissing\tmin\tmax\tmean\tmedian\tsd\tskewness\tkurtosis\tflag\tnote")
	outliers := 0
	for _, s := range rep.Stats {
		flag := ""
		if s.SkewKurtOutlier {
			flag = "skew/kurt"
			outliers++
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Dataset, s.Code, s.Level, s.N,
			auditPercent(s.MissingShare), auditNum(s.Min), auditNum(s.Max), auditNum(s.Mean), auditNum(s.Median),
			auditNum(s.SD), auditFixed(s.Skew, 2), auditFixed(s.Kurt, 2), flag, s.Note)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d of %d columns are skew/kurtosis outliers (|skewness| >= %g and kurtosis >= %g)\n",
		outliers, len(rep.Stats), engine.AuditSkewThreshold, engine.AuditKurtThreshold)

	var flagged []engine.Correlation
	for _, c := range rep.Correlations {
		if c.Flag != engine.FlagNone || c.Note != "" {
			flagged = append(flagged, c)
		}
	}
	fmt.Fprintf(w, "\nFlagged correlations: %d of %d (Pearson below %g weak, below 0 negative, above %g redundant)\n",
		len(flagged), len(rep.Correlations), engine.AuditWeakCorrelation, engine.AuditRedundantCorrelation)
	if len(flagged) > 0 {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "x\ty\trelation\twithin\tlevel\tn\tpearson\tspearman\tflag\tnote")
		for _, c := range flagged {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", c.X, c.Y, c.Relation, c.Parent, c.Level, c.N,
				auditFixed(c.Pearson, 3), auditFixed(c.Spearman, 3), c.Flag, c.Note)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nAggregates: Cronbach's alpha and PCA of the children (complete cases, correlation matrix)\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "aggregate\tlevel\tchildren\tn\talpha\tpc1_share\teigenvalues\tpc1_loadings\tnote")
	for _, a := range rep.Aggregates {
		eig, load := "NA", "NA"
		if a.Eigenvalues != nil {
			eig = auditList(a.Eigenvalues, nil)
			load = auditList(a.PC1Loadings, a.Children)
		}
		var notes []string
		if a.AlphaNote != "" {
			notes = append(notes, "alpha: "+a.AlphaNote)
		}
		if a.PCANote != "" && a.PCANote != a.AlphaNote {
			notes = append(notes, "PCA: "+a.PCANote)
		}
		note := strings.Join(notes, "; ")
		if !a.Applicable {
			note = a.AlphaNote
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\n", a.Code, a.Level, len(a.Children), a.N,
			auditFixed(a.Alpha, 3), auditFixed(a.PC1Share, 3), eig, load, note)
	}
	tw.Flush()
}

// auditNum prints a statistic with five significant digits.
func auditNum(v float64) string {
	if engine.IsNA(v) {
		return "NA"
	}
	return strconv.FormatFloat(v, 'g', 5, 64)
}

func auditFixed(v float64, decimals int) string {
	if engine.IsNA(v) {
		return "NA"
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

func auditPercent(v float64) string {
	if engine.IsNA(v) {
		return "NA"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

// auditList prints numbers to two decimals, space separated, each after its label when given.
func auditList(v []float64, labels []string) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = auditFixed(x, 2)
		if labels != nil {
			s[i] = labels[i] + "=" + s[i]
		}
	}
	return strings.Join(s, " ")
}
