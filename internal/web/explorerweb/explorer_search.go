package explorerweb

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// Site search: cities (by any of their names, their code or country),
// the latest release's indicators and pillars, and the site's public
// pages, matched in every language the site speaks, so "서울" finds Seoul
// and "rankings" finds the rankings from a Korean page. Matching ignores
// case and accents ("Bogota" finds Bogotá).

var membersAll = members.CityFilter{}

// maxQuery bounds a search's length (runes); maxHits a section's results.
const (
	maxQuery = 100
	maxHits  = 50
)

type searchHit struct {
	Href, Title, Detail string
}

type searchData struct {
	Q       string
	Cities  []searchHit
	Inds    []searchHit
	Pages   []searchHit
	Total   int
	TooLong bool
}

// searchPages are the public pages search finds: their link and the
// catalogue key of their title.
var searchPages = []struct{ Href, Key string }{
	{"/", "nav.home"}, {"/rankings", "nav.rankings"}, {"/methodology", "nav.methodology"}, {"/downloads", "nav.downloads"},
	{"/releases", "nav.releases"}, {"/compare", "ex.compare.title"}, {"/members", "nav.members"}, {"/catalogue", "nav.indicators"},
	{"/datacall", "nav.datacall"}, {"/api/v1/openapi.json", "ex.search.api"},
}

// fold is s lower-cased without accents, for matching.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func matches(q string, fields ...string) bool {
	for _, f := range fields {
		if f != "" && strings.Contains(fold(f), q) {
			return true
		}
	}
	return false
}

func (a *Explorer) explorerSearch(w http.ResponseWriter, r *http.Request) error {
	lang := web.RequestLang(w, r)
	raw := strings.TrimSpace(r.URL.Query().Get("q"))
	d := searchData{Q: raw}
	if len([]rune(raw)) > maxQuery {
		return citylens.Ef(citylens.EINVALID, "ex.error.search_long", "a search is at most %d characters long", maxQuery)
	}
	if raw == "" {
		return a.s.Render(w, r, "explorer_search.html", d)
	}
	q := fold(raw)
	cities, err := a.store.ListCities(r.Context(), membersAll)
	if err != nil {
		return err
	}
	v, err := a.resolveRelease(r)
	if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	if err != nil {
		v = nil
	}
	inRelease := map[string]bool{}
	if v != nil {
		for _, c := range v.rel.Cities() {
			inRelease[c.Code] = true
		}
	}
	for _, c := range cities {
		if !matches(q, cityNames(c)...) {
			continue
		}
		h := searchHit{Title: displayName(c, lang), Detail: c.Country, Href: "/members/" + url.PathEscape(c.Code)}
		if inRelease[c.Code] {
			h.Href = "/cities/" + url.PathEscape(c.Code)
		}
		if h.Title != c.Name {
			h.Detail = c.Name + " · " + c.Country
		}
		d.Cities = append(d.Cities, h)
	}
	sort.Slice(d.Cities, func(i, j int) bool { return d.Cities[i].Title < d.Cities[j].Title })
	if v != nil {
		for _, n := range v.rel.Methodology().Tree {
			if !matches(q, n.Name, n.Code) {
				continue
			}
			h := searchHit{Title: n.Name, Detail: n.Code, Href: "/indicators/" + url.PathEscape(n.Code)}
			if n.Kind != "indicator" {
				h.Href = "/methodology#framework"
			}
			d.Inds = append(d.Inds, h)
		}
	}
	cat := a.s.Catalog()
	for _, p := range searchPages {
		var titles []string
		for _, l := range i18n.Languages() {
			titles = append(titles, cat.T(l, p.Key))
		}
		if matches(q, append(titles, p.Href)...) {
			d.Pages = append(d.Pages, searchHit{Href: p.Href, Title: cat.T(lang, p.Key), Detail: p.Href})
		}
	}
	for _, s := range []*[]searchHit{&d.Cities, &d.Inds, &d.Pages} {
		if len(*s) > maxHits {
			*s = (*s)[:maxHits]
		}
		d.Total += len(*s)
	}
	return a.s.Render(w, r, "explorer_search.html", d)
}

// cityNames are every name a city is known by: official, local, its
// names in the platform's languages, its code and country.
func cityNames(c members.City) []string {
	return []string{c.Name, c.LocalName, c.Names.En, c.Names.Ko, c.Code, c.Country}
}

// displayName is a city's name in lang (members.City.NameIn).
func displayName(c members.City, lang i18n.Lang) string { return c.NameIn(string(lang)) }
