package app

import (
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web"
)

// Store is everything the platform needs from its database: the web core's
// part and every system's. *sqlite.DB and *postgres.DB implement it.
//
// A new system (the survey, the prize, knowledge exchange):
//
//  1. defines its domain package with a service and a narrow Store
//     interface (like members.Store), implemented once in
//     internal/sqlstore/<system>.go, with migrations in internal/sqlite and
//     internal/postgres and cases in the shared suite internal/storetest;
//  2. embeds that interface here;
//  3. builds its service once in NewServices and registers the service's
//     job kinds in RegisterJobs;
//  4. writes its web area, internal/web/<system>web, implementing web.Area
//     (and web.AreaTemplates, AreaNav, AreaAPI as needed), listed in Areas;
//  5. adds the expected access of each new route for every role to the
//     authorisation matrix (internal/web/authz_features_test.go), or that
//     test fails.
type Store interface {
	web.Store
	catalogue.Store
	catalogue.EditionStore
	datacall.Store
	datacall.ReportStore
	release.Store
	release.PreviewStore
	prize.Store
	judging.Store
	survey.Store
	exchange.Store
	exchange.MatchStore
	exchange.PartnershipStore
	training.Store
	events.Store
	followup.FullStore
	notify.Store
	notify.SourceStore
	notify.HomeStore
	demo.Marks // what demo seeding created, its lock
}
