package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/sqlstore"
)

// PrizeStore is a store with the prize's records.
type PrizeStore interface {
	Store
	prize.Store
}

// PrizeSuite covers the prize's records (package prize).
var PrizeSuite = []struct {
	Name string
	Test func(t *testing.T, s PrizeStore)
}{
	{"EditionTracksEligibilityForms", testPrizeEdition},
	{"ApplicationsRoundTripAndFilter", testPrizeApplications},
	{"AttachmentFiles", testPrizeAttachments},
	{"EndorsementsAndScreenings", testPrizeEndorsements},
}

// RunPrizeSuite runs PrizeSuite against every database.
func RunPrizeSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range PrizeSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(PrizeStore)
					if !ok {
						t.Fatal("the store lacks the prize's records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

func prizeEdition(t *testing.T, s PrizeStore) *prize.Edition {
	t.Helper()
	ctx := context.Background()
	e := &prize.Edition{Code: "2026", Year: 2026, Title: "Seoul Smart City Prize 2026", TitleKO: "서울스마트시티상 2026",
		TimeZone: "Asia/Seoul", Opens: t0, Deadline: t0.AddDate(0, 3, 0), Grace: 2 * time.Hour, Ceremony: t0.AddDate(0, 8, 0),
		Published: true, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePrizeEdition(ctx, e); err != nil {
		t.Fatal(err)
	}
	for _, tr := range prize.DefaultTracks(e.Code) {
		if err := s.PutPrizeTrack(ctx, tr); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func prizeUser(t *testing.T, s PrizeStore, email string) accounts.User {
	t.Helper()
	u, err := s.CreateUser(context.Background(), accounts.User{Email: email, Role: accounts.RoleApplicant, Status: accounts.StatusActive, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func testPrizeEdition(t *testing.T, s PrizeStore) {
	ctx := context.Background()
	e := prizeEdition(t, s)
	wantCode(t, s.CreatePrizeEdition(ctx, e), "conflict")
	got, err := s.PrizeEdition(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" {
		t.Errorf("edition round trip (-want +got):\n%s", diff)
	}
	e.Grace = 0
	e.Title = "Changed"
	if err := s.UpdatePrizeEdition(ctx, e); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PrizeEdition(ctx, "2026"); got.Title != "Changed" || got.Grace != 0 {
		t.Errorf("after update: %+v", got)
	}
	_, err = s.PrizeEdition(ctx, "1999")
	wantCode(t, err, "not_found")
	wantCode(t, s.UpdatePrizeEdition(ctx, &prize.Edition{Code: "1999"}), "not_found")

	tracks, err := s.PrizeTracks(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(prize.DefaultTracks("2026"), tracks); diff != "" {
		t.Errorf("tracks (-want +got):\n%s", diff)
	}
	if err := s.PutPrizeEligibility(ctx, "2026", prize.DefaultEligibility()); err != nil {
		t.Fatal(err)
	}
	// Replacing the grid drops what the new one does not hold.
	rows := []prize.Eligibility{{Track: prize.TrackLeadership, ApplicantType: prize.TypeIndividual, Eligible: true},
		{Track: prize.TrackTech, ApplicantType: prize.TypeIndividual, Eligible: false}}
	if err := s.PutPrizeEligibility(ctx, "2026", rows); err != nil {
		t.Fatal(err)
	}
	got2, err := s.PrizeEligibility(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(rows, got2); diff != "" {
		t.Errorf("eligibility (-want +got):\n%s", diff)
	}
	// A track that does not exist is refused by the database.
	if err := s.PutPrizeEligibility(ctx, "2026", []prize.Eligibility{{Track: "nope", ApplicantType: prize.TypeCorporation}}); err == nil {
		t.Error("eligibility of an unknown track stored")
	}
	if got3, _ := s.PrizeEligibility(ctx, "2026"); len(got3) != 2 {
		t.Errorf("a refused grid changed the stored one: %v", got3)
	}

	_, err = s.PrizeForm(ctx, "2026", "", "")
	wantCode(t, err, "not_found")
	f := prize.DefaultForm()
	if err := s.PutPrizeForm(ctx, "2026", prize.TrackHuman, prize.TypeCorporation, f); err != nil {
		t.Fatal(err)
	}
	gf, err := s.PrizeForm(ctx, "2026", prize.TrackHuman, prize.TypeCorporation)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(f, gf); diff != "" {
		t.Errorf("form round trip (-want +got):\n%s", diff)
	}
}

func testPrizeApplications(t *testing.T, s PrizeStore) {
	ctx := context.Background()
	prizeEdition(t, s)
	u1, u2 := prizeUser(t, s, "a@example.org"), prizeUser(t, s, "b@example.org")
	p := prize.Profile{UserID: u1.ID, Type: prize.TypeCorporation, Organisation: "Acme Mobility", Country: "KOR", CityName: "Seoul", UpdatedAt: t0}
	if err := s.PutPrizeProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	if got, err := s.PrizeProfile(ctx, u1.ID); err != nil || got != p {
		t.Errorf("profile = %+v, %v; want %+v", got, err, p)
	}
	_, err := s.PrizeProfile(ctx, u2.ID)
	wantCode(t, err, "not_found")

	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u1.ID, Email: u1.Email, ApplicantType: prize.TypeCorporation,
		Organisation: "Acme Mobility", Country: "KOR", CityName: "Seoul", Title: "Night buses for shift workers", Stage: prize.StagePilot,
		Answers: prize.Answers{"title": {"Night buses for shift workers"}, "budget": {"1000", "KRW"}}, CoApplicants: []prize.CoApplicant{{Organisation: "Seoul Metro", Country: "KOR"}},
		State: prize.StateDraft, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	if a.ID == 0 {
		t.Fatal("no ID")
	}
	b := &prize.Application{Edition: "2026", Track: prize.TrackHuman, UserID: u2.ID, Email: u2.Email, ApplicantType: prize.TypeLocalGov,
		Organisation: "City of Odense", Country: "DNK", CityName: "Odense", Title: "Digital help desks", Stage: prize.StageOngoing,
		Answers: prize.Answers{}, State: prize.StateSubmitted, Late: true, SubmittedAt: t0.Add(time.Hour), CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePrizeApplication(ctx, b); err != nil {
		t.Fatal(err)
	}
	got, err := s.PrizeApplication(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("application round trip (-want +got):\n%s", diff)
	}
	a.State, a.Screening, a.ScreenReason, a.ScreenedAt = prize.StateRejected, prize.ScreenRejected, "not a city project", t0.Add(2*time.Hour)
	if err := s.UpdatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	got, _ = s.PrizeApplication(ctx, a.ID)
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("after update (-want +got):\n%s", diff)
	}
	for name, c := range map[string]struct {
		f    prize.ApplicationFilter
		want []int64
	}{
		"all":        {prize.ApplicationFilter{Edition: "2026"}, []int64{a.ID, b.ID}},
		"user":       {prize.ApplicationFilter{UserID: u2.ID}, []int64{b.ID}},
		"track":      {prize.ApplicationFilter{Track: prize.TrackTech}, []int64{a.ID}},
		"state":      {prize.ApplicationFilter{State: prize.StateSubmitted}, []int64{b.ID}},
		"country":    {prize.ApplicationFilter{Country: "DNK"}, []int64{b.ID}},
		"type":       {prize.ApplicationFilter{Type: prize.TypeCorporation}, []int64{a.ID}},
		"query":      {prize.ApplicationFilter{Query: "HELP desk"}, []int64{b.ID}},
		"query_like": {prize.ApplicationFilter{Query: "%"}, nil},
		"other":      {prize.ApplicationFilter{Edition: "2025"}, nil},
	} {
		apps, err := s.PrizeApplications(ctx, c.f)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, x := range apps {
			ids = append(ids, x.ID)
		}
		if diff := cmp.Diff(c.want, ids); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
	_, err = s.PrizeApplication(ctx, 999999)
	wantCode(t, err, "not_found")
}

// FileKeeper is the stores' handling of files' bytes (package sqlstore's
// files.go): a directory on SQLite, chunk rows on PostgreSQL (FileDir nil).
type FileKeeper interface {
	FileDir() *blobs.Dir
	CollectFile(ctx context.Context, sum string) (bool, error)
	CollectFiles(ctx context.Context, now time.Time, grace time.Duration) (sqlstore.Sweep, error)
}

// stage is a staged file of s holding b, finished.
func stage(t *testing.T, s interface{ StageFile() (*blobs.Temp, error) }, b []byte) *blobs.Temp {
	t.Helper()
	f, err := s.StageFile()
	if err != nil {
		t.Fatal(err)
	}
	for len(b) > 0 { // in pieces, as an upload arrives
		n := min(len(b), 700)
		if _, err := f.Write(b[:n]); err != nil {
			t.Fatal(err)
		}
		b = b[n:]
	}
	if err := f.Finish(); err != nil {
		t.Fatal(err)
	}
	return f
}

// keptFiles lists the sums in a store's file directory (nil without one).
func keptFiles(t *testing.T, s any) []string {
	t.Helper()
	d := s.(FileKeeper).FileDir()
	if d == nil {
		return nil
	}
	var out []string
	if err := d.Walk(func(sum string, _ time.Time) error { out = append(out, sum); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func testPrizeAttachments(t *testing.T, s PrizeStore) {
	ctx := context.Background()
	fk := s.(FileKeeper)
	dir := fk.FileDir()
	if (dir != nil) != (s.Dialect() == "sqlite") {
		t.Fatalf("%s: file directory %v; want one on SQLite only", s.Dialect(), dir)
	}
	prizeEdition(t, s)
	u := prizeUser(t, s, "a@example.org")
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeCorporation,
		Organisation: "Acme", Answers: prize.Answers{}, State: prize.StateDraft, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	// Over two chunk rows, so both ways of keeping bytes read back in order.
	content := append(append(bytes.Repeat([]byte("a"), 300<<10), bytes.Repeat([]byte{0, 255}, 300)...), "end"...)
	add := func(name string, b []byte) prize.Attachment {
		t.Helper()
		f := stage(t, s, b)
		att := prize.Attachment{ID: prize.NewID(), ApplicationID: a.ID, Field: "evidence", Name: name, Type: "application/pdf", CreatedAt: t0}
		err := s.InTx(ctx, func(ctx context.Context) error { return s.AddPrizeAttachment(ctx, att, f) })
		if rerr := s.ReleaseStaged(ctx, f, err == nil); err != nil || rerr != nil {
			t.Fatal(err, rerr)
		}
		att.Size, att.SHA256 = int64(len(b)), sha(b)
		return att
	}
	read := func(id string) []byte {
		t.Helper()
		var got bytes.Buffer
		if err := s.PrizeAttachmentChunks(ctx, id, func(b []byte) error { got.Write(b); return nil }); err != nil {
			t.Fatal(err)
		}
		return got.Bytes()
	}
	att := add("plan.pdf", content)
	if got := read(att.ID); !bytes.Equal(got, content) {
		t.Errorf("file read back: %d bytes, want %d", len(got), len(content))
	}
	list, err := s.PrizeAttachments(ctx, a.ID)
	if err != nil || len(list) != 1 || list[0] != att {
		t.Errorf("attachments = %+v, %v; want [%+v]", list, err, att)
	}
	// The same bytes again: kept once.
	att2 := add("copy.pdf", content)
	if got := read(att2.ID); !bytes.Equal(got, content) {
		t.Errorf("second file read back: %d bytes", len(got))
	}
	if dir != nil {
		if kept := keptFiles(t, s); len(kept) != 1 || kept[0] != att.SHA256 {
			t.Errorf("files kept = %v; want the one file %s", kept, att.SHA256)
		}
	}
	// Deleting one leaves the bytes the other refers to, even when they
	// are collected.
	if err := s.DeletePrizeAttachment(ctx, att.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.PrizeAttachment(ctx, att.ID)
	wantCode(t, err, "not_found")
	wantCode(t, s.DeletePrizeAttachment(ctx, att.ID), "not_found")
	if removed, err := fk.CollectFile(ctx, att.SHA256); err != nil || removed {
		t.Fatalf("collecting bytes a row refers to: removed %v, %v", removed, err)
	}
	if sw, err := fk.CollectFiles(ctx, t0.AddDate(10, 0, 0), time.Hour); err != nil || sw.Removed != 0 {
		t.Fatalf("sweep with a row referring: %+v %v", sw, err)
	}
	if got := read(att2.ID); !bytes.Equal(got, content) {
		t.Errorf("file read back after the other was deleted: %d bytes", len(got))
	}
	if err := s.DeletePrizeAttachment(ctx, att2.ID); err != nil {
		t.Fatal(err)
	}
	if removed, err := fk.CollectFile(ctx, att.SHA256); err != nil || removed != (dir != nil) {
		t.Fatalf("collecting bytes no row refers to: removed %v, %v", removed, err)
	}
	if kept := keptFiles(t, s); len(kept) != 0 {
		t.Errorf("files kept after both were deleted: %v", kept)
	}

	// A transaction that fails after storing the file leaves neither a
	// row nor the file's bytes (nor its temporary file).
	other := []byte("%PDF-1.4 never stored")
	f := stage(t, s, other)
	att3 := prize.Attachment{ID: prize.NewID(), ApplicationID: a.ID, Field: "evidence", Name: "x.pdf", Type: "application/pdf", CreatedAt: t0}
	err = s.InTx(ctx, func(ctx context.Context) error {
		if err := s.AddPrizeAttachment(ctx, att3, f); err != nil {
			return err
		}
		return s.AddPrizeAttachment(ctx, att3, f) // the same ID again: a conflict
	})
	wantCode(t, err, "conflict")
	if err := s.ReleaseStaged(ctx, f, false); err != nil {
		t.Fatal(err)
	}
	_, err = s.PrizeAttachment(ctx, att3.ID)
	wantCode(t, err, "not_found")
	if kept := keptFiles(t, s); len(kept) != 0 {
		t.Errorf("files kept after a failed transaction: %v", kept)
	}
	if dir != nil {
		tmp, err := os.ReadDir(filepath.Join(dir.Root(), "tmp"))
		if err != nil || len(tmp) != 0 {
			t.Errorf("temporary files left: %v %v", tmp, err)
		}
	}

	// A file a crash left unreferenced is swept once older than the grace;
	// one a row refers to never is.
	att4 := add("kept.pdf", other)
	if dir != nil {
		orphan := []byte("%PDF-1.4 orphan")
		o, err := blobs.NewTemp(dir)
		if err != nil {
			t.Fatal(err)
		}
		o.Write(orphan)
		if err := o.Finish(); err != nil {
			t.Fatal(err)
		}
		if err := o.Link(); err != nil {
			t.Fatal(err)
		}
		o.Close()
		now := time.Now()
		if sw, err := fk.CollectFiles(ctx, now, time.Hour); err != nil || sw.Removed != 0 || sw.Kept != 2 {
			t.Errorf("sweep within the grace: %+v %v", sw, err)
		}
		if sw, err := fk.CollectFiles(ctx, now.Add(2*time.Hour), time.Hour); err != nil || sw.Removed != 1 || sw.Kept != 1 {
			t.Errorf("sweep after the grace: %+v %v", sw, err)
		}
		if dir.Exists(sha(orphan)) || !dir.Exists(att4.SHA256) {
			t.Errorf("after the sweep: orphan kept %v, referenced kept %v", dir.Exists(sha(orphan)), dir.Exists(att4.SHA256))
		}
	}
	if got := read(att4.ID); !bytes.Equal(got, other) {
		t.Errorf("file read back after the sweep: %q", got)
	}
}

func testPrizeEndorsements(t *testing.T, s PrizeStore) {
	ctx := context.Background()
	prizeEdition(t, s)
	seedCity(t, s, "kr-seoul", "AS")
	u := prizeUser(t, s, "a@example.org")
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeCorporation,
		Organisation: "Acme", Answers: prize.Answers{}, State: prize.StateSubmitted, CreatedAt: t0, UpdatedAt: t0}
	if err := s.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	member := &prize.Endorsement{ApplicationID: a.ID, CityCode: "kr-seoul", CityName: "Seoul", Status: prize.EndorseRequested, RequestedAt: t0}
	official := &prize.Endorsement{ApplicationID: a.ID, CityName: "Tartu", Email: "mayor@tartu.example", TokenHash: "h1",
		Status: prize.EndorseRequested, RequestedAt: t0, ExpiresAt: t0.AddDate(0, 1, 0)}
	for _, e := range []*prize.Endorsement{member, official} {
		if err := s.CreatePrizeEndorsement(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.PrizeEndorsementByToken(ctx, "h1")
	if err != nil || got != *official {
		t.Errorf("by token = %+v, %v; want %+v", got, err, *official)
	}
	official.TokenHash, official.Status, official.DecidedAt, official.DecidedBy = "", prize.EndorseGiven, t0.Add(time.Hour), "Mayor"
	if err := s.UpdatePrizeEndorsement(ctx, *official); err != nil {
		t.Fatal(err)
	}
	_, err = s.PrizeEndorsementByToken(ctx, "h1")
	wantCode(t, err, "not_found")
	city, err := s.PrizeEndorsementsForCity(ctx, "kr-seoul")
	if err != nil || len(city) != 1 || city[0] != *member {
		t.Errorf("for city = %+v, %v", city, err)
	}
	all, _ := s.PrizeEndorsements(ctx, a.ID)
	if diff := cmp.Diff([]prize.Endorsement{*member, *official}, all); diff != "" {
		t.Errorf("endorsements (-want +got):\n%s", diff)
	}
	sc := &prize.Screening{ApplicationID: a.ID, Outcome: prize.ScreenRejected, Reason: "outside the call",
		Checks: []prize.Check{{Rule: prize.RuleEligibility, Passed: true, Key: "prize.check.eligible", Note: "ok"}}, Actor: "admin@x", At: t0}
	if err := s.AddPrizeScreening(ctx, sc); err != nil {
		t.Fatal(err)
	}
	scs, err := s.PrizeScreenings(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]prize.Screening{*sc}, scs); diff != "" {
		t.Errorf("screenings (-want +got):\n%s", diff)
	}
}
