package storetest

import (
	"bytes"
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
)

// FollowupStore is a store with the prize's and the follow-up's records.
type FollowupStore interface {
	JudgingStore
	followup.FullStore
}

// FollowupSuite covers the winners' follow-up (package followup).
var FollowupSuite = []struct {
	Name string
	Test func(t *testing.T, s FollowupStore)
}{
	{"StudyRoundTripOncePerApplication", testFollowupRoundTrip},
	{"EvidenceFilesInChunks", testFollowupFiles},
	{"RemindersDueAndPeople", testFollowupReminders},
	{"CityStudiesHostAndPartnerCity", testFollowupCityStudies},
	{"CorrectPartnersAndEvidence", testFollowupCorrections},
	{"StudyCaseOncePerStudy", testFollowupStudyCase},
}

// RunFollowupSuite runs FollowupSuite against every database.
func RunFollowupSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range FollowupSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(FollowupStore)
					if !ok {
						t.Fatal("the store lacks the follow-up's records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

// followupStudy opens a study of a new winning application in city.
func followupStudy(t *testing.T, s FollowupStore, email, city, stage string) *followup.Study {
	t.Helper()
	ctx := context.Background()
	if _, err := s.PrizeEdition(ctx, "2026"); err != nil {
		prizeEdition(t, s)
	}
	u := prizeUser(t, s, email)
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeLocalGov,
		Organisation: "City of " + city, CityCode: city, CityName: city, Title: "Project of " + email, Stage: stage,
		Answers: prize.Answers{}, State: prize.StateSubmitted, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	st := followup.NewStudy(a, judging.Decision{Kind: judging.DecisionWinner, Grade: "gold"}, t0)
	if err := s.CreateFollowupStudy(ctx, st); err != nil {
		t.Fatal(err)
	}
	return st
}

func testFollowupRoundTrip(t *testing.T, s FollowupStore) {
	ctx := context.Background()
	st := followupStudy(t, s, "a@example.org", "", prize.StageScaled)
	got, err := s.FollowupStudy(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Modality != followup.ModalityTriangular || len(got.Milestones) != 4 || len(got.Partners) != 1 || got.Partners[0].UserID != st.OwnerUserID ||
		got.Milestones[3].Due != "2027-02-24" || got.Milestones[0].TitleKO == "" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("study read back: %+v", got)
	}
	// A second study of the same application is a conflict, inside a
	// transaction too, which stays usable (a replica racing the announcement).
	again := followup.NewStudy(&prize.Application{ID: st.AppID, Edition: "2026", Title: "dup"}, judging.Decision{Kind: judging.DecisionWinner}, t0)
	err = s.InTx(ctx, func(ctx context.Context) error {
		wantCode(t, s.CreateFollowupStudy(ctx, again), "conflict")
		_, err := s.FollowupStudyByApp(ctx, st.AppID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := s.FollowupStudies(ctx, ""); len(all) != 1 {
		t.Fatalf("%d studies", len(all))
	}
	got.Budget, got.Currency, got.Reported, got.Decision, got.DecisionReason, got.ReviewedAt = 250000, "USD", followup.StatusAtRisk, followup.DecisionGo, "Funded.", t0.Add(time.Hour)
	if err := s.UpdateFollowupStudy(ctx, got); err != nil {
		t.Fatal(err)
	}
	m := got.Milestones[1]
	m.Reported, m.DoneAt, m.Due = followup.StatusDone, t0.Add(2*time.Hour), "2026-08-01"
	if err := s.UpdateFollowupMilestone(ctx, &m); err != nil {
		t.Fatal(err)
	}
	e := &followup.Evidence{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceIndicator, Label: "Riders", Indicator: "EC-P-EM-1C",
		Unit: "riders", Before: 1200, After: 3400.5, Public: true, CreatedAt: t0}
	if err := s.AddFollowupEvidence(ctx, e); err != nil {
		t.Fatal(err)
	}
	p := &followup.Partner{StudyID: st.ID, Kind: followup.PartnerCity, CityCode: "kr-busan", Name: "Busan", Role: "partner_city"}
	if err := s.AddFollowupPartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	back, _ := s.FollowupStudy(ctx, st.ID)
	if back.Budget != 250000 || back.Currency != "USD" || back.Decision != followup.DecisionGo || !back.ReviewedAt.Equal(t0.Add(time.Hour)) ||
		back.Milestones[1].Reported != followup.StatusDone || back.Milestones[1].Due != "2026-08-01" || len(back.Partners) != 2 {
		t.Fatalf("updated study: %+v", back)
	}
	ev := back.Milestones[1].Evidence
	if len(ev) != 1 || ev[0].After != 3400.5 || ev[0].Before != 1200 || !ev[0].Public || ev[0].FileID != "" || len(back.Milestones[0].Evidence) != 0 {
		t.Fatalf("evidence: %+v", back.Milestones[1].Evidence)
	}
	wantCode(t, s.UpdateFollowupStudy(ctx, &followup.Study{ID: 999999}), "not_found")
	if _, err := s.FollowupStudy(ctx, 999999); err == nil {
		t.Fatal("a study that does not exist")
	}
}

func testFollowupFiles(t *testing.T, s FollowupStore) {
	ctx := context.Background()
	st := followupStudy(t, s, "a@example.org", "", prize.StagePilot)
	f := followup.File{ID: prize.NewID(), StudyID: st.ID, Name: "plan.pdf", Type: "application/pdf", CreatedAt: t0}
	content := append(bytes.Repeat([]byte("a"), 1000), "tail"...)
	staged := stage(t, s, content)
	if err := s.AddFollowupFile(ctx, f, staged); err != nil {
		t.Fatal(err)
	}
	if err := s.ReleaseStaged(ctx, staged, true); err != nil {
		t.Fatal(err)
	}
	if back, err := s.FollowupFile(ctx, f.ID); err != nil || back.Size != 1004 || back.SHA256 != sha(content) {
		t.Fatalf("file record: %+v %v", back, err)
	}
	// The evidence file's row keeps its bytes from being collected.
	if removed, err := s.(FileKeeper).CollectFile(ctx, sha(content)); err != nil || removed {
		t.Fatalf("collecting an evidence file's bytes: %v %v", removed, err)
	}
	e := &followup.Evidence{StudyID: st.ID, MilestoneID: st.Milestones[0].ID, Kind: followup.EvidenceFile, Label: "Plan", FileID: f.ID, CreatedAt: t0}
	if err := s.AddFollowupEvidence(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.FollowupEvidenceByFile(ctx, f.ID)
	if err != nil || got.ID != e.ID || got.FileName != "plan.pdf" || got.FileSize != 1004 || got.Public {
		t.Fatalf("evidence by file: %+v %v", got, err)
	}
	var buf bytes.Buffer
	if err := s.FollowupFileChunks(ctx, f.ID, func(b []byte) error { buf.Write(b); return nil }); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 1004 || !bytes.HasSuffix(buf.Bytes(), []byte("tail")) {
		t.Fatalf("file read back: %d bytes", buf.Len())
	}
	if n, err := s.FollowupStudyBytes(ctx, st.ID); err != nil || n != 1004 {
		t.Fatalf("study bytes: %d %v", n, err)
	}
	if _, err := s.FollowupEvidenceByFile(ctx, "nope"); err == nil {
		t.Fatal("evidence of a file that does not exist")
	}
}

func testFollowupReminders(t *testing.T, s FollowupStore) {
	ctx := context.Background()
	seedCity(t, s, "kr-seoul", "AS")
	seedCity(t, s, "kr-busan", "AS")
	var focal []int64
	for _, u := range []accounts.User{
		{Email: "f1@example.org", Role: accounts.RoleFocal, CityCode: "kr-seoul", Status: accounts.StatusActive},
		{Email: "f2@example.org", Role: accounts.RoleFocal, CityCode: "kr-busan", Status: accounts.StatusActive},
		{Email: "f3@example.org", Role: accounts.RoleFocal, CityCode: "kr-seoul", Status: accounts.StatusDisabled},
	} {
		u.CreatedAt = t0
		got, err := s.CreateUser(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		focal = append(focal, got.ID)
	}
	st := followupStudy(t, s, "a@example.org", "kr-seoul", prize.StagePilot) // due 2026-04-15, 2026-06-29, ...
	p := &followup.Partner{StudyID: st.ID, Kind: followup.PartnerCity, CityCode: "kr-busan", Name: "Busan", Role: "partner_city"}
	if err := s.AddFollowupPartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	other := followupStudy(t, s, "b@example.org", "", prize.StageConcept) // due 2026-04-30, ...
	done := other.Milestones[0]
	done.Reported = followup.StatusDone
	if err := s.UpdateFollowupMilestone(ctx, &done); err != nil {
		t.Fatal(err)
	}
	// 2026-06-17: Seoul's first milestone is overdue, its second due in 12
	// days; the other study's first is done and so never reminded.
	rs, err := followup.Reminders(ctx, s, time.Date(2026, 6, 17, 8, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	people := []int64{st.OwnerUserID, focal[0], focal[1]}
	// The templates' milestones have Korean titles, which the Korean
	// reminders name.
	if st.Milestones[0].TitleKO == "" || st.Milestones[1].TitleKO == "" {
		t.Fatalf("the template milestones have no Korean title: %+v", st.Milestones[:2])
	}
	want := []followup.Reminder{
		{Kind: followup.KindOverdue, Key: "followup:" + itoa(st.ID) + ":" + itoa(st.Milestones[0].ID) + ":milestone.overdue:2026-04-15",
			StudyID: st.ID, StudyTitle: st.Title, MilestoneID: st.Milestones[0].ID, Milestone: st.Milestones[0].Title, MilestoneKO: st.Milestones[0].TitleKO, Due: "2026-04-15", UserIDs: people},
		{Kind: followup.KindDue14, Key: "followup:" + itoa(st.ID) + ":" + itoa(st.Milestones[1].ID) + ":milestone.due14:2026-06-29",
			StudyID: st.ID, StudyTitle: st.Title, MilestoneID: st.Milestones[1].ID, Milestone: st.Milestones[1].Title, MilestoneKO: st.Milestones[1].TitleKO, Due: "2026-06-29", UserIDs: people},
	}
	sortIDs(want)
	if !reflect.DeepEqual(rs, want) {
		t.Fatalf("reminders:\n got %+v\nwant %+v", rs, want)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func sortIDs(rs []followup.Reminder) {
	for i := range rs {
		ids := rs[i].UserIDs
		for a := 1; a < len(ids); a++ {
			for b := a; b > 0 && ids[b] < ids[b-1]; b-- {
				ids[b], ids[b-1] = ids[b-1], ids[b]
			}
		}
	}
}

// testFollowupCityStudies: a city's studies are those it hosts and those
// it is a partner city of (not an organisation partner named like it),
// whole, by ID; "" is no city.
func testFollowupCityStudies(t *testing.T, s FollowupStore) {
	ctx := context.Background()
	hosted := followupStudy(t, s, "host@example.org", "kr-seoul", prize.StagePilot)
	partnered := followupStudy(t, s, "partner@example.org", "jp-tokyo", prize.StageConcept)
	other := followupStudy(t, s, "other@example.org", "fr-paris", prize.StageScaled)
	noHost := followupStudy(t, s, "nohost@example.org", "", prize.StageScaled)
	for _, p := range []followup.Partner{
		{StudyID: partnered.ID, Kind: followup.PartnerCity, CityCode: "kr-seoul", Name: "Seoul", Role: "partner_city"},
		{StudyID: other.ID, Kind: followup.PartnerOrganisation, CityCode: "", Name: "kr-seoul", Role: "funder"},
	} {
		if err := s.AddFollowupPartner(ctx, &p); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(city string) []int64 {
		t.Helper()
		got, err := followup.CityStore(s).FollowupCityStudies(ctx, city)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, st := range got {
			if len(st.Milestones) != 4 || len(st.Partners) == 0 {
				t.Fatalf("%s: study %d read incomplete: %d milestones, %d partners", city, st.ID, len(st.Milestones), len(st.Partners))
			}
			out = append(out, st.ID)
		}
		return out
	}
	if got, want := ids("kr-seoul"), []int64{hosted.ID, partnered.ID}; !reflect.DeepEqual(got, want) {
		t.Fatalf("kr-seoul's studies %v, want %v", got, want)
	}
	if got, want := ids("fr-paris"), []int64{other.ID}; !reflect.DeepEqual(got, want) {
		t.Fatalf("fr-paris's studies %v, want %v", got, want)
	}
	if got := ids("de-berlin"); len(got) != 0 {
		t.Fatalf("de-berlin's studies %v, want none", got)
	}
	if got := ids(""); len(got) != 0 {
		t.Fatalf("no city's studies %v, want none (not study %d without a host)", got, noHost.ID)
	}
	panel, err := followup.CityStudies(ctx, s, "kr-seoul", t0.AddDate(0, 3, 0))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := panel.(*followup.HomeStudies)
	if !ok || len(h.Studies) != 2 || h.Studies[0].Total != 4 || h.Studies[0].Late != 1 || h.Late != 2 || len(h.Studies[0].Due) != followup.HomeDueShown {
		t.Fatalf("kr-seoul's panel 3 months on: %+v", panel)
	}
	if panel, err := followup.CityStudies(ctx, s, "de-berlin", t0); err != nil || panel != nil {
		t.Fatalf("a city without studies: panel %v, %v; want nil (hidden)", panel, err)
	}
}

// testFollowupCorrections: a partner and evidence are changed and removed
// within their own study only; removing file evidence removes its file
// and chunks.
func testFollowupCorrections(t *testing.T, s FollowupStore) {
	ctx := context.Background()
	st := followupStudy(t, s, "host@example.org", "kr-seoul", prize.StagePilot)
	other := followupStudy(t, s, "other@example.org", "fr-paris", prize.StagePilot)
	p := st.Partners[0]
	p.Kind, p.CityCode, p.Name, p.Role, p.UserID = followup.PartnerCity, "jp-tokyo", "Tokyo", "partner_city", 0
	if err := s.UpdateFollowupPartner(ctx, p); err != nil {
		t.Fatal(err)
	}
	wrong := p
	wrong.StudyID = other.ID
	wantCode(t, s.UpdateFollowupPartner(ctx, wrong), "not_found")
	wantCode(t, s.DeleteFollowupPartner(ctx, other.ID, p.ID), "not_found")
	got, _ := s.FollowupStudy(ctx, st.ID)
	if len(got.Partners) != 1 || got.Partners[0] != p {
		t.Fatalf("partner after the update %+v", got.Partners)
	}
	m := st.Milestones[0]
	file := followup.File{ID: "0123456789abcdef0123456789abcdef", StudyID: st.ID, Name: "plan.pdf", Type: "application/pdf", CreatedAt: t0}
	ev := followup.Evidence{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceFile, Label: "Plan", FileID: file.ID, CreatedAt: t0}
	link := followup.Evidence{StudyID: st.ID, MilestoneID: m.ID, Kind: followup.EvidenceLink, Label: "Site", URL: "https://example.org", CreatedAt: t0}
	staged := stage(t, s, []byte("%PDF-"))
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.AddFollowupFile(ctx, file, staged); err != nil {
			return err
		}
		if err := s.AddFollowupEvidence(ctx, &ev); err != nil {
			return err
		}
		return s.AddFollowupEvidence(ctx, &link)
	})
	if rerr := s.ReleaseStaged(ctx, staged, err == nil); err != nil || rerr != nil {
		t.Fatal(err, rerr)
	}
	link.Label, link.Public, link.URL = "Project site", true, "https://example.org/site"
	if err := s.UpdateFollowupEvidence(ctx, link); err != nil {
		t.Fatal(err)
	}
	wrongE := link
	wrongE.StudyID = other.ID
	wantCode(t, s.UpdateFollowupEvidence(ctx, wrongE), "not_found")
	wantCode(t, s.DeleteFollowupEvidence(ctx, other.ID, ev.ID), "not_found")
	if err := s.DeleteFollowupEvidence(ctx, st.ID, ev.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error { _, err := s.FollowupFile(ctx, file.ID); return err }(), "not_found")
	// The bytes no row refers to any more go with the next collection.
	fk := s.(FileKeeper)
	if removed, err := fk.CollectFile(ctx, staged.Sum()); err != nil || removed != (fk.FileDir() != nil) {
		t.Fatalf("the removed evidence's bytes: collected %v, %v", removed, err)
	}
	if n, _ := s.FollowupStudyBytes(ctx, st.ID); n != 0 {
		t.Fatalf("the study's files take %d bytes after the removal", n)
	}
	got, _ = s.FollowupStudy(ctx, st.ID)
	if e := got.Milestones[0].Evidence; len(e) != 1 || e[0].ID != link.ID || e[0].Label != "Project site" || !e[0].Public || e[0].URL != "https://example.org/site" {
		t.Fatalf("evidence after the corrections %+v", e)
	}
	if err := s.DeleteFollowupPartner(ctx, st.ID, p.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.FollowupStudy(ctx, st.ID); len(got.Partners) != 0 {
		t.Fatalf("partners after the removal %+v", got.Partners)
	}
}
