package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/training"
)

// testTrainingMaterialChanges: through the training service on the store,
// the secretariat alone removes a course's material, renames it or
// replaces its file or link; a replacement keeps the position and, unless
// changed, the title; the old file's record goes in the same transaction
// (the collection then takes its bytes) and the new one is readable; a
// refused title or file is named and leaves the course as it was, a title
// changed in the same request included; a material changed since the page
// was loaded is a conflict; every change is audited with before and after.
func testTrainingMaterialChanges(t *testing.T, s TrainingStore) {
	ctx := context.Background()
	clock := t0
	svc := &training.Service{Store: s, Audit: s, Now: func() time.Time { return clock }}
	sec := training.Viewer{UserID: 1, Email: "sec@example.org", Admin: true}
	c := &training.Course{Title: "Course", MinAttendance: 50,
		Materials: []training.Material{{Title: "Reading list", URL: "https://example.org/reading"}}}
	if err := svc.CreateCourse(ctx, sec, c); err != nil {
		t.Fatal(err)
	}
	guide := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("guide "), 50_000)...) // over one chunk
	slides := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("slides "), 100)...)
	for _, m := range []struct {
		title string
		data  []byte
	}{{"Guide", guide}, {"Slides", slides}} {
		if _, err := svc.AddMaterialFile(ctx, sec, c.ID, m.title, m.title+".pdf", bytes.NewReader(m.data)); err != nil {
			t.Fatal(err)
		}
	}
	course := func() []training.Material {
		t.Helper()
		cc, err := s.Course(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cc.Materials
	}
	read := func(id string) string {
		t.Helper()
		var buf bytes.Buffer
		if err := s.TrainingFileChunks(ctx, id, func(b []byte) error { buf.Write(b); return nil }); err != nil {
			t.Fatal(err)
		}
		return buf.String()
	}
	start := course()
	guideID, slidesID := start[1].FileID, start[2].FileID
	if len(start) != 3 || guideID == "" || slidesID == "" {
		t.Fatalf("materials %+v", start)
	}
	str := func(s string) *string { return &s }
	unchanged := func(what string) {
		t.Helper()
		if got := course(); len(got) != len(start) || got[0] != start[0] || got[1] != start[1] || got[2] != start[2] {
			t.Fatalf("%s changed the materials: %+v", what, got)
		}
	}
	field := func(err error, f string) bool {
		ce := citylens.AsError(err)
		if ce == nil {
			return false
		}
		for _, p := range ce.Problems {
			if p.Field == f {
				return true
			}
		}
		return false
	}

	// Only the secretariat.
	for _, v := range []training.Viewer{{UserID: 2}, {UserID: 3, Official: true}, {}} {
		wantCode(t, svc.RemoveMaterial(ctx, v, c.ID, 2, guideID), citylens.EFORBIDDEN)
		_, err := svc.UpdateMaterial(ctx, v, c.ID, 2, guideID, str("Mine"), "x.pdf", bytes.NewReader(slides))
		wantCode(t, err, citylens.EFORBIDDEN)
	}
	unchanged("refused people")

	// Refusals name the field and save nothing.
	_, err := svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, str("  "), "", nil)
	if citylens.ErrorCode(err) != citylens.EINVALID || !field(err, "title") {
		t.Fatalf("blank title: %v", err)
	}
	_, err = svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, str(strings.Repeat("t", training.MaxTitle+1)), "", nil)
	if citylens.ErrorCode(err) != citylens.EINVALID || !field(err, "title") {
		t.Fatalf("long title: %v", err)
	}
	_, err = svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, nil, "", nil)
	if citylens.ErrorCode(err) != citylens.EINVALID || !field(err, "file") {
		t.Fatalf("no change asked: %v", err)
	}
	// A new title with a refused file: neither is saved.
	_, err = svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, str("Renamed"), "guide.pdf", strings.NewReader("PK\x03\x04 a zip"))
	if err == nil || !field(err, "file") {
		t.Fatalf("a zip as the new file: %v", err)
	}
	_, err = svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, str("Renamed"), "empty.pdf", strings.NewReader(""))
	if err == nil || !field(err, "file") {
		t.Fatalf("an empty new file: %v", err)
	}
	// Stale or missing positions.
	wantCode(t, svc.RemoveMaterial(ctx, sec, c.ID, 2, slidesID), citylens.ECONFLICT)
	_, err = svc.UpdateMaterial(ctx, sec, c.ID, 3, guideID, str("Renamed"), "", nil)
	wantCode(t, err, citylens.ECONFLICT)
	wantCode(t, svc.RemoveMaterial(ctx, sec, c.ID, 4, ""), citylens.ENOTFOUND)
	wantCode(t, svc.RemoveMaterial(ctx, sec, c.ID, 4, guideID), citylens.ECONFLICT)
	wantCode(t, svc.RemoveMaterial(ctx, sec, c.ID+1000, 1, ""), citylens.ENOTFOUND)
	unchanged("refused changes")
	if read(guideID) != string(guide) {
		t.Fatal("the guide's bytes after refused changes")
	}
	if audits, _ := s.ListAudit(ctx, auditlog.Filter{EntityType: "training_course"}); len(audits) != 0 {
		t.Fatalf("refused changes were audited: %+v", audits)
	}

	// Rename: the title only, the file kept.
	clock = t0.Add(time.Minute)
	m, err := svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, str(" Facilitator's guide "), "", nil)
	if err != nil || m.Title != "Facilitator's guide" || m.FileID != guideID {
		t.Fatalf("rename: %+v %v", m, err)
	}
	// Replace: the new file takes the old one's place, position and title kept.
	clock = t0.Add(2 * time.Minute)
	m, err = svc.UpdateMaterial(ctx, sec, c.ID, 2, guideID, nil, "guide-v2.pdf", bytes.NewReader(slides))
	if err != nil {
		t.Fatal(err)
	}
	got := course()
	if len(got) != 3 || got[1] != m || m.Title != "Facilitator's guide" || m.FileID == guideID || m.FileName != "guide-v2.pdf" ||
		m.FileSize != int64(len(slides)) || m.FileType != "application/pdf" || got[0] != start[0] || got[2] != start[2] {
		t.Fatalf("after the replacement: %+v", got)
	}
	if read(m.FileID) != string(slides) {
		t.Fatal("the new file's bytes")
	}
	wantCode(t, func() error { _, err := s.TrainingFile(ctx, guideID); return err }(), citylens.ENOTFOUND)
	wantCode(t, s.TrainingFileChunks(ctx, guideID, func([]byte) error { return nil }), citylens.ENOTFOUND)
	// The old guide's bytes are no longer referred to: the collection takes
	// them (by content beside SQLite; PostgreSQL's chunk rows went with the record).
	fk := s.(FileKeeper)
	if sw, err := fk.CollectFiles(ctx, t0.AddDate(10, 0, 0), time.Hour); err != nil || (fk.FileDir() != nil && sw.Removed != 1) {
		t.Fatalf("collection after the replacement: %+v %v", sw, err)
	}
	if read(m.FileID) != string(slides) || read(slidesID) != string(slides) {
		t.Fatal("the collection took a file still referred to")
	}
	// A link replaced by a file, renamed at once.
	clock = t0.Add(3 * time.Minute)
	l, err := svc.UpdateMaterial(ctx, sec, c.ID, 1, "https://example.org/reading", str("Reading list (PDF)"), "reading.pdf", bytes.NewReader(guide))
	if err != nil || l.URL != "" || l.FileID == "" || l.Title != "Reading list (PDF)" || read(l.FileID) != string(guide) {
		t.Fatalf("link replaced by a file: %+v %v", l, err)
	}
	// Remove: the file's record goes with the material.
	clock = t0.Add(4 * time.Minute)
	if err := svc.RemoveMaterial(ctx, sec, c.ID, 3, slidesID); err != nil {
		t.Fatal(err)
	}
	if got := course(); len(got) != 2 || got[0] != l || got[1] != m {
		t.Fatalf("after the removal: %+v", got)
	}
	wantCode(t, func() error { _, err := s.TrainingFile(ctx, slidesID); return err }(), citylens.ENOTFOUND)

	// The audit log: before and after of every change, newest first.
	audits, err := s.ListAudit(ctx, auditlog.Filter{EntityType: "training_course"})
	if err != nil || len(audits) != 4 {
		t.Fatalf("audit entries %d %v", len(audits), err)
	}
	type change = *training.MaterialChange
	decode := func(b json.RawMessage) change {
		var c change
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	for i, w := range []struct {
		action        string
		before, after change
	}{
		{"training.material.remove", &training.MaterialChange{Position: 3, Material: start[2]}, nil},
		{"training.material.update", &training.MaterialChange{Position: 1, Material: start[0]}, &training.MaterialChange{Position: 1, Material: l}},
		{"training.material.update", &training.MaterialChange{Position: 2, Material: func() training.Material {
			r := start[1]
			r.Title = "Facilitator's guide"
			return r
		}()}, &training.MaterialChange{Position: 2, Material: m}},
		{"training.material.update", &training.MaterialChange{Position: 2, Material: start[1]}, &training.MaterialChange{Position: 2, Material: func() training.Material {
			r := start[1]
			r.Title = "Facilitator's guide"
			return r
		}()}},
	} {
		e := audits[i]
		if e.Action != w.action || e.EntityID != strconv.FormatInt(c.ID, 10) || e.ActorEmail != sec.Email || e.ActorID != sec.UserID ||
			!e.At.Equal(t0.Add(time.Duration(4-i)*time.Minute)) {
			t.Fatalf("audit %d: %+v", i, e)
		}
		if d := cmp.Diff(w.before, decode(e.Before)); d != "" {
			t.Fatalf("audit %d before (-want +got):\n%s", i, d)
		}
		if d := cmp.Diff(w.after, decode(e.After)); d != "" {
			t.Fatalf("audit %d after (-want +got):\n%s", i, d)
		}
	}
}

// testTrainingMaterialsConcurrent: changes to one course's materials made
// at once (each reads the list, changes one material and writes the list
// whole) follow one another: none is lost.
func testTrainingMaterialsConcurrent(t *testing.T, s TrainingStore) {
	ctx := context.Background()
	svc := &training.Service{Store: s, Audit: s, Now: func() time.Time { return t0 }}
	sec := training.Viewer{UserID: 1, Email: "sec@example.org", Admin: true}
	const n = 8
	c := &training.Course{Title: "Course", MinAttendance: 50}
	for i := range n {
		c.Materials = append(c.Materials, training.Material{Title: fmt.Sprint("Link ", i), URL: fmt.Sprint("https://example.org/", i)})
	}
	if err := svc.CreateCourse(ctx, sec, c); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			title := fmt.Sprint("Renamed ", i)
			_, errs[i] = svc.UpdateMaterial(ctx, sec, c.ID, i+1, fmt.Sprint("https://example.org/", i), &title, "", nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("rename %d: %v", i, err)
		}
	}
	got, err := s.Course(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range got.Materials {
		if m.Title != fmt.Sprint("Renamed ", i) || m.URL != fmt.Sprint("https://example.org/", i) {
			t.Fatalf("material %d after %d concurrent renames: %+v", i+1, n, m)
		}
	}
	if audits, _ := s.ListAudit(ctx, auditlog.Filter{EntityType: "training_course"}); len(audits) != n {
		t.Fatalf("%d audit entries, want %d", len(audits), n)
	}
}
