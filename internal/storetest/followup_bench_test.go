package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
)

// BenchmarkFollowupReminders measures followup.Reminders over 10,000 open
// milestones (2,500 studies of four, every one due within the 14 days or
// overdue) with 22,500 people to notify: each study's owner and seven
// partners' accounts (20,000) and the focal points of 100 host cities (25
// each).
func BenchmarkFollowupReminders(b *testing.B) {
	const studies, partners, cities, focalPerCity = 2_500, 7, 100, 25
	for _, o := range Openers {
		b.Run(o.Name, func(b *testing.B) {
			s, ok := o.Open(b).(FollowupStore)
			if !ok {
				b.Fatal("the store lacks the follow-up's records")
			}
			ctx := context.Background()
			now := time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)
			err := s.InTx(ctx, func(ctx context.Context) error {
				e := &prize.Edition{Code: "2026", Year: 2026, Title: "Prize 2026", TimeZone: "Asia/Seoul", Opens: t0, Deadline: t0.AddDate(0, 1, 0), Published: true}
				if err := s.CreatePrizeEdition(ctx, e); err != nil {
					return err
				}
				for _, tr := range prize.DefaultTracks(e.Code) {
					if err := s.PutPrizeTrack(ctx, tr); err != nil {
						return err
					}
				}
				for c := range cities {
					code := fmt.Sprintf("c-%03d", c)
					if err := s.PutCity(ctx, benchCity(code)); err != nil {
						return err
					}
					for f := range focalPerCity {
						if _, err := s.CreateUser(ctx, accounts.User{Email: fmt.Sprintf("f%d-%s@example.org", f, code), Role: accounts.RoleFocal,
							CityCode: code, Status: accounts.StatusActive, CreatedAt: t0}); err != nil {
							return err
						}
					}
				}
				owner, err := s.CreateUser(ctx, accounts.User{Email: "owner@example.org", Role: accounts.RoleApplicant, Status: accounts.StatusActive, CreatedAt: t0})
				if err != nil {
					return err
				}
				start := now.AddDate(0, 0, -50) // the template's first milestone overdue, the rest moved into the window below
				for i := range studies {
					a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: owner.ID, Email: owner.Email, ApplicantType: prize.TypeLocalGov,
						Organisation: "Org", CityCode: fmt.Sprintf("c-%03d", i%cities), Title: fmt.Sprintf("Project %d", i), Stage: prize.StagePilot,
						Answers: prize.Answers{}, State: prize.StateSubmitted, CreatedAt: t0, UpdatedAt: t0}
					if err := s.CreatePrizeApplication(ctx, a); err != nil {
						return err
					}
					st := followup.NewStudy(a, judging.Decision{Kind: judging.DecisionWinner}, start)
					st.OwnerUserID = int64(100_000 + i)
					for p := range partners {
						st.Partners = append(st.Partners, followup.Partner{Kind: followup.PartnerOrganisation, Name: "P", Role: "funder",
							UserID: int64(200_000 + i*partners + p)})
					}
					for m := range st.Milestones {
						st.Milestones[m].Due = now.AddDate(0, 0, -2+m*4+i%3).Format(followup.DateLayout)
						st.Milestones[m].OwnerUserID = st.OwnerUserID
					}
					if err := s.CreateFollowupStudy(ctx, st); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for b.Loop() {
				rs, err := followup.Reminders(ctx, s, now)
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) != studies*4 {
					b.Fatalf("%d reminders, want %d", len(rs), studies*4)
				}
			}
		})
	}
}

func benchCity(code string) members.City {
	return members.City{Code: code, Name: code, Country: "KOR", RegionCode: "AS", Latitude: 37.5, Longitude: 127, Population: 1000,
		Status: members.StatusMember, MemberSince: "2020-01-01"}
}
