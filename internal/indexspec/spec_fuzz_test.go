package indexspec_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/citylens/citylens/internal/indexspec"
)

// FuzzParse feeds the spec parser arbitrary documents: it returns a spec or
// an error, never panics; a spec whose method validates against ASEM must
// build (or fail with an error) without panicking either.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join(asemDir, "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed specs: %v", err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"framework": {"coinr_meta": "input/iMeta.csv"}, "data": {"coinr_data": "input/iData.csv"}, "method": {"aggregate": {"method": "genmean", "p": -2, "threshold": 0.5}, "normalise": {"method": "goalposts"}}}`))
	f.Add([]byte(`{"framework": {"coinr_meta": "x"}, "data": {"long": "v.csv", "year": 1}, "uncertainty": [1, {"a": null}]}`))
	asem, err := indexspec.Load(filepath.Join(asemDir, "default.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := indexspec.Parse(filepath.Join(asemDir, "fuzz.json"), b)
		if err != nil {
			return
		}
		if err := s.Method.Validate(asem.Framework, asem.Data); err != nil {
			return
		}
		ix := *asem
		ix.Method = s.Method
		if _, err := ix.Build(context.Background()); err != nil {
			return
		}
	})
}
