package sqlite

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestCheckpointBoundsTheWAL commits 80 rows of 1 MB each (80 MB in all)
// while readers keep reading, and checks that every commit is visible to
// the read pool as soon as it returns, that the background checkpointer
// kept the WAL file bounded (the hard limit is 8 MB here; without a
// checkpoint the WAL would hold all 80 MB) and, once the writes stop, that
// the idle TRUNCATE empties it and the data is all in the database file.
func TestCheckpointBoundsTheWAL(t *testing.T) {
	saved := checkpointSettings
	checkpointSettings.interval, checkpointSettings.idle, checkpointSettings.hardLimit = 5*time.Millisecond, 100*time.Millisecond, 8<<20
	defer func() { checkpointSettings = saved }()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	// Background readers holding short read transactions, as a server's
	// pages do: they must not stop the WAL from being bounded.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var n int
				if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM blobs`).Scan(&n); err != nil {
					t.Error(err)
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}
	const n, size = 80, 1 << 20
	var maxWAL int64
	for i := 1; i <= n; i++ {
		data := bytes.Repeat([]byte{byte(i)}, size)
		if _, err := db.write.ExecContext(ctx, `INSERT INTO blobs (id, data) VALUES ($1, $2)`, i, data); err != nil {
			t.Fatal(err)
		}
		// A reader sees the commit at once, with its bytes.
		var got []byte
		if err := db.read.QueryRowContext(ctx, `SELECT data FROM blobs WHERE id = $1`, i).Scan(&got); err != nil {
			t.Fatalf("commit %d not visible to a reader: %v", i, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("commit %d: reader got %d bytes, not the %d written", i, len(got), len(data))
		}
		if fi, err := os.Stat(path + "-wal"); err == nil {
			maxWAL = max(maxWAL, fi.Size())
		}
		time.Sleep(2 * time.Millisecond) // give the checkpointer its ticks
	}
	close(stop)
	wg.Wait()
	// The WAL never held more than the hard limit plus what arrives
	// between two checks (a few commits); unchecked it would reach 80 MB.
	if limit := int64(8<<20 + 8*size); maxWAL > limit {
		t.Errorf("the WAL reached %d bytes, over the bound %d", maxWAL, limit)
	}
	if db.ckpt.passive.Load() == 0 {
		t.Errorf("no passive checkpoint ran during the writes")
	}
	// Idle: the TRUNCATE checkpoint empties the WAL.
	deadline := time.Now().Add(5 * time.Second)
	for {
		fi, err := os.Stat(path + "-wal")
		if err == nil && fi.Size() == 0 && db.ckpt.truncate.Load() > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the WAL was not emptied once idle: %v, %d truncations", fi.Size(), db.ckpt.truncate.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Everything is in the database file now: a fresh reader sees it.
	var count, total int64
	if err := db.read.QueryRowContext(ctx, `SELECT count(*), sum(length(data)) FROM blobs`).Scan(&count, &total); err != nil {
		t.Fatal(err)
	}
	if count != n || total != n*size {
		t.Errorf("after checkpoints: %d rows, %d bytes; want %d, %d", count, total, n, n*size)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() < n*size {
		t.Errorf("the database file holds %v bytes, less than the %d committed", fi.Size(), n*size)
	}
}

// TestCheckpointerStopsOnClose: Close stops the background checkpointer
// (it does not keep ticking against closed connections) and leaves a
// database that opens again with its data.
func TestCheckpointerStopsOnClose(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (42)`); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-db.ckpt.done:
	default:
		t.Fatal("the checkpointer still runs after Close")
	}
	db.Close() // a second Close does not panic
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var x int
	if err := db.read.QueryRowContext(ctx, `SELECT x FROM t`).Scan(&x); err != nil || x != 42 {
		t.Fatalf("reopened: %d, %v", x, err)
	}
}
