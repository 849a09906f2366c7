package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
)

// JudgingStore is a store with the prize's and judging's records.
type JudgingStore interface {
	PrizeStore
	judging.Store
}

// JudgingSuite covers the judging records (package judging).
var JudgingSuite = []struct {
	Name string
	Test func(t *testing.T, s JudgingStore)
}{
	{"JudgesConflictsBids", testJudgingCommittee},
	{"RoundsAssignmentKeepsLocks", testJudgingAssignment},
	{"ScoresDecisionsAnnouncement", testJudgingDecisions},
	{"CeremonySlotsInvitationsProgramme", testJudgingCeremony},
}

// RunJudgingSuite runs JudgingSuite against every database.
func RunJudgingSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range JudgingSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(JudgingStore)
					if !ok {
						t.Fatal("the store lacks the judging records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

// judgingFixture makes an edition, two applications and two judges.
func judgingFixture(t *testing.T, s JudgingStore) (apps [2]int64, judges [2]*judging.Judge) {
	t.Helper()
	ctx := context.Background()
	prizeEdition(t, s)
	for i, email := range []string{"a@example.org", "b@example.org"} {
		u := prizeUser(t, s, email)
		a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email,
			ApplicantType: prize.TypeCorporation, Organisation: "Org " + email, Answers: prize.Answers{},
			State: prize.StateSubmitted, CreatedAt: t0, UpdatedAt: t0}
		if err := s.CreatePrizeApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		apps[i] = a.ID
	}
	for i, email := range []string{"j1@example.org", "j2@example.org"} {
		u := prizeUser(t, s, email)
		j := &judging.Judge{Edition: "2026", UserID: u.ID, Name: "Judge " + email, Email: email, Role: judging.RoleJudge,
			Organisation: "Seoul Institute", OrgParent: "Seoul Metropolitan Government", CityCode: "seoul", CityName: "Seoul",
			Country: "KOR", Languages: []string{"en", "ko"}, Expertise: []string{"mobility"}, Load: 10,
			Tracks: []string{prize.TrackTech}, CreatedAt: t0}
		if i == 1 {
			j.Role, j.PartnerTrack, j.Languages, j.Expertise, j.Tracks = judging.RolePartner, "mention", []string{}, []string{}, []string{}
		}
		if err := s.CreatePrizeJudge(ctx, j); err != nil {
			t.Fatal(err)
		}
		judges[i] = j
	}
	return apps, judges
}

func testJudgingCommittee(t *testing.T, s JudgingStore) {
	ctx := context.Background()
	apps, judges := judgingFixture(t, s)
	dup := *judges[0]
	wantCode(t, s.CreatePrizeJudge(ctx, &dup), "conflict")
	got, err := s.PrizeJudges(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]*judging.Judge{judges[0], judges[1]}, got); diff != "" {
		t.Errorf("judges (-want +got):\n%s", diff)
	}
	judges[0].Load = 3
	if err := s.UpdatePrizeJudge(ctx, judges[0]); err != nil {
		t.Fatal(err)
	}
	if j, _ := s.PrizeJudgeByUser(ctx, "2026", judges[0].UserID); j == nil || j.Load != 3 {
		t.Errorf("after update: %+v", j)
	}
	_, err = s.PrizeJudge(ctx, 999999)
	wantCode(t, err, "not_found")

	c := judging.Conflict{Judge: judges[0].ID, App: apps[0], Type: judging.ConflictCity, Source: judging.SourceDetected,
		Detail: "seoul", Status: judging.StatusPending}
	if err := s.PutPrizeConflict(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.Status = judging.StatusConfirmed // the chair confirms: same key, replaced
	if err := s.PutPrizeConflict(ctx, c); err != nil {
		t.Fatal(err)
	}
	d := judging.Conflict{Judge: judges[1].ID, App: apps[1], Type: judging.ConflictPersonal, Source: judging.SourceJudge,
		Status: judging.StatusPending, Unsupported: true}
	if err := s.PutPrizeConflict(ctx, d); err != nil {
		t.Fatal(err)
	}
	cs, err := s.PrizeConflicts(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]judging.Conflict{c, d}, cs); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	if mine, _ := s.PrizeJudgeConflicts(ctx, judges[1].ID); len(mine) != 1 || mine[0] != d {
		t.Errorf("judge's conflicts %+v", mine)
	}
	wantCode(t, s.PutPrizeConflict(ctx, judging.Conflict{Judge: judges[0].ID, App: 999999, Type: judging.ConflictOther,
		Source: judging.SourceJudge, Status: judging.StatusPending}), "invalid")

	if err := s.PutPrizeBid(ctx, judges[0].ID, apps[1], judging.BidEager); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPrizeBid(ctx, judges[1].ID, apps[0], judging.BidNot); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPrizeBid(ctx, judges[1].ID, apps[0], ""); err != nil {
		t.Fatal(err)
	}
	bids, err := s.PrizeBids(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[[2]int64]string{{judges[0].ID, apps[1]}: judging.BidEager}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
}

func testJudgingAssignment(t *testing.T, s JudgingStore) {
	ctx := context.Background()
	apps, judges := judgingFixture(t, s)
	r := &judging.Round{Edition: "2026", Kind: judging.RoundScreening, K: 1, Rubric: judging.DefaultRubric(),
		Closes: t0.AddDate(0, 5, 0), Seed: "seed"}
	if err := s.CreatePrizeRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	dup := *r
	wantCode(t, s.CreatePrizeRound(ctx, &dup), "conflict")
	got, err := s.PrizeRound(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("round (-want +got):\n%s", diff)
	}
	j0, j1 := judges[0].ID, judges[1].ID
	if err := s.PutPrizeLock(ctx, judging.Assigned{Round: r.ID, Judge: j0, App: apps[0], Pinned: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPrizeLock(ctx, judging.Assigned{Round: r.ID, Judge: j1, App: apps[0], Forbidden: true}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.PutPrizeLock(ctx, judging.Assigned{Round: r.ID, Judge: j1, App: apps[1], Pinned: true, Forbidden: true}), "invalid")
	if err := s.PutPrizeAssignment(ctx, r.ID, []judging.Pair{{Judge: j1, App: apps[1]}, {Judge: j0, App: apps[0]}}); err != nil {
		t.Fatal(err)
	}
	// Re-running with a different optimum drops the old unlocked pair and
	// keeps both locks.
	if err := s.PutPrizeAssignment(ctx, r.ID, []judging.Pair{{Judge: j0, App: apps[1]}}); err != nil {
		t.Fatal(err)
	}
	as, err := s.PrizeAssignment(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []judging.Assigned{
		{Round: r.ID, Judge: j0, App: apps[0], Assigned: true, Pinned: true},
		{Round: r.ID, Judge: j1, App: apps[0], Forbidden: true},
		{Round: r.ID, Judge: j0, App: apps[1], Assigned: true},
	}
	if diff := cmp.Diff(want, as); diff != "" {
		t.Errorf("assignment after re-run (-want +got):\n%s", diff)
	}
}

func testJudgingDecisions(t *testing.T, s JudgingStore) {
	ctx := context.Background()
	apps, judges := judgingFixture(t, s)
	r := &judging.Round{Edition: "2026", Kind: judging.RoundFinalist, K: 2, Rubric: judging.DefaultRubric(), Closes: t0, Seed: "x"}
	if err := s.CreatePrizeRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	sc := judging.Scored{Round: r.ID, Judge: judges[0].ID, App: apps[0], UpdatedAt: t0,
		Sheet: judging.Sheet{Scores: map[string]int{judging.CritValue: 7},
			Comments: map[string]judging.Comment{judging.CritValue: {Text: "가치가 분명하다", Visibility: judging.VisibleApplicant}}}}
	if err := s.PutPrizeScore(ctx, sc); err != nil {
		t.Fatal(err)
	}
	sc.Submitted, sc.Sheet.Scores[judging.CritBudget] = true, 5
	sc.UpdatedAt = t0.Add(time.Minute)
	if err := s.PutPrizeScore(ctx, sc); err != nil {
		t.Fatal(err)
	}
	got, err := s.PrizeScores(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]judging.Scored{sc}, got); diff != "" {
		t.Errorf("scores (-want +got):\n%s", diff)
	}
	d := &judging.Decision{Edition: "2026", App: apps[1], Kind: judging.DecisionWinner, Grade: "gold", Track: prize.TrackTech,
		DecidedBy: "chair@example.org", DecidedAt: t0}
	if err := s.AddPrizeDecision(ctx, d); err != nil {
		t.Fatal(err)
	}
	ds, err := s.PrizeDecisions(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]judging.Decision{*d}, ds); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
	if _, ok, err := s.PrizeAnnounced(ctx, "2026"); ok || err != nil {
		t.Fatalf("announced before announcement: %v %v", ok, err)
	}
	if err := s.AnnouncePrize(ctx, "2026", t0.Add(time.Hour), "admin@example.org"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.AnnouncePrize(ctx, "2026", t0.Add(2*time.Hour), "admin@example.org"), "conflict")
	if at, ok, err := s.PrizeAnnounced(ctx, "2026"); !ok || err != nil || !at.Equal(t0.Add(time.Hour)) {
		t.Fatalf("announced %v %v %v", at, ok, err)
	}
}

func testJudgingCeremony(t *testing.T, s JudgingStore) {
	ctx := context.Background()
	apps, _ := judgingFixture(t, s)
	r := &judging.Round{Edition: "2026", Kind: judging.RoundFinalist, K: 1, Rubric: judging.DefaultRubric(), Closes: t0, Seed: "x"}
	if err := s.CreatePrizeRound(ctx, r); err != nil {
		t.Fatal(err)
	}
	late := &judging.Slot{Round: r.ID, App: apps[0], Starts: t0.Add(2 * time.Hour), Minutes: 30, Room: "Hall A"}
	early := &judging.Slot{Round: r.ID, App: apps[1], Starts: t0.Add(time.Hour), Minutes: 20, Link: "https://meet.example.org/b"}
	for _, sl := range []*judging.Slot{late, early} {
		if err := s.PutPrizeSlot(ctx, sl); err != nil || sl.ID == 0 {
			t.Fatalf("slot %+v: %v", sl, err)
		}
	}
	late.Minutes = 45
	if err := s.PutPrizeSlot(ctx, late); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.PutPrizeSlot(ctx, &judging.Slot{ID: late.ID + 100, Round: r.ID, App: apps[0], Starts: t0, Minutes: 5}), "not_found")
	slots, err := s.PrizeSlots(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]judging.Slot{*early, *late}, slots); diff != "" {
		t.Errorf("slots by start (-want +got):\n%s", diff)
	}
	// Deleting: only the round's own slot, once.
	gone := &judging.Slot{Round: r.ID, App: apps[1], Starts: t0.Add(5 * time.Hour), Minutes: 10, Room: "Hall C"}
	if err := s.PutPrizeSlot(ctx, gone); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeletePrizeSlot(ctx, r.ID+100, gone.ID), "not_found")
	if err := s.DeletePrizeSlot(ctx, r.ID, gone.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeletePrizeSlot(ctx, r.ID, gone.ID), "not_found")
	if slots, err := s.PrizeSlots(ctx, r.ID); err != nil || len(slots) != 2 {
		t.Errorf("slots after a delete: %d, %v", len(slots), err)
	}
	in := judging.Invitation{Edition: "2026", App: apps[1], Lang: "ko", Status: judging.InviteSent, Attendees: []string{}, SentAt: t0}
	if err := s.PutPrizeInvitation(ctx, in); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPrizeInvitation(ctx, judging.Invitation{Edition: "2026", App: apps[0], Lang: "en", Status: judging.InviteSent, Attendees: []string{}, SentAt: t0}); err != nil {
		t.Fatal(err)
	}
	in.Status, in.Attendees, in.Travel, in.RespondedAt = judging.InviteConfirmed, []string{"김민지", "Lee"}, "Visa letter", t0.Add(time.Hour)
	if err := s.PutPrizeInvitation(ctx, in); err != nil {
		t.Fatal(err)
	}
	invs, err := s.PrizeInvitations(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	want := []judging.Invitation{{Edition: "2026", App: apps[0], Lang: "en", Status: judging.InviteSent, Attendees: []string{}, SentAt: t0}, in}
	if diff := cmp.Diff(want, invs); diff != "" {
		t.Errorf("invitations (-want +got):\n%s", diff)
	}
	items := []judging.ProgrammeItem{
		{Edition: "2026", Position: 1, Starts: t0, Minutes: 10, Title: "Welcome", TitleKO: "환영사", Place: "Hall"},
		{Edition: "2026", Position: 2, Starts: t0.Add(10 * time.Minute), Minutes: 50, Title: "Awards", TitleKO: "시상"},
	}
	if err := s.PutPrizeProgramme(ctx, "2026", items); err != nil {
		t.Fatal(err)
	}
	if err := s.PutPrizeProgramme(ctx, "2026", items[1:]); err != nil { // replaces, renumbered
		t.Fatal(err)
	}
	prog, err := s.PrizeProgramme(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	one := items[1]
	one.Position = 1
	if diff := cmp.Diff([]judging.ProgrammeItem{one}, prog); diff != "" {
		t.Errorf("programme (-want +got):\n%s", diff)
	}
}
