package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/sqlite"
)

// TestSQLiteBackupKeepsFiles backs up a SQLite database with attachments
// kept beside it: the backup's file directory holds every file the copy
// refers to and no orphan, and a restore (the backup and its directory
// copied into a new data directory) serves the attachment byte for byte.
func TestSQLiteBackupKeepsFiles(t *testing.T) {
	ctx := context.Background()
	db := OpenSQLite(t)
	prizeEdition(t, db)
	u := prizeUser(t, db, "a@example.org")
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeCorporation,
		Organisation: "Acme", Answers: prize.Answers{}, State: prize.StateDraft, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	content := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("plan "), 100000)...)
	f := stage(t, db, content)
	att := prize.Attachment{ID: prize.NewID(), ApplicationID: a.ID, Field: "evidence", Name: "plan.pdf", Type: "application/pdf", CreatedAt: t0}
	if err := db.AddPrizeAttachment(ctx, att, f); err != nil {
		t.Fatal(err)
	}
	db.ReleaseStaged(ctx, f, true)
	// An orphan (bytes whose transaction failed, not yet swept).
	o := stage(t, db, []byte("%PDF-1.4 orphan"))
	if err := o.Link(); err != nil {
		t.Fatal(err)
	}
	o.Close()

	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := db.Backup(ctx, backup); err == nil {
		t.Error("a backup over an existing one was taken")
	}
	if _, err := os.Stat(filepath.Join(sqlite.FilesDir(backup), sha(content)[:2], sha(content))); err != nil {
		t.Errorf("the backup lacks the attachment's file: %v", err)
	}

	// Restore into a new data directory.
	restored := filepath.Join(t.TempDir(), "citylens.db")
	copyTree(t, backup, restored)
	copyTree(t, sqlite.FilesDir(backup), sqlite.FilesDir(restored))
	rdb, err := sqlite.Open(ctx, restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	var got bytes.Buffer
	if err := rdb.PrizeAttachmentChunks(ctx, att.ID, func(b []byte) error { got.Write(b); return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), content) {
		t.Errorf("restored attachment: %d bytes, want %d", got.Len(), len(content))
	}
	if files := keptFiles(t, rdb); len(files) != 1 || files[0] != sha(content) {
		t.Errorf("restored files = %v; want only the attachment's %s", files, sha(content))
	}
}

// copyTree copies a file or a directory.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o750)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSQLiteFilesUnderConcurrency adds, deletes and collects attachments
// of the same bytes from several goroutines while sweeps run with no
// grace: no committed row ever points to a missing file, and once every
// row is gone and a last sweep ran, no file is left.
func TestSQLiteFilesUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	db := OpenSQLite(t)
	prizeEdition(t, db)
	u := prizeUser(t, db, "a@example.org")
	a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: u.ID, Email: u.Email, ApplicantType: prize.TypeCorporation,
		Organisation: "Acme", Answers: prize.Answers{}, State: prize.StateDraft, CreatedAt: t0, UpdatedAt: t0}
	if err := db.CreatePrizeApplication(ctx, a); err != nil {
		t.Fatal(err)
	}
	contents := [][]byte{[]byte("%PDF-1.4 one"), []byte("%PDF-1.4 two")}
	future := time.Now().Add(2 * time.Hour) // every kept file older than the grace (not the temporary ones)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	stop := make(chan struct{})
	wg.Add(1)
	go func() { // the sweeper
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := db.CollectFiles(ctx, future, time.Hour); err != nil {
				errs <- err
				return
			}
		}
	}()
	var uploads sync.WaitGroup
	for g := 0; g < 6; g++ {
		uploads.Add(1)
		go func() {
			defer uploads.Done()
			for i := 0; i < 15; i++ {
				b := contents[(g+i)%2]
				f, err := db.StageFile()
				if err != nil {
					errs <- err
					return
				}
				f.Write(b)
				if err := f.Finish(); err != nil {
					errs <- err
					return
				}
				att := prize.Attachment{ID: prize.NewID(), ApplicationID: a.ID, Field: "evidence", Name: "x.pdf", Type: "application/pdf", CreatedAt: t0}
				fail := i%5 == 4 // some transactions fail after the file is in place
				err = db.InTx(ctx, func(ctx context.Context) error {
					if err := db.AddPrizeAttachment(ctx, att, f); err != nil {
						return err
					}
					if fail {
						return errors.New("fails after the link")
					}
					return nil
				})
				db.ReleaseStaged(ctx, f, err == nil)
				if err != nil && !fail {
					errs <- err
					return
				}
				// Every committed row's bytes are there.
				list, lerr := db.PrizeAttachments(ctx, a.ID)
				if lerr != nil {
					errs <- lerr
					return
				}
				for _, x := range list {
					var got bytes.Buffer
					if err := db.PrizeAttachmentChunks(ctx, x.ID, func(b []byte) error { got.Write(b); return nil }); err != nil {
						if _, gone := db.PrizeAttachment(ctx, x.ID); gone != nil {
							continue // deleted meanwhile by another goroutine
						}
						errs <- fmt.Errorf("row %s points to missing bytes: %v", x.ID, err)
						return
					}
				}
				if !fail && i%2 == 1 {
					if err := db.DeletePrizeAttachment(ctx, att.ID); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	uploads.Wait()
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	list, err := db.PrizeAttachments(ctx, a.ID)
	if err != nil || len(list) == 0 {
		t.Fatalf("rows left: %d %v", len(list), err)
	}
	for _, x := range list {
		if !db.FileDir().Exists(x.SHA256) {
			t.Errorf("row %s: file %s missing", x.ID, x.SHA256)
		}
		if err := db.DeletePrizeAttachment(ctx, x.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.CollectFiles(ctx, future, time.Hour); err != nil {
		t.Fatal(err)
	}
	if files := keptFiles(t, db); len(files) != 0 {
		t.Errorf("files left after every row went: %v", files)
	}
}
