package siteexport

import (
	"regexp"
	"strings"
	"testing"
)

// TestReplaceHrefs: the single-pass link rewriter finds exactly the
// site-relative href values a regular expression finds, leaves the rest of
// the page byte for byte, and copes with a page that ends mid-attribute.
func TestReplaceHrefs(t *testing.T) {
	re := regexp.MustCompile(`href="(/[^"]*)"`)
	pages := []string{
		`<a href="/cities/kr-seoul?lang=ko">서울</a> <a href="https://example.org/x">out</a> <a href="#top">top</a>`,
		`<link rel="icon" href="/static/favicon.svg"><a href="/rankings?sort=name&amp;page=2">2</a><a href="/">home</a>`,
		`no links at all`,
		`<a href="/releases/abc/cities/x">x</a><a href="/unterminated`,
		`href="/a"href="/b"`,
	}
	for _, p := range pages {
		var want []string
		for _, m := range re.FindAllStringSubmatch(p, -1) {
			want = append(want, m[1])
		}
		var got []string
		out := replaceHrefs(p, func(v string) string { got = append(got, v); return strings.ToUpper(v) })
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%q: links %q, want %q", p, got, want)
		}
		wantOut := re.ReplaceAllStringFunc(p, func(m string) string { return `href="` + strings.ToUpper(m[len(`href="`):len(m)-1]) + `"` })
		if out != wantOut {
			t.Errorf("%q: rewritten to %q, want %q", p, out, wantOut)
		}
	}
}
