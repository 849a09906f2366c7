// Package officesweb is the regional offices' part of the web layer: the
// list of offices, each office's public page (its cities and their public
// partnerships) and its dashboard for the secretariat and the officers of
// its region (package offices decides who sees which dashboard).
package officesweb

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/offices"
	"github.com/citylens/citylens/internal/web"
)

// Area is the regional offices' web area.
type Area struct {
	svc *offices.Service
	s   *web.Server
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the regional offices' area.
func New(svc *offices.Service) *Area { return &Area{svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

// Templates are the offices' pages (offices_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// AccessOfficers may open dashboards: the secretariat and regional
// officers (the service keeps an officer to its region's offices).
var AccessOfficers = web.Access{Name: "office-officers", Roles: []accounts.Role{accounts.RoleAdmin, accounts.RoleRegional}}

// Register adds the offices' routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /offices", web.AccessPublic, a.listPage)
	s.Page("GET /offices/{code}", web.AccessPublic, a.officePage)
	s.Page("GET /offices/{code}/dashboard", AccessOfficers, a.dashboardPage)
}

// Nav links a regional officer's dashboard and, for the secretariat, the
// list of offices.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	switch v.User.Role {
	case accounts.RoleAdmin, accounts.RoleRegional:
		return []web.NavLink{{Href: "/offices", Label: "nav.regoffices"}}
	}
	return nil
}

func (a *Area) listPage(w http.ResponseWriter, r *http.Request) error {
	os, err := a.svc.List(r.Context())
	if err != nil {
		return err
	}
	v := web.ViewerOf(r)
	return a.s.Render(w, r, "offices_list.html", map[string]any{"Offices": os, "Admin": v.User.Role == accounts.RoleAdmin,
		"Region": regionOf(v)})
}

func regionOf(v web.Viewer) string {
	if v.User.Role == accounts.RoleRegional {
		return v.User.RegionCode
	}
	return ""
}

// canDash reports whether v may open the dashboard of an office of region.
func canDash(v web.Viewer, region string) bool {
	return v.User.Role == accounts.RoleAdmin || v.User.Role == accounts.RoleRegional && v.User.RegionCode == region
}

func (a *Area) officePage(w http.ResponseWriter, r *http.Request) error {
	p, err := a.svc.Page(r.Context(), strings.TrimSpace(r.PathValue("code")))
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	return a.s.Render(w, r, "offices_office.html", map[string]any{"P": p, "Lang": lang, "Names": names(p, lang),
		"CanDash": canDash(web.ViewerOf(r), p.Office.RegionCode)})
}

// names are the office's cities' and the partnerships' parties' names in
// lang, by code.
func names(p *offices.Page, lang string) map[string]string {
	out := map[string]string{}
	for _, c := range p.Cities {
		out[c.Code] = c.NameIn(lang)
	}
	for code, c := range p.Parties {
		if c.Code != "" {
			out[code] = c.NameIn(lang)
		} else {
			out[code] = code
		}
	}
	for code, n := range p.Partners {
		if n == "" {
			n = code
		}
		out[code] = n
	}
	return out
}

func (a *Area) dashboardPage(w http.ResponseWriter, r *http.Request) error {
	v := web.ViewerOf(r)
	d, err := a.svc.Dashboard(r.Context(), offices.Viewer{Admin: v.User.Role == accounts.RoleAdmin, Region: regionOf(v)},
		strings.TrimSpace(r.PathValue("code")))
	if err != nil {
		return err
	}
	lang := string(web.ReaderLang(r))
	return a.s.Render(w, r, "offices_dashboard.html", map[string]any{"D": d, "Lang": lang, "Names": names(&d.Page, lang)})
}
