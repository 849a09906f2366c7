package members

import (
	"bytes"
	"testing"

	"github.com/citylens/citylens"
)

// FuzzParseCSV reads any file as a members CSV: it must not panic and
// must refuse only with EINVALID, naming rows that exist.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("code,name,country,region,status\nkr-seoul,Seoul,KOR,AS,member\n"))
	f.Add([]byte("code,name\n\"a\"\"b\",x\n,,,\n"))
	f.Add([]byte("\xEF\xBB\xBFcode;name\n\"unterminated\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseCSV(bytes.NewReader(data))
		if err == nil {
			return
		}
		e := citylens.AsError(err)
		if e == nil || e.Code != citylens.EINVALID {
			t.Fatalf("error %v, want EINVALID", err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, p := range e.Problems {
			if p.Row > lines {
				t.Fatalf("problem on row %d of a file of %d lines", p.Row, lines)
			}
		}
	})
}
