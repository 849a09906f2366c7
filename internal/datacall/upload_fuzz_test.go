package datacall

import (
	"context"
	"testing"

	"github.com/citylens/citylens"
)

// FuzzParseUpload reads any file as an upload (CSV, or XLSX when it starts
// like a zip): it must not panic, must refuse only with EINVALID, and must
// keep no more entries than it was allowed.
func FuzzParseUpload(f *testing.F) {
	f.Add("data.csv", []byte("City code,Indicator code,Value,Unit,Source,Data year\nkr-seoul,EC-1,12.5,%,KOSTAT,2025\n"))
	f.Add("data.csv", []byte("City code;Indicator code;Value;Unit;Source;Data year\n\"kr-seoul\";EC-1;\"1\"\"2\";%;x;2025\n"))
	f.Add("data.csv", []byte("\xEF\xBB\xBFCity code,Value\n,,,,\n\"unterminated\n"))
	f.Add("book.xlsx", []byte("PK\x03\x04 not really a workbook"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		const maxEntries = 3
		p, err := parseUpload(context.Background(), name, data, 1<<20, maxEntries)
		if err != nil {
			if c := citylens.ErrorCode(err); c != citylens.EINVALID {
				t.Fatalf("error %q with code %s, want EINVALID", err, c)
			}
			return
		}
		if len(p.Entries) > maxEntries {
			t.Fatalf("%d entries kept, more than %d", len(p.Entries), maxEntries)
		}
	})
}
