package sqlite

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Checkpointing. SQLite's automatic checkpoint runs inside the commit that
// pushes the WAL past 1,000 pages, so one request in a few pays for copying
// the whole WAL into the database file (about 17 ms after a 5 MB
// attachment, and the single writer waits meanwhile). The writer connection
// therefore has the automatic checkpoint off, and a background checkpointer
// on its own connection does the copying:
//
//   - every interval, when the WAL file changed since the last look, a
//     PASSIVE checkpoint: it copies what no reader still needs, takes no
//     writer lock and waits for nobody;
//   - when the WAL has not changed for idle (the server is quiet), a
//     TRUNCATE checkpoint: it waits briefly for readers and writers (the
//     connection's busy timeout is short, so a writer is never held up
//     long) and empties the WAL file;
//   - when the WAL file is larger than hardLimit (readers kept it from
//     wrapping under constant load), the same TRUNCATE at once, so the WAL
//     cannot grow without bound.
//
// journal_size_limit on the writer also cuts the file back when the writer
// wraps to the start of a fully checkpointed WAL. Errors are logged, never
// returned: a failed checkpoint is retried at the next tick and costs
// nothing but WAL size.
type checkpointer struct {
	db        *sql.DB // one connection, not query-only
	wal       string  // the WAL file's path
	interval  time.Duration
	idle      time.Duration
	hardLimit int64
	log       atomic.Pointer[slog.Logger]
	stop      chan struct{}
	done      chan struct{}
	stopOnce  sync.Once
	// passes counts completed checkpoints by mode (for tests).
	passive, truncate atomic.Int64
}

// checkpointSettings are the checkpointer's defaults; tests shorten them.
var checkpointSettings = struct {
	interval, idle time.Duration
	hardLimit      int64
}{interval: 100 * time.Millisecond, idle: time.Second, hardLimit: 256 << 20}

func newCheckpointer(db *sql.DB, wal string) *checkpointer {
	c := &checkpointer{db: db, wal: wal, interval: checkpointSettings.interval, idle: checkpointSettings.idle,
		hardLimit: checkpointSettings.hardLimit, stop: make(chan struct{}), done: make(chan struct{})}
	c.log.Store(slog.Default())
	return c
}

func (c *checkpointer) run() {
	defer close(c.done)
	t := time.NewTicker(c.interval)
	defer t.Stop()
	var (
		lastSize  int64
		lastMod   time.Time
		changedAt time.Time // when the WAL last changed
		clean     = true    // the WAL holds nothing since the last TRUNCATE
	)
	for {
		select {
		case <-c.stop:
			return
		case now := <-t.C:
			fi, err := os.Stat(c.wal)
			if err != nil {
				continue // no WAL yet (or it was removed on the last close)
			}
			size, mod := fi.Size(), fi.ModTime()
			switch {
			case size != lastSize || !mod.Equal(lastMod):
				lastSize, lastMod, changedAt, clean = size, mod, now, false
				if size > c.hardLimit {
					c.checkpoint("TRUNCATE")
				} else {
					c.checkpoint("PASSIVE")
				}
			case !clean && size > 0 && now.Sub(changedAt) >= c.idle:
				if c.checkpoint("TRUNCATE") {
					clean = true
				}
			}
		}
	}
}

// checkpoint runs one checkpoint in mode and reports whether it completed
// (busy = 0: every frame copied and, for TRUNCATE, the WAL emptied).
func (c *checkpointer) checkpoint(mode string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var busy, log, done int64
	err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done)
	if err != nil {
		c.log.Load().Warn("sqlite: checkpoint failed", "mode", mode, "wal", c.wal, "error", err)
		return false
	}
	if busy != 0 {
		return false // readers or a writer in the way; the next tick retries
	}
	if mode == "PASSIVE" {
		c.passive.Add(1)
	} else {
		c.truncate.Add(1)
	}
	return true
}

// close stops the loop and waits for it (a second call returns at once).
func (c *checkpointer) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}
