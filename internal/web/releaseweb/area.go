// Package releaseweb is the editions and releases part of the web layer:
// the public indicator catalogue, the secretariat's edition pages (create,
// open and close, compute, draft releases) and the release workflow
// (review, preview, publish, correct). The handlers call the catalogue,
// data-call and publication services and read the records they work on.
package releaseweb

import (
	"context"
	"embed"
	"io/fs"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/web"
)

// Store is what the pages read directly: the indicator catalogue, the
// editions and their draft releases.
type Store interface {
	Indicators(ctx context.Context) ([]catalogue.Indicator, error)
	Indicator(ctx context.Context, code string) (catalogue.Indicator, error)
	Editions(ctx context.Context) ([]*catalogue.Edition, error)
	Edition(ctx context.Context, code string) (*catalogue.Edition, error)
	DraftReleases(ctx context.Context, edition string) ([]datacall.ReleaseInfo, error)
	DraftRelease(ctx context.Context, id int64) (*datacall.DraftRelease, datacall.ReleaseInfo, error)
}

// Area is the editions and releases web area.
type Area struct {
	s           *web.Server
	store       Store
	catalogue   *catalogue.Service
	dataCall    *datacall.Service // its cache of loaded calls, invalidated by edition edits
	publication *publication.Service
}

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
)

// New is the editions and releases area: it reads store and acts through
// the catalogue, data-call and publication services.
func New(store Store, cat *catalogue.Service, dc *datacall.Service, pub *publication.Service) *Area {
	return &Area{store: store, catalogue: cat, dataCall: dc, publication: pub}
}

//go:embed templates/*.html
var templateFiles embed.FS

// Register adds the catalogue, edition and release workflow pages.
func (a *Area) Register(s *web.Server) {
	a.s = s
	a.registerCatalogueRoutes(s)
	a.registerReleaseRoutes(s)
}

// Templates are the area's pages (catalogue_*, datacall_edition*,
// datacall_release, release_*).
func (a *Area) Templates() fs.FS { return templateFiles }

// Nav adds the indicator catalogue for everyone, and the editions and the
// release workflow for the secretariat.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	links := []web.NavLink{{Href: "/catalogue", Label: "nav.indicators"}}
	if v.IsAdmin() {
		links = append(links, web.NavLink{Href: "/admin/editions", Label: "nav.editions"},
			web.NavLink{Href: "/admin/releases", Label: "nav.releases"})
	}
	return links
}
