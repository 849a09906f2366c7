package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/blobs"
)

// Files: the bytes of prize attachments, follow-up evidence files,
// training's materials and submissions, and partnerships' agreements.
//
// On SQLite (SetFiles) they are kept by content in a directory beside the
// database (package blobs): an upload streams into a temporary file there,
// hashed on the way and synced, outside any transaction; the transaction
// that inserts the file's row (which keeps its SHA-256, size and type)
// renames it into place. Without a directory (PostgreSQL, whose replicas
// run on different machines) the bytes are copied from the staged file
// into the file's chunk rows in that transaction, so every replica serves
// every file.
//
// Safety on SQLite: a file's row and the rename are in one write
// transaction, and a file is removed only in a write transaction that
// finds no row referring to its SHA-256 (CollectFile, CollectFiles).
// SQLite runs write transactions one at a time, so a committed row never
// points to a removed file, and a file whose transaction failed is
// collected at once (ReleaseStaged) or by the periodic sweep.
//
// Reading: a file whose chunk rows exist (stored before the directory, or
// on PostgreSQL) is read from them, otherwise from the directory.

// fileChunkBytes is the size of a chunk row and of a read.
const fileChunkBytes = 256 << 10

// SetFiles keeps files' bytes in d rather than in the database (SQLite).
func (db *Store) SetFiles(d *blobs.Dir) { db.files = d }

// FileDir is the directory of files' bytes (nil when they are in the
// database).
func (db *Store) FileDir() *blobs.Dir { return db.files }

// StageFile starts the file an upload streams into.
func (db *Store) StageFile() (*blobs.Temp, error) { return blobs.NewTemp(db.files) }

// chunkTable names a table of file chunks and its key column.
type chunkTable struct{ table, key string }

var (
	prizeChunks    = chunkTable{"prize_attachment_chunks", "attachment_id"}
	followupChunks = chunkTable{"followup_file_chunks", "file_id"}
	trainingChunks = chunkTable{"training_file_chunks", "file_id"}
)

// putFileBytes stores the bytes of t (finished) for the file id, in the
// transaction carried by ctx.
func (db *Store) putFileBytes(ctx context.Context, ct chunkTable, id string, t *blobs.Temp) error {
	if _, ok := ctx.Value(txKey{db}).(*sql.Tx); !ok {
		return db.InTx(ctx, func(ctx context.Context) error { return db.putFileBytes(ctx, ct, id, t) })
	}
	if db.files != nil {
		if err := t.Link(); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "files: keep %s: %v", t.Sum(), err)
		}
		return nil
	}
	return t.Chunks(fileChunkBytes, func(seq int, b []byte) error {
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO `+ct.table+` (`+ct.key+`, seq, data) VALUES ($1, $2, $3)`, id, seq, b)
		return db.dbError(ctx, ct.table, err)
	})
}

// readFileBytes calls fn with the bytes of the file id (of SHA-256 sum)
// in order, one chunk at a time.
func (db *Store) readFileBytes(ctx context.Context, ct chunkTable, id, sum string, fn func([]byte) error) error {
	for seq := 0; ; seq++ {
		var b []byte
		err := db.reader(ctx).QueryRowContext(ctx, `SELECT data FROM `+ct.table+` WHERE `+ct.key+` = $1 AND seq = $2`, id, seq).Scan(&b)
		if errors.Is(err, sql.ErrNoRows) {
			if seq > 0 {
				return nil
			}
			break
		}
		if err != nil {
			return db.dbError(ctx, ct.table, err)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	if db.files == nil {
		return citylens.Errorf(citylens.ENOTFOUND, "files: no bytes for %s", id)
	}
	f, err := db.files.Open(sum)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, fileChunkBytes)
	for {
		n, err := io.ReadFull(f, buf)
		if n > 0 {
			if err := fn(buf[:n]); err != nil {
				return err
			}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// fileReferenced reports whether a row refers to the bytes of sum.
func (db *Store) fileReferenced(ctx context.Context, sum string) (bool, error) {
	var n int
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM prize_attachments WHERE sha256 = $1 LIMIT 1) a)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM followup_files WHERE sha256 = $1 LIMIT 1) f)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM training_files WHERE sha256 = $1 LIMIT 1) t)
		+ (SELECT COUNT(*) FROM (SELECT 1 FROM exchange_partnership_files WHERE sha256 = $1 LIMIT 1) p)`, sum).Scan(&n)
	return n > 0, db.dbError(ctx, "file references", err)
}

// CollectFile removes the kept bytes of sum if no row refers to them, in
// a write transaction (so no upload links them meanwhile). It reports
// whether it removed them.
func (db *Store) CollectFile(ctx context.Context, sum string) (bool, error) {
	if db.files == nil || !blobs.ValidSum(sum) {
		return false, nil
	}
	removed := false
	err := db.InTx(ctx, func(ctx context.Context) error {
		ref, err := db.fileReferenced(ctx, sum)
		if err != nil || ref {
			return err
		}
		if err := db.files.Remove(sum); err != nil {
			return citylens.Errorf(citylens.EINTERNAL, "files: remove %s: %v", sum, err)
		}
		removed = true
		return nil
	})
	return removed, err
}

// ReleaseStaged ends an upload's staged file after its transaction:
// committed, what is left of it goes; failed, the bytes it put in place
// are collected unless another row refers to them.
func (db *Store) ReleaseStaged(ctx context.Context, t *blobs.Temp, committed bool) error {
	if t == nil {
		return nil
	}
	err := t.Close()
	if !committed && t.Created() {
		_, cerr := db.CollectFile(context.WithoutCancel(ctx), t.Sum())
		err = errors.Join(err, cerr)
	}
	return err
}

// Sweep is what CollectFiles did.
type Sweep struct {
	Kept      int // files some row refers to, or too recent to judge
	Removed   int // files no row referred to
	Temporary int // temporary files of interrupted uploads
}

// CollectFiles removes the kept files no row refers to that were last
// written before now minus grace, and the temporary files of uploads
// older than a day. Each removal is checked again in its own write
// transaction. Without a file directory it does nothing.
func (db *Store) CollectFiles(ctx context.Context, now time.Time, grace time.Duration) (Sweep, error) {
	var s Sweep
	if db.files == nil {
		return s, nil
	}
	n, err := db.files.SweepTemps(now.Add(-24 * time.Hour))
	s.Temporary = n
	if err != nil {
		return s, err
	}
	err = db.files.Walk(func(sum string, mod time.Time) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if mod.After(now.Add(-grace)) {
			s.Kept++
			return nil
		}
		ref, err := db.fileReferenced(ctx, sum)
		if err != nil {
			return err
		}
		if ref {
			s.Kept++
			return nil
		}
		removed, err := db.CollectFile(ctx, sum)
		if err != nil {
			return err
		}
		if removed {
			s.Removed++
		} else {
			s.Kept++
		}
		return nil
	})
	return s, err
}
