// Package datacallweb is the data call's part of the web layer: a city's
// page (form, template, upload, submit), review, coverage and per-value
// history, and the JSON API a city's statistics office pushes values
// through (datacall_api.go). The handlers call the data-call service
// (internal/datacall) and read the records it works on.
package datacallweb

import (
	"context"
	"embed"
	"io/fs"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// Store is what the data call's handlers need from the database: the
// data call's, the catalogue's and the audit log's records (for the
// service) and the member cities.
type Store interface {
	datacall.Store
	datacall.ReportStore
	catalogue.Store
	catalogue.EditionStore
	auditlog.Store
	City(ctx context.Context, code string) (members.City, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
}

// Area is the data call's web area.
type Area struct {
	store Store
	s     *web.Server
	svc   *datacall.Service
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
	_ web.AreaAPI       = (*Area)(nil)
)

// New is the data call's area: its pages read store and act through svc.
func New(store Store, svc *datacall.Service) *Area { return &Area{store: store, svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

// Register adds the data call's pages and API routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /datacall", web.AccessCityEditors, a.dataCallHome)
	s.Page("GET /datacall/{edition}/cities/{city}", web.AccessCityEditors, a.dataCallCity)
	s.Page("POST /datacall/{edition}/cities/{city}/values", web.AccessCityEditors, a.dataCallSave)
	s.Page("GET /datacall/{edition}/cities/{city}/template.xlsx", web.AccessCityEditors, a.dataCallTemplate)
	s.Page("POST /datacall/{edition}/cities/{city}/upload", web.AccessCityEditors, a.dataCallUpload,
		web.WithMaxBody(datacall.DefaultMaxUploadBytes+1<<20), web.AsUpload())
	s.Page("POST /datacall/{edition}/cities/{city}/submit", web.AccessCityEditors, a.dataCallTransition(datacall.ActionSubmit))
	s.Page("POST /datacall/{edition}/cities/{city}/review", AccessReviewers, a.dataCallReview)
	s.Page("POST /datacall/{edition}/cities/{city}/reopen", web.AccessAdmin, a.dataCallTransition(datacall.ActionReopen))
	s.Page("GET /datacall/{edition}/cities/{city}/history/{indicator}", web.AccessCityEditors, a.dataCallHistory)
	s.Page("POST /datacall/{edition}/upload", web.AccessAdmin, a.dataCallNetworkUpload,
		web.WithMaxBody(datacall.DefaultMaxUploadBytes+1<<20), web.AsUpload())
	s.Page("GET /account/upload-problems/{token}", web.AccessSignedIn, a.dataCallProblems)
	s.Page("GET /datacall/{edition}/review", AccessReviewers, a.dataCallQueue)
	s.Page("GET /datacall/{edition}/coverage", AccessReviewers, a.dataCallCoverage)
	a.registerAPI(s)
}

// Templates are the data call's pages (datacall_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// Nav adds the catalogue for everyone and the data call for the people who
// take part in it.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	switch v.User.Role {
	case accounts.RoleAdmin, accounts.RoleRegional, accounts.RoleFocal:
		return []web.NavLink{{Href: "/datacall", Label: "nav.datacall"}}
	}
	return nil
}
