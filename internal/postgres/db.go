// Package postgres is the CityLens store on PostgreSQL (pgx through
// database/sql), for networks that run several stateless serve replicas on
// one database. The store's methods are package sqlstore's, shared with
// package sqlite; this package opens the connection pool, embeds the
// PostgreSQL migrations and provides the PostgreSQL dialect (constraint
// error codes, row and advisory locks, the data call's bulk statements as
// column arrays); package storetest runs one suite against both.
//
// Adding to the store: put new tables in migrations/NNN_name.sql (001-099
// platform, 100+ feature modules; applied in order under an advisory lock so
// replicas starting together migrate once), with the same number in package
// sqlite, and methods on *sqlstore.Store, written once. Only a statement the
// databases cannot share goes into the dialect (dialect.go).
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open CityLens PostgreSQL database. Its store methods are
// sqlstore.Store's.
type DB struct {
	*sqlstore.Store
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
	// One pool: PostgreSQL readers and writers share it.
	return &DB{Store: sqlstore.New(pool, pool, dialect)}, nil
}

// Migration is one embedded schema change.
type Migration = sqlstore.Migration

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) { return sqlstore.LoadMigrations(migrationFiles) }
