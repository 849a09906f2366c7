package storetest

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/sqlstore"
)

// integrityMigration is the migration that brought the data call's foreign
// keys and database-kept counts.
const integrityMigration = 106

// openBefore106 opens a database of each kind with every migration applied
// but 106, as a server running the previous release left it.
func openBefore106(t *testing.T, kind string) FeatureStore {
	t.Helper()
	ctx := context.Background()
	var s Store
	var ms []sqlstore.Migration
	var err error
	switch kind {
	case "sqlite":
		db, oerr := sqlite.Open(ctx, filepath.Join(t.TempDir(), "citylens.db"))
		if oerr != nil {
			t.Fatal(oerr)
		}
		t.Cleanup(func() { db.Close() })
		s = db
		ms, err = sqlite.Migrations()
	case "postgres":
		db, oerr := postgres.Open(ctx, PostgresURL(t))
		if oerr != nil {
			t.Fatal(oerr)
		}
		t.Cleanup(func() { db.Close() })
		s = db
		ms, err = postgres.Migrations()
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := execRaw(ctx, s, `CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version == integrityMigration {
			continue
		}
		if err := execRaw(ctx, s, m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if err := execRaw(ctx, s, fmt.Sprintf(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, '%s', 1)`, m.Version, m.Name)); err != nil {
			t.Fatal(err)
		}
	}
	return Feature(t, s)
}

// TestDataCallIntegrityMigration upgrades a database holding values and
// counts kept by the previous release's service (here, wrong ones):
// migration 106 keeps the values, rebuilds the counts and brings the
// foreign keys. A value of an unknown city, which nothing stopped before,
// stops the migration and leaves the database as it was.
func TestDataCallIntegrityMigration(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			s := openBefore106(t, kind)
			featureCity(t, s, "kr-seoul", "AS")
			featureCity(t, s, "fr-lyon", "EU")
			e := seedEdition(t, s, "2026", catalogue.StatusOpen)
			inds := e.Indicators()
			for i := range e.Framework {
				e.Framework[i].Optional = e.Framework[i].Code == inds[2].Code
			}
			if err := s.UpdateEdition(ctx, e); err != nil {
				t.Fatal(err)
			}
			if err := s.PutValues(ctx, append(valuesOf("2026", "kr-seoul", inds, 1), valuesOf("2026", "fr-lyon", inds[:5], 1)...)); err != nil {
				t.Fatal(err)
			}
			if err := s.PutSubmission(ctx, datacall.Submission{Edition: "2026", City: "fr-lyon", State: datacall.StateAccepted}); err != nil {
				t.Fatal(err)
			}
			if err := execRaw(ctx, s, `INSERT INTO datacall_city_counts (edition, city, n_values, n_optional) VALUES ('2026', 'kr-seoul', 999, 7)`); err != nil {
				t.Fatal(err)
			}
			before, _ := s.EditionValues(ctx, "2026")

			applied, err := s.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != 1 || applied[0] != "106_datacall_integrity.sql" {
				t.Fatalf("applied %v, want migration 106 only", applied)
			}
			after, _ := s.EditionValues(ctx, "2026")
			if diff := cmp.Diff(before, after); diff != "" {
				t.Errorf("values across the migration (-before +after):\n%s", diff)
			}
			wantCountsOfValues(t, s, "2026", "after migration 106")
			bad := valuesOf("2026", "xx-ghost", inds[:1], 1)
			err = s.PutValues(ctx, bad)
			if citylens.ErrorCode(err) != citylens.EINVALID || citylens.ErrorMessage(err) != `save values: city "xx-ghost" does not exist` {
				t.Errorf("a value of an unknown city after the migration: %v", err)
			}
			if err := s.PutValues(ctx, valuesOf("2026", "fr-lyon", inds[5:8], 1)); err != nil {
				t.Fatal(err)
			}
			wantCountsOfValues(t, s, "2026", "a put after migration 106")
		})
		t.Run(kind+"/orphan", func(t *testing.T) {
			ctx := context.Background()
			s := openBefore106(t, kind)
			featureCity(t, s, "kr-seoul", "AS")
			e := seedEdition(t, s, "2026", catalogue.StatusOpen)
			ind := e.Indicators()[0].Code
			if err := execRaw(ctx, s, `INSERT INTO datacall_values (edition, city, indicator, value, unit, source, data_year)
				VALUES ('2026', 'kr-seoul', '`+ind+`', 1, 'u', 's', 2024), ('2026', 'xx-ghost', '`+ind+`', 1, 'u', 's', 2024)`); err != nil {
				t.Fatal(err)
			}
			applied, err := s.Migrate(ctx)
			if want := "migration 106_datacall_integrity.sql: refers to something that does not exist"; citylens.ErrorMessage(err) != want {
				t.Fatalf("migrating with a value of an unknown city: %v, applied %v; want %q", err, applied, want)
			}
			vals, err := s.EditionValues(ctx, "2026")
			if err != nil || len(vals) != 2 {
				t.Errorf("after the failed migration: %d values, %v; want both kept", len(vals), err)
			}
			if err := s.Ready(ctx); err == nil {
				t.Error("ready after a failed migration")
			}
		})
	}
}
