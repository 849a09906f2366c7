package survey

import (
	"context"
	"testing"
	"time"

	"github.com/citylens/citylens"
)

// FuzzReadTable reads any file as a survey upload (paper responses,
// population margins): no panic, refusals EINVALID or ETOOLARGE only.
func FuzzReadTable(f *testing.F) {
	f.Add("r.csv", []byte("city,seconds,hs_s1,sex\nkr-seoul,300,4,female\n"))
	f.Add("r.csv", []byte("city;variable;category;population\nkr-seoul;sex;male;4900\n"))
	f.Add("r.xlsx", []byte("PK\x03\x04 not a workbook"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		_, err := readTable(context.Background(), name, data, 1<<20)
		if c := citylens.ErrorCode(err); err != nil && c != citylens.EINVALID && c != citylens.ETOOLARGE {
			t.Fatalf("error %v with code %s", err, c)
		}
	})
}

// FuzzParseXLSForm reads any file as an instrument workbook: no panic,
// refusals EINVALID or ETOOLARGE only.
func FuzzParseXLSForm(f *testing.F) {
	f.Add([]byte("PK\x03\x04 not a workbook"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseXLSForm(data, 1<<20, nil, "fuzz", time.Unix(0, 0))
		if c := citylens.ErrorCode(err); err != nil && c != citylens.EINVALID && c != citylens.ETOOLARGE {
			t.Fatalf("error %v with code %s", err, c)
		}
	})
}
