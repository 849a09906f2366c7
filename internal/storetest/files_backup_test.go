package storetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

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
