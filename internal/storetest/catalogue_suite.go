package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/members"
)

// FeatureStore is a store with the catalogue and data-call interfaces;
// *sqlite.DB and *postgres.DB are both.
type FeatureStore interface {
	Store
	catalogue.Store
	catalogue.EditionStore
	datacall.Store
}

// CatalogueSuite covers the indicator catalogue and editions.
var CatalogueSuite = []struct {
	Name string
	Test func(t *testing.T, s FeatureStore)
}{
	{"SeedIdempotent", testCatalogueSeed},
	{"IndicatorRoundTrip", testIndicatorRoundTrip},
	{"Editions", testEditions},
	{"EditionStatusAudited", testEditionStatus},
	{"CatalogueVersion", testCatalogueVersion},
}

// RunFeatureSuite runs a feature suite against every database.
func RunFeatureSuite(t *testing.T, suite []struct {
	Name string
	Test func(t *testing.T, s FeatureStore)
}) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) {
			for _, c := range suite {
				t.Run(c.Name, func(t *testing.T) { c.Test(t, Feature(t, o.Open(t))) })
			}
		})
	}
}

// Feature returns s as a FeatureStore.
func Feature(t testing.TB, s Store) FeatureStore {
	t.Helper()
	fs, ok := s.(FeatureStore)
	if !ok {
		t.Fatalf("%T does not implement the catalogue and data-call stores", s)
	}
	return fs
}

// ft0 is the feature suites' clock.
var ft0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func wantErrCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := citylens.ErrorCode(err); got != code {
		t.Fatalf("got error %v (code %q), want code %q", err, got, code)
	}
}

// featureCity stores a member city in region.
func featureCity(t *testing.T, s FeatureStore, code, region string) {
	t.Helper()
	c := members.City{Code: code, Name: code, Country: "KOR", RegionCode: region, Latitude: 37.5, Longitude: 127,
		Population: 1000, Status: members.StatusMember, MemberSince: "2020-01-01"}
	if err := s.PutCity(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func catalogueService(s FeatureStore) *catalogue.Service {
	return &catalogue.Service{Store: s, Audit: s, Now: func() time.Time { return ft0 }}
}

func testCatalogueSeed(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	svc := catalogueService(s)
	n, err := svc.SeedU4SSC(ctx, auditlog.System("test"))
	if err != nil || n != 91 {
		t.Fatalf("first seed: %d, %v; want 91 indicators", n, err)
	}
	n, err = svc.SeedU4SSC(ctx, auditlog.System("test"))
	if err != nil || n != 0 {
		t.Fatalf("second seed: %d, %v; want nothing added", n, err)
	}
	got, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := catalogue.SeedU4SSC()
	byCode := catalogue.Index(want)
	if len(got) != len(want) {
		t.Fatalf("%d indicators stored, want %d", len(got), len(want))
	}
	for _, ind := range got {
		if diff := cmp.Diff(byCode[ind.Code], ind); diff != "" {
			t.Fatalf("indicator %s after a round trip (-want +got):\n%s", ind.Code, diff)
		}
	}
	entries, err := s.ListAudit(ctx, auditlog.Filter{Action: "catalogue.seed"})
	if err != nil || len(entries) != 1 {
		t.Fatalf("seed audit entries: %d, %v; want 1", len(entries), err)
	}
}

func testIndicatorRoundTrip(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	_, err := s.Indicator(ctx, "NOPE")
	wantErrCode(t, err, citylens.ENOTFOUND)
	lo := 0.0
	ind := catalogue.Indicator{Code: "X-1", Name: "Open-ended", Unit: "count", Direction: -1, Min: &lo,
		Xwalk: catalogue.Crosswalk{Pillar: "G", ISO37120: "10.1", SDGGoals: []int{16}, SDGTargets: []string{"16.6"}}}
	svc := catalogueService(s)
	if err := svc.PutIndicator(ctx, auditlog.System("test"), ind); err != nil {
		t.Fatal(err)
	}
	got, err := s.Indicator(ctx, "X-1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ind, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The Korean name, unit and definition are stored and replaced with
	// the rest (migration 121); clearing them stores them empty.
	ind.Ko = catalogue.Korean{Name: "공개 지표", Unit: "건", Definition: "인구 10만 명당 건수"}
	if err := svc.PutIndicator(ctx, auditlog.System("test"), ind); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Indicator(ctx, "X-1"); err != nil || got.Ko != ind.Ko || got.NameIn("ko") != "공개 지표" || got.NameIn("en") != "Open-ended" {
		t.Fatalf("after setting the Korean text: %+v, %v", got.Ko, err)
	}
	ind.Ko.Name = ""
	if err := svc.PutIndicator(ctx, auditlog.System("test"), ind); err != nil {
		t.Fatal(err)
	}
	if got, err = s.Indicator(ctx, "X-1"); err != nil || got.Ko != ind.Ko || got.NameIn("ko") != "Open-ended" {
		t.Fatalf("after clearing the Korean name: %+v, %v", got.Ko, err)
	}
	ind.Name = ""
	wantErrCode(t, svc.PutIndicator(ctx, auditlog.System("test"), ind), citylens.EINVALID)
	hist, err := auditlog.History(ctx, s, "indicator", "X-1", 10)
	if err != nil || len(hist) != 3 {
		t.Fatalf("history %v, %v; want one entry", hist, err)
	}
}

// seedEdition seeds the U4SSC catalogue and an open edition "2026" drawn from it.
func seedEdition(t *testing.T, s FeatureStore, code string, status string) *catalogue.Edition {
	t.Helper()
	ctx := context.Background()
	if _, err := catalogueService(s).SeedU4SSC(ctx, auditlog.System("test")); err != nil {
		t.Fatal(err)
	}
	inds, err := s.Indicators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := catalogue.NewEdition(code, "Smart Cities Index "+code, 2025, ft0.AddDate(0, -1, 0), ft0.AddDate(0, 2, 0), inds)
	if err != nil {
		t.Fatal(err)
	}
	e.Status = status
	if err := catalogueService(s).CreateEdition(ctx, auditlog.System("test"), e); err != nil {
		t.Fatal(err)
	}
	return e
}

func testEditions(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	_, err := s.Edition(ctx, "2026")
	wantErrCode(t, err, citylens.ENOTFOUND)
	e := seedEdition(t, s, "2026", catalogue.StatusDraft)
	got, err := s.Edition(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" {
		t.Errorf("edition after a round trip (-want +got):\n%s", diff)
	}
	wantErrCode(t, s.CreateEdition(ctx, e), citylens.ECONFLICT)
	e2 := *e
	e2.Code, e2.ReferenceYear, e2.PreviousEdition = "2027", 2026, "2026"
	e2.Release = json.RawMessage(`{"stages":[{"name":"Low","from":0},{"name":"High","from":60}]}`)
	if err := catalogueService(s).CreateEdition(ctx, auditlog.System("test"), &e2); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Edition(ctx, "2027"); err != nil || string(got.Release) != string(e2.Release) {
		t.Errorf("release configuration after a round trip: %s, %v; want %s", got.Release, err, e2.Release)
	}
	e3 := e2
	e3.Code, e3.PreviousEdition = "2028", "1999"
	wantErrCode(t, catalogueService(s).CreateEdition(ctx, auditlog.System("test"), &e3), citylens.EINVALID)
	list, err := s.Editions(ctx)
	if err != nil || len(list) != 2 || list[0].Code != "2027" {
		t.Fatalf("editions %v, %v; want 2027 then 2026", list, err)
	}
	missing := *e
	missing.Code = "1990"
	wantErrCode(t, s.UpdateEdition(ctx, &missing), citylens.ENOTFOUND)
}

func testEditionStatus(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	seedEdition(t, s, "2026", catalogue.StatusDraft)
	svc := catalogueService(s)
	if _, err := svc.SetStatus(ctx, auditlog.System("test"), "2026", catalogue.StatusClosed); citylens.ErrorCode(err) != citylens.ECONFLICT {
		t.Fatalf("closing a draft: %v", err)
	}
	e, err := svc.SetStatus(ctx, auditlog.System("test"), "2026", catalogue.StatusOpen)
	if err != nil || e.Status != catalogue.StatusOpen {
		t.Fatalf("open: %v", err)
	}
	got, _ := s.Edition(ctx, "2026")
	if got.Status != catalogue.StatusOpen {
		t.Errorf("stored status %s", got.Status)
	}
	if err := svc.UpdateWindow(ctx, auditlog.System("test"), "2026", ft0, ft0.AddDate(0, 0, -1)); citylens.ErrorCode(err) != citylens.EINVALID {
		t.Errorf("a window closing before it opens: %v", err)
	}
	hist, err := auditlog.History(ctx, s, "edition", "2026", 10)
	if err != nil || len(hist) != 2 || hist[0].Action != "edition.status" {
		t.Fatalf("history %+v, %v; want create then status", hist, err)
	}
}

// testCatalogueVersion checks that every write to the catalogue or the
// editions changes the version servers cache them by, and nothing else does.
func testCatalogueVersion(t *testing.T, s FeatureStore) {
	ctx := context.Background()
	vs, ok := s.(datacall.CatalogueVersioner)
	if !ok {
		t.Fatalf("%T does not tell the catalogue's version", s)
	}
	last, err := vs.CatalogueVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	step := func(what string, changes bool, fn func() error) {
		t.Helper()
		if err := fn(); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		v, err := vs.CatalogueVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if (v != last) != changes {
			t.Errorf("%s: version %d → %d, want changed=%v", what, last, v, changes)
		}
		last = v
	}
	var e *catalogue.Edition
	step("seeding the catalogue and an edition", true, func() error { e = seedEdition(t, s, "2026", catalogue.StatusDraft); return nil })
	step("reading", false, func() error { _, err := s.Indicators(ctx); return err })
	featureCity(t, s, "kr-seoul", "AS")
	step("saving a value", false, func() error {
		return s.PutValues(ctx, []datacall.Value{{Edition: "2026", City: "kr-seoul", Indicator: "EC-P-EM-1C", Value: 4, Unit: "%",
			Provenance: datacall.Provenance{Source: "KOSTAT", DataYear: 2024}, UpdatedBy: "focal@seoul", UpdatedAt: ft0}})
	})
	step("editing an indicator", true, func() error {
		ind, err := s.Indicator(ctx, "EC-P-EM-1C")
		if err != nil {
			return err
		}
		ind.Guidance = "from the labour force survey"
		return s.PutIndicators(ctx, []catalogue.Indicator{ind})
	})
	step("changing an edition", true, func() error {
		e.Closes = e.Closes.AddDate(0, 0, 7)
		return s.UpdateEdition(ctx, e)
	})
}
