package storetest

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/notify"
)

type notifyBenchStore interface {
	FeatureStore
	notify.Store
	notify.SourceStore
}

// BenchmarkNotifyRemind runs the reminder job over 20,000 people: 2,000
// cities with 10 focal points each, half of the cities yet to submit to a
// data call closing in 5 days, so 10,000 notices are due, each mailed at
// once through the outbox (a tenth of the people read Korean, a tenth
// chose the digest). The target: at most 5 s. One op is one run
// on a fresh set of due items (the edition differs per op).
func BenchmarkNotifyRemind(b *testing.B) {
	for _, o := range Openers {
		b.Run(o.Name, func(b *testing.B) {
			s, ok := o.Open(b).(notifyBenchStore)
			if !ok {
				b.Fatal("the store lacks the notifications' records")
			}
			benchRemind(b, s)
		})
	}
}

func benchRemind(b *testing.B, s notifyBenchStore) {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	lo, hi := 0.0, 100.0
	if err := s.PutIndicators(ctx, []catalogue.Indicator{{Code: "IND-001", Name: "I", Unit: "%", Direction: 1, Min: &lo, Max: &hi,
		Xwalk: catalogue.Crosswalk{Pillar: "E"}}}); err != nil {
		b.Fatal(err)
	}
	const cities, perCity = 2000, 10
	err := s.InTx(ctx, func(ctx context.Context) error {
		for c := range cities {
			code := fmt.Sprintf("c-%04d", c)
			if err := s.PutCity(ctx, members.City{Code: code, Name: "City " + code, Country: "KR", RegionCode: "AS", Status: members.StatusMember}); err != nil {
				return err
			}
			for p := range perCity {
				u, err := s.CreateUser(ctx, accounts.User{Email: fmt.Sprintf("p%d-%d@bench.example", c, p), Role: accounts.RoleFocal, CityCode: code,
					Status: accounts.StatusActive, CreatedAt: now})
				if err != nil {
					return err
				}
				switch u.ID % 10 {
				case 0:
					err = s.SetNoticeLang(ctx, u.ID, i18n.Korean)
				case 1:
					err = s.SetNoticeMode(ctx, u.ID, notify.KindDataCallClosing, notify.ModeDigest)
				}
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cat, err := i18n.Load()
	if err != nil {
		b.Fatal(err)
	}
	svc := &notify.Service{Store: s, Mail: mail.Outbox{Store: s, Now: func() time.Time { return now }}, Catalog: cat, Now: func() time.Time { return now },
		BaseURL: "https://citylens.example", Secret: []byte("bench-secret")}
	svc.Add(notify.DataCallClosing{Store: s})
	editions := make([]string, b.N)
	for i := range b.N {
		code := fmt.Sprintf("%d", 3000+i)
		editions[i] = code
		e := &catalogue.Edition{Code: code, Name: "Edition " + code, ReferenceYear: 2025, Status: catalogue.StatusClosed, JumpThreshold: 0.5,
			Opens: now.AddDate(0, -1, 0), Closes: now.Add(5 * 24 * time.Hour), Method: catalogue.DefaultMethod(),
			Framework: []catalogue.Node{{Code: "INDEX", Kind: catalogue.KindAggregate, Weight: 1}, {Code: "IND-001", Parent: "INDEX", Kind: catalogue.KindIndicator, Weight: 1}}}
		if err := s.CreateEdition(ctx, e); err != nil {
			b.Fatal(err)
		}
		err := s.InTx(ctx, func(ctx context.Context) error {
			for c := 0; c < cities; c += 2 {
				if err := s.PutSubmission(ctx, datacall.Submission{Edition: code, City: fmt.Sprintf("c-%04d", c), State: datacall.StateSubmitted, UpdatedAt: now}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	if s.Dialect() == "postgres" {
		// As autovacuum would after a bulk load: the planner's statistics.
		if err := execRaw(ctx, s, "ANALYZE"); err != nil {
			b.Fatal(err)
		}
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		// Only this op's edition is open.
		for j, code := range editions {
			st := catalogue.StatusClosed
			if j == i {
				st = catalogue.StatusOpen
			}
			if err := execRaw(ctx, s, fmt.Sprintf("UPDATE editions SET status = '%s' WHERE code = '%s'", st, code)); err != nil {
				b.Fatal(err)
			}
		}
		if testing.Verbose() {
			t0 := time.Now()
			ns, _ := notify.DataCallClosing{Store: s}.Due(ctx, now)
			b.Logf("sources: %d due in %v", len(ns), time.Since(t0))
		}
		b.StartTimer()
		var ru0, ru1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		r, err := svc.Remind(ctx, now)
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		cpu += time.Duration(ru1.Utime.Nano()-ru0.Utime.Nano()) + time.Duration(ru1.Stime.Nano()-ru0.Stime.Nano())
		if err != nil {
			b.Fatal(err)
		}
		if r.Created != cities/2*perCity || r.Mailed != r.Created*9/10 {
			b.Fatalf("run %d: %+v, want %d notices and 9 in 10 mailed", i, r, cities/2*perCity)
		}
	}
	// CPU of this process only (PostgreSQL's server runs apart).
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(cities*perCity), "people")
	b.ReportMetric(float64(cities/2*perCity), "notices/op")
}
