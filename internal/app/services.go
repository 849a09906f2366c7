package app

import (
	"context"
	"crypto/rand"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/offices"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web"
)

// Services are the domain services, built once from the store: the web
// areas, the CLI commands and the demo seeding call them, and background
// jobs belong to them (RegisterJobs).
type Services struct {
	Members      *members.Service
	Accounts     *accounts.Service
	Catalogue    *catalogue.Service
	DataCall     *datacall.Service
	Releases     *release.Workflow
	Publication  *publication.Service         // compute, preview, publish, correct
	Prize        *prize.Service               // the Seoul Smart City Prize's call, applications and screening
	Survey       *survey.Service              // the people-centric survey: instrument, responses, weighting, estimates
	Judging      *judging.Service             // the prize's committee, conflicts, assignment, scoring, decisions and embargo
	Exchange     *exchange.Service            // the knowledge exchange's practice library
	Matching     *exchange.Matching           // needs and strengths, and partner-matching rounds
	Partnerships *exchange.PartnershipService // the network's partnerships, each a case of the library
	Offices      *offices.Service             // the regional offices' pages and dashboards
	Training     *training.Service            // the capacity-building training of the prize's recognised cities
	Events       *events.Service              // the network's events: registration, waiting lists, calendar feeds
	Followup     *followup.Service            // the winners' feasibility studies
	Notify       *notify.Service              // notices, inbox, e-mail at once or in a digest, unsubscribe
	Home         *notify.HomeService          // a city's home: the focal point's dashboard
}

// NewServices builds the services on st, with cfg's settings (clock, mail,
// login limits, password hashing, demo mode; unset ones take their
// defaults).
func NewServices(st Store, cfg web.Config) *Services {
	cfg.Store = st
	cfg = cfg.WithDefaults()
	now := cfg.Now
	sv := &Services{
		Members:   &members.Service{Store: st, Audit: st, Now: now},
		Accounts:  cfg.Accounts,
		Catalogue: &catalogue.Service{Store: st, Audit: st, Now: now},
		DataCall:  &datacall.Service{Store: st, Catalogue: st, Audit: st, Now: now, Calls: &datacall.CallCache{}},
		Releases:  &release.Workflow{Store: st, Audit: st, Now: now},
		Survey:    &survey.Service{Store: st, Audit: st, Now: now},
	}
	sv.Publication = &publication.Service{Store: st, DataCall: sv.DataCall, Releases: sv.Releases, Survey: sv.Survey, Now: now, Demo: cfg.Demo}
	sv.Prize = &prize.Service{Store: st, Directory: st, Accounts: cfg.Accounts, Audit: st, Mail: cfg.Mail, Now: now, BaseURL: cfg.BaseURL}
	sv.Exchange = &exchange.Service{Store: st, Prize: st, Cities: st, Audit: st, Now: now}
	sv.Matching = &exchange.Matching{Store: st, Cities: st, Releases: sv.Publication, Survey: st, Audit: st, Now: now}
	sv.Partnerships = &exchange.PartnershipService{Store: st, Library: sv.Exchange, Directory: st, Audit: st, Now: now}
	sv.Judging = &judging.Service{Store: st, Prize: st, Audit: st, Mail: cfg.Mail, Now: now, Library: sv.Exchange}
	sv.Training = &training.Service{Store: st, Winners: sv.Judging, Prize: st, Audit: st, Now: now}
	sv.Events = &events.Service{Store: st, Audit: st, Now: now, Secret: serverSecret(st, "events-feed")}
	sv.Followup = &followup.Service{Store: st, Prize: st, Judging: st, Users: st, Audit: st, Now: now}
	sv.Judging.Announced = append(sv.Judging.Announced, func(ctx context.Context, actor auditlog.Actor, edition string) error {
		_, err := sv.Followup.OpenForEdition(ctx, actor, edition)
		return err
	})
	sv.Followup.Changed = append(sv.Followup.Changed, studyToLibrary(sv.Exchange, st))
	sv.Notify = &notify.Service{Store: st, Mail: cfg.Mail, Catalog: catalog(), Now: now, BaseURL: cfg.BaseURL,
		Secret: serverSecret(st, "notify-unsubscribe")}
	if sv.Notify.Secret == nil {
		// No shared key (a database error): one of this process, so its
		// links still verify here.
		sv.Notify.Secret = make([]byte, 32)
		rand.Read(sv.Notify.Secret)
	}
	sv.Notify.Add(NotifySources(st)...)
	sv.Offices = &offices.Service{Directory: st, Sources: st, DataCall: sv.DataCall, Partnerships: sv.Partnerships}
	sv.Home = &notify.HomeService{Store: st, Calls: sv.DataCall, Releases: sv.Publication}
	return sv
}

// NotifySources are the sources of notices, one per kind of thing people
// must act on. An area adds its own here: a type with Kinds and Due
// (notify.Source) built on its service or store, e.g.
//
//	followup.MilestonesDue{Store: st}, // milestone.due14, due3, overdue
func NotifySources(st Store) []notify.Source {
	return []notify.Source{
		notify.DataCallClosing{Store: st},
		notify.ReviewsWaitingSource{Store: st},
		notify.EndorsementsSource{Store: st},
		followupSource{Store: st},
		trainingSource{Store: st},
		eventsSource{Store: st},
	}
}

// catalog is the message catalogues e-mail is worded from (embedded, so
// loading cannot fail but for a broken build, which the i18n tests catch).
func catalog() *i18n.Catalog {
	c, err := i18n.Load()
	if err != nil {
		panic("app: message catalogues: " + err.Error())
	}
	return c
}
