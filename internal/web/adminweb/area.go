// Package adminweb is the administration area of the web layer: users and
// roles, the member cities (import, a city's entry, scoped to a regional
// officer's region and a focal point's city), regional offices and
// partners, the indicator catalogue editor, and the outbox, audit log and
// jobs screens. Every route needs a role; the public member directory is
// membersweb's.
package adminweb

import (
	"context"
	"embed"
	"io/fs"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

//go:embed templates/*.html
var templateFiles embed.FS

// Store is what the administration screens need from the database.
type Store interface {
	members.Store
	auditlog.Store
	jobs.Store
	mail.OutboxStore
	catalogue.Store
	ListUsers(ctx context.Context) ([]accounts.User, error)
	// ValueCounts: how many cities have a value of an indicator in an
	// edition using it (the catalogue editor shows it).
	ValueCounts(ctx context.Context, edition, region string) ([]datacall.CityCount, []datacall.IndicatorCount, error)
}

// Area is the administration area. Changes go through the services: the
// catalogue's, and the server's accounts and members services.
type Area struct {
	store     Store
	catalogue *catalogue.Service

	s        *web.Server
	members  *members.Service
	accounts *accounts.Service
	calls    *datacall.CallCache // the data call's cached catalogue, stale after an indicator changes
}

// New is the administration area on store: the member directory through
// mem, the indicator catalogue through cat (its edits make calls, the data
// call's cached catalogue, stale).
func New(store Store, mem *members.Service, cat *catalogue.Service, calls *datacall.CallCache) *Area {
	return &Area{store: store, members: mem, catalogue: cat, calls: calls}
}

// Register adds the administration routes.
func (a *Area) Register(s *web.Server) {
	a.s, a.accounts = s, s.Accounts()
	a.registerAdminRoutes(s)
	a.registerDirectoryRoutes(s)
	a.registerCatalogueAdminRoutes(s)
}

// Templates are the administration pages.
func (a *Area) Templates() fs.FS { return templateFiles }

// Nav links to the administration screens: every one for admins, the
// cities they may edit for regional officers and focal points.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	if !v.SignedIn() {
		return nil
	}
	switch v.User.Role {
	case accounts.RoleAdmin:
		return []web.NavLink{{Href: "/admin/users", Label: "nav.users"}, {Href: "/admin/members", Label: "nav.admin_members"},
			{Href: "/admin/offices", Label: "nav.offices"}, {Href: "/admin/partners", Label: "nav.partners"},
			{Href: "/admin/audit", Label: "nav.audit"}, {Href: "/admin/jobs", Label: "nav.jobs"}, {Href: "/admin/outbox", Label: "nav.outbox"}}
	case accounts.RoleRegional, accounts.RoleFocal:
		return []web.NavLink{{Href: "/admin/members", Label: "nav.my_cities"}}
	}
	return nil
}
