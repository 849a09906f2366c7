package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// btFixture is an index in a temporary folder: the ASEM input, perhaps broken.
type btFixture struct {
	meta, data, spec string
	extra            map[string]string // more files, by path relative to the spec
}

func btASEMFixture(t *testing.T) btFixture {
	t.Helper()
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(btASEMDir, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return btFixture{meta: read("input/iMeta.csv"), data: read("input/iData.csv"), spec: read("default.json"), extra: map[string]string{}}
}

func (f btFixture) write(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"input/iMeta.csv": f.meta, "input/iData.csv": f.data, "spec.json": f.spec}
	for p, s := range f.extra {
		files[p] = s
	}
	for p, s := range files {
		path := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "spec.json")
}

// btEditCSV rewrites a CSV text: edit gets the header and the data rows.
func btEditCSV(t *testing.T, text string, edit func(header []string, rows [][]string) ([]string, [][]string)) string {
	t.Helper()
	all, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header, rows := edit(all[0], all[1:])
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(header)
	w.WriteAll(rows)
	return b.String()
}

// btSetCell sets the cell of the row whose column keyCol is key.
func btSetCell(t *testing.T, text, keyCol, key, col, value string) string {
	t.Helper()
	found := false
	out := btEditCSV(t, text, func(h []string, rows [][]string) ([]string, [][]string) {
		kj, cj := -1, -1
		for j, name := range h {
			if name == keyCol {
				kj = j
			}
			if name == col {
				cj = j
			}
		}
		for _, r := range rows {
			if kj >= 0 && cj >= 0 && r[kj] == key {
				r[cj] = value
				found = true
			}
		}
		return h, rows
	})
	if !found {
		t.Fatalf("no cell %s=%s, %s", keyCol, key, col)
	}
	return out
}

func btReplace(t *testing.T, text, old, new string) string {
	t.Helper()
	if !strings.Contains(text, old) {
		t.Fatalf("%q not in the text", old)
	}
	return strings.Replace(text, old, new, 1)
}

// TestIndexBuildBadInput checks that each kind of bad input stops the build
// with an error that names the file, line, column or code at fault, and that
// nothing is written.
func TestIndexBuildBadInput(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(t *testing.T, f *btFixture)
		want   []string // every one must appear in the message
	}{
		{"malformed CSV (unterminated quote)", func(t *testing.T, f *btFixture) {
			f.data = btReplace(t, f.data, `"Bulgaria","BGR"`, `"Bulgaria,"BGR"`)
		}, []string{"iData.csv: line 4, column", `extraneous or missing " in quoted-field`}},
		{"unit code twice", func(t *testing.T, f *btFixture) {
			f.data = btEditCSV(t, f.data, func(h []string, rows [][]string) ([]string, [][]string) {
				return h, append(rows, append([]string(nil), rows[1]...)) // Belgium again, on line 53
			})
		}, []string{"iData.csv: line 53", `unit code "BEL" appears twice (first on line 3)`}},
		{"indicator code twice", func(t *testing.T, f *btFixture) {
			f.meta = btEditCSV(t, f.meta, func(h []string, rows [][]string) ([]string, [][]string) {
				return h, append(rows, append([]string(nil), rows[2]...)) // Ship again
			})
		}, []string{"iMeta.csv: line 70", `iCode "Ship" appears twice (first on line 4)`}},
		{"non-numeric cell", func(t *testing.T, f *btFixture) {
			f.data = btSetCell(t, f.data, "uCode", "BGR", "Goods", "n/a")
		}, []string{"iData.csv: line 4", `column "Goods"`, `"n/a" is not a number`}},
		{"unknown parent", func(t *testing.T, f *btFixture) {
			f.meta = btSetCell(t, f.meta, "iCode", "LPI", "Parent", "Physicl")
		}, []string{"iMeta.csv", `"LPI"`, `parent "Physicl" is not in the framework`}},
		{"cycle", func(t *testing.T, f *btFixture) {
			f.meta = btSetCell(t, f.meta, "iCode", "Index", "Parent", "Conn")
		}, []string{"iMeta.csv", `"Conn" is part of a cycle of parents (Conn -> Index -> Conn)`}},
		{"zero denominator", func(t *testing.T, f *btFixture) {
			f.data = btSetCell(t, f.data, "uCode", "AUT", "Area", "0")
		}, []string{"spec.json", `unit "AUT"`, `denominator "Area" of indicator "Bord" is zero`}},
		{"missing denominator column", func(t *testing.T, f *btFixture) {
			f.data = btEditCSV(t, f.data, func(h []string, rows [][]string) ([]string, [][]string) {
				drop := func(r []string) []string { return append(r[:7:7], r[8:]...) } // Area is column 8
				if h[7] != "Area" {
					t.Fatalf("column 8 is %q", h[7])
				}
				for i := range rows {
					rows[i] = drop(rows[i])
				}
				return drop(h), rows
			})
		}, []string{"iData.csv", `column "Area" is missing`}},
		{"constant column under min-max", func(t *testing.T, f *btFixture) {
			f.data = btEditCSV(t, f.data, func(h []string, rows [][]string) ([]string, [][]string) {
				for j, name := range h {
					if name == "LPI" {
						for _, r := range rows {
							r[j] = "3.5"
						}
					}
				}
				return h, rows
			})
		}, []string{"spec.json", `indicator "LPI"`, "all 51 values are equal", "min-max"}},
		{"geometric mean over a value <= 0", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"aggregate": {"method": "amean"}`, `"aggregate": {"method": "gmean"}`)
		}, []string{"spec.json", `aggregate "Physical"`, "geometric mean over a value <= 0"}},
		{"empty framework", func(t *testing.T, f *btFixture) {
			f.meta = strings.SplitAfter(f.meta, "\n")[0]
		}, []string{"iMeta.csv", "no nodes"}},
		{"unknown spec field", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"threshold": 0.9`, `"treshold": 0.9`)
		}, []string{"spec.json: line 9, column", `unknown field "method.screen.treshold"`, "known fields: method, nonzero_threshold, threshold"}},
		{"unknown method name", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"group_mean"`, `"group_avg"`)
		}, []string{"spec.json", `impute: unknown method "group_avg"`}},
		{"unknown group column", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"EurAsia_group"`, `"Continent"`)
		}, []string{"spec.json", `group column "Continent" is not in the data`}},
		{"spec syntax error", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"aggregate": {"method": "amean"}`, `"aggregate": {"method": "amean"},`)
		}, []string{"spec.json: line 13, column 3", "invalid character '}'"}},
		{"spec field of the wrong type", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"winmax": 5`, `"winmax": "5"`)
		}, []string{"spec.json: line 10", "method.treat.winmax", "string cannot be read as a whole number"}},
		{"spec field twice", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"denominate": true,`, `"denominate": true, "denominate": false,`)
		}, []string{"spec.json: line 7, column 25", `field "method.denominate" appears twice`}},
		{"data file missing", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"input/iData.csv"`, `"input/data.csv"`)
		}, []string{"spec.json: data.coinr_data", "data.csv"}},
		{"unknown aggregation level", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"aggregate": {"method": "amean"}`, `"aggregate": {"method": "amean"}, "aggregate_levels": {"5": {"method": "gmean"}}`)
		}, []string{"spec.json", "level 5 has no aggregates"}},
		{"long layout: value twice", func(t *testing.T, f *btFixture) {
			f.spec = btReplace(t, f.spec, `"data": {"coinr_data": "input/iData.csv"}`, `"data": {"long": "values.csv", "units": "units.csv"}`)
			f.extra["units.csv"] = "uCode,uName,EurAsia_group,GDP_group,GDPpc_group,Pop_group\nAUT,Austria,Europe,L,L,L\n"
			f.extra["values.csv"] = "unit,indicator,year,value\nAUT,LPI,2018,4\nAUT,Goods,2018,1\nAUT,LPI,2018,4.1\n"
		}, []string{"values.csv: line 4", `unit "AUT", indicator "LPI", year 2018 appears twice (first on line 2)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := btASEMFixture(t)
			tt.break_(t, &f)
			spec := f.write(t)
			out := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"index", "build", "--out", out, spec}, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit code %d, want 1; stderr:\n%s", code, stderr.String())
			}
			msg := stderr.String()
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message does not name %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "panic") || strings.Contains(msg, "internal error") {
				t.Errorf("not a user error:\n%s", msg)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a failed build wrote %s", out)
			}
		})
	}
}

// TestIndexBuildUsage checks the command line: flags before or after the
// spec, and usage errors (exit code 2) for what cannot run.
func TestIndexBuildUsage(t *testing.T) {
	spec := filepath.Join(btASEMDir, "default.json")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"flags first", []string{"--out", "OUT", spec}, 0, "51 units ranked, 0 not ranked"},
		{"flags last, quiet", []string{spec, "-out=OUT", "-quiet"}, 0, ""},
		{"no spec", []string{"--out", "OUT"}, 2, "which spec?"},
		{"no out", []string{spec}, 2, "--out DIR is required"},
		{"two specs", []string{spec, spec, "--out", "OUT"}, 2, "one spec at a time"},
		{"unknown flag", []string{spec, "--outdir", "OUT"}, 2, "flag provided but not defined: -outdir"},
		{"help", []string{"-h"}, 2, "usage: citylens index build SPEC --out DIR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			args := []string{"index", "build"}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "OUT", out))
			}
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), args, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			got := stdout.String() + stderr.String()
			if tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("output does not say %q:\n%s", tt.want, got)
			}
			_, err := os.Stat(filepath.Join(out, "Results.csv"))
			if wrote := err == nil; wrote != (tt.code == 0) {
				t.Errorf("Results.csv written: %v, exit code %d", wrote, code)
			}
			if tt.want == "" && stdout.Len() > 0 {
				t.Errorf("-quiet printed:\n%s", stdout.String())
			}
		})
	}
}
