package demo_test

import (
	"context"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/publication"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/storetest"
)

// TestSeed: the demo network is seeded through the services alone, once:
// seeding again adds nothing. The Eurostat example rates cities within
// their country, the data call's editions within their region.
func TestSeed(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	var builds int
	sv := services(db, func(ctx context.Context, in release.PublishInput) (*release.Release, error) {
		builds++
		return release.Publish(ctx, in)
	})
	res, err := demo.Seed(ctx, sv)
	if err != nil {
		t.Fatal(err)
	}
	if res.Members.Created == 0 || len(res.Accounts) != 5 {
		t.Errorf("seeded %+v", res)
	}
	recs, err := db.StoredReleases(ctx, release.Filter{})
	if err != nil || len(recs) != 3 || builds != 3 {
		t.Fatalf("%d releases (%d builds), %v; want 2025, 2026 and the Eurostat example", len(recs), builds, err)
	}
	for _, rec := range recs {
		rel, err := sv.Publication.Load(ctx, rec.Hash)
		if err != nil {
			t.Fatal(err)
		}
		want, demoData := release.PeerByHDI, true
		if rec.Edition == demo.EurostatEdition {
			want, demoData = release.PeerByCountry, false
		}
		if rel.Methodology().PeerGroup != want || rec.Demo != demoData || rel.Summary().Licence.Name != "CC-BY-4.0" {
			t.Errorf("%s: peer groups by %q (want %q), demo %v, licence %+v", rec.Edition, rel.Methodology().PeerGroup, want, rec.Demo, rel.Summary().Licence)
		}
	}
	again, err := demo.Seed(ctx, sv)
	if err != nil {
		t.Fatal(err)
	}
	after, err := db.StoredReleases(ctx, release.Filter{})
	if err != nil || len(after) != len(recs) || again.Members.Created != 0 || builds != 3 {
		t.Errorf("seeding again: %d releases (want %d), %d builds in all (want the first seed's 3), %+v, %v",
			len(after), len(recs), builds, again.Members, err)
	}
}

func services(db *sqlite.DB, publish func(context.Context, release.PublishInput) (*release.Release, error)) demo.Services {
	now := func() time.Time { return time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC) }
	dc := &datacall.Service{Store: db, Catalogue: db, Audit: db, Now: now}
	rw := &release.Workflow{Store: db, Audit: db, Now: now}
	return demo.Services{
		Store:       db,
		Members:     &members.Service{Store: db, Audit: db, Now: now},
		Accounts:    &accounts.Service{Store: db, Audit: db, Scopes: db, Hasher: accounts.NewHasher(accounts.Argon2Params{MemoryKiB: 64, Time: 1, Threads: 1}), Now: now},
		Catalogue:   &catalogue.Service{Store: db, Audit: db, Now: now},
		DataCall:    dc,
		Publication: &publication.Service{Store: db, DataCall: dc, Releases: rw, Now: now, Demo: true, Publish: publish},
		Now:         now,
	}
}
