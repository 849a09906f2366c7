package publication_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
)

// fixtureStore is a store with everything the workflow and its fixture need.
type fixtureStore interface {
	publication.Store
	storetest.FeatureStore
	release.Store
}

// env is a workflow on a real database: six member cities (two regions,
// three countries), a four-indicator edition 2026 with every city's values
// accepted, and a counter of the releases built.
type env struct {
	t      *testing.T
	store  fixtureStore
	svc    *publication.Service
	queue  *jobs.Queue
	builds atomic.Int32
	now    time.Time
	admin  auditlog.Actor
}

func fp(v float64) *float64 { return &v }

var fixtureCities = []members.City{
	{Code: "kr-seoul", Name: "Seoul", Country: "KOR", RegionCode: "AS", Population: 9_963_000},
	{Code: "kr-busan", Name: "Busan", Country: "KOR", RegionCode: "AS", Population: 3_400_000},
	{Code: "jp-osaka", Name: "Osaka", Country: "JPN", RegionCode: "AS", Population: 2_700_000},
	{Code: "fr-lyon", Name: "Lyon", Country: "FRA", RegionCode: "EU", Population: 1_700_000},
	{Code: "fr-lille", Name: "Lille", Country: "FRA", RegionCode: "EU", Population: 230_000},
	{Code: "fr-nice", Name: "Nice", Country: "FRA", RegionCode: "EU", Population: 340_000},
}

// newEnv builds the fixture on s; missing lists values left out, as
// "city/indicator".
func newEnv(t *testing.T, s storetest.Store, releaseConfig string, missing ...string) *env {
	t.Helper()
	fs, ok := s.(fixtureStore)
	if !ok {
		t.Fatalf("store %T lacks the workflow's interfaces", s)
	}
	e := &env{t: t, store: fs, now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC), admin: auditlog.Actor{UserID: 1, Email: "admin@test.citylens"}}
	clock := func() time.Time { return e.now }
	e.svc = &publication.Service{
		Store:    fs,
		DataCall: &datacall.Service{Store: fs, Catalogue: fs, Audit: fs, Now: clock},
		Releases: &release.Workflow{Store: fs, Audit: fs, Now: clock},
		Now:      clock,
		Publish: func(ctx context.Context, in release.PublishInput) (*release.Release, error) {
			e.builds.Add(1)
			return release.Publish(ctx, in)
		},
	}
	e.queue = jobs.NewQueue(fs, jobs.Options{Now: clock})
	e.svc.RegisterJobs(e.queue)
	ctx := context.Background()
	for _, c := range fixtureCities {
		c.Status = members.StatusMember
		c.Latitude, c.Longitude = 10, 10
		if err := fs.PutCity(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	inds := []catalogue.Indicator{
		{Code: "A1", Name: "Internet access", Unit: "%", Direction: 1, Min: fp(0), Max: fp(100), Xwalk: catalogue.Crosswalk{Pillar: catalogue.PillarE}},
		{Code: "A2", Name: "Fatalities", Unit: "per 100,000", Direction: -1, Min: fp(0), Max: fp(50), Xwalk: catalogue.Crosswalk{Pillar: catalogue.PillarE}},
		{Code: "B1", Name: "Green space", Unit: "%", Direction: 1, Min: fp(0), Max: fp(100), Xwalk: catalogue.Crosswalk{Pillar: catalogue.PillarS}},
		{Code: "B2", Name: "Plans", Unit: "count", Direction: 1, Min: fp(0), Max: fp(10), Xwalk: catalogue.Crosswalk{Pillar: catalogue.PillarS}},
	}
	if err := fs.PutIndicators(ctx, inds); err != nil {
		t.Fatal(err)
	}
	ed, _, err := catalogue.NewEdition("2026", "Index 2026", 2025, e.now.AddDate(0, -3, 0), e.now.AddDate(0, 3, 0), inds)
	if err != nil {
		t.Fatal(err)
	}
	ed.Release = json.RawMessage(releaseConfig)
	if err := fs.CreateEdition(ctx, ed); err != nil {
		t.Fatal(err)
	}
	var vals []datacall.Value
	for i, c := range fixtureCities {
		for k, ind := range inds {
			if slices.Contains(missing, c.Code+"/"+ind.Code) {
				continue
			}
			vals = append(vals, datacall.Value{Edition: "2026", City: c.Code, Indicator: ind.Code, Value: float64(1 + (i*7+k*3)%10),
				Provenance: datacall.Provenance{Source: "test", DataYear: 2025}})
		}
		if err := fs.PutSubmission(ctx, datacall.Submission{Edition: "2026", City: c.Code, State: datacall.StateAccepted, UpdatedBy: "test", UpdatedAt: e.now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.PutValues(ctx, vals); err != nil {
		t.Fatal(err)
	}
	return e
}

// run runs every queued job, failing the test on a failed one.
func (e *env) run() {
	e.t.Helper()
	ctx := context.Background()
	for {
		ran, err := e.queue.RunOne(ctx, "test")
		if err != nil {
			e.t.Fatal(err)
		}
		if !ran {
			break
		}
	}
	failed, err := e.store.ListJobs(ctx, jobs.Filter{State: jobs.StateFailed})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, j := range failed {
		e.t.Fatalf("job %d (%s) failed: %s", j.ID, j.Kind, j.ErrorText())
	}
}

// compute computes the edition through its job and returns the new draft.
func (e *env) compute() int64 {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.svc.RequestCompute(ctx, e.admin, "2026"); err != nil {
		e.t.Fatal(err)
	}
	e.run()
	drafts, err := e.store.DraftReleases(ctx, "2026")
	if err != nil || len(drafts) == 0 {
		e.t.Fatalf("drafts: %v, %v", drafts, err)
	}
	return drafts[0].ID
}

func (e *env) preview(id int64, n int) release.Preview {
	e.t.Helper()
	ctx := context.Background()
	if _, _, err := e.svc.RequestPreview(ctx, e.admin, id, n); err != nil {
		e.t.Fatal(err)
	}
	e.run()
	pv, _, err := e.store.Preview(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return pv
}

func (e *env) publish(id int64, correct bool, n int) release.Record {
	e.t.Helper()
	ctx := context.Background()
	note := ""
	if correct {
		note = "a value was mistyped"
	}
	if _, _, err := e.svc.RequestPublish(ctx, e.admin, id, correct, note, n); err != nil {
		e.t.Fatal(err)
	}
	e.run()
	live, err := e.svc.Latest(ctx, "2026")
	if err != nil {
		e.t.Fatal(err)
	}
	return live
}

func (e *env) wantBuilds(step string, n int32) {
	e.t.Helper()
	if got := e.builds.Swap(0); got != n {
		e.t.Errorf("%s: %d builds, want %d", step, got, n)
	}
}

// TestPublishReusesPreview: publishing a previewed draft stores the
// preview's release and builds nothing; publishing anything else (another
// number of replications, a recomputed draft) builds.
func TestPublishReusesPreview(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		e := newEnv(t, s, "")
		ctx := context.Background()
		var notified []string
		e.svc.OnPublish(func(r release.Record) { notified = append(notified, r.Hash) })

		id := e.compute()
		e.wantBuilds("compute", 0)
		e.now = e.now.Add(time.Hour)
		pv := e.preview(id, 20)
		e.wantBuilds("preview", 1)
		rev, err := e.svc.Review(ctx, id)
		if err != nil || rev.Preview == nil || !rev.Preview.Current || rev.DefaultN != 20 {
			t.Fatalf("review: %+v, %v; want a current preview of 20 replications", rev, err)
		}
		e.wantBuilds("review", 0)

		e.now = e.now.Add(time.Hour)
		rec := e.publish(id, false, 20)
		e.wantBuilds("publishing the previewed draft", 0)
		if rec.Hash != pv.Hash || rec.DraftID != id || rec.PublishedBy != e.admin.Email {
			t.Errorf("published %+v, want the preview %s of draft %d", rec, pv.Hash, id)
		}
		if !rec.PublishedAt.Equal(e.now) {
			t.Errorf("published at %v, want the publication's time %v, not the preview's", rec.PublishedAt, e.now)
		}
		rel, err := e.svc.Releases.Load(ctx, rec.Hash)
		if err != nil || !rel.Summary().PublishedAt.Equal(e.now) {
			t.Fatalf("stored release: %v", err)
		}
		if len(notified) != 1 || notified[0] != rec.Hash {
			t.Errorf("publication listeners told of %v, want %s", notified, rec.Hash)
		}

		// The same draft corrected with more replications is another release.
		e.now = e.now.Add(time.Hour)
		fix := e.publish(id, true, 30)
		e.wantBuilds("a correction with another N", 1)
		if fix.Corrects != rec.Hash {
			t.Errorf("correction %+v does not correct %s", fix, rec.Hash)
		}

		// A new accepted value and a recompute: the old preview is not the
		// new draft's; publishing with another N than the preview's builds.
		v := datacall.Value{Edition: "2026", City: "fr-lyon", Indicator: "A1", Value: 99, Provenance: datacall.Provenance{Source: "fixed", DataYear: 2025}}
		if err := e.store.PutValues(ctx, []datacall.Value{v}); err != nil {
			t.Fatal(err)
		}
		id2 := e.compute()
		if id2 == id {
			t.Fatal("recomputing made no new draft")
		}
		e.preview(id2, 20)
		e.wantBuilds("preview of the new draft", 1)
		e.publish(id2, true, 40)
		e.wantBuilds("publishing with another N than previewed", 1)
	})
}

// TestPolicyFromEditionConfig: the peer groups and the licence of an
// edition's releases are those of its release configuration.
func TestPolicyFromEditionConfig(t *testing.T) {
	for _, tc := range []struct {
		name, config string
		rule         string
		peer         func(members.City) string
		licence      string
	}{
		{"defaults", "", release.PeerByRegion, func(c members.City) string { return c.RegionCode }, "CC-BY-4.0"},
		{"by country", `{"peer_group": "country", "licence": {"name": "CC0-1.0", "title": "Public domain"}}`, release.PeerByCountry,
			func(c members.City) string { return c.Country }, "CC0-1.0"},
		{"by population class", `{"peer_group": "population_class"}`, release.PeerByPopulation,
			func(c members.City) string { return catalogue.PopulationClassOf(c.Population) }, "CC-BY-4.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, storetest.OpenSQLite(t), tc.config)
			ctx := context.Background()
			rec := e.publish(e.compute(), false, 20)
			rel, err := e.svc.Load(ctx, rec.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if got := rel.Summary().Licence.Name; got != tc.licence {
				t.Errorf("licence %q, want %q", got, tc.licence)
			}
			for _, c := range fixtureCities {
				p, err := rel.Profile(c.Code)
				if err != nil {
					t.Fatal(err)
				}
				if p.City.PeerGroup != tc.peer(c) {
					t.Errorf("%s: peer group %q, want %q", c.Code, p.City.PeerGroup, tc.peer(c))
				}
			}
			if m := rel.Methodology(); m.PeerGroup != tc.rule {
				t.Errorf("methodology: peer groups by %q, want %q", m.PeerGroup, tc.rule)
			}
		})
	}
}

// TestComputeImputesByPeerGroup: the draft's compute and the publication
// lay the data out alike (catalogue.DataSet), so a method imputing by peer
// group gives the draft the scores of its release.
func TestComputeImputesByPeerGroup(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t), `{"peer_group": "country"}`, "fr-nice/A1", "kr-seoul/B2")
	ctx := context.Background()
	ed, err := e.store.Edition(ctx, "2026")
	if err != nil {
		t.Fatal(err)
	}
	ed.Method.Impute = engine.Imputation{Method: engine.ImputeGroupMean, Group: catalogue.GroupPeer}
	if err := ed.Validate(mustCatalogue(t, e)); err != nil {
		t.Fatal(err)
	}
	if err := e.store.UpdateEdition(ctx, ed); err != nil {
		t.Fatal(err)
	}
	id := e.compute()
	dr, _, err := e.store.DraftRelease(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := e.svc.Load(ctx, e.publish(id, false, 20).Hash)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := rel.Rankings(release.RankingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(dr.Results) {
		t.Fatalf("%d ranked in the release, %d in the draft", len(rows), len(dr.Results))
	}
	score := map[string]float64{}
	for _, r := range rows {
		score[r.City.Code] = r.Score
	}
	for _, res := range dr.Results {
		if got, want := fmt.Sprintf("%.9f", score[res.City]), fmt.Sprintf("%.9f", res.Scores["INDEX"]); got != want {
			t.Errorf("%s: release score %s, draft score %s", res.City, got, want)
		}
	}
}

func mustCatalogue(t *testing.T, e *env) map[string]catalogue.Indicator {
	t.Helper()
	inds, err := e.store.Indicators(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return catalogue.Index(inds)
}
