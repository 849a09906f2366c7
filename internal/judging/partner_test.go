package judging_test

import (
	"context"
	"strings"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
)

// A partner organisation judges and gives its Special Mention only in its
// own Special Mention track, on SQLite and PostgreSQL: a partner judge
// needs a track of kind special; sees, is assigned, is pinned to and
// scores only that track's applications; a Special Mention of an
// application of another track is refused naming the track.
func TestPartnerSpecialMentionTrack(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, st storetest.Store) {
		f := newCeremony(t, st)
		ctx := context.Background()
		u, err := f.s.CreateUser(ctx, accounts.User{Email: "partner@example.org", Role: accounts.RolePartner, Status: accounts.StatusActive, CreatedAt: *f.now})
		if err != nil {
			t.Fatal(err)
		}
		pv := judging.Viewer{UserID: u.ID, Email: u.Email}
		pj := &judging.Judge{Edition: "2026", UserID: u.ID, Email: u.Email, Name: "Partner", Role: judging.RolePartner,
			Organisation: "Urban Data Institute", Country: "NLD", Languages: []string{"en"}, Load: 5, PartnerTrack: prize.TrackTech}
		err = f.svc.InviteJudge(ctx, f.admin, pj)
		if code(err) != citylens.EINVALID || !strings.Contains(err.Error(), `"tech-innovacity" is not a Special Mention track`) {
			t.Fatalf("a partner on a main track: %v", err)
		}
		pj.PartnerTrack = prize.TrackSpecial
		if err := f.svc.InviteJudge(ctx, f.admin, pj); err != nil {
			t.Fatal(err)
		}
		tech, special := f.apps[1], f.apps[2]

		// Seeing (and so bidding and scoring): only the partner's track.
		_, err = f.svc.SeeApplication(ctx, pv, "2026", tech.ID)
		if code(err) != citylens.EFORBIDDEN || !strings.Contains(err.Error(), `Special Mention track "special-mention"`) {
			t.Fatalf("a partner saw another track: %v", err)
		}
		if err := f.svc.Bid(ctx, pv, "2026", tech.ID, judging.BidEager); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a partner bid on another track: %v", err)
		}
		if _, err := f.svc.SeeApplication(ctx, pv, "2026", special.ID); err != nil {
			t.Fatal(err)
		}

		// Assignment and pins: a screening round of the three applications.
		r := &judging.Round{Edition: "2026", Kind: judging.RoundScreening, K: 3, Rubric: judging.DefaultRubric(), Closes: f.e.Ceremony}
		if err := f.svc.OpenRound(ctx, f.admin, r); err != nil {
			t.Fatal(err)
		}
		err = f.svc.Lock(ctx, f.admin, judging.Assigned{Round: r.ID, Judge: pj.ID, App: tech.ID, Pinned: true})
		if code(err) != citylens.EINVALID || !strings.Contains(err.Error(), `Special Mention track "special-mention"`) ||
			!strings.Contains(err.Error(), `track "tech-innovacity"`) {
			t.Fatalf("a partner pinned to another track: %v", err)
		}
		if _, err := f.svc.Assign(ctx, f.admin, r.ID); err != nil {
			t.Fatal(err)
		}
		work, err := f.svc.Work(ctx, pv, "2026")
		if err != nil {
			t.Fatal(err)
		}
		if len(work) != 1 || work[0].App.ID != special.ID {
			t.Fatalf("the partner's work: %d items", len(work))
		}
		sheet := judging.Sheet{Scores: map[string]int{}}
		for _, c := range r.Rubric.Criteria {
			sheet.Scores[c.Code] = 7
		}
		if err := f.svc.SaveScore(ctx, pv, r.ID, tech.ID, sheet, true); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a partner scored another track: %v", err)
		}
		if err := f.svc.SaveScore(ctx, pv, r.ID, special.ID, sheet, true); err != nil {
			t.Fatal(err)
		}

		// The Special Mention: only in its own track.
		err = f.svc.Decide(ctx, f.admin, &judging.Decision{Edition: "2026", App: tech.ID, Kind: judging.DecisionMention})
		if code(err) != citylens.EINVALID || !strings.Contains(err.Error(), `track "tech-innovacity", not a Special Mention track`) {
			t.Fatalf("a Special Mention on a main track: %v", err)
		}
		err = f.svc.Decide(ctx, f.admin, &judging.Decision{Edition: "2026", App: tech.ID, Kind: judging.DecisionMention, Track: prize.TrackSpecial})
		if code(err) != citylens.EINVALID || !strings.Contains(err.Error(), `A Special Mention of track "special-mention" goes only to applications of that track`) {
			t.Fatalf("a Special Mention naming another track: %v", err)
		}
		if err := f.svc.Decide(ctx, f.admin, &judging.Decision{Edition: "2026", App: special.ID, Kind: judging.DecisionMention}); err != nil {
			t.Fatal(err)
		}
		ds, err := f.svc.Decisions(ctx, f.admin, "2026")
		if err != nil {
			t.Fatal(err)
		}
		mentions := 0
		for _, d := range ds {
			if d.Kind == judging.DecisionMention {
				mentions++
				if d.App != special.ID || d.Track != prize.TrackSpecial {
					t.Fatalf("mention %+v", d)
				}
			}
		}
		if mentions != 1 {
			t.Fatalf("%d mentions", mentions)
		}
	})
}

// Deleting a slot and the attendance summary, on SQLite and PostgreSQL:
// only the committee deletes; a slot deleted is gone (deleting it again
// is not found); the answers are counted by kind.
func TestSlotDeleteAndAttendance(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, st storetest.Store) {
		f := newCeremony(t, st)
		ctx := context.Background()
		sl := &judging.Slot{Round: f.round.ID, App: f.apps[0].ID, Starts: seoul(t, "2026-09-09 10:00"), Minutes: 30, Room: "Hall A"}
		if err := f.svc.ScheduleSlot(ctx, f.admin, sl); err != nil {
			t.Fatal(err)
		}
		judge := judging.Viewer{UserID: f.judges[0].UserID, Email: f.judges[0].Email}
		if err := f.svc.DeleteSlot(ctx, judge, f.round.ID, sl.ID); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a judge deleted a slot: %v", err)
		}
		// A move of a slot the viewer cannot see is refused as not found.
		if err := f.svc.ScheduleSlot(ctx, f.admin, &judging.Slot{ID: sl.ID + 100, Round: f.round.ID, App: f.apps[1].ID,
			Starts: seoul(t, "2026-09-09 12:00"), Minutes: 30, Room: "Hall B"}); code(err) != citylens.ENOTFOUND {
			t.Fatalf("moved a slot that does not exist: %v", err)
		}
		if err := f.svc.DeleteSlot(ctx, f.admin, f.round.ID, sl.ID); err != nil {
			t.Fatal(err)
		}
		if slots, err := f.svc.Slots(ctx, f.admin, f.round.ID); err != nil || len(slots) != 0 {
			t.Fatalf("slots after the delete: %v %v", slots, err)
		}
		if err := f.svc.DeleteSlot(ctx, f.admin, f.round.ID, sl.ID); code(err) != citylens.ENOTFOUND {
			t.Fatalf("deleted twice: %v", err)
		}

		if _, err := f.svc.Attendance(ctx, judge, "2026"); code(err) != citylens.EFORBIDDEN {
			t.Fatalf("a judge read the attendance: %v", err)
		}
		if _, err := f.svc.InviteFinalists(ctx, f.admin, "2026"); err != nil {
			t.Fatal(err)
		}
		at, err := f.svc.Attendance(ctx, f.admin, "2026")
		if err != nil || at.NoAnswer != 2 || at.Confirmed != 0 || at.Declined != 0 || at.People != 0 || len(at.Rows) != 2 {
			t.Fatalf("before the answers: %+v %v", at, err)
		}
		if err := f.svc.RespondInvitation(ctx, f.owners[0], f.apps[0].ID, true, []string{"Ji-woo Park", "Min-jun Lee"}, "Visa letters."); err != nil {
			t.Fatal(err)
		}
		if err := f.svc.RespondInvitation(ctx, f.owners[1], f.apps[1].ID, false, nil, ""); err != nil {
			t.Fatal(err)
		}
		at, err = f.svc.Attendance(ctx, f.admin, "2026")
		if err != nil || at.Confirmed != 1 || at.Declined != 1 || at.NoAnswer != 0 || at.People != 2 {
			t.Fatalf("after the answers: %+v %v", at, err)
		}
		if r := at.Rows[0]; r.App != f.apps[0].ID || r.Title != "Night buses" || r.Ref != f.apps[0].Ref() || r.Travel != "Visa letters." {
			t.Fatalf("row %+v", r)
		}
		// A chair in conflict with an application never learns it was
		// invited: neither from the invitations nor from the attendance.
		cu, err := st.CreateUser(ctx, accounts.User{Email: "chair@example.org", Role: accounts.RoleApplicant, Status: accounts.StatusActive, CreatedAt: *f.now})
		if err != nil {
			t.Fatal(err)
		}
		cj := &judging.Judge{Edition: "2026", UserID: cu.ID, Email: cu.Email, Name: "Okafor", Role: judging.RoleChair,
			Organisation: "Lagos Innovates", Country: "NGA", Languages: []string{"en"}, Load: 5}
		if err := f.svc.InviteJudge(ctx, f.admin, cj); err != nil {
			t.Fatal(err)
		}
		chair := judging.Viewer{UserID: cu.ID, Email: cu.Email}
		if err := f.svc.Declare(ctx, chair, cj.ID, f.apps[0].ID, judging.ConflictAdviser); err != nil {
			t.Fatal(err)
		}
		invs, err := f.svc.Invitations(ctx, chair, "2026")
		if err != nil || len(invs) != 1 || invs[0].App != f.apps[1].ID {
			t.Fatalf("a conflicted chair's invitations: %+v %v", invs, err)
		}
		at, err = f.svc.Attendance(ctx, chair, "2026")
		if err != nil || len(at.Rows) != 1 || at.Rows[0].App != f.apps[1].ID || at.Confirmed != 0 || at.Declined != 1 || at.People != 0 {
			t.Fatalf("a conflicted chair's attendance: %+v %v", at, err)
		}
		if invs, err := f.svc.Invitations(ctx, f.admin, "2026"); err != nil || len(invs) != 2 {
			t.Fatalf("the administrator's invitations: %+v %v", invs, err)
		}
	})
}
