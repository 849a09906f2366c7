package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexspec"
)

const atDefaultSpec = "../../testdata/asem/default.json"

// atRun runs citylens with args and returns its exit code, stdout and stderr.
func atRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// atAudit audits the spec through the packages, independently of the command.
func atAudit(t *testing.T, spec string) (*engine.Result, *engine.AuditReport) {
	t.Helper()
	ix, err := indexspec.Load(spec)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ix.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := engine.Audit(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, rep
}

// atSection returns the table rows (split into fields) printed after the line
// starting with title and the table's header line, up to the next blank line.
func atSection(t *testing.T, out, title string) [][]string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, title) {
			continue
		}
		var rows [][]string
		for _, r := range lines[i+2:] {
			if r == "" || !strings.Contains(r, "  ") {
				break
			}
			rows = append(rows, strings.Fields(r))
		}
		return rows
	}
	t.Fatalf("no section %q in:\n%s", title, out)
	return nil
}

func TestIndexAuditPrintsASEM(t *testing.T) {
	code, out, errOut := atRun(t, "index", "audit", atDefaultSpec)
	if code != 0 {
		t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
	}
	r, rep := atAudit(t, atDefaultSpec)

	t.Run("stats", func(t *testing.T) {
		rows := atSection(t, out, "Statistics")
		if len(rows) != len(rep.Stats) {
			t.Fatalf("%d statistics rows, want %d", len(rows), len(rep.Stats))
		}
		outliers := 0
		for i, s := range rep.Stats {
			want := []string{s.Dataset, s.Code, strconv.Itoa(s.Level), strconv.Itoa(s.N), auditPercent(s.MissingShare),
				auditNum(s.Min), auditNum(s.Max), auditNum(s.Mean), auditNum(s.Median), auditNum(s.SD),
				auditFixed(s.Skew, 2), auditFixed(s.Kurt, 2)}
			if s.SkewKurtOutlier {
				want = append(want, "skew/kurt")
				outliers++
				// Treatment (winsorising, log) removes every outlier before normalising.
				if s.Dataset != engine.AuditRaw {
					t.Errorf("%s %s: an outlier after treatment", s.Dataset, s.Code)
				}
			}
			if d := cmp.Diff(want, rows[i]); d != "" {
				t.Errorf("row %d (-want +got):\n%s", i+1, d)
			}
		}
		if outliers == 0 || !strings.Contains(out, fmt.Sprintf("%d of 109 columns are skew/kurtosis outliers", outliers)) {
			t.Errorf("outlier summary missing or wrong (%d outliers):\n%s", outliers, out)
		}
		// A value in full: LPI as submitted.
		if !strings.Contains(out, "Raw         LPI        1      51  0.0%     2.0673    4.226   3.4119   3.42     0.53848  -0.30     -0.66\n") {
			t.Errorf("the LPI row is not printed as expected:\n%s", out)
		}
	})

	t.Run("flagged correlations", func(t *testing.T) {
		rows := atSection(t, out, "Flagged correlations")
		var want [][]string
		for _, c := range rep.Correlations {
			if c.Flag == "" {
				continue
			}
			want = append(want, []string{c.X, c.Y, c.Relation, c.Parent, strconv.Itoa(c.Level), strconv.Itoa(c.N),
				auditFixed(c.Pearson, 3), auditFixed(c.Spearman, 3), c.Flag})
		}
		if d := cmp.Diff(want, rows); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		for _, line := range []string{
			"TBTs       Instit     parent    Instit     1      51  -0.615   -0.478    negative",
			"IGOs       Political  parent    Political  1      51  0.949    0.962     redundant",
		} {
			if !strings.Contains(out, line+"\n") {
				t.Errorf("missing line %q", line)
			}
		}
		if !strings.Contains(out, fmt.Sprintf("Flagged correlations: %d of %d", len(want), len(rep.Correlations))) {
			t.Errorf("flagged count missing")
		}
	})

	t.Run("aggregates", func(t *testing.T) {
		rows := atSection(t, out, "Aggregates")
		if len(rows) != len(r.Framework.Aggregates()) {
			t.Fatalf("%d aggregate rows, want %d", len(rows), len(r.Framework.Aggregates()))
		}
		for i, a := range rep.Aggregates {
			k := len(a.Children)
			want := []string{a.Code, strconv.Itoa(a.Level), strconv.Itoa(k), strconv.Itoa(a.N),
				auditFixed(a.Alpha, 3), auditFixed(a.PC1Share, 3)}
			if d := cmp.Diff(want, rows[i][:6]); d != "" {
				t.Errorf("%s (-want +got):\n%s", a.Code, d)
			}
			// Then k eigenvalues and k loadings labelled with the children.
			if len(rows[i]) != 6+2*k {
				t.Errorf("%s: %d fields, want %d: %q", a.Code, len(rows[i]), 6+2*k, rows[i])
				continue
			}
			for c, child := range a.Children {
				if got, want := rows[i][6+k+c], child+"="+auditFixed(a.PC1Loadings[c], 2); got != want {
					t.Errorf("%s: loading %q, want %q", a.Code, got, want)
				}
			}
		}
		if !strings.Contains(out, "Index      4      2         51  0.702   0.801      1.60 0.40") {
			t.Errorf("the Index row is not printed as expected:\n%s", out)
		}
	})

	if strings.Contains(out, " \n") {
		t.Errorf("lines end with blanks")
	}
}

func TestIndexAuditOut(t *testing.T) {
	_, rep := atAudit(t, atDefaultSpec)
	wantRows := map[string]int{
		"Audit_stats.csv":        len(rep.Stats),
		"Audit_correlations.csv": len(rep.Correlations),
		"Audit_aggregates.csv":   len(rep.Aggregates),
	}
	for _, tt := range []struct {
		name string
		args func(dir string) []string
	}{
		{"flag after spec", func(dir string) []string { return []string{"index", "audit", atDefaultSpec, "--out", dir} }},
		{"flag before spec", func(dir string) []string { return []string{"index", "audit", "-out=" + dir, atDefaultSpec} }},
		{"index build writes the audit", func(dir string) []string {
			return []string{"index", "build", atDefaultSpec, "--out", dir, "--quiet"}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "new", "folder")
			if tt.name == "index build writes the audit" {
				dir = t.TempDir()
			}
			code, _, errOut := atRun(t, tt.args(dir)...)
			if code != 0 {
				t.Fatalf("exit code %d, stderr:\n%s", code, errOut)
			}
			for name, n := range wantRows {
				f, err := os.Open(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				rows, err := csv.NewReader(f).ReadAll()
				f.Close()
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if len(rows) != n+1 {
					t.Errorf("%s: %d rows, want a header and %d", name, len(rows), n)
				}
			}
		})
	}
}

func TestIndexAuditBadInput(t *testing.T) {
	dir := t.TempDir()
	blocked := filepath.Join(dir, "file")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no spec", []string{"index", "audit"}, 2, "which spec?"},
		{"two specs", []string{"index", "audit", atDefaultSpec, atDefaultSpec}, 2, "one spec at a time"},
		{"unknown flag", []string{"index", "audit", atDefaultSpec, "--bogus"}, 2, "bogus"},
		{"help", []string{"index", "audit", "-h"}, 2, "usage: citylens index audit SPEC [--out DIR]"},
		{"missing spec", []string{"index", "audit", filepath.Join(dir, "nope.json")}, 1, "nope.json"},
		{"out is a file", []string{"index", "audit", atDefaultSpec, "--out", filepath.Join(blocked, "sub")}, 1, "--out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := atRun(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, tt.code, errOut)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.stderr, errOut)
			}
			if out != "" {
				t.Errorf("printed on failure:\n%s", out)
			}
		})
	}
}
