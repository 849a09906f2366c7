package judging_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
	"github.com/citylens/citylens/internal/judging"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
)

// ceremonyFixture is an edition (ceremony 2026-09-10 09:00 UTC, 18:00 in
// Seoul) with three applications — the first written in Korean, the third
// in the Special Mention track — two
// judges, the first two applications decided finalists, the first also a
// Gold winner (under embargo), and a finalist round judged by both.
type ceremonyFixture struct {
	svc    *judging.Service
	st     storetest.Store
	s      storetest.JudgingStore
	now    *time.Time
	e      *prize.Edition
	apps   []*prize.Application
	owners []judging.Viewer
	judges []*judging.Judge
	round  *judging.Round
	admin  judging.Viewer
	lib    *exchange.Service
}

func newCeremony(t *testing.T, st storetest.Store) *ceremonyFixture {
	t.Helper()
	s := st.(storetest.JudgingStore)
	ctx := context.Background()
	now := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	f := &ceremonyFixture{st: st, s: s, now: &now, admin: judging.Viewer{Email: "admin@example.org", Admin: true}}
	clock := func() time.Time { return *f.now }
	f.lib = &exchange.Service{Store: st.(exchange.Store), Prize: s, Audit: s, Now: clock}
	f.svc = &judging.Service{Store: s, Prize: s, Audit: s, Mail: citymail.Outbox{Store: st.(citymail.OutboxStore), Now: clock}, Now: clock,
		Library: f.lib}
	f.e = &prize.Edition{Code: "2026", Year: 2026, Title: "Prize", TitleKO: "상", TimeZone: "Asia/Seoul",
		Opens: now.AddDate(0, -4, 0), Deadline: now.AddDate(0, -2, 0), Ceremony: time.Date(2026, 9, 10, 9, 0, 0, 0, time.UTC),
		CreatedAt: now, UpdatedAt: now}
	if err := s.CreatePrizeEdition(ctx, f.e); err != nil {
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
	for i, title := range []string{"Night buses", "Digital help desks", "Hillside cable cars"} {
		u := user("applicant" + string(rune('a'+i)) + "@example.org")
		ans := prize.Answers{"summary": {"A summary."}, prize.FieldOriginal: {"en"}}
		if i == 0 {
			ans[prize.FieldOriginal] = []string{"ko"}
			ans[exchange.ConsentKey] = []string{exchange.Public} // agrees to share in the library
		}
		track := prize.TrackTech
		if i == 2 { // the partner's Special Mention track
			track = prize.TrackSpecial
		}
		a := &prize.Application{Edition: "2026", Track: track, UserID: u.ID, Email: u.Email,
			ApplicantType: prize.TypeLocalGov, Organisation: "Org " + title, CityName: "City", Country: "NOR",
			Title: title, Answers: ans, State: prize.StateSubmitted, CreatedAt: now, UpdatedAt: now, SubmittedAt: now}
		if err := s.CreatePrizeApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.apps = append(f.apps, a)
		f.owners = append(f.owners, judging.Viewer{UserID: u.ID, Email: u.Email})
	}
	for i, name := range []string{"Kim", "Jensen"} {
		u := user("judge" + string(rune('a'+i)) + "@example.org")
		j := &judging.Judge{Edition: "2026", UserID: u.ID, Email: u.Email, Name: name, Role: judging.RoleJudge,
			Organisation: "Institute " + name, Country: "FIN", Languages: []string{"en", "ko"}, Load: 5}
		if err := f.svc.InviteJudge(ctx, f.admin, j); err != nil {
			t.Fatal(err)
		}
		f.judges = append(f.judges, j)
	}
	for _, d := range []*judging.Decision{
		{Edition: "2026", App: f.apps[0].ID, Kind: judging.DecisionFinalist},
		{Edition: "2026", App: f.apps[1].ID, Kind: judging.DecisionFinalist},
		{Edition: "2026", App: f.apps[0].ID, Kind: judging.DecisionWinner, Grade: "gold"},
	} {
		if err := f.svc.Decide(ctx, f.admin, d); err != nil {
			t.Fatal(err)
		}
	}
	fr := judging.DefaultRubric()
	fr.Criteria = fr.Criteria[:3] // the finalists' own, shorter rubric
	f.round = &judging.Round{Edition: "2026", Kind: judging.RoundFinalist, K: 2, Rubric: fr, Closes: f.e.Ceremony}
	if err := f.svc.OpenRound(ctx, f.admin, f.round); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Assign(ctx, f.admin, f.round.ID); err != nil {
		t.Fatal(err)
	}
	return f
}

func seoul(t *testing.T, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		t.Fatal(err)
	}
	at, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// Presentation slots: a judge of two finalists, or one finalist, cannot
// be in two places at once, and the refusal names the slot it clashes
// with, at its time in the edition's zone.
func TestPresentationSlots(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, st storetest.Store) {
		f := newCeremony(t, st)
		ctx := context.Background()
		a := &judging.Slot{Round: f.round.ID, App: f.apps[0].ID, Starts: seoul(t, "2026-09-10 10:00"), Minutes: 30, Room: "Hall A"}
		if err := f.svc.ScheduleSlot(ctx, f.admin, a); err != nil {
			t.Fatal(err)
		}
		// Both judges judge both finalists: an overlap in another room clashes on a judge.
		b := &judging.Slot{Round: f.round.ID, App: f.apps[1].ID, Starts: seoul(t, "2026-09-10 10:15"), Minutes: 30, Room: "Hall B"}
		err := f.svc.ScheduleSlot(ctx, f.admin, b)
		if code(err) != citylens.ECONFLICT || !strings.Contains(err.Error(), "slot "+itoa(a.ID)+" (2026-09-10 10:00–10:30)") ||
			!strings.Contains(err.Error(), "sits on both") {
			t.Fatalf("judge clash: %v", err)
		}
		i18ntest.WantKeyed(t, err)
		// The same finalist twice at once.
		err = f.svc.ScheduleSlot(ctx, f.admin, &judging.Slot{Round: f.round.ID, App: f.apps[0].ID, Starts: seoul(t, "2026-09-10 10:29"), Minutes: 10, Link: "https://meet.example.org/x"})
		if code(err) != citylens.ECONFLICT || !strings.Contains(err.Error(), "of the same finalist") {
			t.Fatalf("finalist clash: %v", err)
		}
		// Back to back is no clash.
		b.Starts = seoul(t, "2026-09-10 10:30")
		if err := f.svc.ScheduleSlot(ctx, f.admin, b); err != nil {
			t.Fatal(err)
		}
		// Moving a slot onto the other clashes; moving it within itself does not.
		moved := *a
		moved.Starts = seoul(t, "2026-09-10 10:45")
		if err := f.svc.ScheduleSlot(ctx, f.admin, &moved); code(err) != citylens.ECONFLICT || !strings.Contains(err.Error(), "slot "+itoa(b.ID)+" (2026-09-10 10:30–11:00)") {
			t.Fatalf("moved slot: %v", err)
		}
		moved.Starts = seoul(t, "2026-09-10 09:50")
		if err := f.svc.ScheduleSlot(ctx, f.admin, &moved); err != nil {
			t.Fatal(err)
		}
		// Bad input names the field; a non-finalist gets no slot.
		err = f.svc.ScheduleSlot(ctx, f.admin, &judging.Slot{Round: f.round.ID, App: f.apps[1].ID, Starts: seoul(t, "2026-09-10 14:00"), Minutes: 500, Link: "http://x"})
		if e := citylens.AsError(err); e == nil || e.Code != citylens.EINVALID || len(e.Problems) != 2 || e.Problems[0].Field != "minutes" || e.Problems[1].Field != "link" {
			t.Fatalf("bad slot: %+v", err)
		}
		i18ntest.WantKeyed(t, err)
		if err := f.svc.ScheduleSlot(ctx, f.admin, &judging.Slot{Round: f.round.ID, App: f.apps[2].ID, Starts: seoul(t, "2026-09-10 14:00"), Minutes: 20, Room: "Hall C"}); code(err) != citylens.EINVALID {
			t.Fatalf("slot for a non-finalist: %v", err)
		}
		if err := f.svc.ScheduleSlot(ctx, f.owners[0], &judging.Slot{Round: f.round.ID, App: f.apps[0].ID, Starts: seoul(t, "2026-09-10 14:00"), Minutes: 20, Room: "Hall C"}); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("an applicant scheduled: %v", err)
		}
		// Who sees which slots: the committee all, a finalist their own, a visitor none.
		slots, err := f.svc.Slots(ctx, f.admin, f.round.ID)
		if err != nil || len(slots) != 2 || slots[0].ID != a.ID || !slots[0].Starts.Equal(seoul(t, "2026-09-10 09:50")) || slots[1].ID != b.ID {
			t.Fatalf("committee's slots %+v %v", slots, err)
		}
		if own, err := f.svc.Slots(ctx, f.owners[1], f.round.ID); err != nil || len(own) != 1 || own[0].App != f.apps[1].ID {
			t.Fatalf("finalist's slots %+v %v", own, err)
		}
		if none, err := f.svc.Slots(ctx, f.owners[2], f.round.ID); err != nil || len(none) != 0 {
			t.Fatalf("non-finalist's slots %+v %v", none, err)
		}
		// A judge in conflict with a finalist no longer sees its slot.
		jv := judging.Viewer{UserID: f.judges[1].UserID, Email: f.judges[1].Email}
		if err := f.svc.Declare(ctx, jv, f.judges[1].ID, f.apps[0].ID, judging.ConflictAdviser); err != nil {
			t.Fatal(err)
		}
		if js, err := f.svc.Slots(ctx, jv, f.round.ID); err != nil || len(js) != 1 || js[0].App != f.apps[1].ID {
			t.Fatalf("conflicted judge's slots %+v %v", js, err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Invitations, attendance, programme and the announcement's e-mails: an
// invitation says "finalist" in the applicant's language with the
// ceremony's and the slot's times in the edition's zone, never a grade;
// the outcome e-mail after the announcement gives the grade, in Korean to
// the Korean applicant.
func TestCeremonyInvitationsAndOutcomeLanguage(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, st storetest.Store) {
		f := newCeremony(t, st)
		ctx := context.Background()
		if err := f.svc.ScheduleSlot(ctx, f.admin, &judging.Slot{Round: f.round.ID, App: f.apps[1].ID, Starts: seoul(t, "2026-09-10 11:00"), Minutes: 20, Link: "https://meet.example.org/odense"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.InviteFinalists(ctx, f.owners[0], "2026"); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("an applicant invited: %v", err)
		}
		n, err := f.svc.InviteFinalists(ctx, f.admin, "2026")
		if err != nil || n != 2 {
			t.Fatalf("invited %d: %v", n, err)
		}
		if n, err := f.svc.InviteFinalists(ctx, f.admin, "2026"); err != nil || n != 0 {
			t.Fatalf("invited again %d: %v", n, err)
		}
		mails, err := st.(citymail.OutboxStore).ListOutbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		byTo := map[string][]citymail.Message{}
		for _, m := range mails {
			byTo[m.To] = append(byTo[m.To], citymail.Message{To: m.To, Subject: m.Subject, Body: m.Body})
		}
		ko, en := byTo[f.apps[0].Email], byTo[f.apps[1].Email]
		if len(ko) != 1 || len(en) != 1 || len(byTo[f.apps[2].Email]) != 0 {
			t.Fatalf("invitations: %d Korean, %d English, %d to the non-finalist", len(ko), len(en), len(byTo[f.apps[2].Email]))
		}
		if ko[0].Subject != "서울 스마트시티 상 2026: 최종 후보로 선정되었습니다" || !strings.Contains(ko[0].Body, "최종 후보로 선정되었습니다") ||
			!strings.Contains(ko[0].Body, "2026-09-10 18:00 (Asia/Seoul)") || strings.Contains(ko[0].Body, "Congratulations") {
			t.Fatalf("Korean invitation: %q / %q", ko[0].Subject, ko[0].Body)
		}
		if !strings.Contains(en[0].Body, "is a finalist") || !strings.Contains(en[0].Body, "ceremony on 2026-09-10 18:00 (Asia/Seoul)") ||
			!strings.Contains(en[0].Body, "Your presentation to the committee: 2026-09-10 11:00 (Asia/Seoul), 20 minutes, https://meet.example.org/odense.") {
			t.Fatalf("English invitation: %q", en[0].Body)
		}
		// The embargo holds: the Gold winner's invitation names no grade.
		for _, w := range []string{"gold", "Gold", "금상", "수상", "winner", "Winner"} {
			if strings.Contains(ko[0].Body+ko[0].Subject, w) {
				t.Fatalf("the invitation leaks %q: %q", w, ko[0].Body)
			}
		}
		// Attendance: the applicant only, bounded.
		if err := f.svc.RespondInvitation(ctx, f.owners[2], f.apps[1].ID, true, []string{"Someone"}, ""); code(err) != citylens.ENOTFOUND {
			t.Fatalf("another applicant answered: %v", err)
		}
		if _, err := f.svc.Invitation(ctx, f.owners[2], f.apps[1].ID); code(err) != citylens.ENOTFOUND {
			t.Fatalf("another applicant read the invitation: %v", err)
		}
		many := make([]string, judging.MaxAttendees+1)
		for i := range many {
			many[i] = "Person"
		}
		err = f.svc.RespondInvitation(ctx, f.owners[1], f.apps[1].ID, true, many, strings.Repeat("x", judging.MaxTravel+1))
		if e := citylens.AsError(err); e == nil || e.Code != citylens.EINVALID || len(e.Problems) != 2 || e.Problems[0].Field != "attendees" || e.Problems[1].Field != "travel" {
			t.Fatalf("too many attendees: %+v", err)
		}
		i18ntest.WantKeyed(t, err)
		if err := f.svc.RespondInvitation(ctx, f.owners[1], f.apps[1].ID, true, []string{" Mette Hansen ", "", "Lars Berg"}, "Wheelchair access; arriving 9 September."); err != nil {
			t.Fatal(err)
		}
		in, err := f.svc.Invitation(ctx, f.owners[1], f.apps[1].ID)
		if err != nil || in.Status != judging.InviteConfirmed || strings.Join(in.Attendees, "|") != "Mette Hansen|Lars Berg" ||
			in.Travel != "Wheelchair access; arriving 9 September." || in.Lang != "en" {
			t.Fatalf("confirmed invitation %+v %v", in, err)
		}
		if err := f.svc.RespondInvitation(ctx, f.owners[0], f.apps[0].ID, false, nil, ""); err != nil {
			t.Fatal(err)
		}
		invs, err := f.svc.Invitations(ctx, f.admin, "2026")
		if err != nil || len(invs) != 2 || invs[0].Status != judging.InviteDeclined || invs[0].Lang != "ko" || invs[1].Status != judging.InviteConfirmed {
			t.Fatalf("committee's invitations %+v %v", invs, err)
		}
		// The programme: in order, times in the edition's zone.
		items := []judging.ProgrammeItem{
			{Starts: seoul(t, "2026-09-10 18:00"), Minutes: 15, Title: "Welcome", TitleKO: "환영사", Place: "Grand Hall"},
			{Starts: seoul(t, "2026-09-10 17:30"), Minutes: 60, Title: "Awards", TitleKO: "시상"},
		}
		err = f.svc.SetProgramme(ctx, f.admin, "2026", items)
		if e := citylens.AsError(err); e == nil || e.Code != citylens.EINVALID || len(e.Problems) != 1 || e.Problems[0].Field != "items[1].starts" {
			t.Fatalf("programme out of order: %+v", err)
		}
		items[1].Starts = seoul(t, "2026-09-10 18:15")
		if err := f.svc.SetProgramme(ctx, f.admin, "2026", items); err != nil {
			t.Fatal(err)
		}
		prog, err := f.svc.Programme(ctx, "2026")
		if err != nil || len(prog) != 2 || prog[1].Title != "Awards" || prog[1].Position != 2 ||
			prog[1].Starts.In(f.e.Location()).Format("15:04") != "18:15" || !prog[0].Starts.Equal(f.e.Ceremony) {
			t.Fatalf("programme %+v %v", prog, err)
		}
		// A Special Mention for an applicant who did not agree to share.
		if err := f.svc.Decide(ctx, f.admin, &judging.Decision{Edition: "2026", App: f.apps[2].ID, Kind: judging.DecisionMention}); err != nil {
			t.Fatal(err)
		}
		// Before the announcement the library holds no case of the edition.
		for _, a := range f.apps {
			if _, err := st.(exchange.Store).ExchangeCaseByApplication(ctx, a.ID); code(err) != citylens.ENOTFOUND {
				t.Fatalf("a case of application %d before the announcement: %v", a.ID, err)
			}
		}
		// The announcement: outcomes in each applicant's language.
		*f.now = f.e.Ceremony
		if err := f.svc.RespondInvitation(ctx, f.owners[1], f.apps[1].ID, true, []string{"Mette Hansen"}, ""); code(err) != citylens.ECONFLICT {
			t.Fatalf("answered after the ceremony began: %v", err)
		}
		if _, err := f.svc.Announce(ctx, f.admin, "2026"); err != nil {
			t.Fatal(err)
		}
		mails, err = st.(citymail.OutboxStore).ListOutbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		results := map[string]string{}
		for _, m := range mails {
			if strings.Contains(m.Subject, "결과") || strings.Contains(m.Subject, "results") {
				results[m.To] = m.Subject + "\n" + m.Body
			}
		}
		if r := results[f.apps[0].Email]; !strings.HasPrefix(r, "서울 스마트시티 상 2026: 결과\n") ||
			!strings.Contains(r, "최종 후보, 수상 (금상)") || !strings.Contains(r, "금상") || strings.Contains(r, "The results") || strings.Contains(r, "Gold") {
			t.Fatalf("Korean outcome e-mail: %q", r)
		}
		if r := results[f.apps[1].Email]; !strings.HasPrefix(r, "Seoul Smart City Prize 2026: results\n") || !strings.Contains(r, f.apps[1].Ref()+", \"Digital help desks\": Finalist.") {
			t.Fatalf("English outcome e-mail: %q", r)
		}
		if r := results[f.apps[2].Email]; !strings.Contains(r, "Special Mention.") {
			t.Fatalf("Special Mention's e-mail: %q", r)
		}
		// The library: the Gold winner, who agreed, is a public case naming
		// the award; the Special Mention, who did not, is no case; the
		// finalist without an award is none either.
		c, err := st.(exchange.Store).ExchangeCaseByApplication(ctx, f.apps[0].ID)
		if err != nil || c.Evidence != "Seoul Smart City Prize 2026: Winner (Gold)" || c.Visibility != exchange.Public || c.Title != "Night buses" {
			t.Fatalf("the winner's case %+v %v", c, err)
		}
		for _, a := range f.apps[1:] {
			if _, err := st.(exchange.Store).ExchangeCaseByApplication(ctx, a.ID); code(err) != citylens.ENOTFOUND {
				t.Fatalf("a case of application %d: %v", a.ID, err)
			}
		}
	})
}
