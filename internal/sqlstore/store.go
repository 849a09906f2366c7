// Package sqlstore is the CityLens store written once over database/sql:
// every method of the domain store interfaces (members, accounts, auditlog,
// jobs, mail, catalogue, datacall, release), transactions carried by ctx,
// error translation and the migration runner. Its SQL uses $N placeholders,
// which both databases accept.
//
// What differs between the databases is a Dialect, provided by package
// sqlite or postgres together with the connections: their error codes, the
// job-claim lock, the migration lock and the data call's bulk statements.
// Those packages open and tune the connections, embed their migrations and
// define a DB that embeds *Store.
//
// Adding to the store: methods on *Store in the file of their area (or a
// new one), written once. Use db.writer(ctx) or db.reader(ctx) so they join
// the transaction carried by ctx (see InTx), db.dbError for driver errors
// and notFound for missing rows. Only a statement the two databases cannot
// share goes into Dialect. The suite in package storetest runs against both.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/datacall"
)

// Dialect is what one database does differently: everything else in the
// store is shared. The statements it builds use the database's own
// placeholders; the functions return driver errors as they are (the store
// translates them).
type Dialect struct {
	// Name names the database ("sqlite", "postgres"): Store.Dialect, and
	// the prefix of driver errors the store does not translate.
	Name string
	// ConstraintCode is the CityLens code of a violated constraint:
	// ECONFLICT for a unique or primary key, EINVALID for a foreign key;
	// "" for any other error.
	ConstraintCode func(err error) string

	// Migrations holds the database's migrations/NNN_name.sql files.
	Migrations fs.FS
	// SchemaMigrations creates, if it does not exist, the table recording
	// applied migrations (version, name, applied_at in Unix microseconds).
	SchemaMigrations string
	// MigrationLock, if not empty, runs first in every migration
	// transaction so replicas starting together apply each migration once.
	MigrationLock string

	// ClaimLock ends the SELECT that picks the job to claim, so concurrent
	// claimers take different jobs ("" where transactions already
	// serialise claims).
	ClaimLock string

	// PutValues upserts data call values through w, in as few statements
	// as suits the database (the foreign keys check their references).
	PutValues func(ctx context.Context, w Querier, values []datacall.Value) error
	// AppendAudits inserts audit log entries through w, likewise.
	AppendAudits func(ctx context.Context, w Querier, entries []auditlog.Entry) error
	// CodesIn is the query of the codes among codes (up to 500) that a
	// table with a code column holds (to name a missing reference).
	CodesIn func(table string, codes []string) (query string, args []any)
	// PrepareStatements keeps every statement the store runs prepared
	// (see stmtcache.go), for a driver that does not cache them itself.
	PrepareStatements bool
}

// Store implements the domain store interfaces on one database.
type Store struct {
	write   *sql.DB // writes and transactions
	read    *sql.DB // reads outside transactions; may be write
	dialect Dialect
	stmts   stmtCache // when dialect.PrepareStatements
	exch    exchangeIndex
	files   *blobs.Dir // files' bytes (see files.go); nil: in the database
}

// New is the store over write (for writes and transactions) and read (for
// reads outside a transaction; the same pool where the database has no
// separate readers). Close closes both.
func New(write, read *sql.DB, d Dialect) *Store {
	return &Store{write: write, read: read, dialect: d}
}

// Close closes the pools.
func (db *Store) Close() error {
	db.stmts.close()
	if db.read == db.write {
		return db.write.Close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// Dialect names the database, for logs and /readyz.
func (db *Store) Dialect() string { return db.dialect.Name }

// Querier is a pool or a transaction.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type txKey struct{ db *Store }

// writer is the transaction in ctx or the write pool.
func (db *Store) writer(ctx context.Context) Querier {
	tx, _ := ctx.Value(txKey{db}).(*sql.Tx)
	if db.dialect.PrepareStatements {
		local, _ := ctx.Value(txStmtsKey{db}).(*txStmts)
		return preparedQuerier{cache: &db.stmts, pool: db.write, tx: tx, local: local}
	}
	if tx != nil {
		return tx
	}
	return db.write
}

// reader is the transaction in ctx (so a transaction sees its own writes)
// or the read pool.
func (db *Store) reader(ctx context.Context) Querier {
	tx, _ := ctx.Value(txKey{db}).(*sql.Tx)
	if db.dialect.PrepareStatements {
		if tx != nil {
			local, _ := ctx.Value(txStmtsKey{db}).(*txStmts)
			return preparedQuerier{cache: &db.stmts, pool: db.write, tx: tx, local: local}
		}
		return preparedQuerier{cache: &db.stmts, pool: db.read}
	}
	if tx != nil {
		return tx
	}
	return db.read
}

// InTx runs fn in a write transaction (BEGIN IMMEDIATE on SQLite) carried
// by the ctx passed to fn: store calls made with that ctx join it. It
// commits if fn returns nil and rolls back otherwise (also on panic).
// Nested calls join the outer transaction.
func (db *Store) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return db.dbError(ctx, "begin transaction", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
	}()
	txCtx := context.WithValue(ctx, txKey{db}, tx)
	if db.dialect.PrepareStatements {
		txCtx = context.WithValue(txCtx, txStmtsKey{db}, &txStmts{})
	}
	if err := fn(txCtx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return db.dbError(ctx, "commit", err)
	}
	return nil
}

// dbError turns a driver error into a CityLens error: constraint
// violations become ECONFLICT/EINVALID, cancellation ECANCELED.
func (db *Store) dbError(ctx context.Context, what string, err error) error {
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
	switch db.dialect.ConstraintCode(err) {
	case citylens.ECONFLICT:
		return citylens.Errorf(citylens.ECONFLICT, "%s: already exists", what)
	case citylens.EINVALID:
		return citylens.Errorf(citylens.EINVALID, "%s: refers to something that does not exist", what)
	}
	return fmt.Errorf("%s: %s: %w", db.dialect.Name, what, err)
}

// TranslateError is dbError for the database packages' own statements.
func (db *Store) TranslateError(ctx context.Context, what string, err error) error {
	return db.dbError(ctx, what, err)
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

// LoadMigrations lists the migrations/NNN_name.sql files of fsys in order.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
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

// Migrate applies the dialect's migrations not yet recorded in
// schema_migrations, each in its own transaction (after the dialect's
// MigrationLock), and returns their names.
func (db *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := LoadMigrations(db.dialect.Migrations)
	if err != nil {
		return nil, err
	}
	lock := func(ctx context.Context) error {
		if db.dialect.MigrationLock == "" {
			return nil
		}
		_, err := db.writer(ctx).ExecContext(ctx, db.dialect.MigrationLock)
		return err
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		if err := lock(ctx); err != nil {
			return err
		}
		_, err := db.writer(ctx).ExecContext(ctx, db.dialect.SchemaMigrations)
		return err
	})
	if err != nil {
		return nil, db.dbError(ctx, "create schema_migrations", err)
	}
	var applied []string
	for _, m := range ms {
		err := db.InTx(ctx, func(ctx context.Context) error {
			if err := lock(ctx); err != nil {
				return err
			}
			var n int
			if err := db.writer(ctx).QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := db.writer(ctx).ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, time.Now().UnixMicro()); err != nil {
				return err
			}
			applied = append(applied, m.Name)
			return nil
		})
		if err != nil {
			// Named, so a refused migration says which (a constraint
			// violation's message says only what kind it was).
			return applied, db.dbError(ctx, "migration "+m.Name, err)
		}
	}
	return applied, nil
}

// Ready reports whether the database answers and every embedded migration
// is applied (for /readyz).
func (db *Store) Ready(ctx context.Context) error {
	ms, err := LoadMigrations(db.dialect.Migrations)
	if err != nil {
		return err
	}
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "%s: not migrated: %v", db.dialect.Name, err)
	}
	if n < len(ms) {
		return citylens.Errorf(citylens.EINTERNAL, "%s: %d of %d migrations applied", db.dialect.Name, n, len(ms))
	}
	return nil
}

// ExecRaw runs one SQL statement outside the store's methods; the store
// tests use it to check rules the database itself enforces (the audit
// log's triggers).
func (db *Store) ExecRaw(ctx context.Context, q string) error {
	_, err := db.writer(ctx).ExecContext(ctx, q)
	return err
}

// Micros is the stored form of a time: Unix microseconds, 0 for the zero
// time (for the dialects' bulk writes).
func Micros(t time.Time) int64 { return us(t) }

// us and tm convert times to and from the stored form.
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
