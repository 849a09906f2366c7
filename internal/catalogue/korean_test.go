package catalogue

import (
	"strings"
	"testing"
	"unicode"
)

// TestSeedKoreanNames: every seeded U4SSC indicator has a Korean name (in
// Hangul), a Korean unit where it has a unit, and a Korean definition; a
// Korean file that misses an indicator or names an unknown one is refused.
func TestSeedKoreanNames(t *testing.T) {
	inds, err := SeedU4SSC()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, ind := range inds {
		hangul := strings.IndexFunc(ind.Ko.Name, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) >= 0
		if !hangul || ind.NameIn("ko") != ind.Ko.Name || ind.NameIn("en") != ind.Name {
			t.Errorf("%s: Korean name %q", ind.Code, ind.Ko.Name)
		}
		if prev, dup := names[ind.Ko.Name]; dup {
			t.Errorf("%s and %s share the Korean name %q", prev, ind.Code, ind.Ko.Name)
		}
		names[ind.Ko.Name] = ind.Code
		if (ind.Unit == "") != (ind.Ko.Unit == "") {
			t.Errorf("%s: unit %q, Korean unit %q", ind.Code, ind.Unit, ind.Ko.Unit)
		}
		if !strings.HasPrefix(ind.Ko.Definition, ind.Ko.Name+": U4SSC") || strings.Contains(ind.Ko.Definition, "reported in") {
			t.Errorf("%s: Korean definition %q", ind.Code, ind.Ko.Definition)
		}
		if k := ind.In("ko"); k.Name != ind.Ko.Name || k.Definition != ind.Ko.Definition || ind.In("en").Name != ind.Name {
			t.Errorf("%s: In(ko) %q", ind.Code, k.Name)
		}
	}
	for _, bad := range []string{
		"code,name_ko,unit_ko\n",
		"code,name_ko,unit_ko\nEC: ICT: ICT: 1C,가구,%\n",
		"code,name\nEC: ICT: ICT: 1C,가구\n",
	} {
		if err := addU4SSCKorean(append([]Indicator(nil), inds...), strings.NewReader(bad)); err == nil {
			t.Errorf("Korean file %q accepted", bad)
		}
	}
	if err := addU4SSCKorean(inds[:1], strings.NewReader("code,name_ko,unit_ko\nEC: ICT: ICT: 1C,가구,%\nXX: 1,없는 지표,\n")); err == nil {
		t.Error("a Korean row for an unknown indicator accepted")
	}
}
