// Package i18ntest is for tests: it checks that a domain package's errors
// and problems are worded by message-catalogue keys, so that a page shows
// them in its reader's language.
package i18ntest

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
)

var (
	loadOnce sync.Once
	cat      *i18n.Catalog
	loadErr  error
)

// Catalog is the message catalogues, loaded once.
func Catalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	loadOnce.Do(func() { cat, loadErr = i18n.Load() })
	if loadErr != nil {
		t.Fatal(loadErr)
	}
	return cat
}

// WantKeyed checks that err is a *citylens.Error worded by a catalogue key
// whose English text, with the error's arguments, is the error's English
// message (for an error with problems, the start of it: its message goes
// on to list them), and whose Korean text is a translation; and that each
// of its problems is worded likewise (WantKeyedProblems).
func WantKeyed(t testing.TB, err error) {
	t.Helper()
	e := citylens.AsError(err)
	if e == nil {
		t.Errorf("error %v is not a *citylens.Error", err)
		return
	}
	c := Catalog(t)
	if e.Key == "" {
		t.Errorf("error %q (%s) has no message key", e.Message, e.Code)
		return
	}
	if !c.Has(e.Key) {
		t.Errorf("error %q: key %s is not in the catalogues", e.Message, e.Key)
		return
	}
	en := c.T(i18n.English, e.Key, e.Args...)
	switch {
	case len(e.Problems) > 0 && !strings.HasPrefix(e.Message, en):
		t.Errorf("key %s in English reads %q, the message %q does not start with it", e.Key, en, e.Message)
	case len(e.Problems) == 0 && en != e.Message:
		t.Errorf("key %s in English reads %q, the message is %q", e.Key, en, e.Message)
	}
	wantKorean(t, e.Key, c.T(i18n.Korean, e.Key, e.Args...), en)
	wantArgs(t, e.Key, e.Args)
	WantKeyedProblems(t, e.Problems)
}

// WantKeyedProblems checks that every problem is worded by a catalogue key
// whose English text, with the problem's arguments, is the problem's
// reason, and whose Korean text is a translation.
func WantKeyedProblems(t testing.TB, ps []citylens.Problem) {
	t.Helper()
	c := Catalog(t)
	for _, p := range ps {
		if p.Key == "" {
			t.Errorf("problem %q has no message key", p.Reason)
			continue
		}
		if !c.Has(p.Key) {
			t.Errorf("problem %q: key %s is not in the catalogues", p.Reason, p.Key)
			continue
		}
		en := c.T(i18n.English, p.Key, p.Args...)
		if en != p.Reason {
			t.Errorf("key %s in English reads %q, the reason is %q", p.Key, en, p.Reason)
		}
		wantKorean(t, p.Key, c.T(i18n.Korean, p.Key, p.Args...), en)
		wantArgs(t, p.Key, p.Args)
	}
}

// wantArgs checks the keyed arguments of a message: a phrase's English is
// its key's, a keyed error is worded as WantKeyed says.
func wantArgs(t testing.TB, key string, args []any) {
	t.Helper()
	c := Catalog(t)
	for _, a := range args {
		switch v := a.(type) {
		case citylens.Phrase:
			if v.Key == "" {
				continue
			}
			if !c.Has(v.Key) {
				t.Errorf("key %s: argument %q: key %s is not in the catalogues", key, v.English, v.Key)
			} else if en := c.T(i18n.English, v.Key, v.Args...); en != v.English {
				t.Errorf("key %s: argument key %s in English reads %q, the phrase is %q", key, v.Key, en, v.English)
			}
		case *citylens.Error:
			WantKeyed(t, v)
		}
	}
}

// wantKorean checks that ko, key's Korean text, is Korean: Hangul, and not
// the English text.
func wantKorean(t testing.TB, key, ko, en string) {
	t.Helper()
	if ko == en || !strings.ContainsFunc(ko, func(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }) {
		t.Errorf("key %s in Korean reads %q: not a translation of %q", key, ko, en)
	}
}

// keyedCall matches a keyed message in Go source: citylens.Ef(code, key,
// format, ...) or Problem.Keyed(key, format, ...).
var keyedCall = regexp.MustCompile(`(?:Ef\(citylens\.\w+, |Keyed\()("[a-z0-9_.]+"), ("(?:[^"\\]|\\.)*")`)

// MessagesMatchCatalogue checks every keyed message in the Go files of the
// test's package directory: its key is in both catalogues, and the
// catalogue's English is the English format the code logs, so the CLI and
// the pages say the same. atLeast is how many such messages the package
// has at least (fewer means the pattern has gone stale).
func MessagesMatchCatalogue(t *testing.T, atLeast int) {
	t.Helper()
	cat := Catalog(t)
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
		for _, m := range keyedCall.FindAllStringSubmatch(string(src), -1) {
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
	if n < atLeast {
		t.Errorf("found %d keyed messages; the pattern has gone stale", n)
	}
}
