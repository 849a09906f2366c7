package prize

import (
	"sort"
	"testing"
	"unicode"

	"github.com/citylens/citylens/internal/i18n"
)

// TestCountries: the table is sorted and unique, every country has a name
// in English and a Korean one in Hangul, and a country field refuses a
// code that is not in it, naming the field.
func TestCountries(t *testing.T) {
	if !sort.StringsAreSorted(Countries) || len(Countries) != 250 {
		t.Fatalf("%d countries, sorted %v", len(Countries), sort.StringsAreSorted(Countries))
	}
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range Countries {
		if i > 0 && Countries[i-1] == c {
			t.Errorf("%s twice", c)
		}
		if !cat.Has(CountryKey(c)) {
			t.Errorf("%s has no name", c)
			continue
		}
		ko := cat.T(i18n.Korean, CountryKey(c))
		hangul := false
		for _, r := range ko {
			hangul = hangul || unicode.Is(unicode.Hangul, r)
		}
		if !hangul || ko == cat.T(i18n.English, CountryKey(c)) {
			t.Errorf("%s: Korean name %q", c, ko)
		}
	}
	if cat.T(i18n.Korean, "country.KOR") != "대한민국" || cat.T(i18n.English, "country.NZL") != "New Zealand" {
		t.Error("country names")
	}
	for code, want := range map[string]bool{"KOR": true, "XKX": true, "ZWE": true, "ABW": true, "XYZ": false, "kor": false, "KO": false, "": false} {
		if KnownCountry(code) != want {
			t.Errorf("KnownCountry(%q) = %v", code, !want)
		}
	}
	f := DefaultForm()
	ps := f.CheckBounds(Answers{FieldPlace: {"XYZ", "Somewhere"}})
	if len(ps) != 1 || ps[0].Field != FieldPlace || ps[0].Key != "prize.error.country" {
		t.Errorf("unknown country: %+v", ps)
	}
	if ps := f.CheckBounds(Answers{FieldPlace: {"EST", "Tartu"}}); len(ps) != 0 {
		t.Errorf("a known country: %+v", ps)
	}
}
