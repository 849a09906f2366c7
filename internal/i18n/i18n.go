// Package i18n holds CityLens's message catalogues and picks a reader's
// language. Every text a page shows comes from a catalogue, by key; English
// and Korean are complete, and a test fails when a key or a placeholder is
// missing from either.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
)

// Lang is a language tag CityLens speaks.
type Lang string

// The languages with complete catalogues; English is the fallback.
const (
	English Lang = "en"
	Korean  Lang = "ko"
)

// Languages returns the languages, English first.
func Languages() []Lang { return []Lang{English, Korean} }

// Name is a language's name in itself, for the language switch.
func (l Lang) Name() string {
	switch l {
	case Korean:
		return "한국어"
	}
	return "English"
}

//go:embed messages/*.json
var messageFiles embed.FS

// Catalog holds every language's messages.
type Catalog struct {
	msgs map[Lang]map[string]string
}

// placeholder matches a fmt verb, capturing its letter.
var placeholder = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?([vdsfgqxXeE%])`)

// Load reads the embedded catalogues and checks that they agree: the same
// keys in every language, and the same placeholders in each message.
//
// A language's catalogue is messages/<lang>.json plus any number of
// messages/<area>.<lang>.json files, one per system (survey, prize, ...),
// so that areas built side by side do not edit one file. A key defined in
// two files of a language is an error.
func Load() (*Catalog, error) {
	c := &Catalog{msgs: map[Lang]map[string]string{}}
	for _, l := range Languages() {
		files, err := fs.Glob(messageFiles, "messages/*."+string(l)+".json")
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", l, err)
		}
		files = append([]string{"messages/" + string(l) + ".json"}, files...)
		m := map[string]string{}
		from := map[string]string{}
		for _, name := range files {
			b, err := messageFiles.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", l, err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(b, &part); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for k, v := range part {
				if prev, ok := from[k]; ok {
					return nil, fmt.Errorf("i18n: key %q is in both %s and %s", k, prev, name)
				}
				from[k] = name
				m[k] = v
			}
		}
		c.msgs[l] = m
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// check reports every key missing from a language and every message whose
// placeholders differ from English's.
func (c *Catalog) check() error {
	var problems []string
	en := c.msgs[English]
	for _, l := range Languages()[1:] {
		m := c.msgs[l]
		for k, v := range en {
			tv, ok := m[k]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q missing", l, k))
				continue
			}
			if a, b := placeholders(v), placeholders(tv); a != b {
				problems = append(problems, fmt.Sprintf("%s: key %q has placeholders %q, English %q", l, k, b, a))
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				problems = append(problems, fmt.Sprintf("%s: key %q is not in English", l, k))
			}
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("i18n: catalogues disagree:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// placeholders lists a message's fmt verbs, sorted (translations may reorder
// them with explicit indexes such as %[2]s).
func placeholders(s string) string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(s, -1) {
		if m[1] != "%" {
			out = append(out, m[1])
		}
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// Has reports whether key exists (in English, hence in every language).
func (c *Catalog) Has(key string) bool {
	_, ok := c.msgs[English][key]
	return ok
}

// Keys returns every key, sorted.
func (c *Catalog) Keys() []string {
	out := make([]string, 0, len(c.msgs[English]))
	for k := range c.msgs[English] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// T returns the message for key in lang, formatted with args. An unknown key
// comes back as "[key]" so that it shows on the page and tests catch it.
// An argument that is itself worded by key (a citylens.Phrase, a keyed
// *citylens.Error) is worded in lang too.
//
// A message whose first argument is the number 1 is worded by key+".one"
// when the catalogue has it ("1 city", not "1 cities"); other numbers use
// key itself.
func (c *Catalog) T(lang Lang, key string, args ...any) string {
	if len(args) > 0 && isOne(args[0]) {
		if _, ok := c.msgs[English][key+".one"]; ok {
			key += ".one"
		}
	}
	msg, ok := c.msgs[lang][key]
	if !ok {
		msg, ok = c.msgs[English][key]
	}
	if !ok {
		return "[" + key + "]"
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, c.words(lang, args)...)
}

// isOne reports whether a message argument is the integer 1.
func isOne(a any) bool {
	switch v := a.(type) {
	case int:
		return v == 1
	case int64:
		return v == 1
	case int32:
		return v == 1
	case uint:
		return v == 1
	case uint64:
		return v == 1
	}
	return false
}

// words returns args with the keyed ones worded in lang (args itself when
// none is).
func (c *Catalog) words(lang Lang, args []any) []any {
	var out []any
	for i, a := range args {
		var w string
		switch v := a.(type) {
		case citylens.Phrase:
			if v.Key == "" {
				continue
			}
			w = c.T(lang, v.Key, v.Args...)
		case *citylens.Error:
			if v == nil || v.Key == "" {
				continue
			}
			w = c.T(lang, v.Key, v.Args...)
		default:
			continue
		}
		if out == nil {
			out = append([]any(nil), args...)
		}
		out[i] = w
	}
	if out == nil {
		return args
	}
	return out
}

// Funcs returns template functions bound to lang: {{t "key" args...}} and
// {{lang}}.
func (c *Catalog) Funcs(lang Lang) template.FuncMap {
	return template.FuncMap{
		"t":    func(key string, args ...any) string { return c.T(lang, key, args...) },
		"lang": func() string { return string(lang) },
	}
}

// Negotiate picks the language: an explicit choice (a ?lang= parameter or
// the language cookie) wins, then the browser's Accept-Language by quality,
// then English.
func Negotiate(choice, acceptLanguage string) Lang {
	if l, ok := Parse(choice); ok {
		return l
	}
	type cand struct {
		lang Lang
		q    float64
		pos  int
	}
	var cands []cand
	for i, part := range strings.Split(acceptLanguage, ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		l, ok := Parse(fields[0])
		if !ok {
			continue
		}
		q := 1.0
		for _, f := range fields[1:] {
			if v, found := strings.CutPrefix(strings.TrimSpace(f), "q="); found {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					q = x
				}
			}
		}
		if q > 0 {
			cands = append(cands, cand{l, q, i})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].q > cands[b].q })
	if len(cands) > 0 {
		return cands[0].lang
	}
	return English
}

// Parse reads a language tag ("ko", "ko-KR", "en-GB") into a language CityLens speaks.
func Parse(tag string) (Lang, bool) {
	base := strings.ToLower(strings.TrimSpace(strings.SplitN(strings.SplitN(tag, "-", 2)[0], "_", 2)[0]))
	for _, l := range Languages() {
		if base == string(l) {
			return l, true
		}
	}
	return "", false
}
