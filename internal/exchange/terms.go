package exchange

import (
	"unicode"
	"unicode/utf8"
)

// Terms splits text into the terms of the full-text index, the same for a
// case and a query so the store's search index only compares whole
// tokens the platform made: a word of a space-separated script (English, ...)
// is one term, lower-cased; a run of Hangul, Han, Hiragana or Katakana,
// which Korean and its neighbours write without spaces between a stem and
// its particles, becomes its overlapping two-character terms (a lone
// character is its own term), so "교통혼잡을" holds "교통" and "혼잡".
// Terms hold only letters and digits. A query's terms are deduplicated and at most
// MaxTerms; a case's are deduplicated.
func Terms(text string, query bool) []string {
	var out []string
	seen := map[string]bool{}
	emit := func(t string) bool {
		if t == "" || seen[t] {
			return true
		}
		seen[t] = true
		out = append(out, t)
		return !query || len(out) < MaxTerms
	}
	var word []rune
	cjk := false
	flush := func() bool {
		defer func() { word = word[:0] }()
		if len(word) == 0 {
			return true
		}
		if !cjk {
			return emit(string(word))
		}
		if len(word) == 1 {
			return emit(string(word))
		}
		for i := 0; i+1 < len(word); i++ {
			if !emit(string(word[i : i+2])) {
				return false
			}
		}
		return true
	}
	for len(text) > 0 {
		r, n := utf8.DecodeRuneInString(text)
		text = text[n:]
		switch {
		case unicode.IsMark(r):
			continue // diacritics join their letter's word
		case isCJK(r):
			if !cjk && !flush() {
				return out
			}
			cjk = true
			word = append(word, r)
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if cjk && !flush() {
				return out
			}
			cjk = false
			word = append(word, unicode.ToLower(r))
		default:
			if !flush() {
				return out
			}
		}
		if len(word) > 64 { // a run this long is not a word: cut it
			if !flush() {
				return out
			}
		}
	}
	flush()
	return out
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Hangul, r) || unicode.Is(unicode.Han, r) ||
		unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r)
}
