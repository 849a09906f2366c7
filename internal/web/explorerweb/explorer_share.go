package explorerweb

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/csvsafe"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/web"
)

// Share and embed. Every chart has a permanent link (its release's hash in
// the path, so the link shows the same figures for good), its data as CSV
// and an embeddable version: a page of the chart alone under /embed/...,
// the only pages other sites may frame (their Content-Security-Policy
// names no frame ancestor restriction; every other page forbids framing).

// registerCharts adds the charts' CSV files, the embeddable charts and the
// printable profile.
func (a *Explorer) registerCharts(s *web.Server) {
	for _, base := range []string{"", "/releases/{hash}"} {
		s.Page("GET "+base+"/cities/{code}/pillars.csv", web.AccessPublic, a.explorerPillarsCSV)
		s.Page("GET "+base+"/cities/{code}/trend.csv", web.AccessPublic, a.explorerTrendCSV)
		s.Page("GET "+base+"/cities/{code}/profile.pdf", web.AccessPublic, a.explorerProfilePDF)
		s.Page("GET "+base+"/embed/cities/{code}", web.AccessPublic, a.embedProfile)
		s.Page("GET "+base+"/embed/cities/{code}/{chart}", web.AccessPublic, a.embedCityChart)
		s.Page("GET "+base+"/embed/compare", web.AccessPublic, a.embedCompare)
		s.Page("GET "+base+"/embed/indicators/{code}/distribution", web.AccessPublic, a.embedDistribution)
	}
	s.Page("GET /map.csv", web.AccessPublic, a.explorerMapCSV)
	s.Page("GET /embed/map", web.AccessPublic, a.embedMap)
	s.Page("GET /search", web.AccessPublic, a.explorerSearch)
}

// chartLinks are a chart's share, CSV and embed links.
type chartLinks struct {
	Share, CSV, Embed, Title string
	Width, Height            int
}

// tools is the line under a chart: its permanent link, its data and the
// code to embed it.
func (l chartLinks) tools(t tr) template.HTML {
	var b svgb
	b.f(`<div class="chart-tools"><a class="share-link" href="%s" data-copy="%s" data-copied="%s">%s</a>`, esc(l.Share), esc(t("ex.chart.copy")), esc(t("ex.chart.copied")), esc(t("ex.chart.share")))
	if l.CSV != "" {
		b.f(` · <a class="csv-link" href="%s" download>%s</a>`, esc(l.CSV), esc(t("ex.chart.csv")))
	}
	if l.Embed != "" {
		code := `<iframe src="` + l.Embed + `" width="` + strconv.Itoa(l.Width) + `" height="` + strconv.Itoa(l.Height) +
			`" title="` + esc(l.Title) + `" loading="lazy" style="border:0;max-width:100%"></iframe>`
		b.f(` · <details class="embed"><summary>%s</summary><label>%s <textarea class="embed-code" readonly rows="3" data-src="%s">%s</textarea></label> <a class="embed-link" href="%s">%s</a></details>`,
			esc(t("ex.chart.embed")), esc(t("ex.chart.embed_code")), esc(l.Embed), esc(code), esc(l.Embed), esc(t("ex.chart.embed_preview")))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// figure is a chart with its links, as the pages place it.
type figure struct {
	chart
	Tools template.HTML
}

func newFigure(c chart, l chartLinks, t tr) figure { return figure{chart: c, Tools: l.tools(t)} }

// pinned is the permanent prefix of a release's pages.
func pinned(v *relView) string { return "/releases/" + v.Rec.Hash }

// --- CSV of a city's charts ---

func (a *Explorer) explorerPillarsCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	p, err := v.rel.Profile(r.PathValue("code"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write([]string{"city", "name", "score", "score_name", "value", "band_q5", "band_q95", "rank", "stage", "peer_median", "network_best"})
	names := v.nodeNames()
	rank := ""
	if p.Ranked {
		rank = web.Itoa(p.Rank)
	}
	cw.Write([]string{p.City.Code, p.City.Name, v.Sum.Index, names[v.Sum.Index], optNum(p.Score), optNum(p.ScoreBand.Q5), optNum(p.ScoreBand.Q95), rank, p.Stage, "", ""})
	for _, pl := range p.Pillars {
		pr := ""
		if pl.Rank > 0 {
			pr = web.Itoa(pl.Rank)
		}
		cw.Write([]string{p.City.Code, p.City.Name, pl.Code, names[pl.Code], optNum(pl.Score), optNum(pl.Band.Q5), optNum(pl.Band.Q95), pr, pl.Stage, optNum(pl.PeerMedian), optNum(pl.NetworkBest)})
	}
	cw.Flush()
	writeCSV(w, v.Rec.Edition+"-"+v.Short()+"-"+p.City.Code+"-pillars.csv", buf.Bytes())
	return cw.Error()
}

func (a *Explorer) explorerTrendCSV(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	fam, err := a.family(r.Context(), v)
	if err != nil {
		return err
	}
	trend, err := release.Trend(code, fam)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write([]string{"city", "edition", "release", "ranked", "rank", "rank_q5", "rank_q95", "cities", "score", "stage"})
	for _, p := range trend {
		rank := ""
		if p.Ranked {
			rank = web.Itoa(p.Rank)
		}
		cw.Write([]string{code, p.Edition, p.Hash, strconv.FormatBool(p.Ranked), rank, optNum(p.RankBand.Q5), optNum(p.RankBand.Q95), web.Itoa(p.Cities), optNum(p.Score), p.Stage})
	}
	cw.Flush()
	writeCSV(w, v.Rec.Edition+"-"+v.Short()+"-"+code+"-trend.csv", buf.Bytes())
	return cw.Error()
}

// explorerMapCSV writes the home map's values: every city placed on it,
// its coordinates and its value of the measure (empty when it has none).
func (a *Explorer) explorerMapCSV(w http.ResponseWriter, r *http.Request) error {
	lang := web.RequestLang(w, r)
	m, v, err := a.homeMap(w, r, lang)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	cw.Write([]string{"city", "name", "measure", "unit", "value"})
	for _, row := range m.Rows {
		cw.Write([]string{row.Code, row.Name, m.Measure.Code, m.Measure.Unit, optNum(row.Value)})
	}
	cw.Flush()
	name := "map.csv"
	if v != nil {
		name = v.Rec.Edition + "-" + v.Short() + "-map-" + m.Measure.Code + ".csv"
	}
	writeCSV(w, name, buf.Bytes())
	return cw.Error()
}

// homeMap is the map a request asks for (?map=), of the latest release.
func (a *Explorer) homeMap(w http.ResponseWriter, r *http.Request, lang i18n.Lang) (*worldMap, *relView, error) {
	cities, err := a.store.ListCities(r.Context(), membersAll)
	if err != nil {
		return nil, nil, err
	}
	v, err := a.resolveRelease(r)
	if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return nil, nil, err
	}
	if err != nil {
		v = nil
	}
	m, err := a.worldMap(lang, cities, v, r.URL.Query().Get("map"))
	return m, v, err
}

// --- embeddable charts ---

// embedData is an embeddable page: one chart (or a profile card) with its
// source link.
type embedData struct {
	Lang     string
	Title    string
	Heading  string
	Facts    [][2]string
	Chart    chart
	Legend   []legendBin
	Source   string // the full page on this site
	Attrib   string
	Demo     bool
	NoScript bool
}

// renderEmbed writes an embeddable page, framable by any site.
func (a *Explorer) renderEmbed(w http.ResponseWriter, lang i18n.Lang, d embedData) error {
	d.Lang = string(lang)
	var buf bytes.Buffer
	if err := a.s.ExecutePage(&buf, lang, "explorer_embed.html", "embed", d); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "template explorer_embed.html: %v", err)
	}
	allowFraming(w)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
	return nil
}

// allowFraming lets other sites frame the response: only embeddable pages
// call it.
func allowFraming(w http.ResponseWriter) {
	h := w.Header()
	h.Del("X-Frame-Options")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors *; form-action 'self'")
}

func (a *Explorer) translator(lang i18n.Lang) tr {
	return func(k string, args ...any) string { return a.s.Catalog().T(lang, k, args...) }
}

func (a *Explorer) embedCityChart(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(w, r)
	t := a.translator(lang)
	code := r.PathValue("code")
	p, err := v.rel.Profile(code)
	if err != nil {
		return err
	}
	d := embedData{Heading: p.City.Name + " · " + v.Name(), Source: pinned(v) + "/cities/" + url.PathEscape(code), Attrib: v.Attribution, Demo: v.Rec.Demo}
	switch r.PathValue("chart") {
	case "pillars":
		d.Chart = pillarsChart(p, v.Sum.Index, v.nodeNames(), t)
		d.Source += "#chart-pillars"
	case "trend":
		fam, err := a.family(r.Context(), v)
		if err != nil {
			return err
		}
		trend, err := release.Trend(code, fam)
		if err != nil {
			return err
		}
		d.Chart = trendChartOf(trend, t)
		d.Source += "#chart-trend"
	default:
		return citylens.Ef(citylens.ENOTFOUND, "ex.error.no_chart", "there is no chart %q of a city: there are pillars and trend", r.PathValue("chart"))
	}
	d.Title = d.Heading
	return a.renderEmbed(w, lang, d)
}

func (a *Explorer) embedProfile(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(w, r)
	t := a.translator(lang)
	p, err := v.rel.Profile(r.PathValue("code"))
	if err != nil {
		return err
	}
	d := embedData{Title: p.City.Name, Heading: p.City.Name + " · " + v.Name(), Source: pinned(v) + "/cities/" + url.PathEscape(p.City.Code),
		Attrib: v.Attribution, Demo: v.Rec.Demo, Chart: pillarsChart(p, v.Sum.Index, v.nodeNames(), t)}
	if p.Ranked {
		d.Facts = append(d.Facts, [2]string{t("ex.col.rank"), strconv.Itoa(p.Rank) + " / " + strconv.Itoa(v.Sum.Ranked)},
			[2]string{t("ex.col.band"), bandText(p.RankBand)}, [2]string{t("ex.col.score"), val(p.Score)}, [2]string{t("ex.col.stage"), p.Stage})
	} else {
		d.Facts = append(d.Facts, [2]string{t("ex.col.rank"), t("ex.city.not_ranked")})
	}
	return a.renderEmbed(w, lang, d)
}

func bandText(b release.Band) string {
	if b.Q5 == nil || b.Q95 == nil {
		return "—"
	}
	return strconv.FormatFloat(*b.Q5, 'f', 0, 64) + "–" + strconv.FormatFloat(*b.Q95, 'f', 0, 64)
}

func (a *Explorer) embedCompare(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(w, r)
	codes := compareCodes(r.URL.Query())
	rows, err := v.rel.Compare(codes)
	if err != nil {
		return err
	}
	var names []string
	for _, row := range rows {
		names = append(names, row.City.Name)
	}
	d := embedData{Title: strings.Join(names, " · "), Heading: strings.Join(names, " · ") + " · " + v.Name(), Source: pinned(v) + "/compare?" + codesQuery(codes),
		Attrib: v.Attribution, Demo: v.Rec.Demo, Chart: compareChartOf(rows, v.Sum.Index, v.nodeNames(), a.translator(lang))}
	return a.renderEmbed(w, lang, d)
}

func codesQuery(codes []string) string {
	q := url.Values{"c": codes}
	return q.Encode()
}

func (a *Explorer) embedDistribution(w http.ResponseWriter, r *http.Request) error {
	v, err := a.resolveRelease(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(w, r)
	iv, err := v.rel.Indicator(r.PathValue("code"))
	if err != nil {
		return err
	}
	d := embedData{Title: iv.Name, Heading: iv.Name + " · " + v.Name(), Source: pinned(v) + "/indicators/" + url.PathEscape(iv.Code),
		Attrib: v.Attribution, Demo: v.Rec.Demo, Chart: histogramOf(iv.Distribution, iv.Unit, a.translator(lang))}
	return a.renderEmbed(w, lang, d)
}

func (a *Explorer) embedMap(w http.ResponseWriter, r *http.Request) error {
	lang := web.RequestLang(w, r)
	m, v, err := a.homeMap(w, r, lang)
	if err != nil {
		return err
	}
	d := embedData{Title: a.translator(lang)("ex.home.map.title_by", m.Points, m.Measure.Name), Chart: chart{ID: "chart-map", SVG: m.SVG}, Legend: m.Legend, Source: "/"}
	if m.Measure.Code != "" {
		d.Source = "/?map=" + url.QueryEscape(m.Measure.Code)
	}
	d.Heading = d.Title
	if v != nil {
		d.Attrib, d.Demo = v.Attribution, v.Rec.Demo
	}
	return a.renderEmbed(w, lang, d)
}

// profileLinks are a city profile's permanent link, printable version and
// embeddable card.
type profileLinks struct {
	Share, PDF, PDFOther, Embed string
	EmbedCode                   string
}

// cityFigures draws a city page's charts with their links.
func (a *Explorer) cityFigures(lang i18n.Lang, v *relView, d *cityData) {
	t := a.translator(lang)
	p := d.P
	city := "/cities/" + url.PathEscape(p.City.Code)
	pin := pinned(v) + city
	embedBase := pinned(v) + "/embed" + city
	d.Links = profileLinks{Share: pin, PDF: v.Base + city + "/profile.pdf?lang=" + string(lang), Embed: embedBase + "?lang=" + string(lang)}
	other := "ko"
	if lang == "ko" {
		other = "en"
	}
	d.Links.PDFOther = v.Base + city + "/profile.pdf?lang=" + other
	d.Links.EmbedCode = `<iframe src="` + d.Links.Embed + `" width="680" height="420" title="` + esc(p.City.Name) + `" loading="lazy" style="border:0;max-width:100%"></iframe>`
	if !d.NotInRelease {
		d.Chart = newFigure(pillarsChart(p, v.Sum.Index, d.Names, t), chartLinks{Share: pin + "#chart-pillars", CSV: v.Base + city + "/pillars.csv",
			Embed: embedBase + "/pillars?lang=" + string(lang), Title: t("ex.city.chart_title"), Width: 680, Height: 380}, t)
	}
	if len(d.Trend) > 0 {
		d.TrendSVG = newFigure(trendChartOf(d.Trend, t), chartLinks{Share: pin + "#chart-trend", CSV: v.Base + city + "/trend.csv",
			Embed: embedBase + "/trend?lang=" + string(lang), Title: t("ex.city.trend"), Width: 680, Height: 320}, t)
	}
}

func (a *Explorer) compareFigure(lang i18n.Lang, v *relView, rows []release.CompareRow, codes []string) figure {
	t := a.translator(lang)
	q := codesQuery(codes)
	return newFigure(compareChartOf(rows, v.Sum.Index, v.nodeNames(), t), chartLinks{Share: pinned(v) + "/compare?" + q + "#chart-compare",
		CSV: v.Base + "/compare.csv?" + q, Embed: pinned(v) + "/embed/compare?" + q + "&lang=" + string(lang), Title: t("ex.compare.chart"), Width: 680, Height: 520}, t)
}

func (a *Explorer) distributionFigure(lang i18n.Lang, v *relView, iv *release.IndicatorView) figure {
	t := a.translator(lang)
	ind := "/indicators/" + url.PathEscape(iv.Code)
	return newFigure(histogramOf(iv.Distribution, iv.Unit, t), chartLinks{Share: pinned(v) + ind + "#chart-distribution",
		CSV: v.Base + ind + "/distribution.csv", Embed: pinned(v) + "/embed" + ind + "/distribution?lang=" + string(lang), Title: iv.Name, Width: 680, Height: 330}, t)
}
