// Package sqlite is the CityLens store on an embedded SQLite database (the
// pure-Go modernc.org/sqlite driver): one file in the data directory, WAL
// journal, busy timeout, foreign keys on, one writer connection and a pool
// of readers. It implements the store interfaces of the domain packages
// (members, accounts, auditlog, jobs, mail); each area has its own file.
//
// Adding to the store: put new tables in migrations/NNN_name.sql (numbers
// 001-099 are the platform's, 100 and up are feature modules'; files are
// applied in order and never edited once released) and methods on *DB in a
// new file. Methods use db.writer(ctx) or db.reader(ctx) so they join the
// transaction carried by ctx (see InTx). Mirror every change in package
// postgres; the suite in package storetest runs against both.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/citylens/citylens"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open CityLens SQLite database.
type DB struct {
	path  string
	write *sql.DB // one connection: SQLite has one writer at a time
	read  *sql.DB // readers run in parallel under WAL
}

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "sqlite: cannot create the directory of %s: %v", path, err)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := &DB{path: path, write: write, read: read}
	if err := write.PingContext(ctx); err != nil {
		db.Close()
		return nil, citylens.Errorf(citylens.EINTERNAL, "sqlite: open %s: %v", path, err)
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// Dialect names the database, for logs and /readyz.
func (db *DB) Dialect() string { return "sqlite" }

type txKey struct{ db *DB }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writer is the transaction in ctx or the writer connection.
func (db *DB) writer(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return tx
	}
	return db.write
}

// reader is the transaction in ctx (so a transaction sees its own writes)
// or the reader pool.
func (db *DB) reader(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return tx
	}
	return db.read
}

// InTx runs fn in a write transaction (BEGIN IMMEDIATE) carried by the ctx
// passed to fn: store calls made with that ctx join it. It commits if fn
// returns nil and rolls back otherwise (also on panic). Nested calls join
// the outer transaction.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return dbError(ctx, "begin transaction", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(context.WithValue(ctx, txKey{db}, tx)); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return dbError(ctx, "commit", err)
	}
	return nil
}

// dbError turns a driver error into a CityLens error: constraint
// violations become ECONFLICT/EINVALID, cancellation ECANCELED.
func dbError(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	var ce *citylens.Error
	if errors.As(err, &ce) {
		return err
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return citylens.Errorf(citylens.ECANCELED, "%s: %v", what, err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return citylens.Errorf(citylens.ECONFLICT, "%s: already exists", what)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return citylens.Errorf(citylens.EINVALID, "%s: refers to something that does not exist", what)
		}
	}
	return fmt.Errorf("sqlite: %s: %w", what, err)
}

// notFound is the error of a missing row.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return citylens.Errorf(citylens.ENOTFOUND, format, args...)
	}
	return err
}

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) { return loadMigrations(migrationFiles) }

func loadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, name := range names {
		base := filepath.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", base)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share number %d", other, base, v)
		}
		seen[v] = base
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction, and returns their names.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`); err != nil {
		return nil, dbError(ctx, "create schema_migrations", err)
	}
	var applied []string
	for _, m := range ms {
		err := db.InTx(ctx, func(ctx context.Context) error {
			var n int
			if err := db.writer(ctx).QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := db.writer(ctx).ExecContext(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UnixMicro()); err != nil {
				return err
			}
			applied = append(applied, m.Name)
			return nil
		})
		if err != nil {
			return applied, dbError(ctx, "migrate", err)
		}
	}
	return applied, nil
}

// Ready reports whether the database answers and every embedded migration
// is applied (for /readyz).
func (db *DB) Ready(ctx context.Context) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "sqlite: not migrated: %v", err)
	}
	if n < len(ms) {
		return citylens.Errorf(citylens.EINTERNAL, "sqlite: %d of %d migrations applied", n, len(ms))
	}
	return nil
}

// Backup writes a consistent copy of the live database to path. VACUUM
// INTO reads one snapshot; under WAL other processes (a running server)
// keep writing meanwhile. It runs on this DB's writer connection (the
// reader pool is query-only), so writes through this *DB wait for it.
// path must not exist.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return citylens.Errorf(citylens.ECONFLICT, "backup: %s already exists", path)
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return dbError(ctx, "backup", err)
	}
	return nil
}

// us and tm convert times to the stored form: Unix microseconds, 0 = zero.
func us(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func tm(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

// ExecRaw runs one SQL statement outside the store's methods; the store
// tests use it to check rules the database itself enforces (the audit
// log's triggers).
func (db *DB) ExecRaw(ctx context.Context, q string) error {
	_, err := db.writer(ctx).ExecContext(ctx, q)
	return err
}
