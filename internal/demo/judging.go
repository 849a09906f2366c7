package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
)

// demoJudges are the demo committee: the chair, judges from several
// countries (one from Seoul, so conflicts show) and a partner's judge.
var demoJudges = []struct {
	email, name, org, parent, city, country, role string
	langs, expertise                              []string
}{
	{"judge@demo.citylens", "Demo Judge (Seoul Digital Foundation)", "Seoul Digital Foundation (demo)", "Seoul Metropolitan Government (demo)", "Seoul", "KOR", judging.RoleJudge, []string{"en", "ko"}, []string{"mobility", "inclusion"}},
	{"chair@demo.citylens", "Demo Committee Chair", "Global Cities Forum (demo)", "", "Geneva", "CHE", judging.RoleChair, []string{"en"}, []string{"governance"}},
	{"judge.odense@demo.citylens", "Demo Judge (Odense)", "University of Southern Denmark (demo)", "", "Odense", "DNK", judging.RoleJudge, []string{"en"}, []string{"health", "data"}},
	{"judge.bogota@demo.citylens", "Demo Judge (Bogotá)", "Andes Urban Lab (demo)", "", "Bogotá", "COL", judging.RoleJudge, []string{"en", "es"}, []string{"mobility", "environment"}},
	{"judge.nairobi@demo.citylens", "Demo Judge (Nairobi)", "East Africa Smart Cities Network (demo)", "", "Nairobi", "KEN", judging.RoleJudge, []string{"en"}, []string{"inclusion", "education"}},
}

// demoBrief is a synthetic project brief for attachments.
var demoBrief = []byte("%PDF-1.4\n% CityLens demo attachment: a synthetic project brief.\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// seedJudging seeds the prize's judging: the 2025 edition complete
// (applications judged in two rounds, decided and announced, winners
// public) and the 2026 edition in judging (committee, detected
// conflicts, bids, a screening round assigned, some scores). Every write
// goes through the prize and judging services, on clocks set to the
// edition's dates.
func seedJudging(ctx context.Context, s Services) error {
	if s.Judging == nil || s.Prize == nil {
		return nil
	}
	if _, err := s.Store.PrizeEdition(ctx, "2025"); err == nil {
		return nil
	} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	cities, err := s.Store.ListCities(ctx, members.CityFilter{})
	if err != nil || len(cities) == 0 {
		return err
	}
	admin, err := s.Store.UserByEmail(ctx, "admin@demo.citylens")
	if err != nil {
		return err
	}
	adminV := judging.Viewer{UserID: admin.ID, Email: admin.Email, Admin: true}
	var judgeUsers []accounts.User
	for _, d := range demoJudges {
		u, err := s.Store.UserByEmail(ctx, d.email)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			u, err = s.Accounts.AddUser(ctx, system, accounts.User{Email: d.email, Name: d.name, Role: accounts.RoleJudge}, Password)
		}
		if err != nil {
			return err
		}
		judgeUsers = append(judgeUsers, u)
	}
	invite := func(svc *judging.Service, edition string) error {
		for i, d := range demoJudges {
			j := &judging.Judge{Edition: edition, UserID: judgeUsers[i].ID, Name: d.name, Email: d.email, Role: d.role,
				Organisation: d.org, OrgParent: d.parent, CityName: d.city, Country: d.country, Languages: d.langs,
				Expertise: d.expertise, Load: 12, Demo: true}
			if err := svc.InviteJudge(ctx, adminV, j); err != nil {
				return err
			}
		}
		return nil
	}

	// 2025: a past edition, from its call to the announcement.
	seoulTZ, _ := time.LoadLocation("Asia/Seoul")
	opens := time.Date(2025, 3, 3, 0, 0, 0, 0, seoulTZ).UTC()
	e := &prize.Edition{Code: "2025", Year: 2025, Title: "Seoul Smart City Prize 2025", TitleKO: "서울스마트시티상 2025",
		Description:   "Demo edition, judged and announced: the applications, scores and awards are synthetic.",
		DescriptionKO: "심사와 발표를 마친 데모 회차입니다. 신청서, 점수, 수상작은 합성 데이터입니다.",
		TimeZone:      "Asia/Seoul", Opens: opens, Deadline: time.Date(2025, 5, 30, 18, 0, 0, 0, seoulTZ).UTC(),
		Evaluation: time.Date(2025, 6, 10, 0, 0, 0, 0, seoulTZ).UTC(), Finalists: time.Date(2025, 8, 1, 0, 0, 0, 0, seoulTZ).UTC(),
		Ceremony: time.Date(2025, 10, 1, 10, 0, 0, 0, seoulTZ).UTC(), Published: true}
	at := func(t time.Time) func() time.Time { return func() time.Time { return t } }
	p25 := s.Prize.At(at(opens.AddDate(0, 0, 7)))
	if err := p25.SeedEdition(ctx, system, e); err != nil {
		return err
	}
	s25 := s
	s25.Prize = p25
	n := 0
	for i, c := range cities {
		if n >= 12 {
			break
		}
		u, err := s.Store.UserByEmail(ctx, fmt.Sprintf("applicant.%s@demo.citylens", c.Code))
		if err != nil {
			continue
		}
		prof, err := s.Prize.Store.PrizeProfile(ctx, u.ID)
		if err != nil || prize.NeedsEndorsement(prof.Type) || prof.Type == prize.TypeIndividual {
			continue
		}
		who := prize.Who{UserID: u.ID, Email: u.Email, Role: u.Role}
		p := demoProjects[(i*5+1)%len(demoProjects)]
		// n = 0, 2, 4, ... never a draft, late, withdrawn or screened in
		// seedPrizeApplication's pattern.
		nn := 20 + 2*n
		if nn%17 == 9 {
			nn += 100 // not the withdrawn one
		}
		track := p.track
		if n == 7 { // the partner's Special Mention track has one application
			track = prize.TrackSpecial
		}
		if err := seedPrizeApplication(ctx, s25, e, who, prof, track, p, nn, demoBrief, prize.Who{}); err != nil {
			return fmt.Errorf("demo 2025 application: %w", err)
		}
		n++
	}
	j25 := *s.Judging
	clock := opens
	j25.Now = func() time.Time { return clock }
	clock = e.Evaluation
	if err := invite(&j25, "2025"); err != nil {
		return err
	}
	if _, err := j25.DetectConflicts(ctx, adminV, "2025"); err != nil {
		return err
	}
	screen := &judging.Round{Edition: "2025", Kind: judging.RoundScreening, K: 3, Rubric: judging.DefaultRubric(),
		Closes: e.Finalists.AddDate(0, 0, -7), Seed: "demo-2025-screening"}
	if err := j25.OpenRound(ctx, adminV, screen); err != nil {
		return err
	}
	if err := scoreRound(ctx, &j25, adminV, judgeUsers, screen, 0); err != nil {
		return err
	}
	clock = e.Finalists.AddDate(0, 0, -3)
	rep, err := j25.RoundReport(ctx, adminV, screen.ID)
	if err != nil {
		return err
	}
	for i, a := range rep.Apps {
		if i >= 6 {
			break
		}
		if err := j25.Decide(ctx, adminV, &judging.Decision{Edition: "2025", App: a.App, Kind: judging.DecisionFinalist}); err != nil {
			return err
		}
	}
	clock = e.Finalists
	final := &judging.Round{Edition: "2025", Kind: judging.RoundFinalist, K: 4, Rubric: judging.DefaultRubric(),
		Closes: e.Ceremony.AddDate(0, 0, -14), Seed: "demo-2025-finalist"}
	if err := j25.OpenRound(ctx, adminV, final); err != nil {
		return err
	}
	if err := scoreRound(ctx, &j25, adminV, judgeUsers, final, 1); err != nil {
		return err
	}
	// The finalists are invited to the ceremony: two answer (one comes
	// with two people, one cannot), the others do not.
	clock = e.Finalists.AddDate(0, 0, 3)
	if _, err := j25.InviteFinalists(ctx, adminV, "2025"); err != nil {
		return err
	}
	clock = e.Finalists.AddDate(0, 0, 10)
	for i, a := range rep.Apps {
		if i >= 2 {
			break
		}
		app, err := j25.Prize.PrizeApplication(ctx, a.App)
		if err != nil {
			return err
		}
		owner := judging.Viewer{UserID: app.UserID, Email: app.Email}
		if i == 0 {
			err = j25.RespondInvitation(ctx, owner, app.ID, true, []string{"Project lead (demo)", "Deputy mayor (demo)"}, "Visa letter for one person (demo).")
		} else {
			err = j25.RespondInvitation(ctx, owner, app.ID, false, nil, "")
		}
		if err != nil {
			return err
		}
	}
	clock = e.Ceremony.AddDate(0, 0, -10)
	rep, err = j25.RoundReport(ctx, adminV, final.ID)
	if err != nil {
		return err
	}
	grades := []string{"gold", "silver", "bronze"}
	for i, a := range rep.Apps {
		if i >= len(grades) {
			break
		}
		if err := j25.Decide(ctx, adminV, &judging.Decision{Edition: "2025", App: a.App, Kind: judging.DecisionWinner, Grade: grades[i]}); err != nil {
			return err
		}
	}
	// The partner's Special Mention goes to the application of its own
	// track (judging refuses any other).
	special, err := s.Prize.Store.PrizeApplications(ctx, prize.ApplicationFilter{Edition: "2025", State: prize.StateSubmitted})
	if err != nil {
		return err
	}
	for _, a := range special {
		if a.Track == prize.TrackSpecial {
			if err := j25.Decide(ctx, adminV, &judging.Decision{Edition: "2025", App: a.ID, Kind: judging.DecisionMention}); err != nil {
				return err
			}
			break
		}
	}
	clock = e.Ceremony
	if _, err := j25.Announce(ctx, adminV, "2025"); err != nil {
		return err
	}
	if err := seedFollowup(ctx, s, admin.ID, admin.Email); err != nil {
		return err
	}

	// 2026: the committee prepares while the call is open — conflicts
	// detected, bids on the submitted applications, a screening round
	// assigned and a few drafts saved.
	j26 := *s.Judging
	if err := invite(&j26, "2026"); err != nil {
		return err
	}
	if _, err := j26.DetectConflicts(ctx, adminV, "2026"); err != nil {
		return err
	}
	e26, err := s.Store.PrizeEdition(ctx, "2026")
	if err != nil {
		return err
	}
	r26 := &judging.Round{Edition: "2026", Kind: judging.RoundScreening, K: 3, Rubric: judging.DefaultRubric(),
		Closes: e26.Finalists.AddDate(0, 0, -7)}
	if err := j26.OpenRound(ctx, adminV, r26); err != nil {
		return err
	}
	bids := []string{judging.BidEager, judging.BidWilling, judging.BidNot, ""}
	apps, err := s.Prize.Store.PrizeApplications(ctx, prize.ApplicationFilter{Edition: "2026", State: prize.StateSubmitted})
	if err != nil {
		return err
	}
	for ji, u := range judgeUsers {
		v := judging.Viewer{UserID: u.ID, Email: u.Email}
		for ai, a := range apps {
			err := j26.Bid(ctx, v, "2026", a.ID, bids[(ji+ai)%len(bids)])
			if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND { // a conflict: no bid
				return err
			}
		}
	}
	if _, err := j26.Assign(ctx, adminV, r26.ID); err != nil {
		return err
	}
	return seedCeremony2026(ctx, &j26, adminV, judgeUsers, r26, e26)
}

// seedCeremony2026 takes 2026 on to its ceremony, short of the
// announcement: the screening round scored, the best four decided
// finalists, a finalist round with its own rubric assigned, presentation
// slots the day before the ceremony, invitations sent (one answered) and
// the programme.
func seedCeremony2026(ctx context.Context, j26 *judging.Service, adminV judging.Viewer, judgeUsers []accounts.User, r26 *judging.Round, e26 *prize.Edition) error {
	if err := scoreRound(ctx, j26, adminV, judgeUsers, r26, 2); err != nil {
		return err
	}
	rep, err := j26.RoundReport(ctx, adminV, r26.ID)
	if err != nil {
		return err
	}
	for i, a := range rep.Apps {
		if i >= 4 {
			break
		}
		if err := j26.Decide(ctx, adminV, &judging.Decision{Edition: "2026", App: a.App, Kind: judging.DecisionFinalist}); err != nil {
			return err
		}
	}
	// The finalists' rubric weighs implementation and value generation double.
	fr := judging.DefaultRubric()
	for i := range fr.Criteria {
		if fr.Criteria[i].Code == judging.CritValue || fr.Criteria[i].Code == judging.CritImplementation {
			fr.Criteria[i].Weight *= 2
		}
	}
	final := &judging.Round{Edition: "2026", Kind: judging.RoundFinalist, K: 3, Rubric: fr, Closes: e26.Ceremony.AddDate(0, 0, -1),
		Seed: "demo-2026-finalist"}
	if err := j26.OpenRound(ctx, adminV, final); err != nil {
		return err
	}
	if _, err := j26.Assign(ctx, adminV, final.ID); err != nil {
		return err
	}
	loc := e26.Location()
	eve := e26.Ceremony.In(loc).AddDate(0, 0, -1)
	start := time.Date(eve.Year(), eve.Month(), eve.Day(), 10, 0, 0, 0, loc)
	for i, a := range rep.Apps {
		if i >= 4 {
			break
		}
		sl := &judging.Slot{Round: final.ID, App: a.App, Starts: start.Add(time.Duration(i) * 30 * time.Minute), Minutes: 25,
			Room: "Presentation Hall 1"}
		if i == 3 {
			sl.Room, sl.Link = "", "https://meet.demo.citylens/finalist-4"
		}
		if err := j26.ScheduleSlot(ctx, adminV, sl); err != nil {
			return err
		}
	}
	if _, err := j26.InviteFinalists(ctx, adminV, "2026"); err != nil {
		return err
	}
	if len(rep.Apps) > 0 {
		a, err := j26.Prize.PrizeApplication(ctx, rep.Apps[0].App)
		if err != nil {
			return err
		}
		owner := judging.Viewer{UserID: a.UserID, Email: a.Email}
		if err := j26.RespondInvitation(ctx, owner, a.ID, true, []string{"Project lead (demo)", "City official (demo)"},
			"Two hotel nights; one wheelchair user (demo)."); err != nil {
			return err
		}
	}
	day := e26.Ceremony.In(loc)
	return j26.SetProgramme(ctx, adminV, "2026", []judging.ProgrammeItem{
		{Starts: day.Add(-30 * time.Minute), Minutes: 30, Title: "Arrival and registration", TitleKO: "도착 및 등록", Place: "Lobby"},
		{Starts: day, Minutes: 15, Title: "Welcome by the Mayor of Seoul", TitleKO: "서울시장 환영사", Place: "Grand Hall"},
		{Starts: day.Add(15 * time.Minute), Minutes: 45, Title: "Award ceremony", TitleKO: "시상식", Place: "Grand Hall"},
		{Starts: day.Add(time.Hour), Minutes: 60, Title: "Reception", TitleKO: "리셉션", Place: "Garden"},
	})
}

// scoreRound assigns a round and has every judge submit every sheet, with
// deterministic scores: each application has a quality, each judge a
// severity, plus a small spread per criterion.
func scoreRound(ctx context.Context, svc *judging.Service, admin judging.Viewer, judges []accounts.User, r *judging.Round, salt int) error {
	if _, err := svc.Assign(ctx, admin, r.ID); err != nil {
		return err
	}
	for ji, u := range judges {
		v := judging.Viewer{UserID: u.ID, Email: u.Email}
		items, err := svc.Work(ctx, v, r.Edition)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.Round.ID != r.ID {
				continue
			}
			sheet := judging.Sheet{Scores: map[string]int{}, Comments: map[string]judging.Comment{}}
			for ci, c := range r.Rubric.Criteria {
				q := 4 + int(it.App.ID*7+int64(salt))%5 // the application's quality, 4–8
				sev := ji%3 - 1                         // the judge's severity, −1 to +1
				sc := q + sev + (ci+int(it.App.ID))%3 - 1
				sheet.Scores[c.Code] = min(10, max(1, sc))
			}
			sheet.Comments[judging.CritValue] = judging.Comment{Text: "Clear benefits for residents; evidence could be stronger (demo).",
				Visibility: judging.VisibleApplicant}
			if err := svc.SaveScore(ctx, v, r.ID, it.App.ID, sheet, true); err != nil {
				return err
			}
		}
	}
	return nil
}
