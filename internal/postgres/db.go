// Package postgres is the CityLens store on PostgreSQL (pgx through
// database/sql), for networks that run several stateless serve replicas on
// one database. It implements the same domain store interfaces as package
// sqlite, with the same SQL where the dialects agree; package storetest runs
// one suite against both.
//
// Adding to the store: put new tables in migrations/NNN_name.sql (001-099
// platform, 100+ feature modules; applied in order under an advisory lock so
// replicas starting together migrate once) and methods on *DB in a new file,
// using db.writer(ctx)/db.reader(ctx) to join the transaction in ctx.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/citylens/citylens"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open CityLens PostgreSQL database.
type DB struct {
	pool *sql.DB
}

// Open connects to url (postgres://...). A search_path parameter in the URL
// selects a schema (the tests use one schema per run).
func Open(ctx context.Context, url string) (*DB, error) {
	pool, err := sql.Open("pgx", url)
	if err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "postgres: %v", err)
	}
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, citylens.Errorf(citylens.EINTERNAL, "postgres: cannot connect: %v", err)
	}
	return &DB{pool: pool}, nil
}

// Close closes the pool.
func (db *DB) Close() error { return db.pool.Close() }

// Dialect names the database, for logs and /readyz.
func (db *DB) Dialect() string { return "postgres" }

type txKey struct{ db *DB }

type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (db *DB) writer(ctx context.Context) querier {
	if tx, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return tx
	}
	return db.pool
}

func (db *DB) reader(ctx context.Context) querier { return db.writer(ctx) }

// InTx runs fn in a transaction carried by the ctx passed to fn: store
// calls made with that ctx join it. It commits if fn returns nil and rolls
// back otherwise (also on panic). Nested calls join the outer transaction.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if _, ok := ctx.Value(txKey{db}).(*sql.Tx); ok {
		return fn(ctx)
	}
	tx, err := db.pool.BeginTx(ctx, nil)
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
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return citylens.Errorf(citylens.ECONFLICT, "%s: already exists", what)
		case "23503":
			return citylens.Errorf(citylens.EINVALID, "%s: refers to something that does not exist", what)
		}
	}
	return fmt.Errorf("postgres: %s: %w", what, err)
}

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
func Migrations() ([]Migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
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
		b, err := fs.ReadFile(migrationFiles, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// migrationLock is the advisory lock key replicas take while migrating.
const migrationLock = 7419_2026

// Migrate applies the embedded migrations not yet recorded in
// schema_migrations, each in its own transaction, holding a transaction-level
// advisory lock so concurrent replicas apply each migration once.
func (db *DB) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	var applied []string
	err = db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		_, err := db.writer(ctx).ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return nil, dbError(ctx, "create schema_migrations", err)
	}
	for _, m := range ms {
		err := db.InTx(ctx, func(ctx context.Context) error {
			if _, err := db.writer(ctx).ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
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
	if err := db.pool.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "postgres: not migrated: %v", err)
	}
	if n < len(ms) {
		return citylens.Errorf(citylens.EINTERNAL, "postgres: %d of %d migrations applied", n, len(ms))
	}
	return nil
}

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
