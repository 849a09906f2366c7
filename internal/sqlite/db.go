// Package sqlite is the CityLens store on an embedded SQLite database (the
// pure-Go modernc.org/sqlite driver): one file in the data directory, WAL
// journal, busy timeout, foreign keys on, one writer connection and a pool
// of readers. The store's methods are package sqlstore's, shared with
// package postgres; this package opens and tunes the connections, embeds
// the SQLite migrations and provides the SQLite dialect (constraint error
// codes, the data call's bulk statements) and the SQLite-only Backup.
//
// Adding to the store: put new tables in migrations/NNN_name.sql (numbers
// 001-099 are the platform's, 100 and up are feature modules'; files are
// applied in order and never edited once released), with the same number
// in package postgres, and methods on *sqlstore.Store, written once. Only a
// statement the databases cannot share goes into the dialect (dialect.go).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is an open CityLens SQLite database. Its store methods are
// sqlstore.Store's.
type DB struct {
	*sqlstore.Store
	path  string
	write *sql.DB // one connection: SQLite has one writer at a time
	read  *sql.DB // the readers (query-only)
	ckpt  *checkpointer
}

// Open opens (creating if needed) the database file at path. It does not
// migrate; call Migrate.
func Open(ctx context.Context, path string) (*DB, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "sqlite: cannot create the directory of %s: %v", path, err)
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	// The writer never checkpoints in a commit (see checkpoint.go); the WAL
	// file is cut back to 64 MB when the writer wraps to its start.
	write, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=wal_autocheckpoint(0)&_pragma=cache_spill(0)&_pragma=journal_size_limit(67108864)")
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// Readers run in parallel under WAL.
	read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, err
	}
	n := max(4, runtime.NumCPU())
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	db := &DB{Store: sqlstore.New(write, read, dialect), path: path, write: write, read: read}
	// Attachments' bytes: by content in a directory beside the database
	// (sqlstore's files.go), not in its WAL.
	files, err := blobs.Open(FilesDir(path))
	if err != nil {
		db.Store.Close()
		return nil, err
	}
	db.Store.SetFiles(files)
	if err := write.PingContext(ctx); err != nil {
		db.Store.Close()
		return nil, citylens.Errorf(citylens.EINTERNAL, "sqlite: open %s: %v", path, err)
	}
	// The checkpointer's connection: a short busy timeout, so that a
	// TRUNCATE waiting for readers holds new writers up briefly at most.
	ck, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=busy_timeout(100)&_pragma=journal_mode(WAL)")
	if err != nil {
		db.Store.Close()
		return nil, err
	}
	ck.SetMaxOpenConns(1)
	ck.SetMaxIdleConns(1)
	ck.SetConnMaxLifetime(0)
	db.ckpt = newCheckpointer(ck, path+"-wal")
	go db.ckpt.run()
	return db, nil
}

// SetLogger sets where the background checkpointer reports failures
// (slog.Default until set).
func (db *DB) SetLogger(l *slog.Logger) {
	if l != nil {
		db.ckpt.log.Store(l)
	}
}

// Close stops the checkpointer and closes the connections. The last
// connection to close checkpoints the WAL into the database file.
func (db *DB) Close() error {
	db.ckpt.close()
	return errors.Join(db.ckpt.db.Close(), db.Store.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

// FilesDir is the directory beside the database file at path where
// attachments are kept by content.
func FilesDir(path string) string { return path + "-files" }

// Migration is one embedded schema change.
type Migration = sqlstore.Migration

// Migrations lists the embedded migrations in order.
func Migrations() ([]Migration, error) { return sqlstore.LoadMigrations(migrationFiles) }

// Backup writes a consistent copy of the live database to path, and of
// the files it refers to into FilesDir(path). VACUUM INTO reads one
// snapshot; under WAL other processes (a running server) keep writing
// meanwhile. It runs on this DB's writer connection (the reader pool is
// query-only), so writes through this *DB wait for it. path must not exist.
//
// The files: every kept file is copied first, then the snapshot is taken,
// then the files the snapshot refers to that were not there before are
// copied, and those it does not refer to are dropped from the copy. A file
// the snapshot refers to was either there at the first step or written
// since, and the sweep leaves files younger than its grace (an hour)
// alone, so none is missing.
func (db *DB) Backup(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err == nil {
		return citylens.Errorf(citylens.ECONFLICT, "backup: %s already exists", path)
	}
	dst := FilesDir(path)
	if _, err := os.Stat(dst); err == nil {
		return citylens.Errorf(citylens.ECONFLICT, "backup: %s already exists", dst)
	}
	out, err := blobs.Open(dst)
	if err != nil {
		return err
	}
	live := db.Store.FileDir()
	if err := live.Walk(func(sum string, _ time.Time) error { return copyFile(live, out, sum) }); err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "backup: copy files: %v", err)
	}
	if _, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path); err != nil {
		return db.TranslateError(ctx, "backup", err)
	}
	snap, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer snap.Close()
	refs := map[string]bool{}
	rows, err := snap.QueryContext(ctx, `SELECT sha256 FROM prize_attachments UNION SELECT sha256 FROM followup_files`)
	if err != nil {
		return db.TranslateError(ctx, "backup: files", err)
	}
	for rows.Next() {
		var sum string
		if err := rows.Scan(&sum); err != nil {
			rows.Close()
			return db.TranslateError(ctx, "backup: files", err)
		}
		refs[sum] = true
	}
	rows.Close()
	for sum := range refs {
		if !blobs.ValidSum(sum) || out.Exists(sum) || !live.Exists(sum) {
			continue // bytes of a file stored in its chunk rows, or already copied
		}
		if err := copyFile(live, out, sum); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "backup: copy files: %v", err)
		}
	}
	return out.Walk(func(sum string, _ time.Time) error {
		if refs[sum] {
			return nil
		}
		return out.Remove(sum)
	})
}

// copyFile copies the file of sum from one directory to another.
func copyFile(from, to *blobs.Dir, sum string) error {
	in, err := from.Open(sum)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return nil // collected meanwhile
	}
	if err != nil {
		return err
	}
	defer in.Close()
	t, err := blobs.NewTemp(to)
	if err != nil {
		return err
	}
	defer t.Close()
	if _, err := io.Copy(t, in); err != nil {
		return err
	}
	if err := t.Finish(); err != nil {
		return err
	}
	if t.Sum() != sum {
		return fmt.Errorf("file %s does not match its name", sum)
	}
	return t.Link()
}
