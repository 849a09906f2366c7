package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
)

// DataCallSuite covers values, submissions, imports and draft releases.
var DataCallSuite = []struct {
	Name string
	Test func(t *testing.T, s FeatureStore)
}{
	{"ValuesRoundTrip", testValuesRoundTrip},
	{"CityValuesOf", testCityValuesOf},
	{"ImportAllOrNothing", testImportAllOrNothing},
	{"ImportRollsBackOnStoreError", testImportRollsBack},
	{"Workflow", testWorkflow},
	{"ComputeStoresDraftRelease", testComputeRelease},
	{"CoverageFromCounts", testCoverageCounts},
	{"ValueRefsRefused", testValueRefs},
	{"CountsKeptByDatabase", testCountsKept},
}

func dataCallService(s FeatureStore, now time.Time) *datacall.Service {
	return &datacall.Service{Store: s, Catalogue: s, Audit: s, Now: func() time.Time { return now }}
}

var (
	focalSeoul = datacall.Actor{Role: datacall.RoleFocal, City: "kr-seoul", UserID: 7, Email: "focal@seoul", RemoteAddr: "10.0.0.7"}
	officerAS  = datacall.Actor{Role: datacall.RoleRegional, Region: "AS", UserID: 8, Email: "officer@asia"}
	seoulRef   = datacall.CityRef{Code: "kr-seoul", Region: "AS"}
)

// entriesFor makes one valid entry per indicator of e for city, values
// base+i (shares stay within 0..100, yes/no indicators get 1).
func entriesFor(t *testing.T, s FeatureStore, e *catalogue.Edition, city string, base float64) []datacall.Entry {
	t.Helper()
	inds, err := s.Indicators(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cat := catalogue.Index(inds)
	var out []datacall.Entry
	for i, n := range e.Indicators() {
		ind := cat[n.Code]
		v := base + float64(i%7)
		if ind.Max != nil && v > *ind.Max {
			v = float64(int(base/10) % 2) // yes/no: differs between cities
		}
		out = append(out, datacall.Entry{Row: i + 2, City: city, Indicator: n.Code, Value: fmt.Sprint(v), Unit: ind.Unit,
			Source: "City statistics office", DataYear: "2024"})
	}
	return out
}

func testValuesRoundTrip(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	featureCity(t, s, "kr-seoul", "AS")
	seedEdition(t, s, "2026", catalogue.StatusOpen)
	v := datacall.Value{Edition: "2026", City: "kr-seoul", Indicator: "EC-P-EM-1C", Value: 4.25, Unit: "%",
		Provenance: datacall.Provenance{Source: "KOSTAT", DataYear: 2024, MethodNote: "ILO definition", Estimated: true},
		Comment:    "up from 3.9", UpdatedBy: "focal@seoul", UpdatedAt: ft0}
	if err := s.PutValues(ctx, []datacall.Value{v}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReviewComments(ctx, "2026", "kr-seoul", map[string]string{"EC-P-EM-1C": "which survey?"}); err != nil {
		t.Fatal(err)
	}
	v.Value = 4.5 // an upsert keeps the review comment
	if err := s.PutValues(ctx, []datacall.Value{v}); err != nil {
		t.Fatal(err)
	}
	got, err := s.CityValues(ctx, "2026", "kr-seoul")
	if err != nil {
		t.Fatal(err)
	}
	v.ReviewComment = "which survey?"
	if diff := cmp.Diff([]datacall.Value{v}, got); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	bad := v
	bad.City = "xx-nowhere"
	wantErrCode(t, s.PutValues(ctx, []datacall.Value{bad}), citylens.EINVALID)
	sub, err := s.Submission(ctx, "2026", "kr-seoul")
	if err != nil || sub.State != datacall.StateDraft {
		t.Fatalf("a city without a submission: %+v, %v; want a draft", sub, err)
	}
}

// testCityValuesOf checks the read of chosen values that a save of a few
// values makes: only those, of that city and edition, none for an empty list.
func testCityValuesOf(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	featureCity(t, s, "kr-seoul", "AS")
	featureCity(t, s, "kr-busan", "AS")
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	var all []datacall.Value
	for i, n := range e.Indicators()[:5] {
		for _, city := range []string{"kr-seoul", "kr-busan"} {
			all = append(all, datacall.Value{Edition: "2026", City: city, Indicator: n.Code, Value: float64(i), Unit: "u",
				Provenance: datacall.Provenance{Source: "stats", DataYear: 2024}, UpdatedBy: "x@y", UpdatedAt: ft0})
		}
	}
	if err := s.PutValues(ctx, all); err != nil {
		t.Fatal(err)
	}
	st, ok := s.(datacall.CityValuesOfStore)
	if !ok {
		t.Fatalf("%T cannot read chosen values", s)
	}
	inds := e.Indicators()
	got, err := st.CityValuesOf(ctx, "2026", "kr-busan", []string{inds[3].Code, inds[0].Code, "NOT-STORED"})
	if err != nil {
		t.Fatal(err)
	}
	want := []datacall.Value{all[1], all[7]}
	if inds[3].Code < inds[0].Code {
		want = []datacall.Value{all[7], all[1]}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("chosen values (-want +got):\n%s", diff)
	}
	if got, err := st.CityValuesOf(ctx, "2026", "kr-busan", nil); err != nil || len(got) != 0 {
		t.Errorf("no indicators: %v, %v; want none", got, err)
	}
}

func testImportAllOrNothing(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	featureCity(t, s, "kr-seoul", "AS")
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	svc := dataCallService(s, ft0)
	entries := entriesFor(t, s, e, "kr-seoul", 10)
	res, err := svc.Import(ctx, focalSeoul, "2026", []datacall.CityRef{seoulRef}, entries)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != len(entries) || res.Unchanged != 0 {
		t.Fatalf("first import %+v, want %d changed", res, len(entries))
	}
	before, _ := s.CityValues(ctx, "2026", "kr-seoul")
	// The same entries again: nothing changes, nothing is audited.
	audits, _ := s.ListAudit(ctx, auditlog.Filter{EntityType: datacall.AuditValue, Limit: 1000})
	res, err = svc.Import(ctx, focalSeoul, "2026", []datacall.CityRef{seoulRef}, entries)
	if err != nil || res.Changed != 0 || res.Unchanged != len(entries) {
		t.Fatalf("second import %+v, %v; want everything unchanged", res, err)
	}
	audits2, _ := s.ListAudit(ctx, auditlog.Filter{EntityType: datacall.AuditValue, Limit: 1000})
	if len(audits2) != len(audits) || len(audits) != len(entries) {
		t.Errorf("audit entries: %d after the first import, %d after the second; want %d both times", len(audits), len(audits2), len(entries))
	}
	// One bad row among changed ones: nothing is written.
	changed := entriesFor(t, s, e, "kr-seoul", 11)
	changed[5].Value = "lots"
	_, err = svc.Import(ctx, focalSeoul, "2026", []datacall.CityRef{seoulRef}, changed)
	if ve := citylens.AsError(err); ve == nil || ve.Code != citylens.EINVALID || len(ve.Problems) != 1 || ve.Problems[0].Row != 7 || ve.Problems[0].Column != "value" {
		t.Fatalf("got %v, want one error on row 7, column value", err)
	}
	after, _ := s.CityValues(ctx, "2026", "kr-seoul")
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("a failed import changed values (-before +after):\n%s", diff)
	}
	// Another city's focal point may not write Seoul's values.
	busan := datacall.Actor{Role: datacall.RoleFocal, City: "kr-busan", Email: "focal@busan"}
	_, err = svc.Import(ctx, busan, "2026", []datacall.CityRef{seoulRef}, changed[:1])
	wantErrCode(t, err, citylens.EFORBIDDEN)
	// History of one value: its creation by the focal point, from their address.
	hist, err := svc.History(ctx, "2026", "kr-seoul", entries[0].Indicator)
	if err != nil || len(hist) != 1 || hist[0].ActorEmail != "focal@seoul" || hist[0].RemoteAddr != "10.0.0.7" || string(hist[0].Before) != "null" {
		t.Fatalf("history %+v, %v", hist, err)
	}
}

func testImportRollsBack(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	featureCity(t, s, "kr-seoul", "AS")
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	svc := dataCallService(s, ft0)
	// The secretariat imports for two cities, one of which is not a member:
	// the database refuses it after Seoul's rows were written; none stay.
	admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@x"}
	ghost := datacall.CityRef{Code: "xx-ghost", Region: "AS"}
	entries := append(entriesFor(t, s, e, "kr-seoul", 10), entriesFor(t, s, e, "xx-ghost", 10)...)
	_, err := svc.Import(ctx, admin, "2026", []datacall.CityRef{seoulRef, ghost}, entries)
	wantErrCode(t, err, citylens.EINVALID)
	vals, _ := s.EditionValues(ctx, "2026")
	audits, _ := s.ListAudit(ctx, auditlog.Filter{EntityType: datacall.AuditValue})
	if len(vals) != 0 || len(audits) != 0 {
		t.Fatalf("after a failed import: %d values, %d audit entries; want none", len(vals), len(audits))
	}
}

func testWorkflow(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	featureCity(t, s, "kr-seoul", "AS")
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	svc := dataCallService(s, ft0)
	entries := entriesFor(t, s, e, "kr-seoul", 10)
	if _, err := svc.Import(ctx, focalSeoul, "2026", []datacall.CityRef{seoulRef}, entries[:3]); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Transition(ctx, focalSeoul, "2026", seoulRef, datacall.ActionSubmit, "", nil)
	wantErrCode(t, err, citylens.EINVALID) // incomplete
	if _, err := svc.Import(ctx, focalSeoul, "2026", []datacall.CityRef{seoulRef}, entries); err != nil {
		t.Fatal(err)
	}
	step := func(a datacall.Actor, action string, comments map[string]string, want string) {
		t.Helper()
		sub, err := svc.Transition(ctx, a, "2026", seoulRef, action, "", comments)
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		if sub.State != want {
			t.Fatalf("%s: state %s, want %s", action, sub.State, want)
		}
	}
	step(focalSeoul, datacall.ActionSubmit, nil, datacall.StateSubmitted)
	_, err = svc.Import(ctx, focalSeoul, "2026", []datacall.CityRef{seoulRef}, entriesFor(t, s, e, "kr-seoul", 12))
	wantErrCode(t, err, citylens.ECONFLICT) // submitted: locked
	_, err = svc.Transition(ctx, officerAS, "2026", seoulRef, datacall.ActionReturn, "", nil)
	wantErrCode(t, err, citylens.EINVALID) // no comment
	ind := entries[0].Indicator
	step(officerAS, datacall.ActionReturn, map[string]string{ind: "source is from 2019?"}, datacall.StateReturned)
	vals, _ := s.CityValues(ctx, "2026", "kr-seoul")
	for _, v := range vals {
		if (v.Indicator == ind) != (v.ReviewComment == "source is from 2019?") {
			t.Errorf("review comment on %s: %q", v.Indicator, v.ReviewComment)
		}
	}
	step(focalSeoul, datacall.ActionSubmit, nil, datacall.StateSubmitted)
	europe := datacall.Actor{Role: datacall.RoleRegional, Region: "EU", Email: "officer@eu"}
	_, err = svc.Transition(ctx, europe, "2026", seoulRef, datacall.ActionAccept, "", nil)
	wantErrCode(t, err, citylens.EFORBIDDEN)
	step(officerAS, datacall.ActionAccept, nil, datacall.StateAccepted)
	subs, err := s.Submissions(ctx, "2026")
	if err != nil || len(subs) != 1 || subs[0].State != datacall.StateAccepted || subs[0].UpdatedBy != "officer@asia" {
		t.Fatalf("submissions %+v, %v", subs, err)
	}
	hist, _ := auditlog.History(ctx, s, datacall.AuditSubmission, "2026/kr-seoul", 10)
	if len(hist) != 4 || hist[0].Action != "datacall.submission.accept" {
		t.Errorf("submission history: %d entries, newest %q", len(hist), hist[0].Action)
	}
}

func testComputeRelease(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@x"}
	svc := dataCallService(s, ft0)
	var cities []datacall.City
	for i, code := range []string{"kr-seoul", "kr-busan", "jp-tokyo"} {
		featureCity(t, s, code, "AS")
		ref := datacall.CityRef{Code: code, Region: "AS"}
		cities = append(cities, datacall.City{Code: code, Name: code, Region: "AS", Country: "KOR"})
		if _, err := svc.Import(ctx, admin, "2026", []datacall.CityRef{ref}, entriesFor(t, s, e, code, float64(10*i+5))); err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{datacall.ActionSubmit, datacall.ActionAccept} {
			if _, err := svc.Transition(ctx, admin, "2026", ref, a, "", nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	var stages int
	id, r, err := svc.ComputeEdition(ctx, auditlog.System("test"), "2026", cities, func(datacall.Progress) { stages++ })
	if err != nil {
		t.Fatal(err)
	}
	if stages == 0 || len(r.Results) != 3 {
		t.Fatalf("%d progress reports, %d results", stages, len(r.Results))
	}
	got, info, err := s.DraftRelease(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("release after a round trip (-want +got):\n%s", diff)
	}
	list, err := s.DraftReleases(ctx, "2026")
	if err != nil || len(list) != 1 || list[0] != info || info.Cities != 3 || info.Hash != r.Hash {
		t.Fatalf("draft releases %+v, %v", list, err)
	}
	_, _, err = s.DraftRelease(ctx, id+100)
	wantErrCode(t, err, citylens.ENOTFOUND)
}

func testCoverageCounts(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	e := seedEdition(t, s, "2026", catalogue.StatusOpen)
	// One optional indicator, so counts tell required from optional values.
	e.Framework[len(e.Framework)-1].Optional = true
	if err := s.UpdateEdition(ctx, e); err != nil {
		t.Fatal(err)
	}
	svc := dataCallService(s, ft0)
	admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@x"}
	codes := []string{"kr-seoul", "kr-busan", "jp-tokyo", "fr-lyon"}
	for i, code := range codes {
		region := map[bool]string{true: "EU", false: "AS"}[i == 3]
		featureCity(t, s, code, region)
		entries := entriesFor(t, s, e, code, 10)
		entries = entries[:len(entries)*(i+1)/4] // a quarter more each
		ref := datacall.CityRef{Code: code, Region: region}
		if _, err := svc.Import(ctx, admin, "2026", []datacall.CityRef{ref}, entries); err != nil {
			t.Fatal(err)
		}
		if i == 3 {
			for _, a := range []string{datacall.ActionSubmit, datacall.ActionAccept} {
				if _, err := svc.Transition(ctx, admin, "2026", ref, a, "", nil); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	vals, _ := s.EditionValues(ctx, "2026")
	subs, _ := s.Submissions(ctx, "2026")
	for _, scope := range []struct {
		region string
		cities []string
	}{{"", codes}, {"AS", codes[:3]}, {"EU", codes[3:]}} {
		wantP, wantA := datacall.Coverage(e, scope.cities, vals, subs)
		board, err := svc.CoverageBoard(ctx, e, scope.region, scope.cities)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(wantP, board.Progress); diff != "" {
			t.Errorf("progress from counts (-from values +from counts):\n%s", diff)
		}
		if diff := cmp.Diff(wantA, board.Availability); diff != "" {
			t.Errorf("availability from counts (-from values +from counts):\n%s", diff)
		}
	}
	// The counts the database kept agree with counts of the values.
	wantCountsOfValues(t, s, "2026", "imports and an acceptance")
	// Reopening takes a city's values out of the accepted counts.
	if _, err := svc.Transition(ctx, admin, "2026", datacall.CityRef{Code: "fr-lyon", Region: "EU"}, datacall.ActionReopen, "", nil); err != nil {
		t.Fatal(err)
	}
	wantCountsOfValues(t, s, "2026", "reopened")
	reopened, _ := svc.CoverageBoard(ctx, e, "", codes)
	for _, a := range reopened.Availability {
		if a.Accepted != 0 {
			t.Fatalf("after reopening, %s has %d accepted values", a.Indicator, a.Accepted)
		}
	}
	if board, err := svc.CoverageBoard(ctx, e, "AF", nil); err != nil || len(board.Progress) != 0 || board.Availability[0].Cities != 0 {
		t.Errorf("a region without cities: %+v, %v", board, err)
	}
}
