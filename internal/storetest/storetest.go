// Package storetest opens real test databases (a temporary SQLite file; a
// fresh schema in the PostgreSQL named by CITYLENS_TEST_POSTGRES) and holds
// the one store test suite that runs against both. Feature modules add
// their own suite functions here and call them from Run... or from their
// own test files through ForEachStore.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/sqlite"
)

// Store is every platform store interface; *sqlite.DB and *postgres.DB are both.
type Store interface {
	members.Store
	accounts.Store
	auditlog.Store
	jobs.Store
	mail.OutboxStore
	Migrate(ctx context.Context) ([]string, error)
	Ready(ctx context.Context) error
	Dialect() string
	Close() error
}

var (
	_ Store = (*sqlite.DB)(nil)
	_ Store = (*postgres.DB)(nil)
)

// PostgresEnv names the test database URL.
const PostgresEnv = "CITYLENS_TEST_POSTGRES"

// OpenSQLite opens and migrates a new SQLite database in t's temp dir.
func OpenSQLite(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "citylens.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// PostgresURL returns the URL of a fresh, empty schema in the test database
// (dropped when t ends), so runs never collide. Without CITYLENS_TEST_POSTGRES
// the test is skipped loudly, or fails under CI=true.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set but CI=true: PostgreSQL tests must run in CI", PostgresEnv)
		}
		t.Skipf("SKIPPING PostgreSQL test: set %s=postgres://... to run it", PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("create schema in %s: %v", PostgresEnv, err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		a.ExecContext(c, `DROP SCHEMA `+schema+` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// OpenPostgres opens and migrates a fresh schema (see PostgresURL).
func OpenPostgres(t testing.TB) *postgres.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Opener opens a fresh migrated store for one test.
type Opener struct {
	Name string
	Open func(t testing.TB) Store
}

// Openers are the databases every store and HTTP test runs against.
var Openers = []Opener{
	{"sqlite", func(t testing.TB) Store { return OpenSQLite(t) }},
	{"postgres", func(t testing.TB) Store { return OpenPostgres(t) }},
}

// ForEachStore runs fn as a subtest on a fresh store of each database.
func ForEachStore(t *testing.T, fn func(t *testing.T, s Store)) {
	for _, o := range Openers {
		t.Run(o.Name, func(t *testing.T) { fn(t, o.Open(t)) })
	}
}
