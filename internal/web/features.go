package web

import (
	"net/http"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/release"
)

// This file is the extension point for feature modules (catalogue and
// editions, data call, survey, prize, cooperation). A feature:
//
//  1. defines its domain package with a narrow Store interface (like
//     members.Store) and implements it once in internal/sqlstore/<feature>.go,
//     with migrations 100_<feature>.sql... in internal/sqlite and
//     internal/postgres;
//  2. embeds that interface in FeatureStore below, so s.store offers it;
//  3. writes its handlers in internal/web/<feature>.go with a
//     register<Feature>Routes(mux) method, called from registerFeatureRoutes;
//  4. gives its service (constructed once, see Services) a RegisterJobs
//     called from app.RegisterJobs, its demo data to internal/demo, its
//     navigation links to featureNav;
//  5. adds the expected access of each new route for every role to the
//     authorisation matrix (authz_features_test.go), or that test fails.

// FeatureStore is what feature modules need from the database, e.g.
//
//	type FeatureStore interface {
//		catalogue.Store
//		datacall.Store
//	}
type FeatureStore interface {
	catalogue.Store
	catalogue.EditionStore
	datacall.Store
	release.Store
	release.PreviewStore
}

// registerFeatureRoutes registers feature modules' routes.
func (s *Server) registerFeatureRoutes(mux *http.ServeMux) {
	s.registerExplorerRoutes(mux)
}

// featureNav adds feature modules' navigation links for a viewer: the
// explorer's public pages (explorerNav).
func (s *Server) featureNav(v Viewer) []NavLink {
	return explorerNav()
}

// explorerNav is the public explorer's links, for everyone. They belong to
// the explorer and move with it to its area (AreaNav).
func explorerNav() []NavLink {
	return []NavLink{{"/rankings", "nav.rankings"}, {"/methodology", "nav.methodology"}, {"/downloads", "nav.downloads"}}
}
