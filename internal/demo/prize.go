package demo

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
)

// PrizeApplicant is the demo applicant account (password Password): a
// corporation in Seoul with applications in several states.
const PrizeApplicant = "applicant@demo.citylens"

// demoProject is a synthetic project: its title, summary and the track,
// stage, themes and target groups it is put forward with.
type demoProject struct {
	title, summary, track, stage, theme, group string
}

var demoProjects = []demoProject{
	{"Night buses for shift workers", "On-demand night buses routed by an app and a phone line, for workers whose shifts end after the metro closes.", prize.TrackTech, prize.StagePilot, "mobility", "low_income"},
	{"Digital companions for older residents", "Volunteers and tablets that teach older residents video calls, telemedicine and online banking at home.", prize.TrackHuman, prize.StageOngoing, "inclusion", "elderly"},
	{"Flood sensors in underground homes", "Water-level sensors in basement homes that warn residents and the district office before a flash flood.", prize.TrackTech, prize.StageScaled, "safety", "low_income"},
	{"Sign-language video desk at city hall", "A video link to sign-language interpreters at every public counter of the city.", prize.TrackHuman, prize.StageOngoing, "inclusion", "disabilities"},
	{"Open heat map of bus stops", "Temperature sensors at bus stops feed an open map that decides where shade and cooling go first.", prize.TrackTech, prize.StagePlanned, "environment", "all"},
	{"Multilingual public service chatbot", "A chatbot answering migrants' questions about housing, schools and permits in twelve languages.", prize.TrackHuman, prize.StagePilot, "governance", "migrants"},
	{"Youth coding clubs in public libraries", "Weekly coding clubs for teenagers in every public library, run with local universities.", prize.TrackHuman, prize.StageOngoing, "inclusion", "youth"},
	{"Smart meters for social housing", "Smart electricity meters and advice that cut the energy bills of social-housing tenants.", prize.TrackTech, prize.StagePilot, "energy", "low_income"},
	{"Participatory budgeting app", "Residents propose and vote on district projects from their phones or at kiosks in community centres.", prize.TrackTech, prize.StageScaled, "governance", "all"},
	{"Accessible route planner", "A route planner that knows lifts, ramps and step-free entrances, kept up to date by residents.", prize.TrackHuman, prize.StageConcept, "mobility", "disabilities"},
	{"Air quality alerts for schools", "Low-cost sensors at schools that tell teachers when to keep children indoors.", prize.TrackTech, prize.StageOngoing, "environment", "youth"},
	{"Cultural heritage in augmented reality", "An augmented-reality trail of the old town, free for residents with low incomes.", prize.TrackTech, prize.StageConcept, "culture", "all"},
}

// seedPrize seeds, once, the 2026 edition of the prize, open (it opened a
// month ago, closes in six weeks), with about 60 synthetic applications
// across the tracks from demo applicant accounts: drafts, submissions,
// some awaiting their city's endorsement, one submitted late within the
// grace period, two duplicates, a few withdrawn and a few screened.
func seedPrize(ctx context.Context, s Services) error {
	if s.Prize == nil {
		return nil
	}
	if _, err := s.Store.PrizeEdition(ctx, "2026"); err == nil {
		return nil
	} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return err
	}
	now := s.Now().UTC().Truncate(time.Hour)
	seoulTZ, _ := time.LoadLocation("Asia/Seoul")
	dl := now.AddDate(0, 0, 42).In(seoulTZ)
	e := &prize.Edition{Code: "2026", Year: 2026, Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026",
		Description:   "The prize recognises ongoing or planned smart-city projects that are human-centred and inclusive, supporting vulnerable people in the digital era. Demo edition: the applications are synthetic.",
		DescriptionKO: "인간 중심적이고 포용적인 스마트시티 프로젝트, 디지털 시대의 취약 계층을 돕는 진행 중이거나 계획된 프로젝트를 시상합니다. 데모 회차: 신청서는 합성 데이터입니다.",
		TimeZone:      "Asia/Seoul", Opens: now.AddDate(0, -1, 0),
		Deadline:   time.Date(dl.Year(), dl.Month(), dl.Day(), 18, 0, 0, 0, seoulTZ).UTC(),
		Grace:      2 * time.Hour,
		Evaluation: now.AddDate(0, 0, 50), Finalists: now.AddDate(0, 0, 80), Ceremony: now.AddDate(0, 0, 120), Published: true}
	if err := s.Prize.SeedEdition(ctx, system, e); err != nil {
		return err
	}
	cities, err := s.Store.ListCities(ctx, members.CityFilter{})
	if err != nil {
		return err
	}
	if len(cities) == 0 {
		return nil
	}
	byCode := map[string]members.City{}
	for _, c := range cities {
		byCode[c.Code] = c
	}
	// The applicants: the demo account (a corporation in Seoul), and one
	// organisation per demo city, cycling through the applicant types.
	type applicant struct {
		who  prize.Who
		prof prize.Profile
	}
	var apps []applicant
	add := func(email, name string, p prize.Profile) error {
		u, err := s.Store.UserByEmail(ctx, email)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			u, err = s.Accounts.AddUser(ctx, system, accounts.User{Email: email, Name: name, Role: accounts.RoleApplicant}, Password)
		}
		if err != nil {
			return err
		}
		w := prize.Who{UserID: u.ID, Email: u.Email, Role: u.Role}
		if err := s.Prize.SaveProfile(ctx, w, p); err != nil {
			return err
		}
		apps = append(apps, applicant{w, p})
		return nil
	}
	seoul := byCode[seoul]
	if seoul.Code == "" {
		seoul = cities[0]
	}
	if err := add(PrizeApplicant, "Demo Applicant (Hangang Mobility)", prize.Profile{Type: prize.TypeCorporation, Organisation: "Hangang Mobility (demo)",
		Country: seoul.Country, CityName: seoul.Name, Website: "https://example.org/hangang"}); err != nil {
		return err
	}
	types := []string{prize.TypeLocalGov, prize.TypeCorporation, prize.TypeInstitution, prize.TypeLocalGov, prize.TypeNationalGov, prize.TypeIndividual}
	for i, c := range cities {
		if len(apps) >= 22 {
			break
		}
		t := types[i%len(types)]
		org := map[string]string{prize.TypeLocalGov: "City of " + c.Name, prize.TypeCorporation: c.Name + " Urban Tech",
			prize.TypeInstitution: c.Name + " Institute of Technology", prize.TypeNationalGov: "Ministry of Digital Affairs (" + c.Country + ")",
			prize.TypeIndividual: "Dr. " + c.Name + " Fellow"}[t]
		if err := add(fmt.Sprintf("applicant.%s@demo.citylens", c.Code), org, prize.Profile{Type: t, Organisation: org + " (demo)",
			Country: c.Country, CityName: c.Name}); err != nil {
			return err
		}
	}
	focal := prize.Who{Role: accounts.RoleFocal, City: seoul.Code}
	if u, err := s.Store.UserByEmail(ctx, "focal.seoul@demo.citylens"); err == nil {
		focal.UserID, focal.Email = u.ID, u.Email
	}
	pdf := []byte("%PDF-1.4\n% CityLens demo attachment: a synthetic project brief.\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	n := 0
	for i, a := range apps {
		per := 3
		if i == 0 {
			per = 4
		}
		for j := 0; j < per && n < 60; j++ {
			p := demoProjects[(i*3+j)%len(demoProjects)]
			track := p.track
			if a.prof.Type == prize.TypeIndividual {
				track = prize.TrackLeadership
				p.title = "Leadership of " + a.prof.CityName + "'s digital inclusion plan"
			}
			if j == 2 && a.prof.Type != prize.TypeIndividual {
				track = prize.TrackSpecial
			}
			// Two duplicates: the demo applicant puts one project forward
			// twice, to two tracks.
			if i == 0 && j == 3 {
				p = demoProjects[0]
				track = prize.TrackHuman
			}
			if err := seedPrizeApplication(ctx, s, e, a.who, a.prof, track, p, n, pdf, focal); err != nil {
				return fmt.Errorf("demo prize application %d: %w", n, err)
			}
			n++
		}
	}
	return nil
}

// seedPrizeApplication makes one demo application; n decides its state.
func seedPrizeApplication(ctx context.Context, s Services, e *prize.Edition, who prize.Who, prof prize.Profile, track string, p demoProject, n int, pdf []byte, focal prize.Who) error {
	svc := s.Prize
	app, err := svc.CreateApplication(ctx, who, e.Code, track)
	if err != nil {
		return err
	}
	ans := prize.Answers{
		"title": {p.title}, "summary": {p.summary}, "original_language": {"en"}, "place": {prof.Country, prof.CityName},
		"problem":       {"Residents who are left out of digital services: " + strings.ToLower(p.summary)},
		"target_groups": {p.group}, "stage": {p.stage}, "themes": {p.theme}, "sdgs": {"11"}, "esg_pillar": {"social"},
		"budget": {fmt.Sprint(50000 * (n%9 + 1)), "USD"},
	}
	if p.stage == prize.StagePilot || p.stage == prize.StageOngoing || p.stage == prize.StageScaled {
		ans["results"] = []string{"Synthetic demo results."}
	}
	if n%10 == 3 { // drafts, some half filled
		delete(ans, "problem")
	}
	if app, err = svc.SaveDraft(ctx, who, app.ID, ans, nil); err != nil {
		return err
	}
	if n%4 == 0 {
		if _, err := svc.AddAttachment(ctx, who, app.ID, "evidence", "project-brief.pdf", bytes.NewReader(pdf)); err != nil {
			return err
		}
	}
	if n%10 == 3 || n%10 == 7 {
		return nil // a draft
	}
	if prize.NeedsEndorsement(prof.Type) {
		official := ""
		if focal.City == "" || app.CityCode != focal.City {
			official = "mayors.office@" + strings.ToLower(prof.Country) + ".demo.citylens"
		}
		end, err := svc.RequestEndorsement(ctx, who, app.ID, official)
		if err != nil {
			return err
		}
		// Seoul's focal point has decided on some; the rest await.
		if end.CityCode == focal.City && end.Email == "" && focal.UserID != 0 && n%3 != 2 {
			if _, err := svc.Endorse(ctx, focal, end.ID, prize.EndorseGiven, "Seoul supports this project (demo)."); err != nil {
				return err
			}
		}
	}
	sub := svc
	if n == 5 { // the late one: submitted an hour after the deadline, within the grace
		sub = svc.At(func() time.Time { return e.Deadline.Add(time.Hour) })
	}
	if _, err := sub.Submit(ctx, who, app.ID); err != nil {
		return err
	}
	switch {
	case n%17 == 9:
		return svc.Withdraw(ctx, who, app.ID)
	case n%11 == 1:
		return svc.Screen(ctx, prize.Who{Role: accounts.RoleAdmin, Email: "admin@demo.citylens"}, app.ID, prize.ScreenEligible, "")
	case n == 14:
		return svc.Screen(ctx, prize.Who{Role: accounts.RoleAdmin, Email: "admin@demo.citylens"}, app.ID, prize.ScreenRejected,
			"The project has not started and has no partner yet (demo).")
	}
	return nil
}
