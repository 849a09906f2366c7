package judging

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

// TestMessagesMatchCatalogue checks every keyed message of the package
// (citylens.Ef and Problem.Keyed calls): its key is in both catalogues,
// and the catalogue's English is the English format the code logs, so
// the CLI and the pages say the same.
func TestMessagesMatchCatalogue(t *testing.T) {
	cat := i18ntest.Catalog(t)
	call := regexp.MustCompile(`(?:Ef\(citylens\.\w+, |Keyed\()("[a-z0-9_.]+"), ("(?:[^"\\]|\\.)*")`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range call.FindAllStringSubmatch(string(src), -1) {
			key, _ := strconv.Unquote(m[1])
			format, _ := strconv.Unquote(m[2])
			if key == "" {
				continue
			}
			n++
			if !cat.Has(key) {
				t.Errorf("%s: key %s is not in the catalogues", f, key)
				continue
			}
			if en := cat.T(i18n.English, key); en != format {
				t.Errorf("%s: key %s reads %q in the catalogue, %q in the code", f, key, en, format)
			}
		}
	}
	if n < 30 {
		t.Errorf("found %d keyed messages; the pattern has gone stale", n)
	}
}
