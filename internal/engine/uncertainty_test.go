package engine_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
)

// coinrReplications reads COINr's sampled UA parameters (ua_N100) as replications.
func coinrReplications(t testing.TB, f *engine.Framework) []engine.Replication {
	t.Helper()
	dir := filepath.Join(asemDir, "results/ua_N100")
	params := readCSV(t, filepath.Join(dir, "Replications.csv"))
	weights := readCSV(t, filepath.Join(dir, "Replication_weights.csv"))
	nodeIdx := map[string]int{}
	for i, n := range f.Nodes() {
		nodeIdx[n.Code] = i
	}
	reps := make([]engine.Replication, len(params))
	for i, p := range params {
		m := asemDefault()
		m.Treat.Winmax = atoi(t, p["winmax"])
		p1, p2 := atof(t, p["norm_p1"]), atof(t, p["norm_p2"])
		switch p["norm_f"] {
		case "n_minmax":
			m.Normalise = engine.Normalisation{Method: engine.NormMinMax, Low: p1, High: p2}
		case "n_zscore":
			m.Normalise = engine.Normalisation{Method: engine.NormZScore, Mean: p1, SD: p2}
		default:
			t.Fatalf("unknown norm_f %q", p["norm_f"])
		}
		switch p["agg_f"] {
		case "a_amean":
			m.Aggregate = engine.Aggregation{Method: engine.AggAMean}
		case "a_gmean":
			m.Aggregate = engine.Aggregation{Method: engine.AggGMean}
		default:
			t.Fatalf("unknown agg_f %q", p["agg_f"])
		}
		if atoi(t, p["rep"]) != i+1 {
			t.Fatalf("Replications.csv row %d is rep %s", i+1, p["rep"])
		}
		reps[i] = engine.Replication{Method: m, Weights: make([]float64, len(f.Nodes()))}
	}
	for _, w := range weights {
		r := atoi(t, w["rep"]) - 1
		i, ok := nodeIdx[w["iCode"]]
		if !ok {
			t.Fatalf("weight for unknown node %q", w["iCode"])
		}
		reps[r].Weights[i] = atof(t, w["Weight"])
	}
	for r := range reps {
		for i, w := range reps[r].Weights {
			if w == 0 {
				t.Fatalf("rep %d has no weight for %s", r+1, f.Nodes()[i].Code)
			}
		}
	}
	return reps
}

func TestReplayMatchesCOINr(t *testing.T) {
	f, d := loadASEM(t)
	reps := coinrReplications(t, f)
	for _, workers := range []int{1, 2, 3} {
		t.Run("workers="+strconv.Itoa(workers), func(t *testing.T) {
			res, err := engine.Replay(context.Background(), f, d, asemDefault(), reps, []string{"Index"}, workers)
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed != 0 {
				t.Fatalf("%d replications failed: %v", res.Failed, res.Failures)
			}
			got := &engine.Matrix{Units: d.Units, Codes: []string{"Nominal"}, Cols: [][]float64{make([]float64, len(d.Units))}}
			gotRanks := &engine.Matrix{Units: d.Units, Codes: []string{"Nominal"}, Cols: [][]float64{make([]float64, len(d.Units))}}
			for u, uu := range res.Units {
				got.Cols[0][u] = uu.NominalScore
				gotRanks.Cols[0][u] = float64(uu.NominalRank)
			}
			for r := range reps {
				got.Codes = append(got.Codes, "r_"+strconv.Itoa(r+1))
				got.Cols = append(got.Cols, res.Output.Scores[r])
				rk := make([]float64, len(d.Units))
				for u, v := range res.Output.Ranks[r] {
					rk[u] = float64(v)
				}
				gotRanks.Codes = append(gotRanks.Codes, "r_"+strconv.Itoa(r+1))
				gotRanks.Cols = append(gotRanks.Cols, rk)
			}
			worst := compareMatrix(t, "Scores.csv", got, readWant(t, "ua_N100", "Scores.csv"))
			compareMatrix(t, "Ranks.csv", gotRanks, readWant(t, "ua_N100", "Ranks.csv"))
			stats := &engine.Matrix{Units: d.Units, Codes: []string{"Nominal", "Mean", "Median", "Q5", "Q95"}, Cols: make([][]float64, 5)}
			for _, uu := range res.Units {
				for k, v := range []float64{float64(uu.NominalRank), uu.MeanRank, uu.MedianRank, uu.Q5, uu.Q95} {
					stats.Cols[k] = append(stats.Cols[k], v)
				}
			}
			compareMatrix(t, "RankStats.csv", stats, readWant(t, "ua_N100", "RankStats.csv"))
			t.Logf("largest relative difference from COINr's replication scores: %.3g", worst)
		})
	}
}

func readCSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := indexfile.ReadRecords(filepath.Base(path), f)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func atof(t testing.TB, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		t.Fatalf("not a number: %q", s)
	}
	return v
}
