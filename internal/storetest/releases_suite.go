package storetest

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/synthetic"
)

// ReleaseStore is a store with the published-release interface;
// *sqlite.DB and *postgres.DB are both.
type ReleaseStore interface {
	Store
	release.Store
}

// ReleaseSuite covers stored releases: round trip, identity by hash,
// immutability enforced by the database, and the publish workflow with its
// audit entries and correction rules.
var ReleaseSuite = []struct {
	Name string
	Test func(t *testing.T, s ReleaseStore)
}{
	{"RoundTrip", testReleaseRoundTrip},
	{"DuplicateHashConflicts", testReleaseDuplicate},
	{"PublishedIsImmutable", testReleaseImmutable},
	{"NotFound", testReleaseNotFound},
	{"WorkflowPublishAndCorrect", testReleaseWorkflow},
}

// RunReleaseSuite runs ReleaseSuite against every database.
func RunReleaseSuite(t *testing.T) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range ReleaseSuite {
				t.Run(c.Name, func(t *testing.T) {
					s, ok := o.Open(t).(ReleaseStore)
					if !ok {
						t.Fatalf("%T does not implement release.Store", s)
					}
					c.Test(t, s)
				})
			}
		})
	}
}

var rt0 = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func releaseRecord(edition, hash string, at time.Time) release.Record {
	return release.Record{Edition: edition, Hash: hash, State: release.StatePublished, Title: "Index " + edition, Cities: 3,
		CreatedBy: "admin@test", CreatedAt: at.Add(-time.Hour), PublishedBy: "admin@test", PublishedAt: at}
}

func testReleaseRoundTrip(t *testing.T, s ReleaseStore) {
	ctx := context.Background()
	a := releaseRecord("2025", "aaa111", rt0)
	b := releaseRecord("2026", "bbb222", rt0.Add(24*time.Hour))
	b.Demo, b.DraftID = true, 7
	c := releaseRecord("2026", "ccc333", rt0.Add(48*time.Hour))
	c.Corrects, c.ChangeNote = "bbb222", "Busan's green space was in hectares"
	c.Changes = []release.Change{{Kind: release.ChangeValue, City: "kr-busan", Code: "EN-EQ-GS-1C", Old: "1200", New: "12"}}
	docs := map[string][]byte{}
	for i, rec := range []*release.Record{&a, &b, &c} {
		doc := []byte(fmt.Sprintf(`{"hash":%q,"n":%d}`, rec.Hash, i))
		docs[rec.Hash] = doc
		if err := s.PutRelease(ctx, rec, doc); err != nil {
			t.Fatal(err)
		}
		if rec.ID == 0 {
			t.Fatalf("PutRelease left the id of %s at 0", rec.Hash)
		}
	}
	got, err := s.StoredRelease(ctx, "ccc333")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, got); diff != "" {
		t.Errorf("StoredRelease (-want +got):\n%s", diff)
	}
	doc, err := s.ReleaseDocument(ctx, "bbb222")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, docs["bbb222"]) {
		t.Errorf("ReleaseDocument = %s, want %s", doc, docs["bbb222"])
	}
	hashes := func(recs []release.Record) []string {
		var out []string
		for _, r := range recs {
			out = append(out, r.Hash)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		f    release.Filter
		want []string
	}{
		{"all, newest first", release.Filter{}, []string{"ccc333", "bbb222", "aaa111"}},
		{"one edition", release.Filter{Edition: "2026"}, []string{"ccc333", "bbb222"}},
		{"published", release.Filter{State: release.StatePublished}, []string{"ccc333", "bbb222", "aaa111"}},
		{"drafts", release.Filter{State: release.StateDraft}, nil},
		{"unknown edition", release.Filter{Edition: "1999"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			recs, err := s.StoredReleases(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, hashes(recs)); diff != "" {
				t.Errorf("StoredReleases(%+v) (-want +got):\n%s", tt.f, diff)
			}
		})
	}
}

func testReleaseDuplicate(t *testing.T, s ReleaseStore) {
	ctx := context.Background()
	a := releaseRecord("2025", "dup", rt0)
	if err := s.PutRelease(ctx, &a, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	b := releaseRecord("2026", "dup", rt0.Add(time.Hour))
	wantCode(t, s.PutRelease(ctx, &b, []byte(`{}`)), citylens.ECONFLICT)
	bad := releaseRecord("2026", "other", rt0)
	bad.State = "retracted"
	wantCode(t, s.PutRelease(ctx, &bad, []byte(`{}`)), citylens.EINVALID)
}

func testReleaseImmutable(t *testing.T, s ReleaseStore) {
	ctx := context.Background()
	a := releaseRecord("2025", "fixed", rt0)
	if err := s.PutRelease(ctx, &a, []byte(`{"v":1}`)); err != nil {
		t.Fatal(err)
	}
	raw, ok := s.(interface {
		ExecRaw(context.Context, string) error
	})
	if !ok {
		t.Fatalf("%T has no ExecRaw", s)
	}
	for _, q := range []string{
		`UPDATE releases SET body_json = '{"v":2}' WHERE hash = 'fixed'`,
		`UPDATE releases SET state = 'draft' WHERE hash = 'fixed'`,
		`DELETE FROM releases WHERE hash = 'fixed'`,
	} {
		if err := raw.ExecRaw(ctx, q); err == nil {
			t.Errorf("%s: the database allowed it", q)
		}
	}
	doc, err := s.ReleaseDocument(ctx, "fixed")
	if err != nil || string(doc) != `{"v":1}` {
		t.Errorf("after refused changes: document %s, %v", doc, err)
	}
}

func testReleaseNotFound(t *testing.T, s ReleaseStore) {
	ctx := context.Background()
	_, err := s.StoredRelease(ctx, "nope")
	wantCode(t, err, citylens.ENOTFOUND)
	_, err = s.ReleaseDocument(ctx, "nope")
	wantCode(t, err, citylens.ENOTFOUND)
}

// smallDraft is a synthetic network of 12 cities × 6 indicators.
func smallDraft(t *testing.T, shift float64) release.Draft {
	t.Helper()
	f, d, err := synthetic.Index(12, 6, 3, 11)
	if err != nil {
		t.Fatal(err)
	}
	dr := release.Draft{Edition: "2026", Framework: f.Nodes(), Method: engine.DefaultMethod(), Licence: release.Licence{Name: "CC-BY-4.0"}}
	for i, u := range d.Units {
		dr.Cities = append(dr.Cities, release.City{Code: u, Name: fmt.Sprintf("City %d", i+1), Region: d.Groups["region"][i]})
	}
	for k, code := range f.Indicators() {
		for i, v := range d.Columns[code] {
			if engine.IsNA(v) {
				continue
			}
			if i == 0 && k == 0 {
				v += shift
			}
			dr.Data = append(dr.Data, release.DataPoint{City: d.Units[i], Indicator: code, Value: v, Source: "synthetic", DataYear: 2025})
		}
	}
	return dr
}

func publishSmall(t *testing.T, shift float64, corrects *release.Release, at time.Time) *release.Release {
	t.Helper()
	r, err := release.Publish(context.Background(), release.PublishInput{Draft: smallDraft(t, shift), Corrects: corrects, PublishedAt: at,
		Config: release.Config{Uncertainty: release.Uncertainty{N: 20, Seed: 3, SkipSA: true}}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testReleaseWorkflow(t *testing.T, s ReleaseStore) {
	ctx := context.Background()
	clock := rt0
	w := &release.Workflow{Store: s, Audit: s, Now: func() time.Time { return clock }}
	admin := auditlog.Actor{UserID: 1, Email: "admin@test"}

	first := publishSmall(t, 0, nil, rt0)
	rec, err := w.Save(ctx, admin, release.PublishRequest{Release: first, DraftID: 4, CreatedBy: "analyst@test"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != release.StatePublished || rec.Corrects != "" || rec.PublishedBy != "admin@test" || rec.DraftID != 4 {
		t.Errorf("first release record = %+v", rec)
	}
	back, err := w.Load(ctx, first.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if back.Hash() != first.Hash() {
		t.Errorf("loaded release hash %s, want %s", back.Hash(), first.Hash())
	}
	_, err = w.Save(ctx, admin, release.PublishRequest{Release: first})
	wantCode(t, err, citylens.ECONFLICT)

	fix := publishSmall(t, 1, first, rt0.Add(time.Hour))
	_, err = w.Save(ctx, admin, release.PublishRequest{Release: fix})
	wantCode(t, err, citylens.EINVALID) // no change note
	clock = rt0.Add(time.Hour)
	rec2, err := w.Save(ctx, admin, release.PublishRequest{Release: fix, ChangeNote: "one value was mistyped"})
	if err != nil {
		t.Fatal(err)
	}
	if rec2.Corrects != first.Hash() || len(rec2.Changes) == 0 {
		t.Errorf("correction record: corrects %q (want %q), %d changes", rec2.Corrects, first.Hash(), len(rec2.Changes))
	}
	latest, err := w.Latest(ctx, "2026")
	if err != nil || latest.Hash != fix.Hash() {
		t.Errorf("Latest = %s, %v; want the correction %s", latest.Hash, err, fix.Hash())
	}
	// A second correction of the first release (not the latest) is refused.
	again := publishSmall(t, 2, first, rt0.Add(2*time.Hour))
	_, err = w.Save(ctx, admin, release.PublishRequest{Release: again, ChangeNote: "stale"})
	wantCode(t, err, citylens.ECONFLICT)

	entries, err := s.ListAudit(ctx, auditlog.Filter{Action: release.AuditPublish})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.EntityID)
	}
	if diff := cmp.Diff([]string{fix.Hash(), first.Hash()}, ids); diff != "" {
		t.Errorf("publish audit entries (-want +got):\n%s", diff)
	}
	_, err = w.Latest(ctx, "1999")
	wantCode(t, err, citylens.ENOTFOUND)
}
