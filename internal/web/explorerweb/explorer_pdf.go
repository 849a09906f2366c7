package explorerweb

import (
	"bytes"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/profilepdf"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// The printable city profile: an A4 PDF made by the server, in the
// reader's language, with the rank and its band, the pillar scores, the
// peers and the sources of the values. A release never changes, so a
// profile is printed once per release, city, language and member list.

// maxPDFs bounds the printed profiles the explorer keeps.
const maxPDFs = 512

func (a *Explorer) explorerProfilePDF(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(w, r)
	code := r.PathValue("code")
	digest := ""
	if v.snap != nil {
		digest = v.snap.digest
	}
	key := string(lang) + "|" + v.Rec.Hash + "|" + digest + "|" + code
	var b []byte
	if c, ok := a.pdfs.Load(key); ok {
		b = c.([]byte)
	} else {
		p, err := v.rel.Profile(code)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := profilepdf.Write(&buf, a.profileDoc(lang, v, p)); err != nil {
			return err
		}
		b = buf.Bytes()
		if a.pdfCount.Add(1) > maxPDFs {
			a.pdfs.Clear()
			a.pdfCount.Store(1)
		}
		a.pdfs.Store(key, b)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+v.Rec.Edition+"-"+url.PathEscape(code)+"-"+string(lang)+`.pdf"`)
	w.Write(b)
	return nil
}

// profileDoc is what the printed profile says, in lang.
func (a *Explorer) profileDoc(lang i18n.Lang, v *relView, p *release.Profile) profilepdf.Doc {
	t := a.translator(lang)
	v.in(lang, a.s.Catalog())
	names := v.nodeNames()
	d := profilepdf.Doc{Lang: string(lang), Title: printable(v.CityName(p.City.Code, p.City.Name)), Subtitle: printable(p.City.Country + " · " + v.Name()),
		ChartHeading: t("ex.city.pillars"), AxisLabel: t("ex.chart.score_axis"), NoData: t("ex.chart.no_data"),
		LegendCity: printable(v.CityName(p.City.Code, p.City.Name)), LegendBand: t("ex.chart.band"), LegendMedian: t("ex.city.peer_median"), LegendBest: t("ex.city.network_best"),
		PeersHeading: t("ex.city.peers"), SourcesHeading: t("ex.pdf.sources"),
		Footer:    "CityLens · " + pinned(v) + "/cities/" + p.City.Code + " · " + t("ex.release") + " " + v.Short(),
		PageLabel: t("ex.pdf.page"), Created: v.Sum.PublishedAt}
	if v.Rec.Demo {
		d.Demo = t("ex.demo.label")
	}
	// The city's name in the reader's language, its official name beside.
	if v.snap != nil {
		if m, ok := v.snap.members[p.City.Code]; ok && displayName(m, lang) != p.City.Name {
			d.Title, d.LegendCity = printable(displayName(m, lang)), printable(displayName(m, lang))
			d.Subtitle = printable(p.City.Name + " · " + p.City.Country + " · " + v.Name())
		}
	}
	if p.Ranked {
		d.Facts = append(d.Facts,
			[2]string{t("ex.col.rank"), strconv.Itoa(p.Rank) + " / " + strconv.Itoa(v.Sum.Ranked)},
			[2]string{t("ex.col.band"), bandText(p.RankBand)},
			[2]string{t("ex.col.score"), val(p.Score) + " (" + val(p.ScoreBand.Q5) + "–" + val(p.ScoreBand.Q95) + ")"},
			[2]string{t("ex.col.stage"), printable(p.Stage)})
		if p.Rating != "" {
			d.Facts = append(d.Facts, [2]string{t("ex.col.rating"), p.Rating})
		}
	} else {
		d.Facts = append(d.Facts, [2]string{t("ex.col.rank"), t("ex.city.not_ranked")})
	}
	d.Facts = append(d.Facts, [2]string{t("ex.col.data_availability"), pct(p.DataAvailability)})
	d.Bars = append(d.Bars, profilepdf.Bar{Name: printable(names[v.Sum.Index]), Score: p.Score, Low: p.ScoreBand.Q5, High: p.ScoreBand.Q95, IsIndex: true})
	for _, pl := range p.Pillars {
		n := names[pl.Code]
		if n == "" {
			n = pl.Name
		}
		d.Bars = append(d.Bars, profilepdf.Bar{Name: printable(n), Score: pl.Score, Low: pl.Band.Q5, High: pl.Band.Q95, Median: pl.PeerMedian, Best: pl.NetworkBest})
	}
	d.PeerColumns = []string{t("ex.col.city"), t("ex.col.rank"), t("ex.col.band"), t("ex.col.score"), t("ex.col.stage")}
	for _, n := range p.Peers {
		d.Peers = append(d.Peers, []string{printable(v.CityName(n.City.Code, n.City.Name) + " (" + n.City.Country + ")"), strconv.Itoa(n.Rank), bandText(n.Band),
			strconv.FormatFloat(n.Score, 'f', 1, 64), printable(n.Stage)})
	}
	seen := map[string]int{}
	for _, val := range p.Values {
		if val.Source != "" && val.Value != nil {
			seen[val.Source]++
		}
	}
	for s, n := range seen {
		d.Sources = append(d.Sources, printable(s)+" — "+t("ex.pdf.values_n", n))
	}
	sort.Strings(d.Sources)
	d.Notes = append(d.Notes, t("ex.rankings.band_note"))
	if v.Attribution != "" {
		d.Notes = append(d.Notes, t("ex.attribution")+" "+printable(v.Attribution))
	}
	return d
}

// printable replaces the letters the embedded font has no glyph for
// (some of Latin Extended: ź, ł, ő…) by their base letter, so a name
// prints as "Lodz" rather than with empty boxes.
func printable(s string) string {
	ok := true
	for _, r := range s {
		if r >= 0x100 && r < 0x250 {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x100 || r >= 0x250 {
			b.WriteRune(r)
			continue
		}
		if rep, ok := strokeLetters[r]; ok {
			b.WriteString(rep)
			continue
		}
		base := []rune(norm.NFD.String(string(r)))[0]
		if base >= 0x100 || unicode.Is(unicode.Mn, base) {
			base = '?'
		}
		b.WriteRune(base)
	}
	return b.String()
}

var strokeLetters = map[rune]string{'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d", 'Ħ': "H", 'ħ': "h", 'ı': "i", 'Œ': "OE", 'œ': "oe", 'Ŀ': "L", 'ŀ': "l", 'Ŧ': "T", 'ŧ': "t", 'ƒ': "f"}
