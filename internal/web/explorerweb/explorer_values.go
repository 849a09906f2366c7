package explorerweb

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// ValueRows writes the rows of a city profile's values table (one per
// indicator, 300 on a large framework) in Go rather than in the template:
// the template's reflection and escaping per cell made this table a third
// of a profile's first render and of a static export. The markup is
// exactly what the template wrote (TestValueRowsMatchTemplate keeps the two
// equal), escaped as html/template escapes it.
func (v *relView) ValueRows(p *release.Profile) template.HTML {
	var b strings.Builder
	b.Grow(len(p.Values) * 320)
	esc := escapeHTML
	for _, x := range p.Values {
		b.WriteString(`<tr><td><a href="`)
		b.WriteString(esc(v.Base + "/indicators/" + normalizeURLPath(x.Indicator)))
		b.WriteString(`">`)
		b.WriteString(esc(x.Name))
		b.WriteString(`</a></td><td class="num">`)
		switch {
		case x.Value != nil && p.Ranked:
			b.WriteString(`<input type="text" inputmode="decimal" name="`)
			b.WriteString(esc(x.Indicator))
			b.WriteString(`" value="`)
			b.WriteString(esc(web.FormatNumber(x.Value, 2)))
			b.WriteString(`" aria-label="`)
			b.WriteString(esc(x.Name))
			b.WriteString(`" size="8">`)
		case x.Value != nil:
			b.WriteString(esc(web.FormatNumber(x.Value, 1)))
		case x.Imputed:
			b.WriteString(`<i>`)
			b.WriteString(esc(web.FormatNumber(x.ImputedValue, 1)))
			b.WriteString(`</i>`)
		default:
			b.WriteString(`—`)
		}
		b.WriteString(`</td><td>`)
		b.WriteString(esc(x.Unit))
		b.WriteString(`</td><td>`)
		b.WriteString(esc(x.Source))
		b.WriteString(`</td><td class="num">`)
		if x.DataYear != 0 {
			b.WriteString(strconv.Itoa(x.DataYear))
		}
		b.WriteString(`</td><td>`)
		if x.Imputed {
			b.WriteString(`<span class="flag"`)
			if x.ImputedMethod != "" {
				key := "ex.imputed." + x.ImputedStage + "." + x.ImputedMethod
				title := v.cat.T(v.lang, key)
				if x.ImputedGroup != "" {
					title = v.cat.T(v.lang, key, x.ImputedGroup)
				}
				b.WriteString(` title="`)
				b.WriteString(esc(title))
				b.WriteString(`"`)
			}
			b.WriteString(`>`)
			b.WriteString(esc(v.cat.T(v.lang, "ex.flag.imputed")))
			b.WriteString(`</span>`)
		}
		if x.Estimated {
			b.WriteString(`<span class="flag">`)
			b.WriteString(esc(v.cat.T(v.lang, "ex.flag.estimated")))
			b.WriteString(`</span>`)
		}
		b.WriteString(`</td><td class="num">`)
		if x.Rank != 0 {
			b.WriteString(strconv.Itoa(x.Rank))
		}
		b.WriteString(`</td></tr>`)
	}
	return template.HTML(b.String())
}

// htmlEscaper escapes text and quoted attribute values exactly as
// html/template does (it also escapes + and NUL, which html.EscapeString
// leaves), so markup written in Go equals the template's.
var htmlEscaper = strings.NewReplacer("\x00", "\uFFFD", `"`, "&#34;", "&", "&amp;", "'", "&#39;", "+", "&#43;", "<", "&lt;", ">", "&gt;")

func escapeHTML(s string) string { return htmlEscaper.Replace(s) }

// normalizeURLPath percent-encodes s as html/template does a value in a
// URL's path: the characters a URL may hold (unreserved and reserved ones,
// and a % that starts an escape) are kept, every other byte becomes %xx.
func normalizeURLPath(s string) string {
	const hex = "0123456789abcdef"
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("-._~!#$&*+,/:;=?@[]", c) >= 0,
			c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			if b != nil {
				b = append(b, c)
			}
			continue
		}
		if b == nil {
			b = append(make([]byte, 0, len(s)+8), s[:i]...)
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	if b == nil {
		return s
	}
	return string(b)
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
