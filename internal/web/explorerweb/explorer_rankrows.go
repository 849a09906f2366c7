package explorerweb

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/citylens/citylens/internal/web"
)

// RowsHTML writes the rankings table's rows in Go rather than in the
// template, as ValueRows does for a profile's values: a rankings page is
// rendered for every filter, sort and page of a static export in two
// languages, and the template's reflection per cell was most of its cost.
// The markup is exactly what the template wrote (TestRankingRowsMatchTemplate
// keeps the two equal).
func (d *rankingsData) RowsHTML() template.HTML {
	v := d.R
	esc := escapeHTML
	var b strings.Builder
	b.Grow(len(d.Rows) * 1600)
	for _, x := range d.Rows {
		tied := x.TieSize > 1
		b.WriteString(`<tr data-city="`)
		b.WriteString(esc(x.City.Code))
		b.WriteString(`" data-region="`)
		b.WriteString(esc(x.City.Region))
		b.WriteString(`"`)
		if tied {
			pos := "mid"
			if x.Rank == x.TieFrom {
				pos = "first"
			} else if x.Rank == x.TieTo {
				pos = "last"
			}
			fmt.Fprintf(&b, ` data-tie-group="%d" class="tied tie-%s tie-g%d"`, x.TieGroup, pos, x.TieGroup%2)
		}
		b.WriteString(">\n<td class=\"num\">")
		b.WriteString(strconv.Itoa(x.Rank))
		if tied {
			b.WriteString(`<abbr class="tie" title="`)
			b.WriteString(esc(v.cat.T(v.lang, "ex.tie.with", x.TieFrom, x.TieTo, web.TieNames(x.TiedWith, d.Names))))
			b.WriteString(`">=</abbr>`)
		}
		name := v.CityName(x.City.Code, x.City.Name)
		b.WriteString("</td>\n<td><a href=\"")
		b.WriteString(esc(v.Base + "/cities/" + normalizeURLPath(x.City.Code)))
		b.WriteString(`">`)
		b.WriteString(esc(name))
		b.WriteString(`</a>`)
		if other := v.OtherName(x.City.Code, x.City.Name); other != "" {
			b.WriteString(` <span class="official">(`)
			b.WriteString(esc(other))
			b.WriteString(`)</span>`)
		}
		b.WriteString(` <span class="muted">`)
		b.WriteString(esc(x.City.Country))
		b.WriteString("</span></td>\n<td>")
		band := web.RankBand(x.RankBand)
		aria := v.cat.T(v.lang, "ex.band.aria", band)
		b.WriteString(string(bandCell(x.Rank, x.RankBand, d.All, aria, name+": "+aria)))
		b.WriteString(` <span class="band-text">`)
		b.WriteString(esc(band))
		b.WriteString("</span></td>\n<td class=\"num\">")
		b.WriteString(esc(web.FormatNumber(x.Score, 1)))
		b.WriteString("</td>\n")
		for _, p := range x.Pillars.Slice() {
			b.WriteString(`<td class="num">`)
			if p.Missing {
				b.WriteString(`<span class="missing" title="`)
				b.WriteString(esc(v.cat.T(v.lang, "ex.missing.title")))
				b.WriteString(`">—</span>`)
			} else {
				b.WriteString(esc(web.FormatNumber(p.Score, 1)))
			}
			b.WriteString(`</td>`)
		}
		b.WriteString("\n<td>")
		b.WriteString(esc(web.Label(v.cat, v.lang, "stage", x.Stage)))
		b.WriteString(`</td><td>`)
		if x.Rating != "" {
			b.WriteString(esc(x.Rating))
		} else {
			b.WriteString(`—`)
		}
		b.WriteString("</td>\n<td class=\"num change\">")
		if x.New {
			b.WriteString(`<span class="new">`)
			b.WriteString(esc(v.cat.T(v.lang, "ex.change.new")))
			b.WriteString(`</span>`)
		} else {
			b.WriteString(esc(web.SignedChange(x.Change)))
		}
		b.WriteString("</td>\n</tr>")
	}
	return template.HTML(b.String())
}
