package web

import (
	"context"
	"net/http"

	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/jobs"
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
//  4. registers its job kinds in registerFeatureJobs, its demo data in
//     seedFeatureDemo, its navigation links in featureNav;
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
	s.registerCatalogueRoutes(mux)
	s.registerDataCallRoutes(mux)
	s.registerDataCallAPIRoutes(mux)
	s.registerReleaseRoutes(mux)
}

// registerFeatureJobs registers feature modules' job kinds, e.g.
// q.Register("compute-edition", s.computeEdition).
func (s *Server) registerFeatureJobs(q *jobs.Queue) {
	s.registerCatalogueJobs(q)
	s.registerReleaseJobs(q)
}

// seedFeatureDemo adds feature modules' demo data (serve --demo); it must be
// idempotent. Platform demo data (cities, accounts) exists when it runs.
func (s *Server) seedFeatureDemo(ctx context.Context) error {
	if err := s.seedDataCallDemo(ctx); err != nil {
		return err
	}
	return s.seedReleaseDemo(ctx)
}

// featureNav adds feature modules' navigation links for a viewer.
func (s *Server) featureNav(v Viewer) []NavLink {
	return append(s.releaseNav(v), s.dataCallNav(v)...)
}
