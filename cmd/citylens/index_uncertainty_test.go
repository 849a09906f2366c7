package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const uaSpec = "../../testdata/uncertainty/asem.json"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func readCSVFile(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestIndexUncertaintyCommand(t *testing.T) {
	dir1, dir2 := t.TempDir(), t.TempDir()
	code, stdout, stderr := runCLI(t, "index", "uncertainty", uaSpec, "--n", "60", "--seed", "5", "--out", dir1, "--workers", "1", "--replications")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "Replications: 60 (seed 5), 0 failed") || !strings.Contains(stderr, "100% 60/60") {
		t.Errorf("summary or progress missing:\n%s\n%s", stdout, stderr)
	}
	if code, _, stderr := runCLI(t, "index", "uncertainty", "--seed", "5", "--n", "60", "--workers", "2", "--out", dir2, uaSpec); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, name := range []string{"rank_stats.csv", "score_quantiles.csv"} {
		a, _ := os.ReadFile(filepath.Join(dir1, name))
		b, _ := os.ReadFile(filepath.Join(dir2, name))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 2 workers (or is empty)", name)
		}
	}
	rows := readCSVFile(t, filepath.Join(dir1, "rank_stats.csv"))
	if len(rows) != 52 || rows[0][0] != "uCode" || rows[1][0] != "CHE" || rows[1][2] != "1" {
		t.Fatalf("rank_stats.csv: %d rows, first %v", len(rows), rows[:2])
	}
	for _, r := range rows[1:] {
		q5, _ := strconv.ParseFloat(r[6], 64)
		med, _ := strconv.ParseFloat(r[5], 64)
		q95, _ := strconv.ParseFloat(r[7], 64)
		if !(q5 <= med && med <= q95) || r[9] != "60" {
			t.Errorf("%s: band %v %v %v over %s replications", r[0], q5, med, q95, r[9])
		}
	}
	if got := len(readCSVFile(t, filepath.Join(dir1, "score_quantiles.csv"))); got != 1+51*3 {
		t.Errorf("score_quantiles.csv has %d rows, want %d", got, 1+51*3)
	}
	scores := readCSVFile(t, filepath.Join(dir1, "Scores.csv"))
	if len(scores) != 52 || len(scores[0]) != 61 {
		t.Errorf("Scores.csv is %d x %d, want 52 x 61", len(scores), len(scores[0]))
	}
}

func TestIndexSensitivityCommand(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "index", "sensitivity", uaSpec, "--n", "40", "--seed", "2", "--bootstrap", "20", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "240 replications") || !strings.Contains(stdout, "Aggregation") {
		t.Errorf("summary:\n%s", stdout)
	}
	rows := readCSVFile(t, filepath.Join(dir, "sobol.csv"))
	if len(rows) != 1+52*4 {
		t.Fatalf("sobol.csv has %d rows, want %d", len(rows), 1+52*4)
	}
	if rows[1][0] != "mean_abs_rank_shift" || rows[1][1] != "Winmax" {
		t.Errorf("first row %v", rows[1])
	}
}

func TestIndexUncertaintyBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	abs, err := filepath.Abs("../../testdata/asem/input")
	if err != nil {
		t.Fatal(err)
	}
	head := `{"name": "x", "framework": {"coinr_meta": "` + filepath.Join(abs, "iMeta.csv") + `"}, "data": {"coinr_data": "` + filepath.Join(abs, "iData.csv") + `"}`
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no uncertainty section", []string{"index", "uncertainty", "../../testdata/asem/default.json", "--n", "10", "--out", dir}, 1, "declares no uncertain inputs"},
		{"N below 2", []string{"index", "uncertainty", uaSpec, "--n", "1", "--out", dir}, 2, "--n must be at least 2"},
		{"no out", []string{"index", "sensitivity", uaSpec, "--n", "10"}, 2, "--out DIR is required"},
		{"unknown field", []string{"index", "uncertainty", write("f.json", head+`, "uncertainty": {"inputs": [], "taget": "Index"}}`), "--n", "10", "--out", dir}, 1, `unknown field "taget"`},
		{"unknown node", []string{"index", "uncertainty", write("n.json", head+`, "uncertainty": {"inputs": [{"name": "W", "param": "weights", "noise": [{"node": "Nope", "factor": 0.1}]}]}}`), "--n", "10", "--out", dir}, 1, `"Nope" is not an aggregate`},
		{"empty alternatives", []string{"index", "sensitivity", write("e.json", head+`, "uncertainty": {"inputs": [{"name": "N", "param": "normalise", "values": []}]}}`), "--n", "10", "--out", dir}, 1, "empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, tc.wantCode, tc.want)
			}
		})
	}
}
