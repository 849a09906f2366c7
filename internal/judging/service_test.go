package judging_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/judging"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
)

func code(err error) string { return citylens.ErrorCode(err) }

// A whole edition through the service on SQLite and PostgreSQL: committee,
// detected conflict enforced, bids, assignment, scoring with bad input
// refused, report, decisions under embargo, announcement and e-mails.
func TestEditionThroughService(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, st storetest.Store) {
		s := st.(storetest.JudgingStore)
		ctx := context.Background()
		now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
		svc := &judging.Service{Store: s, Prize: s, Audit: s, Mail: citymail.Outbox{Store: st.(citymail.OutboxStore), Now: func() time.Time { return now }},
			Now: func() time.Time { return now }}
		e := &prize.Edition{Code: "2026", Year: 2026, Title: "Prize", TitleKO: "상", TimeZone: "Asia/Seoul",
			Opens: now.AddDate(0, -3, 0), Deadline: now.AddDate(0, -1, 0), Ceremony: now.AddDate(0, 4, 0), CreatedAt: now, UpdatedAt: now}
		if err := s.CreatePrizeEdition(ctx, e); err != nil {
			t.Fatal(err)
		}
		for _, tr := range prize.DefaultTracks("2026") {
			if err := s.PutPrizeTrack(ctx, tr); err != nil {
				t.Fatal(err)
			}
		}
		user := func(email string) accounts.User {
			u, err := s.CreateUser(ctx, accounts.User{Email: email, Role: accounts.RoleApplicant, Status: accounts.StatusActive, CreatedAt: now})
			if err != nil {
				t.Fatal(err)
			}
			return u
		}
		type appSpec struct{ org, city, code, country, title string }
		var apps []*prize.Application
		var owners []accounts.User
		for i, sp := range []appSpec{
			{"Seoul Metropolitan Government", "Seoul", "seoul", "KOR", "Night buses"},
			{"City of Odense", "Odense", "", "DNK", "Digital help desks"},
			{"Alcaldía de Medellín", "Medellín", "", "COL", "Hillside cable cars"},
		} {
			u := user("applicant" + string(rune('a'+i)) + "@example.org")
			a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email,
				ApplicantType: prize.TypeLocalGov, Organisation: sp.org, CityName: sp.city, CityCode: sp.code, Country: sp.country,
				Title: sp.title, Answers: prize.Answers{"summary": {"A summary."}}, State: prize.StateSubmitted,
				CreatedAt: now, UpdatedAt: now, SubmittedAt: now}
			if err := s.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, a)
			owners = append(owners, u)
		}
		admin := judging.Viewer{UserID: 0, Email: "admin@example.org", Admin: true}
		var judges []*judging.Judge
		var viewers []judging.Viewer
		for i, jd := range []judging.Judge{
			{Name: "Kim", Organisation: "Seoul Digital Foundation", OrgParent: "Seoul Metropolitan Government", CityCode: "seoul", CityName: "Seoul", Country: "KOR"},
			{Name: "Jensen", Organisation: "Aarhus University", CityName: "Aarhus", Country: "DNK"},
			{Name: "Okafor", Organisation: "Lagos Innovates", CityName: "Lagos", Country: "NGA", Role: judging.RoleChair},
			{Name: "Silva", Organisation: "UN-Habitat", CityName: "Nairobi", Country: "KEN"},
		} {
			u := user("judge" + string(rune('a'+i)) + "@example.org")
			j := jd
			j.Edition, j.UserID, j.Email, j.Languages, j.Load = "2026", u.ID, u.Email, []string{"en"}, 3
			if j.Role == "" {
				j.Role = judging.RoleJudge
			}
			if err := svc.InviteJudge(ctx, judging.Viewer{UserID: u.ID, Email: u.Email}, &j); code(err) != citylens.EFORBIDDEN {
				t.Fatalf("a judge invited a judge: %v", err)
			}
			if err := svc.InviteJudge(ctx, admin, &j); err != nil {
				t.Fatal(err)
			}
			judges = append(judges, &j)
			viewers = append(viewers, judging.Viewer{UserID: u.ID, Email: u.Email})
		}
		kim, jensen, chair := viewers[0], viewers[1], viewers[2]
		if _, err := svc.DetectConflicts(ctx, kim, "2026"); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a judge ran detection: %v", err)
		}
		if n, err := svc.DetectConflicts(ctx, chair, "2026"); err != nil || n != 4 {
			// Kim–Seoul: organisation (parent), city, country; Jensen–Odense: country.
			t.Fatalf("detected %d (%v), want 4", n, err)
		}
		// A declared conflict with no detected link is flagged for review.
		if err := svc.Declare(ctx, viewers[3], judges[3].ID, apps[2].ID, judging.ConflictPersonal); err != nil {
			t.Fatal(err)
		}
		cs, _ := s.PrizeConflicts(ctx, "2026")
		unsupported := 0
		for _, c := range cs {
			if c.Unsupported {
				unsupported++
				if c.Judge != judges[3].ID || c.App != apps[2].ID {
					t.Fatalf("wrong conflict flagged: %+v", c)
				}
			}
		}
		if unsupported != 1 {
			t.Fatalf("%d unsupported conflicts, want 1: %+v", unsupported, cs)
		}
		// Kim cannot see, bid on or score Seoul's application, even by its number.
		if _, err := svc.SeeApplication(ctx, kim, "2026", apps[0].ID); code(err) != citylens.ENOTFOUND {
			t.Fatalf("conflicted judge sees the application: %v", err)
		}
		if err := svc.Bid(ctx, kim, "2026", apps[0].ID, judging.BidEager); code(err) != citylens.ENOTFOUND {
			t.Fatalf("conflicted judge bids: %v", err)
		}
		if err := svc.Bid(ctx, kim, "2026", apps[1].ID, judging.BidEager); err != nil {
			t.Fatal(err)
		}
		if err := svc.Bid(ctx, jensen, "2026", apps[2].ID, "maybe"); code(err) != citylens.EINVALID {
			t.Fatalf("bad bid: %v", err)
		}
		r := &judging.Round{Edition: "2026", Kind: judging.RoundScreening, K: 2, Rubric: judging.DefaultRubric(), Closes: now.AddDate(0, 1, 0)}
		if err := svc.OpenRound(ctx, chair, r); err != nil {
			t.Fatal(err)
		}
		// The chair pins Jensen to Medellín; re-running keeps the pin.
		if err := svc.Lock(ctx, chair, judging.Assigned{Round: r.ID, Judge: judges[0].ID, App: apps[0].ID, Pinned: true}); code(err) != citylens.ECONFLICT {
			t.Fatalf("pin on a conflict: %v", err)
		}
		if err := svc.Lock(ctx, chair, judging.Assigned{Round: r.ID, Judge: judges[1].ID, App: apps[2].ID, Pinned: true}); err != nil {
			t.Fatal(err)
		}
		var as *judging.Assignment
		for range 2 {
			var err error
			if as, err = svc.Assign(ctx, chair, r.ID); err != nil {
				t.Fatal(err)
			}
		}
		stored, _ := s.PrizeAssignment(ctx, r.ID)
		pairs := map[[2]int64]bool{}
		for _, a := range stored {
			if a.Assigned {
				pairs[[2]int64{a.Judge, a.App}] = true
			}
		}
		if pairs[[2]int64{judges[0].ID, apps[0].ID}] || pairs[[2]int64{judges[1].ID, apps[1].ID}] || pairs[[2]int64{judges[3].ID, apps[2].ID}] {
			t.Fatalf("conflicted pair assigned: %v", pairs)
		}
		if !pairs[[2]int64{judges[1].ID, apps[2].ID}] || len(pairs) != 6 || len(as.Short) != 0 {
			t.Fatalf("assignment %v short %+v", pairs, as.Short)
		}
		// Scoring: a score off the scale names the criterion; Kim cannot
		// score Seoul's application; a full sheet submits.
		full := func(v int) judging.Sheet {
			sh := judging.Sheet{Scores: map[string]int{}, Comments: map[string]judging.Comment{
				judging.CritValue: {Text: "Clear value for residents.", Visibility: judging.VisibleApplicant}}}
			for _, c := range r.Rubric.Criteria {
				sh.Scores[c.Code] = v
			}
			return sh
		}
		bad := full(7)
		bad.Scores[judging.CritBudget] = 11
		var someApp int64
		for k := range pairs {
			if k[0] == judges[0].ID {
				someApp = k[1]
			}
		}
		err := svc.SaveScore(ctx, kim, r.ID, someApp, bad, true)
		if ce := citylens.AsError(err); ce == nil || len(ce.Problems) != 1 || ce.Problems[0].Field != judging.CritBudget {
			t.Fatalf("off-scale score: %v", err)
		}
		if err := svc.SaveScore(ctx, kim, r.ID, apps[0].ID, full(9), true); code(err) != citylens.ENOTFOUND {
			t.Fatalf("conflicted judge scored: %v", err)
		}
		for k := range pairs {
			for vi, j := range judges {
				if j.ID == k[0] {
					v := 5 + int(k[1]%3) + vi%2
					if err := svc.SaveScore(ctx, viewers[vi], r.ID, k[1], full(v), true); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		prog, err := svc.RoundProgress(ctx, admin, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, p := range prog {
			total += p.Submitted
		}
		if total != 6 {
			t.Fatalf("progress %+v", prog)
		}
		rep, err := svc.RoundReport(ctx, admin, r.ID)
		if err != nil || len(rep.Apps) != 3 {
			t.Fatalf("report %+v %v", rep, err)
		}
		// A chair in conflict does not see the application in the report.
		if err := svc.Declare(ctx, chair, judges[2].ID, apps[1].ID, judging.ConflictAdviser); err != nil {
			t.Fatal(err)
		}
		crep, err := svc.RoundReport(ctx, chair, r.ID)
		if err != nil || len(crep.Apps) != 2 {
			t.Fatalf("conflicted chair's report: %+v %v", crep.Apps, err)
		}
		for _, a := range crep.Apps {
			if a.App == apps[1].ID {
				t.Fatal("the conflicted chair sees the application in the report")
			}
		}
		if _, err := svc.RoundReport(ctx, jensen, r.ID); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a judge read the committee report: %v", err)
		}
		// After the round closes, no score is taken.
		now = now.AddDate(0, 2, 0)
		if err := svc.SaveScore(ctx, jensen, r.ID, apps[2].ID, full(3), true); code(err) != citylens.ECONFLICT {
			t.Fatalf("late score: %v", err)
		}
		winner := crep.Apps[0].App
		if err := svc.Decide(ctx, chair, &judging.Decision{Edition: "2026", App: apps[1].ID, Kind: judging.DecisionFinalist}); code(err) != citylens.ENOTFOUND {
			t.Fatalf("a conflicted chair decided: %v", err)
		}
		if err := svc.Decide(ctx, jensen, &judging.Decision{Edition: "2026", App: winner, Kind: judging.DecisionWinner, Grade: "gold"}); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a judge decided: %v", err)
		}
		if err := svc.Decide(ctx, chair, &judging.Decision{Edition: "2026", App: winner, Kind: judging.DecisionWinner, Grade: "gold"}); err != nil {
			t.Fatal(err)
		}
		// Embargo: nobody outside the committee learns a decision.
		var winnerOwner accounts.User
		for i, a := range apps {
			if a.ID == winner {
				winnerOwner = owners[i]
			}
		}
		for _, v := range []judging.Viewer{{}, jensen, {UserID: winnerOwner.ID, Email: winnerOwner.Email}} {
			if _, err := svc.Decisions(ctx, v, "2026"); code(err) != citylens.ENOTFOUND {
				t.Fatalf("embargo leaked decisions to %+v: %v", v, err)
			}
			if _, err := svc.Winners(ctx, v, "2026"); code(err) != citylens.ENOTFOUND {
				t.Fatalf("embargo leaked winners to %+v: %v", v, err)
			}
		}
		if ds, err := svc.Decisions(ctx, chair, "2026"); err != nil || len(ds) != 1 {
			t.Fatalf("committee decisions %v %v", ds, err)
		}
		if _, err := svc.Announce(ctx, admin, "2026"); code(err) != citylens.ECONFLICT {
			t.Fatalf("announced before the ceremony: %v", err)
		}
		now = e.Ceremony
		if _, err := svc.Announce(ctx, chair, "2026"); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("the chair announced: %v", err)
		}
		n, err := svc.Announce(ctx, admin, "2026")
		if err != nil || n != 3 {
			t.Fatalf("announce mailed %d: %v", n, err)
		}
		ws, err := svc.Winners(ctx, judging.Viewer{}, "2026")
		if err != nil || len(ws) != 1 || ws[0].App != winner || ws[0].Grade != "gold" {
			t.Fatalf("winners after announcement %+v %v", ws, err)
		}
		if err := svc.Decide(ctx, chair, &judging.Decision{Edition: "2026", App: winner, Kind: judging.DecisionMention}); code(err) != citylens.ECONFLICT {
			t.Fatalf("decision after announcement: %v", err)
		}
		mails, err := st.(citymail.OutboxStore).ListOutbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, m := range mails {
			if m.To == winnerOwner.Email && strings.Contains(m.Body, "Winner (Gold)") && strings.Contains(m.Body, "Clear value for residents.") {
				got++
			}
		}
		if got != 1 {
			t.Fatalf("winner's e-mail with outcome and feedback: %d of %d mails", got, len(mails))
		}
	})
}
