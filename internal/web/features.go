package web

import (
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/release"
)

// This file is the extension point for the platform's systems (the index
// and its data call, the survey, the prize, follow-up, knowledge exchange).
// A system:
//
//  1. defines its domain package with a service and a narrow Store
//     interface (like members.Store), implemented once in
//     internal/sqlstore/<system>.go, with migrations in internal/sqlite and
//     internal/postgres and cases in the shared suite internal/storetest;
//  2. embeds that interface in FeatureStore below, so the one store the
//     binary opens offers it;
//  3. builds its service once (app.Services, in app.NewServices) and
//     registers the service's job kinds in app.RegisterJobs;
//  4. writes its web area, internal/web/<system>web, implementing Area (and
//     AreaTemplates, AreaNav, AreaAPI as needed), listed in app.Areas;
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
