package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
	"github.com/citylens/citylens/internal/indexspec"
)

const indexUncertaintyUsage = `usage: citylens index uncertainty SPEC --n N --seed S --out DIR [--workers K] [--replications]

Uncertainty analysis: rebuilds the index N times, each time with the uncertain
inputs that the spec's "uncertainty" section declares sampled afresh, and writes
into DIR:
  rank_stats.csv       every unit's nominal rank, mean and median rank, 5th and
                       95th percentile ranks, mean absolute rank shift, tie group
  score_quantiles.csv  per unit and tracked node: nominal, mean, 5 %, median, 95 %
  failures.csv         failed replications counted by reason (when any failed)
  summary.txt          a short text summary
  Scores.csv, Ranks.csv  every replication's index score and rank (--replications)
The same seed gives the same result on any number of cores.
`

const indexSensitivityUsage = `usage: citylens index sensitivity SPEC --n N --seed S --out DIR [--bootstrap B] [--workers K]

Sensitivity analysis: first-order and total-effect Sobol indices of each
uncertain input (the spec's "uncertainty" section), for the mean absolute rank
shift and for every unit's index score, from N·(d+2) rebuilds (Saltelli design,
Saltelli 2010 and Jansen 1999 estimators) with bootstrap 95 % intervals. Writes
sobol.csv and summary.txt into DIR.
`

// uaFlags are the flags the two analyses share.
type uaFlags struct {
	n, workers int
	seed       uint64
	out        string
}

func parseUAFlags(name, usage string, args []string, stderr io.Writer, extra func(fs *flag.FlagSet)) (*indexspec.Index, engine.UncertaintySpec, uaFlags, error) {
	var fl uaFlags
	var spec engine.UncertaintySpec
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.IntVar(&fl.n, "n", 0, "number of replications (uncertainty) or base samples (sensitivity)")
	fs.Uint64Var(&fl.seed, "seed", 1, "random seed")
	fs.StringVar(&fl.out, "out", "", "folder to write the results into")
	fs.IntVar(&fl.workers, "workers", 0, "goroutines to use (0: all cores)")
	if extra != nil {
		extra(fs)
	}
	path, err := parseSpecArgs(name, usage, fs, args, stderr)
	if err != nil {
		return nil, spec, fl, err
	}
	switch {
	case fl.n < 2:
		return nil, spec, fl, usagef("%s: --n must be at least 2, got %d\n%s", name, fl.n, usage)
	case fl.out == "":
		return nil, spec, fl, usagef("%s: --out DIR is required\n%s", name, usage)
	case fl.workers < 0:
		return nil, spec, fl, usagef("%s: --workers must be 0 or more", name)
	}
	ix, err := indexspec.Load(path)
	if err != nil {
		return nil, spec, fl, err
	}
	if len(ix.Spec.Uncertainty) == 0 {
		return nil, spec, fl, citylens.Errorf(citylens.EINVALID, "%s: the spec declares no uncertain inputs: add an \"uncertainty\" section (see docs/uncertainty.md)", path)
	}
	dec := json.NewDecoder(bytes.NewReader(ix.Spec.Uncertainty))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&spec); err != nil {
		return nil, spec, fl, citylens.Errorf(citylens.EINVALID, "%s: uncertainty: %v", path, err)
	}
	if err := os.MkdirAll(fl.out, 0o755); err != nil {
		return nil, spec, fl, citylens.Errorf(citylens.EINVALID, "--out %s: %v", fl.out, err)
	}
	return ix, spec, fl, nil
}

// newCLIAnalysis compiles the analysis of a loaded spec, with the workers
// asked for and a progress bar on stderr.
func newCLIAnalysis(ctx context.Context, ix *indexspec.Index, spec engine.UncertaintySpec, fl uaFlags, stderr io.Writer) (*engine.Analysis, error) {
	a, err := engine.NewAnalysis(ctx, ix.Framework, ix.Data, ix.Method, spec)
	if err != nil {
		return nil, err
	}
	a.Workers = fl.workers
	a.Progress = (&progressBar{w: stderr, label: "replications"}).update
	return a, nil
}

// progressBar draws a bar on w, at most every 100 ms, and a last one at the end.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	last  time.Time
}

func (p *progressBar) update(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if done < total && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := width * done / total
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), 100*done/total, done, total)
	if done == total {
		fmt.Fprintln(p.w)
	}
}

func runIndexUncertainty(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var writeReps bool
	ix, spec, fl, err := parseUAFlags("index uncertainty", indexUncertaintyUsage, args, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&writeReps, "replications", false, "also write every replication's scores and ranks")
	})
	if err != nil {
		return err
	}
	a, err := newCLIAnalysis(ctx, ix, spec, fl, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := a.RunUA(ctx, fl.n, fl.seed)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	names := unitNames(ix.Data)
	files := []struct {
		name  string
		write func(io.Writer) error
	}{
		{"rank_stats.csv", func(w io.Writer) error { return writeRankStats(w, res, names) }},
		{"score_quantiles.csv", func(w io.Writer) error { return writeScoreQuantiles(w, res) }},
		{"summary.txt", func(w io.Writer) error { return writeUASummary(w, ix, a, res, fl, elapsed) }},
	}
	if res.Failed > 0 {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{"failures.csv", func(w io.Writer) error { return writeFailures(w, res.Failures) }})
	}
	if writeReps {
		files = append(files, struct {
			name  string
			write func(io.Writer) error
		}{"Scores.csv", func(w io.Writer) error { return writeReplicationColumns(w, res, false) }},
			struct {
				name  string
				write func(io.Writer) error
			}{"Ranks.csv", func(w io.Writer) error { return writeReplicationColumns(w, res, true) }})
	}
	for _, f := range files {
		if err := writeBuildFile(fl.out, f.name, f.write); err != nil {
			return err
		}
	}
	return writeUASummary(stdout, ix, a, res, fl, elapsed)
}

func unitNames(d *engine.Data) map[string]string {
	out := map[string]string{}
	for i, u := range d.Units {
		if i < len(d.Names) {
			out[u] = d.Names[i]
		}
	}
	return out
}

func writeRankStats(w io.Writer, res *engine.UAResult, names map[string]string) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"uCode", "uName", "Nominal_rank", "Nominal_score", "Mean_rank", "Median_rank", "Q5_rank", "Q95_rank", "Mean_abs_rank_shift", "Replications_ranked", "Tie_group"})
	units := append([]engine.UnitUncertainty(nil), res.Units...)
	sort.SliceStable(units, func(i, j int) bool { return rankOrder(units[i].NominalRank) < rankOrder(units[j].NominalRank) })
	for _, u := range units {
		nominal, group := "NA", "NA"
		if u.NominalRank > 0 {
			nominal = strconv.Itoa(u.NominalRank)
		}
		if u.TieGroup > 0 {
			group = strconv.Itoa(u.TieGroup)
		}
		cw.Write([]string{u.Unit, names[u.Unit], nominal, indexfile.FormatNumber(u.NominalScore), indexfile.FormatNumber(u.MeanRank),
			indexfile.FormatNumber(u.MedianRank), indexfile.FormatNumber(u.Q5), indexfile.FormatNumber(u.Q95),
			indexfile.FormatNumber(u.MeanAbsShift), strconv.Itoa(u.Ranked), group})
	}
	cw.Flush()
	return cw.Error()
}

// rankOrder sorts unranked units (rank 0) last.
func rankOrder(r int) int {
	if r == 0 {
		return int(^uint(0) >> 1)
	}
	return r
}

func writeScoreQuantiles(w io.Writer, res *engine.UAResult) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"uCode", "iCode", "Nominal", "Mean", "Q5", "Median", "Q95"})
	for _, q := range res.Scores {
		cw.Write([]string{q.Unit, q.Node, indexfile.FormatNumber(q.Nominal), indexfile.FormatNumber(q.Mean),
			indexfile.FormatNumber(q.Q5), indexfile.FormatNumber(q.Median), indexfile.FormatNumber(q.Q95)})
	}
	cw.Flush()
	return cw.Error()
}

func writeFailures(w io.Writer, fails []engine.FailureCount) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"Reason", "Replications"})
	for _, f := range fails {
		cw.Write([]string{f.Reason, strconv.Itoa(f.Count)})
	}
	cw.Flush()
	return cw.Error()
}

// writeReplicationColumns writes COINr's layout: uCode, r_1 ... r_N.
func writeReplicationColumns(w io.Writer, res *engine.UAResult, ranks bool) error {
	cw := csvsafe.NewWriter(w)
	rec := []string{"uCode"}
	for r := 0; r < res.N; r++ {
		rec = append(rec, "r_"+strconv.Itoa(r+1))
	}
	cw.Write(rec)
	for u, code := range res.Output.Units {
		rec = rec[:0]
		rec = append(rec, code)
		for r := 0; r < res.N; r++ {
			if ranks {
				if rk := res.Output.Ranks[r][u]; rk > 0 {
					rec = append(rec, strconv.Itoa(int(rk)))
				} else {
					rec = append(rec, "NA")
				}
			} else {
				rec = append(rec, indexfile.FormatNumber(res.Output.Scores[r][u]))
			}
		}
		cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func writeUASummary(w io.Writer, ix *indexspec.Index, a *engine.Analysis, res *engine.UAResult, fl uaFlags, elapsed time.Duration) error {
	fmt.Fprintf(w, "Uncertainty analysis of %s (target %s)\n", specTitle(ix), res.Target)
	fmt.Fprintf(w, "Uncertain inputs: %s\n", strings.Join(a.Inputs(), ", "))
	fmt.Fprintf(w, "Replications: %d (seed %d), %d failed, in %s\n", res.N, fl.seed, res.Failed, elapsed.Round(time.Millisecond))
	for _, f := range res.Failures {
		fmt.Fprintf(w, "  %d failed: %s\n", f.Count, f.Reason)
	}
	units := append([]engine.UnitUncertainty(nil), res.Units...)
	sort.SliceStable(units, func(i, j int) bool { return rankOrder(units[i].NominalRank) < rankOrder(units[j].NominalRank) })
	groups := map[int][]string{}
	for _, u := range units {
		if u.TieGroup > 0 {
			groups[u.TieGroup] = append(groups[u.TieGroup], u.Unit)
		}
	}
	fmt.Fprintf(w, "Statistically tied groups (overlapping 5-95%% rank bands): %d groups for %d ranked units\n", len(groups), countRanked(units))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit\tnominal\tmedian\t5%\t95%\tmean shift\ttie group\t")
	for i, u := range units {
		if i == 15 {
			fmt.Fprintf(tw, "... %d more in rank_stats.csv\t\t\t\t\t\t\t\n", len(units)-15)
			break
		}
		fmt.Fprintf(tw, "%s\t%d\t%g\t%g\t%g\t%.2f\t%d\t\n", u.Unit, u.NominalRank, u.MedianRank, u.Q5, u.Q95, u.MeanAbsShift, u.TieGroup)
	}
	return tw.Flush()
}

func countRanked(units []engine.UnitUncertainty) int {
	n := 0
	for _, u := range units {
		if u.NominalRank > 0 {
			n++
		}
	}
	return n
}

func specTitle(ix *indexspec.Index) string {
	if ix.Spec.Name != "" {
		return ix.Spec.Name
	}
	return ix.Path
}

func runIndexSensitivity(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	bootstrap := 500
	ix, spec, fl, err := parseUAFlags("index sensitivity", indexSensitivityUsage, args, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&bootstrap, "bootstrap", 500, "bootstrap resamples for the confidence intervals")
	})
	if err != nil {
		return err
	}
	if bootstrap < 0 {
		return usagef("index sensitivity: --bootstrap must be 0 or more")
	}
	a, err := newCLIAnalysis(ctx, ix, spec, fl, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := a.RunSA(ctx, fl.n, fl.seed, bootstrap)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if err := writeBuildFile(fl.out, "sobol.csv", func(w io.Writer) error { return writeSobol(w, res) }); err != nil {
		return err
	}
	summary := func(w io.Writer) error { return writeSASummary(w, ix, a, res, fl, elapsed) }
	if err := writeBuildFile(fl.out, "summary.txt", summary); err != nil {
		return err
	}
	return summary(stdout)
}

func writeSobol(w io.Writer, res *engine.SAResult) error {
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"Output", "Input", "S1", "S1_low", "S1_high", "ST", "ST_low", "ST_high", "N"})
	for _, s := range res.Indices {
		cw.Write([]string{s.Output, s.Input, indexfile.FormatNumber(s.S1), indexfile.FormatNumber(s.S1Lo), indexfile.FormatNumber(s.S1Hi),
			indexfile.FormatNumber(s.ST), indexfile.FormatNumber(s.STLo), indexfile.FormatNumber(s.STHi), strconv.Itoa(s.N)})
	}
	cw.Flush()
	return cw.Error()
}

func writeSASummary(w io.Writer, ix *indexspec.Index, a *engine.Analysis, res *engine.SAResult, fl uaFlags, elapsed time.Duration) error {
	fmt.Fprintf(w, "Sensitivity analysis of %s (target %s)\n", specTitle(ix), a.Target())
	fmt.Fprintf(w, "Base samples: %d (seed %d), %d replications, %d failed, in %s\n", res.N, fl.seed, res.Runs, res.Failed, elapsed.Round(time.Millisecond))
	for _, f := range res.Failures {
		fmt.Fprintf(w, "  %d failed: %s\n", f.Count, f.Reason)
	}
	// Mean over units of each input's indices, and the rank-shift indices.
	meanST := map[string]float64{}
	meanS1 := map[string]float64{}
	count := map[string]int{}
	for _, s := range res.Indices {
		if s.Output == engine.MeanAbsShiftOutput || engine.IsNA(s.ST) {
			continue
		}
		meanST[s.Input] += s.ST
		meanS1[s.Input] += s.S1
		count[s.Input]++
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "input\tS1 rank shift\t95% interval\tST rank shift\t95% interval\tmean S1 score\tmean ST score\t")
	for _, s := range res.Indices {
		if s.Output != engine.MeanAbsShiftOutput {
			continue
		}
		n := float64(count[s.Input])
		fmt.Fprintf(tw, "%s\t%.3f\t[%.3f, %.3f]\t%.3f\t[%.3f, %.3f]\t%.3f\t%.3f\t\n", s.Input, s.S1, s.S1Lo, s.S1Hi, s.ST, s.STLo, s.STHi, meanS1[s.Input]/n, meanST[s.Input]/n)
	}
	return tw.Flush()
}
