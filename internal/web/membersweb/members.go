// Package membersweb is the public member directory: the network's member
// and candidate cities, filtered by region, status and name, and a city's
// page with its regional office. Editing a city is administration's
// (adminweb); the directory links there for those who may.
package membersweb

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/citylens/citylens/internal/hdi"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Area is the member directory, read from the members store.
type Area struct {
	store members.Store
	s     *web.Server
}

// New is the member directory on store.
func New(store members.Store) *Area { return &Area{store: store} }

// Register adds the directory's pages.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /members", web.AccessPublic, a.memberDirectory, web.WithCache(web.CacheShort))
	s.Page("GET /members/{code}", web.AccessPublic, a.memberPage, web.WithCache(web.CacheShort))
}

// Templates are the directory's pages.
func (a *Area) Templates() fs.FS { return templateFiles }

// Nav links to the directory, for everyone.
func (a *Area) Nav(web.Viewer) []web.NavLink {
	return []web.NavLink{{Href: "/members", Label: "nav.members"}}
}

type directoryData struct {
	Cities  []members.City
	Regions []members.Region
	Filter  members.CityFilter
}

func (a *Area) memberDirectory(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := members.CityFilter{RegionCode: q.Get("region"), Query: q.Get("q"), Status: q.Get("status")}
	cities, err := a.store.ListCities(r.Context(), f)
	if err != nil {
		return err
	}
	regions, err := a.store.ListRegions(r.Context())
	if err != nil {
		return err
	}
	return a.s.Render(w, r, "members.html", directoryData{cities, regions, f})
}

func (a *Area) memberPage(w http.ResponseWriter, r *http.Request) error {
	c, err := a.store.City(r.Context(), r.PathValue("code"))
	if err != nil {
		return err
	}
	var office members.Office
	if c.OfficeCode != "" {
		if office, err = a.store.Office(r.Context(), c.OfficeCode); err != nil {
			return err
		}
	}
	return a.s.Render(w, r, "city.html", map[string]any{"City": c, "Office": office, "HDI": hdi.GroupOf(c.Country), "HDIValue": hdi.Index(c.Country),
		"CanEdit": web.CanEditCity(web.ViewerOf(r), c.Code, c.RegionCode)})
}
