package i18n

import (
	"strings"
	"testing"
)

func TestCataloguesAreComplete(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.Keys() {
		for _, l := range Languages() {
			if strings.TrimSpace(c.msgs[l][k]) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
		}
	}
}

func TestCheckFindsGaps(t *testing.T) {
	c := &Catalog{msgs: map[Lang]map[string]string{
		English: {"a": "%d cities", "b": "x"},
		Korean:  {"a": "도시 %s개", "c": "y"},
	}}
	err := c.check()
	if err == nil {
		t.Fatal("no error for disagreeing catalogues")
	}
	for _, want := range []string{`key "b" missing`, `key "a" has placeholders`, `key "c" is not in English`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestT(t *testing.T) {
	c := &Catalog{msgs: map[Lang]map[string]string{
		English: {"n": "%d cities", "only": "English only"},
		Korean:  {"n": "도시 %d개"},
	}}
	tests := []struct {
		lang Lang
		key  string
		args []any
		want string
	}{
		{English, "n", []any{3}, "3 cities"},
		{Korean, "n", []any{3}, "도시 3개"},
		{Korean, "only", nil, "English only"},
		{Korean, "nope", nil, "[nope]"},
	}
	for _, tc := range tests {
		if got := c.T(tc.lang, tc.key, tc.args...); got != tc.want {
			t.Errorf("T(%s, %s) = %q, want %q", tc.lang, tc.key, got, tc.want)
		}
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		choice, accept string
		want           Lang
	}{
		{"", "", English},
		{"", "ko-KR,ko;q=0.9,en-US;q=0.8", Korean},
		{"", "fr-FR,fr;q=0.9,ko;q=0.5,en;q=0.4", Korean},
		{"", "en-GB,ko;q=0.9", English},
		{"", "de", English},
		{"ko", "en", Korean},
		{"en", "ko", English},
		{"xx", "ko", Korean},
		{"", "ko;q=0,en;q=0.1", English},
	}
	for _, tc := range tests {
		if got := Negotiate(tc.choice, tc.accept); got != tc.want {
			t.Errorf("Negotiate(%q, %q) = %s, want %s", tc.choice, tc.accept, got, tc.want)
		}
	}
}
