// Package app wires CityLens together: the domain services, built once from
// a store, the web server with one area per part of the platform, and the
// services' job kinds. The binary (cmd/citylens) and the tests
// (internal/web/webtest) both start the platform through it, so they run
// the same assembly.
package app

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/diagnostic"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/adminweb"
	"github.com/citylens/citylens/internal/web/apiweb"
	"github.com/citylens/citylens/internal/web/datacallweb"
	"github.com/citylens/citylens/internal/web/eventsweb"
	"github.com/citylens/citylens/internal/web/exchangeweb"
	"github.com/citylens/citylens/internal/web/explorerweb"
	"github.com/citylens/citylens/internal/web/followupweb"
	"github.com/citylens/citylens/internal/web/homeweb"
	"github.com/citylens/citylens/internal/web/judgingweb"
	"github.com/citylens/citylens/internal/web/membersweb"
	"github.com/citylens/citylens/internal/web/notifyweb"
	"github.com/citylens/citylens/internal/web/officesweb"
	"github.com/citylens/citylens/internal/web/prizeweb"
	"github.com/citylens/citylens/internal/web/releaseweb"
	"github.com/citylens/citylens/internal/web/surveyweb"
	"github.com/citylens/citylens/internal/web/trainingweb"
)

// App is the platform assembled: its services and its web server.
type App struct {
	Services *Services
	Server   *web.Server
}

// New builds the services once on cfg's store, the web server with every
// area on those same services, and registers the services' job kinds on
// cfg's queue.
func New(cfg web.Config) (*App, error) {
	st, ok := cfg.Store.(Store)
	if !ok {
		return nil, citylens.Errorf(citylens.EINVALID, "app: the store %T lacks some of the platform's records (app.Store)", cfg.Store)
	}
	cfg = cfg.WithDefaults()
	sv := NewServices(st, cfg)
	cfg.Accounts = sv.Accounts
	srv, err := web.New(cfg, Areas(st, cfg, sv)...)
	if err != nil {
		return nil, err
	}
	RegisterJobs(cfg.Queue, sv, cfg)
	return &App{Services: sv, Server: srv}, nil
}

// NewServer is New's web server.
func NewServer(cfg web.Config) (*web.Server, error) {
	a, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return a.Server, nil
}

// Areas are the web layer's areas, each holding the services of sv it
// calls; cfg has its defaults (web.Config.WithDefaults). Their order is the
// order of their links in the navigation bar.
func Areas(st Store, cfg web.Config, sv *Services) []web.Area {
	return []web.Area{
		membersweb.New(st),
		explorerweb.New(explorerweb.Config{Store: st, Releases: sv.Releases, Publication: sv.Publication, Survey: sv.Survey,
			Limits: explorerweb.LimitsOf(cfg.ExplorerCacheBytes), Partnerships: sv.Partnerships}),
		datacallweb.New(st, sv.DataCall),
		releaseweb.New(st, sv.Catalogue, sv.DataCall, sv.Publication),
		prizeweb.New(st, sv.Prize).WithWinners(sv.Judging.AnnouncedWinners),
		judgingweb.New(sv.Judging),
		exchangeweb.New(sv.Exchange).WithPartnerships(sv.Partnerships),
		exchangeweb.NewMatching(sv.Matching),
		trainingweb.New(sv.Training, cfg.BaseURL),
		eventsweb.New(sv.Events, sv.Judging),
		followupweb.New(sv.Followup),
		adminweb.New(st, sv.Members, sv.Catalogue, sv.DataCall.Calls),
		apiweb.New(st, sv.Members),
		surveyweb.New(surveyweb.Config{Survey: sv.Survey, Members: st, Editions: st, Secret: surveySecret(st), Throttle: st}),
		homeweb.New(sv.Home, sv.Notify, HomePanels(st, sv)...),
		notifyweb.New(sv.Notify),
		officesweb.New(sv.Offices),
	}
}

// HomePanels are the panels other areas add to a city's home (the focal
// point's dashboard), after its built-in ones (data call, results, survey,
// prize, inbox). A panel names a template file of its own area defining
// "panel" and a loader, e.g.
//
//	{ID: "studies", Page: "followup_home_panel.html", Load: func(ctx context.Context, v web.Viewer, city string) (any, error) {
//		return sv.Followup.CityStudies(ctx, city)
//	}},
func HomePanels(st Store, sv *Services) []homeweb.Panel {
	return []homeweb.Panel{
		{ID: "studies", Page: "followup_home_panel.html", Load: func(ctx context.Context, v web.Viewer, city string) (any, error) {
			return followup.CityStudies(ctx, st, city, sv.Followup.Time())
		}},
		{ID: "training", Page: "training_home_panel.html", Load: func(ctx context.Context, v web.Viewer, city string) (any, error) {
			return trainingweb.PersonTraining(ctx, st, v.User.ID, sv.Followup.Time()) // the platform's clock
		}},
		{ID: "events", Page: "events_home_panel.html", Load: func(ctx context.Context, v web.Viewer, city string) (any, error) {
			return eventsweb.PersonEvents(ctx, st, v.User.ID, sv.Followup.Time())
		}},
	}
}

// RegisterJobs registers the services' job kinds on q (their handlers
// belong to the services) and, with cfg.DiagnosticJobs, the diagnostic
// ones (tests, drills).
func RegisterJobs(q *jobs.Queue, sv *Services, cfg web.Config) {
	if cfg.DiagnosticJobs {
		(&diagnostic.Jobs{Store: cfg.Store, Now: cfg.Now}).RegisterJobs(q)
	}
	sv.Publication.RegisterJobs(q)
	sv.Notify.RegisterJobs(q)
	if relay, ok := cfg.Mail.(mail.Relay); ok {
		relay.RegisterJobs(q)
	}
}

// surveySecret is the survey form's signing key, shared by the replicas
// through the database; on a database error, a key of this process alone
// (forms then verify only on the replica that served them).
func surveySecret(st Store) []byte { return serverSecret(st, "survey-hmac") }

// serverSecret is the key name shared by the replicas through the
// database; on a database error, nil.
func serverSecret(st Store, name string) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, err := st.ServerSecret(ctx, name)
	if err != nil {
		return nil
	}
	b, err := hex.DecodeString(v)
	if err != nil {
		return nil
	}
	return b
}
