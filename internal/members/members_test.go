package members

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

func TestParseCSV(t *testing.T) {
	header := "code,name,country,region,latitude,longitude,status\n"
	for _, tc := range []struct {
		name     string
		csv      string
		want     []City
		problems []string
	}{
		{"valid, columns in any order, BOM", "\ufeffname,code,country,region,latitude,longitude,status,population\nSeoul,kr-seoul,kor,AS,37.5,127,member,9963000\n",
			[]City{{Code: "kr-seoul", Name: "Seoul", Country: "KOR", RegionCode: "AS", Latitude: 37.5, Longitude: 127, Status: "member", Population: 9963000}}, nil},
		{"empty file", "", nil, []string{"the file is empty"}},
		{"header only", header, nil, []string{"no rows after the header"}},
		{"missing and unknown columns", "code,name,mayor\n", nil, []string{"row 1, column mayor: unknown column", "row 1, column country: required column is missing"}},
		{"every bad field", header + "X!,,Korea,,north,200,mayor\n", nil, []string{
			"row 2, column code", "row 2, column name: is required", "row 2, column country", "row 2, column region: is required",
			`row 2, column latitude: "north" is not a number`, "row 2, column longitude: 200 is outside -180..180", "row 2, column status"}},
		{"duplicate code", header + "kr-seoul,Seoul,KR,AS,1,1,member\nkr-seoul,Seoul,KR,AS,1,1,member\n", nil,
			[]string{`row 3, column code: "kr-seoul" already appears on row 2`}},
		{"ragged CSV", header + "kr-seoul,\"Seoul,KR,AS,1,1,member\n", nil, []string{"not valid CSV"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseCSV(strings.NewReader(tc.csv))
			if tc.problems == nil {
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(tc.want, got); d != "" {
					t.Errorf("cities (-want +got):\n%s", d)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %v", tc.problems)
			}
			if citylens.ErrorCode(err) != citylens.EINVALID {
				t.Errorf("code %q, want %q", citylens.ErrorCode(err), citylens.EINVALID)
			}
			i18ntest.WantKeyed(t, err)
			// Every problem is in the error (its message names the first few).
			all := []string{err.Error()}
			for _, p := range citylens.AsError(err).Problems {
				all = append(all, p.String())
			}
			for _, p := range tc.problems {
				if !strings.Contains(strings.Join(all, "\n"), p) {
					t.Errorf("error's problems %q lack %q", all, p)
				}
			}
		})
	}
}

func TestDemoCities(t *testing.T) {
	cs, err := DemoCities()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := DemoCities()
	if d := cmp.Diff(cs, again); d != "" {
		t.Fatalf("demo cities are not deterministic:\n%s", d)
	}
	if len(cs) < 140 || len(cs) > 160 {
		t.Errorf("%d demo cities, want about 150", len(cs))
	}
	perRegion := map[string]int{}
	perCountry := map[string]int{}
	codes := map[string]bool{}
	for _, c := range cs {
		if ps := ValidateCity(c); len(ps) > 0 {
			t.Errorf("demo city %s invalid: %v", c.Code, ps)
		}
		if codes[c.Code] {
			t.Errorf("demo code %s twice", c.Code)
		}
		codes[c.Code] = true
		perRegion[c.RegionCode]++
		perCountry[c.Country]++
	}
	for _, r := range []string{"AF", "AS", "EU", "LA", "NA", "OC"} {
		if perRegion[r] == 0 {
			t.Errorf("no demo city in region %s", r)
		}
	}
	for c, n := range perCountry {
		if n > demoPerCountry {
			t.Errorf("%d demo cities in %s", n, c)
		}
	}
	for _, want := range []string{"kr-seoul", "jp-tokyo", "br-sao-paulo", "fr-paris", "ng-lagos", "us-new-york-newark", "au-sydney"} {
		if !codes[want] {
			t.Errorf("demo cities lack %s", want)
		}
	}
}

func TestValidateOfficeAndPartner(t *testing.T) {
	columns := func(ps []citylens.Problem) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Column)
		}
		return out
	}
	for _, tc := range []struct {
		name string
		got  []citylens.Problem
		want []string
	}{
		{"valid office", ValidateOffice(Office{Code: "office-asia", Name: "Asia Office", RegionCode: "AS"}), nil},
		{"office without anything", ValidateOffice(Office{}), []string{"code", "name", "region"}},
		{"office with a long host city", ValidateOffice(Office{Code: "o-1", Name: "O", RegionCode: "AS", HostCity: strings.Repeat("x", 201)}), []string{"host_city"}},
		{"valid partner", ValidatePartner(Partner{Code: "p-1", Name: "P", Kind: PartnerCompany, Country: "KOR", Website: "https://example.org"}), nil},
		{"partner without country or website", ValidatePartner(Partner{Code: "p-1", Name: "P", Kind: PartnerAgency}), nil},
		{"partner with every field wrong", ValidatePartner(Partner{Code: "P 1", Kind: "club", Country: "Korea", Website: "ftp://example.org"}),
			[]string{"code", "name", "kind", "country", "website"}},
		{"partner website without a host", ValidatePartner(Partner{Code: "p-1", Name: "P", Kind: PartnerCompany, Website: "https://"}), []string{"website"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, columns(tc.got)); d != "" {
				t.Errorf("problem columns (-want +got):\n%s\n%v", d, tc.got)
			}
			i18ntest.WantKeyedProblems(t, tc.got)
		})
	}
}
