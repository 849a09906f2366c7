package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/training"
)

// TrainingStore is a store with the training programme's records.
type TrainingStore interface {
	PrizeStore
	training.Store
}

// EventsStore is a store with the network events' records.
type EventsStore interface {
	PrizeStore
	events.Store
}

// TrainingSuite covers the capacity-building training (package training).
var TrainingSuite = []struct {
	Name string
	Test func(t *testing.T, s TrainingStore)
}{
	{"CoursesCohortsSessions", testTrainingCourses},
	{"EnrolmentsAttendanceCertificates", testTrainingPeople},
	{"FilesMaterialsAndAnswers", testTrainingFiles},
	{"MaterialsRemovedReplacedRenamed", testTrainingMaterialChanges},
	{"ConcurrentMaterialChangesNoneLost", testTrainingMaterialsConcurrent},
}

// EventsSuite covers the network events (package events).
var EventsSuite = []struct {
	Name string
	Test func(t *testing.T, s EventsStore)
}{
	{"EventRoundTripNotices", testEventsRoundTrip},
	{"ConcurrentRegistrationsNeverOverCapacity", testEventsConcurrent},
}

// RunTrainingSuite runs TrainingSuite against every database.
func RunTrainingSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range TrainingSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(TrainingStore)
					if !ok {
						t.Fatal("the store lacks the training programme's records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

// RunEventsSuite runs EventsSuite against every database.
func RunEventsSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range EventsSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(EventsStore)
					if !ok {
						t.Fatal("the store lacks the network events' records")
					}
					c.Test(t, s)
				})
			}
		})
	}
}

func testTrainingCourses(t *testing.T, s TrainingStore) {
	ctx := context.Background()
	prizeEdition(t, s)
	c := &training.Course{Title: "Human-centred city development", Description: "Six weeks.", Modules: []string{"Listening", "데이터"},
		Materials: []training.Material{{Title: "Reader", URL: "https://example.org/r.pdf"}}, MinAttendance: 75, CreatedAt: t0}
	if err := s.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.Course(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("course read back differs (-want +got):\n%s", diff)
	}
	wantCode(t, s.CreateCohort(ctx, &training.Cohort{CourseID: c.ID, Edition: "1999", Title: "x", CreatedAt: t0}), "invalid")
	co := &training.Cohort{CourseID: c.ID, Edition: "2026", Title: "Winners 2026", CreatedAt: t0}
	if err := s.CreateCohort(ctx, co); err != nil {
		t.Fatal(err)
	}
	seoul, _ := time.LoadLocation("Asia/Seoul")
	for _, d := range []int{8, 1, 15} {
		st := time.Date(2026, 7, d, 10, 0, 0, 0, seoul)
		if err := s.CreateTrainingSession(ctx, &training.Session{CohortID: co.ID, Title: fmt.Sprintf("Day %d", d), Mode: training.ModeOnSite,
			Start: st, End: st.Add(2 * time.Hour), TimeZone: "Asia/Seoul", Place: "Seoul"}); err != nil {
			t.Fatal(err)
		}
	}
	ss, err := s.CohortSessions(ctx, co.ID)
	if err != nil || len(ss) != 3 || ss[0].Title != "Day 1" || ss[2].Title != "Day 15" || !ss[0].Start.Equal(time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC)) {
		t.Fatalf("sessions %v %+v", err, ss)
	}
	// [from, to): a session starting exactly at to is not in.
	in, err := s.SessionsStarting(ctx, time.Date(2026, 7, 1, 1, 0, 0, 0, time.UTC), time.Date(2026, 7, 8, 1, 0, 0, 0, time.UTC))
	if err != nil || len(in) != 1 || in[0].Title != "Day 1" {
		t.Errorf("sessions starting in the week: %v %+v", err, in)
	}
}

func testTrainingPeople(t *testing.T, s TrainingStore) {
	ctx := context.Background()
	prizeEdition(t, s)
	c := &training.Course{Title: "Course", MinAttendance: 50, CreatedAt: t0}
	if err := s.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	co := &training.Cohort{CourseID: c.ID, Edition: "2026", Title: "C", CreatedAt: t0}
	if err := s.CreateCohort(ctx, co); err != nil {
		t.Fatal(err)
	}
	ses := &training.Session{CohortID: co.ID, Title: "S", Mode: training.ModeOnline, Link: "https://x.example", Start: t0, End: t0.Add(time.Hour), TimeZone: "UTC"}
	if err := s.CreateTrainingSession(ctx, ses); err != nil {
		t.Fatal(err)
	}
	a, b := prizeUser(t, s, "a@example.org"), prizeUser(t, s, "b@example.org")
	ea := &training.Enrolment{CohortID: co.ID, UserID: a.ID, Source: training.SourceRequest, State: training.StatePending, CreatedAt: t0}
	if err := s.PutEnrolment(ctx, ea); err != nil {
		t.Fatal(err)
	}
	first := ea.ID
	ea.State = training.StateApproved // the same row, updated
	if err := s.PutEnrolment(ctx, ea); err != nil || ea.ID != first {
		t.Fatalf("enrolment upsert: %v, id %d then %d", err, first, ea.ID)
	}
	if err := s.PutEnrolment(ctx, &training.Enrolment{CohortID: co.ID, UserID: b.ID, Source: training.SourceWinner, State: training.StateApproved, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	es, err := s.CohortEnrolments(ctx, co.ID)
	if err != nil || len(es) != 2 || es[0].State != training.StateApproved || es[0].Name != "a@example.org" {
		t.Fatalf("enrolments %v %+v", err, es)
	}
	for _, p := range []struct {
		u  int64
		on bool
	}{{a.ID, true}, {b.ID, true}, {b.ID, false}, {a.ID, true}} {
		if err := s.SetTrainingAttendance(ctx, ses.ID, p.u, p.on); err != nil {
			t.Fatal(err)
		}
	}
	att, err := s.CohortAttendance(ctx, co.ID)
	if err != nil || len(att) != 1 || att[0].UserID != a.ID {
		t.Fatalf("attendance %v %+v, want a only", err, att)
	}
	cert := &training.Certificate{Number: "CLT-2026-AAAA", Hash: "abc", CohortID: co.ID, UserID: a.ID, Holder: "A", Course: "Course", Issued: t0}
	if err := s.CreateCertificate(ctx, cert); err != nil {
		t.Fatal(err)
	}
	again := *cert
	again.Number = "CLT-2026-BBBB"
	wantCode(t, s.CreateCertificate(ctx, &again), "conflict") // one per cohort and person
	got, err := s.Certificate(ctx, cert.Number)
	if err != nil || *got != *cert {
		t.Errorf("certificate read back: %v %+v", err, got)
	}
	_, err = s.Certificate(ctx, "CLT-NONE")
	wantCode(t, err, "not_found")
	for _, f := range []*training.Feedback{{CohortID: co.ID, UserID: a.ID, Rating: 2, Relevance: 2}, {CohortID: co.ID, UserID: a.ID, Rating: 5, Relevance: 4, Comment: "ok"}} {
		if err := s.PutFeedback(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := s.CohortFeedback(ctx, co.ID)
	if err != nil || len(fs) != 1 || fs[0].Rating != 5 || fs[0].Comment != "ok" {
		t.Errorf("feedback (one per person, the last): %v %+v", err, fs)
	}
}

func testEventsRoundTrip(t *testing.T, s EventsStore) {
	ctx := context.Background()
	prizeEdition(t, s)
	e := &events.Event{Kind: events.KindCeremony, Title: "Ceremony", Place: "Seoul", Languages: []string{"en", "ko"}, TimeZone: "Asia/Seoul",
		Start: t0, End: t0.Add(3 * time.Hour), Capacity: 300, Edition: "2026", Open: true, CreatedAt: t0}
	if err := s.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Event(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" {
		t.Errorf("event read back differs (-want +got):\n%s", diff)
	}
	wantCode(t, s.CreateEvent(ctx, &events.Event{Kind: events.KindKickoff, Title: "x", Place: "y", TimeZone: "UTC", Start: t0, End: t0.Add(time.Hour),
		Capacity: 1, Edition: "1999", CreatedAt: t0}), "invalid")
	wantCode(t, s.LockEvent(ctx, 999999), "not_found")
	// Linking to a prize edition: unlinked, relinked; no such edition or
	// event refused, nothing changed.
	if err := s.SetEventEdition(ctx, e.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Event(ctx, e.ID); err != nil || got.Edition != "" {
		t.Errorf("unlinked event's edition %q, %v", got.Edition, err)
	}
	wantCode(t, s.SetEventEdition(ctx, e.ID, "1999"), "invalid")
	wantCode(t, s.SetEventEdition(ctx, 999999, "2026"), "not_found")
	if err := s.SetEventEdition(ctx, e.ID, "2026"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Event(ctx, e.ID); err != nil || got.Edition != "2026" {
		t.Errorf("linked event's edition %q, %v", got.Edition, err)
	}
	u := prizeUser(t, s, "n@example.org")
	for i := 0; i < 2; i++ { // the second is the same key: recorded once
		if err := s.AddEventNotice(ctx, events.Notice{UserID: u.ID, Kind: events.NoticeRegistered, Ref: "1", DedupeKey: "k1", CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	ns, err := s.EventNotices(ctx, events.NoticeRegistered, t0, 10)
	if err != nil || len(ns) != 1 || ns[0].UserID != u.ID {
		t.Errorf("notices %v %+v, want one", err, ns)
	}
	if ns, _ := s.EventNotices(ctx, events.NoticeRegistered, t0.Add(time.Second), 10); len(ns) != 0 {
		t.Errorf("notices after their time: %d", len(ns))
	}
}

// testEventsConcurrent registers 20 people at once for 5 places through
// the service on the store: exactly 5 places, 15 waiting, whatever the
// interleaving.
func testEventsConcurrent(t *testing.T, s EventsStore) {
	ctx := context.Background()
	svc := &events.Service{Store: s, Now: func() time.Time { return t0 }}
	e := &events.Event{Kind: events.KindAssembly, Title: "GA", Place: "Seoul", TimeZone: "Asia/Seoul", Start: t0, End: t0.Add(time.Hour),
		Capacity: 5, Open: true}
	if err := svc.Create(ctx, events.Viewer{Admin: true}, auditlog.System("test"), e); err != nil {
		t.Fatal(err)
	}
	const n = 20
	var users []int64
	for i := 0; i < n; i++ {
		users = append(users, prizeUser(t, s, fmt.Sprintf("d%d@example.org", i)).ID)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{}) // all at once, not in the order started
	for i, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = svc.Register(ctx, events.Viewer{UserID: u, Delegate: true}, e.ID)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("registration %d: %v", i, err)
		}
	}
	rs, err := s.EventRegistrations(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, r := range rs {
		count[r.State]++
	}
	if count[events.StateRegistered] != 5 || count[events.StateWaiting] != 15 {
		t.Errorf("after %d concurrent registrations for 5 places: %v", n, count)
	}
}

// testTrainingFiles: a material's file and an answer's file round-trip in
// chunks; a file is a course's or an answer's, never both (the table's
// check); an answer refers to its file, read back with it; a file deleted
// takes its chunks.
func testTrainingFiles(t *testing.T, s TrainingStore) {
	ctx := context.Background()
	prizeEdition(t, s)
	c := &training.Course{Title: "Course", MinAttendance: 50, CreatedAt: t0}
	if err := s.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	co := &training.Cohort{CourseID: c.ID, Edition: "2026", Title: "C", CreatedAt: t0}
	if err := s.CreateCohort(ctx, co); err != nil {
		t.Fatal(err)
	}
	as := &training.Assignment{CohortID: co.ID, Title: "Plan", Due: t0}
	if err := s.CreateAssignment(ctx, as); err != nil {
		t.Fatal(err)
	}
	u := prizeUser(t, s, "a@example.org")
	put := func(f training.File, chunks ...[]byte) {
		t.Helper()
		staged := stage(t, s, bytes.Join(chunks, nil))
		err := s.InTx(ctx, func(ctx context.Context) error { return s.AddTrainingFile(ctx, f, staged) })
		if rerr := s.ReleaseStaged(ctx, staged, err == nil); err != nil || rerr != nil {
			t.Fatal(err, rerr)
		}
	}
	read := func(id string) []byte {
		t.Helper()
		var buf bytes.Buffer
		if err := s.TrainingFileChunks(ctx, id, func(b []byte) error { buf.Write(b); return nil }); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	material := training.File{ID: "00000000000000000000000000000001", CourseID: c.ID, Name: "guide.pdf", Type: "application/pdf", CreatedAt: t0}
	put(material, []byte("%PDF-one "), []byte("two"))
	answer := training.File{ID: "00000000000000000000000000000002", AssignmentID: as.ID, UserID: u.ID, Name: "plan.png", Type: "image/png", CreatedAt: t0}
	put(answer, []byte("\x89PNG"))
	if got := read(material.ID); string(got) != "%PDF-one two" {
		t.Fatalf("material's bytes %q", got)
	}
	got, err := s.TrainingFile(ctx, material.ID)
	if err != nil || got.CourseID != c.ID || got.AssignmentID != 0 || got.UserID != 0 || got.Size != 12 || got.SHA256 != sha256Hex("%PDF-one two") || !got.CreatedAt.Equal(t0) {
		t.Fatalf("material's record %+v %v", got, err)
	}
	both := training.File{ID: "00000000000000000000000000000003", CourseID: c.ID, AssignmentID: as.ID, UserID: u.ID, Name: "x", Type: "image/png", CreatedAt: t0}
	bothStaged := stage(t, s, []byte("\x89PNG"))
	err = s.AddTrainingFile(ctx, both, bothStaged)
	if rerr := s.ReleaseStaged(ctx, bothStaged, err == nil); err == nil || rerr != nil {
		t.Fatal("a file of a course and of an answer at once was stored", rerr)
	}
	if err := s.SetCourseMaterials(ctx, c.ID, []training.Material{{Title: "Guide", FileID: material.ID, FileName: "guide.pdf", FileType: "application/pdf", FileSize: 12}}); err != nil {
		t.Fatal(err)
	}
	if cc, _ := s.Course(ctx, c.ID); len(cc.Materials) != 1 || cc.Materials[0].FileID != material.ID || cc.Materials[0].FileSize != 12 {
		t.Fatalf("materials read back %+v", cc.Materials)
	}
	if err := s.PutTrainingSubmission(ctx, &training.Submission{AssignmentID: as.ID, UserID: u.ID, FileID: answer.ID, SubmittedAt: t0}); err != nil {
		t.Fatal(err)
	}
	subs, err := s.CohortSubmissions(ctx, co.ID)
	if err != nil || len(subs) != 1 || subs[0].FileID != answer.ID || subs[0].FileName != "plan.png" || subs[0].FileType != "image/png" || subs[0].FileSize != 4 {
		t.Fatalf("answer read back %+v %v", subs, err)
	}
	// Replaced by a text answer, the file is no longer referred to and goes.
	if err := s.PutTrainingSubmission(ctx, &training.Submission{AssignmentID: as.ID, UserID: u.ID, Text: "Our plan.", SubmittedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteTrainingFile(ctx, answer.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error { _, err := s.TrainingFile(ctx, answer.ID); return err }(), "not_found")
	wantCode(t, s.TrainingFileChunks(ctx, answer.ID, func([]byte) error { return nil }), "not_found")
	// The collection of unreferred bytes keeps the material's (a training
	// file refers to them) and takes the replaced answer's.
	fk := s.(FileKeeper)
	if sw, err := fk.CollectFiles(ctx, t0.AddDate(10, 0, 0), time.Hour); err != nil || (fk.FileDir() != nil && sw.Removed != 1) {
		t.Fatalf("collection after the answer was replaced: %+v %v", sw, err)
	}
	if got := read(material.ID); string(got) != "%PDF-one two" {
		t.Fatalf("the material's bytes after the collection: %q", got)
	}
	if subs, _ := s.CohortSubmissions(ctx, co.ID); len(subs) != 1 || subs[0].FileID != "" || subs[0].Text != "Our plan." {
		t.Fatalf("the text answer %+v", subs)
	}
}

// sha256Hex is the SHA-256 of s in lower-case hexadecimal, as stores keep
// files' sums.
func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
