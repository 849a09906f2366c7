package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/events"
)

// BenchmarkEventRegistration measures one registration for an event of
// 150 places (the service on each database: lock, count, insert, notice),
// b.N people in turn, places then the waiting list.
func BenchmarkEventRegistration(b *testing.B) {
	for _, o := range Openers {
		b.Run(o.Name, func(b *testing.B) {
			s, ok := o.Open(b).(EventsStore)
			if !ok {
				b.Fatal("the store lacks the network events' records")
			}
			ctx := context.Background()
			svc := &events.Service{Store: s}
			e := &events.Event{Kind: events.KindAssembly, Title: "GA", Place: "Seoul", TimeZone: "Asia/Seoul", Start: t0, End: t0.Add(time.Hour),
				Capacity: 150, Open: true}
			if err := svc.Create(ctx, events.Viewer{Admin: true}, auditlog.System("bench"), e); err != nil {
				b.Fatal(err)
			}
			users := make([]int64, b.N)
			for i := range users {
				u, err := s.CreateUser(ctx, accounts.User{Email: fmt.Sprintf("bench%d@example.org", i), Role: accounts.RoleRegional,
					Status: accounts.StatusActive, CreatedAt: t0})
				if err != nil {
					b.Fatal(err)
				}
				users[i] = u.ID
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := svc.Register(ctx, events.Viewer{UserID: users[i], Delegate: true}, e.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
