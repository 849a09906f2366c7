// Package demo seeds the demo network (serve --demo) through the domain
// services: member cities, offices and partners, one account per role, the
// U4SSC catalogue with two editions of synthetic values, and their
// releases beside the Eurostat real-data example. Seeding is idempotent:
// what exists is left alone. It never imports the web layer.
package demo

import (
	"context"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/training"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/survey"
)

// Password is every demo account's password (shown in the log and README).
const Password = "citylens-demo"

// demoFocalEmail is the demo focal point's (Seoul's) account.
const demoFocalEmail = "focal.seoul@demo.citylens"

// Account is a seeded demo account.
type Account struct {
	Email, Role, Scope string
}

// Store is what seeding reads directly; every write goes through a service.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	UserByEmail(ctx context.Context, email string) (accounts.User, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
	City(ctx context.Context, code string) (members.City, error)
	Indicators(ctx context.Context) ([]catalogue.Indicator, error)
	Edition(ctx context.Context, code string) (*catalogue.Edition, error)
	Editions(ctx context.Context) ([]*catalogue.Edition, error)
	DraftReleases(ctx context.Context, edition string) ([]datacall.ReleaseInfo, error)
	Marks
	PrizeEdition(ctx context.Context, code string) (*prize.Edition, error)
}

// Marks are what seeding created, and the lock replicas seed under
// (migration 005).
type Marks interface {
	MarkDemoSeeded(ctx context.Context, kind, code string, at time.Time) error
	DemoSeeded(ctx context.Context, kind string) ([]string, error)
	TryDemoLock(ctx context.Context, now, staleBefore time.Time) (bool, error)
	DemoUnlock(ctx context.Context) error
}

// Kinds of what demo seeding records it created.
const (
	SeededUser    = "user"
	SeededEdition = "edition"
)

// Services are what Seed uses.
type Services struct {
	Store        Store
	Members      *members.Service
	Accounts     *accounts.Service
	Catalogue    *catalogue.Service
	DataCall     *datacall.Service
	Publication  *publication.Service
	Survey       *survey.Service              // nil: no demo survey
	Prize        *prize.Service               // nil: no prize edition is seeded
	Judging      *judging.Service             // nil: no judging is seeded
	Training     *training.Service            // nil: no training cohort is seeded
	Events       *events.Service              // nil: no events are seeded
	Followup     *followup.Service            // nil: the 2025 winners' studies stay as the announcement opened them
	Matching     *exchange.Matching           // nil: no matching round is seeded
	Notify       *notify.Service              // nil: the demo focal points' inboxes stay empty
	Exchange     *exchange.Service            // nil: no demo practices (exchange.go)
	Partnerships *exchange.PartnershipService // nil: no demo partnerships
	Log          *slog.Logger                 // nil: nothing is logged
	Now          func() time.Time             // nil: time.Now
}

// Result is what Seed did.
type Result struct {
	Members  members.ImportResult
	Accounts []Account
}

// users are the demo accounts, one per role.
var users = []accounts.User{
	{Email: "admin@demo.citylens", Name: "Demo Secretariat Admin", Role: accounts.RoleAdmin},
	{Email: "regional.asia@demo.citylens", Name: "Demo Regional Officer (Asia)", Role: accounts.RoleRegional, RegionCode: "AS"},
	{Email: demoFocalEmail, Name: "Demo Focal Point (Seoul)", Role: accounts.RoleFocal, CityCode: "kr-seoul"},
	{Email: "judge@demo.citylens", Name: "Demo Judge", Role: accounts.RoleJudge},
	{Email: "partner@demo.citylens", Name: "Demo Partner", Role: accounts.RolePartner},
}

// system is who the seeding's audit entries name.
var system = auditlog.System("demo-seed")

// Seed seeds the demo network idempotently: member cities, offices and
// partners, one account per role (password Password), the data call's
// catalogue and editions, and the releases. It returns what it seeded.
//
// Replicas starting together seed one after the other, under a lock in
// the database (the later ones find everything there). Seeding creates
// editions only where none of their code exists, and computes and
// publishes only the editions it created: an edition of the secretariat
// is never published as demo data.
func Seed(ctx context.Context, s Services) (Result, error) {
	if s.Log == nil {
		s.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if err := lock(ctx, s); err != nil {
		return Result{}, err
	}
	defer s.Store.DemoUnlock(context.WithoutCancel(ctx))
	return seed(ctx, s)
}

// lockStale is how long a lock may be held before another replica takes
// it over (its holder died mid-seed: seeding is idempotent).
const lockStale = 15 * time.Minute

func lock(ctx context.Context, s Services) error {
	for waited := false; ; waited = true {
		now := s.Now()
		ok, err := s.Store.TryDemoLock(ctx, now, now.Add(-lockStale))
		if err != nil || ok {
			if ok && waited {
				s.Log.Info("demo seeding lock taken after another replica released it")
			}
			return err
		}
		if !waited {
			s.Log.Info("another replica is seeding the demo network: waiting")
		}
		select {
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			return citylens.Errorf(citylens.ECANCELED, "demo: waiting for another replica's seeding: %v", ctx.Err())
		}
	}
}

func seed(ctx context.Context, s Services) (Result, error) {
	var out Result
	var err error
	if out.Members, err = s.Members.SeedDemo(ctx); err != nil {
		return out, err
	}
	for _, u := range users {
		_, err := s.Store.UserByEmail(ctx, u.Email)
		switch citylens.ErrorCode(err) {
		case citylens.ENOTFOUND:
			err := s.Store.InTx(ctx, func(ctx context.Context) error {
				if _, err := s.Accounts.AddUser(ctx, system, u, Password); err != nil {
					return err
				}
				return s.Store.MarkDemoSeeded(ctx, SeededUser, u.Email, s.Now())
			})
			if err != nil {
				return out, err
			}
		case "":
		default:
			return out, err
		}
		out.Accounts = append(out.Accounts, Account{Email: u.Email, Role: string(u.Role), Scope: u.RegionCode + u.CityCode})
	}
	if err := seedDataCall(ctx, s); err != nil {
		return out, err
	}
	if err := seedSurvey(ctx, s); err != nil {
		return out, err
	}
	if err := seedReleases(ctx, s); err != nil {
		return out, err
	}
	if s.Prize != nil {
		out.Accounts = append(out.Accounts, Account{Email: PrizeApplicant, Role: string(accounts.RoleApplicant)})
	}
	if err := seedPrize(ctx, s); err != nil {
		return out, err
	}
	if err := seedJudging(ctx, s); err != nil {
		return out, err
	}
	if err := seedMatching(ctx, s); err != nil {
		return out, err
	}
	if err := seedPeople(ctx, s); err != nil {
		return out, err
	}
	return out, seedExchange(ctx, s)
}

// demoSurveyCities is how many demo cities get survey responses (the
// first by code): enough for the pages, cheap to seed.
const demoSurveyCities = 20

// seedSurvey seeds the residents' survey of editions 2025 (closed) and
// 2026 (open), with synthetic responses labelled demo; the first city has
// too few responses in 2026.
func seedSurvey(ctx context.Context, s Services) error {
	if s.Survey == nil {
		return nil
	}
	// Only the demo's own editions get a demo survey.
	seeded, err := s.Store.DemoSeeded(ctx, SeededEdition)
	if err != nil {
		return err
	}
	var editions []string
	for _, e := range []string{"2025", "2026"} {
		if slices.Contains(seeded, e) {
			editions = append(editions, e)
		}
	}
	if len(editions) == 0 {
		return nil
	}
	cities, err := s.Store.ListCities(ctx, members.CityFilter{Status: members.StatusMember})
	if err != nil {
		return err
	}
	var dc []survey.DemoCity
	for _, c := range cities {
		if len(dc) == demoSurveyCities {
			break
		}
		dc = append(dc, survey.DemoCity{Code: c.Code, Population: c.Population})
	}
	if err := s.Survey.SeedDemo(ctx, system, editions, dc); err != nil {
		return err
	}
	s.Log.Info("demo survey seeded", "cities", len(dc))
	return nil
}
