package followup

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
	"github.com/citylens/citylens/internal/prize"
)

func TestSuggestModality(t *testing.T) {
	for stage, want := range map[string]string{
		prize.StageConcept: ModalityPilot, prize.StagePlanned: ModalityPilot,
		prize.StagePilot: ModalityDemo, prize.StageOngoing: ModalityDemo,
		prize.StageScaled: ModalityTriangular, "": ModalityPilot, "unknown": ModalityPilot,
	} {
		if got := SuggestModality(stage); got != want {
			t.Errorf("stage %q: %s, want %s", stage, got, want)
		}
	}
}

func day(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t.Add(15 * time.Hour)
}

func TestMilestoneStatus(t *testing.T) {
	for _, c := range []struct {
		reported, due, now, want string
	}{
		{StatusOnTrack, "2027-03-01", "2027-02-28", StatusOnTrack},
		{StatusOnTrack, "2027-03-01", "2027-03-01", StatusOnTrack}, // due today: not late yet
		{StatusOnTrack, "2027-03-01", "2027-03-02", StatusLate},
		{StatusAtRisk, "2027-03-01", "2027-02-01", StatusAtRisk},
		{StatusAtRisk, "2027-03-01", "2027-03-05", StatusLate}, // late outranks at risk
		{StatusDone, "2027-03-01", "2028-01-01", StatusDone},   // done is never late
	} {
		if got := MilestoneStatus(Milestone{Reported: c.reported, Due: c.due}, day(c.now)); got != c.want {
			t.Errorf("%s due %s on %s: %s, want %s", c.reported, c.due, c.now, got, c.want)
		}
	}
}

func TestStudyStatus(t *testing.T) {
	ms := func(r ...string) []Milestone {
		var out []Milestone
		for i, x := range r {
			out = append(out, Milestone{Reported: x, Due: time.Date(2027, 1, 1+i*30, 0, 0, 0, 0, time.UTC).Format(DateLayout)})
		}
		return out
	}
	now := day("2027-01-15") // past the first milestone's date only
	for _, c := range []struct {
		name     string
		reported string
		ms       []Milestone
		want     string
	}{
		{"all done", StatusOnTrack, ms(StatusDone, StatusDone), StatusDone},
		{"first overdue", StatusOnTrack, ms(StatusOnTrack, StatusOnTrack), StatusLate},
		{"first done, second at risk", StatusOnTrack, ms(StatusDone, StatusAtRisk), StatusAtRisk},
		{"reported at risk", StatusAtRisk, ms(StatusDone, StatusOnTrack), StatusAtRisk},
		{"on track", StatusOnTrack, ms(StatusDone, StatusOnTrack), StatusOnTrack},
		{"no milestones", StatusOnTrack, nil, StatusOnTrack},
	} {
		if got := StudyStatus(&Study{Reported: c.reported, Milestones: c.ms}, now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

func TestPlanFor(t *testing.T) {
	start := time.Date(2026, 10, 30, 3, 0, 0, 0, time.UTC)
	for _, m := range Modalities {
		plan := PlanFor(m, start)
		if len(plan) != 4 {
			t.Fatalf("%s: %d milestones", m, len(plan))
		}
		for i, ms := range plan {
			if ms.Seq != i+1 || ms.TitleKO == "" || ms.Validate() != nil {
				t.Errorf("%s milestone %d: %+v (%v)", m, i, ms, ms.Validate())
			}
			if i > 0 && ms.Due <= plan[i-1].Due {
				t.Errorf("%s: milestone %d due %s before %s", m, i, ms.Due, plan[i-1].Due)
			}
		}
	}
	if got := PlanFor(ModalityDemo, start)[0].Due; got != "2026-12-14" {
		t.Errorf("the demonstration's first milestone is due %s, want 2026-12-14 (45 days)", got)
	}
}

func fields(err error) []string {
	var out []string
	if ce := citylens.AsError(err); ce != nil {
		for _, p := range ce.Problems {
			out = append(out, p.Field)
		}
	}
	return out
}

func TestValidation(t *testing.T) {
	m := Milestone{Title: "x", Due: "2027-02-30", Reported: StatusLate}
	if got := fields(m.Validate()); !reflect.DeepEqual(got, []string{"due", "status"}) {
		t.Errorf("milestone: %v", got)
	}
	for _, c := range []struct {
		cur    string
		amount float64
		want   []string
	}{
		{"KRW", 0, nil}, {"KRW", 1e12, nil}, {"KRW", -1, []string{"budget"}}, {"KRW", 1e12 + 1, []string{"budget"}},
		{"KRW", 1.5, []string{"budget"}}, {"krw", 5, []string{"currency"}},
	} {
		if got := fields(invalid(BudgetProblems(c.cur, c.amount))); !reflect.DeepEqual(got, c.want) {
			t.Errorf("budget %s %v: %v, want %v", c.cur, c.amount, got, c.want)
		}
	}
	e := Evidence{Kind: EvidenceLink, URL: "javascript:alert(1)"}
	if got := fields(e.Validate()); !reflect.DeepEqual(got, []string{"url"}) {
		t.Errorf("link: %v", got)
	}
	e = Evidence{Kind: EvidenceIndicator, Label: "riders", Indicator: "bad code!", Before: 1, After: 2e15}
	if got := fields(e.Validate()); !reflect.DeepEqual(got, []string{"indicator", "after"}) {
		t.Errorf("indicator: %v", got)
	}
	s := &Study{Currency: "KRW", Modality: ModalityPilot, Reported: StatusOnTrack, Decision: DecisionNoGo}
	if got := fields(s.Validate()); !reflect.DeepEqual(got, []string{"decision_reason"}) {
		t.Errorf("a decision without its reason: %v", got)
	}
}

func TestReminderKind(t *testing.T) {
	for due, want := range map[string]string{
		"2027-02-28": KindOverdue, "2027-03-01": KindDue3, "2027-03-04": KindDue3,
		"2027-03-05": KindDue14, "2027-03-15": KindDue14, "2027-03-16": "",
	} {
		if got := ReminderKind(due, "2027-03-01"); got != want {
			t.Errorf("due %s: %q, want %q", due, got, want)
		}
	}
}

// dueStore is a ReminderStore of fixed rows.
type dueStore struct {
	due   []Due
	focal map[string][]int64
}

func (d dueStore) FollowupDue(_ context.Context, until string) ([]Due, error) {
	var out []Due
	for _, x := range d.due {
		if x.Due <= until {
			out = append(out, x)
		}
	}
	return out, nil
}

func (d dueStore) FollowupFocalPoints(_ context.Context, cities []string) (map[string][]int64, error) {
	return d.focal, nil
}

func TestReminders(t *testing.T) {
	st := dueStore{due: []Due{
		{StudyID: 1, HostCity: "kr-seoul", StudyOwner: 10, MilestoneID: 5, MilestoneTitle: "Baseline", MilestoneTitleKO: "기준선", Due: "2027-02-20", MilestoneOwner: 11, PartnerUserIDs: []int64{12, 10},
			PartnerCityCodes: []string{"kr-busan"}},
		{StudyID: 1, HostCity: "kr-seoul", StudyOwner: 10, MilestoneID: 6, MilestoneTitle: "Pilot", Due: "2027-03-03", MilestoneOwner: 10},
		{StudyID: 2, HostCity: "", StudyOwner: 20, MilestoneID: 7, Due: "2027-03-14", MilestoneOwner: 0},
		{StudyID: 2, StudyOwner: 20, MilestoneID: 8, Due: "2027-04-30"},
	}, focal: map[string][]int64{"kr-seoul": {30, 31}, "kr-busan": {40}}}
	rs, err := Reminders(context.Background(), st, day("2027-03-01"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Reminder{
		{Kind: KindOverdue, Key: "followup:1:5:milestone.overdue:2027-02-20", StudyID: 1, MilestoneID: 5, Milestone: "Baseline", MilestoneKO: "기준선", Due: "2027-02-20", UserIDs: []int64{10, 11, 12, 30, 31, 40}},
		// No Korean title: the Korean messages name the English one.
		{Kind: KindDue3, Key: "followup:1:6:milestone.due3:2027-03-03", StudyID: 1, MilestoneID: 6, Milestone: "Pilot", MilestoneKO: "Pilot", Due: "2027-03-03", UserIDs: []int64{10, 30, 31}},
		{Kind: KindDue14, Key: "followup:2:7:milestone.due14:2027-03-14", StudyID: 2, MilestoneID: 7, Due: "2027-03-14", UserIDs: []int64{20}},
	}
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("reminders:\n got %+v\nwant %+v", rs, want)
	}
}

func TestMessagesMatchCatalogue(t *testing.T) {
	i18ntest.MessagesMatchCatalogue(t, 20)
}
