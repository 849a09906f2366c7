// Package blobs keeps files by their content: each file is named by its
// SHA-256 in a directory (root/ab/abcdef…), written first to a temporary
// file while it streams in and is hashed on the way, synced, then renamed
// into place atomically. Two files with the same bytes are stored once.
//
// The directory knows nothing of who refers to a file: the store that
// keeps the references links a file in the transaction that records its
// reference, and removes a file only in a transaction that finds it
// unreferenced (see sqlstore's files.go), so a reference never outlives
// its file and a file without a reference is collected.
package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/citylens/citylens"
)

// Dir is a content-addressed directory of files.
type Dir struct {
	root string
}

// Open opens (creating if needed) the directory at root, with its tmp
// directory for files being written.
func Open(root string) (*Dir, error) {
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o750); err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "files: cannot create the directory %s: %v", root, err)
	}
	return &Dir{root: root}, nil
}

// Root is the directory's path.
func (d *Dir) Root() string { return d.root }

// ValidSum reports whether s is a SHA-256 in lower-case hexadecimal.
func ValidSum(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Path is where the file of sum is kept.
func (d *Dir) Path(sum string) string {
	return filepath.Join(d.root, sum[:2], sum)
}

// Open opens the file of sum for reading (ENOTFOUND if there is none).
func (d *Dir) Open(sum string) (*os.File, error) {
	if !ValidSum(sum) {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "files: no file %q", sum)
	}
	f, err := os.Open(d.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, citylens.Errorf(citylens.ENOTFOUND, "files: no file %s", sum)
	}
	return f, err
}

// Exists reports whether the file of sum is kept.
func (d *Dir) Exists(sum string) bool {
	if !ValidSum(sum) {
		return false
	}
	_, err := os.Stat(d.Path(sum))
	return err == nil
}

// Remove removes the file of sum (nothing if there is none). Only the
// store that keeps the references calls it, once it found none.
func (d *Dir) Remove(sum string) error {
	if !ValidSum(sum) {
		return nil
	}
	if err := os.Remove(d.Path(sum)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Walk calls fn with every kept file's sum and modification time.
func (d *Dir) Walk(fn func(sum string, mod time.Time) error) error {
	fans, err := os.ReadDir(d.root)
	if err != nil {
		return err
	}
	for _, fan := range fans {
		if !fan.IsDir() || len(fan.Name()) != 2 {
			continue
		}
		files, err := os.ReadDir(filepath.Join(d.root, fan.Name()))
		if err != nil {
			return err
		}
		for _, f := range files {
			if !ValidSum(f.Name()) || !strings.HasPrefix(f.Name(), fan.Name()) {
				continue
			}
			info, err := f.Info()
			if err != nil {
				continue // removed meanwhile
			}
			if err := fn(f.Name(), info.ModTime()); err != nil {
				return err
			}
		}
	}
	return nil
}

// SweepTemps removes the temporary files last written before t (uploads
// that a crash interrupted) and returns how many.
func (d *Dir) SweepTemps(t time.Time) (int, error) {
	files, err := os.ReadDir(filepath.Join(d.root, "tmp"))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, f := range files {
		info, err := f.Info()
		if err != nil || !info.ModTime().Before(t) {
			continue
		}
		if os.Remove(filepath.Join(d.root, "tmp", f.Name())) == nil {
			n++
		}
	}
	return n, nil
}

// Temp is a file being written: its bytes are hashed as they are written.
// Finish syncs it and fixes its sum; Link then puts it in place under the
// sum; Close removes what is left of it.
type Temp struct {
	dir      *Dir // nil: a staging file outside any Dir
	f        *os.File
	h        hash.Hash
	size     int64
	sum      string
	linked   bool
	created  bool
	finished bool
}

// NewTemp starts a file in d's tmp directory, or, with d nil, a staging
// file in the system's temporary directory (the bytes of a store that
// keeps files in its database pass through it).
func NewTemp(d *Dir) (*Temp, error) {
	dir := os.TempDir()
	if d != nil {
		dir = filepath.Join(d.root, "tmp")
	}
	f, err := os.CreateTemp(dir, "upload-*")
	if err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "files: cannot create a temporary file: %v", err)
	}
	return &Temp{dir: d, f: f, h: sha256.New()}, nil
}

// Write appends b to the file and to its hash.
func (t *Temp) Write(b []byte) (int, error) {
	if t.finished {
		return 0, errors.New("files: write after Finish")
	}
	n, err := t.f.Write(b)
	t.h.Write(b[:n])
	t.size += int64(n)
	return n, err
}

// Finish ends the writing: the file is synced to disk (in a Dir) and its
// sum fixed.
func (t *Temp) Finish() error {
	if t.finished {
		return nil
	}
	if t.dir != nil {
		if err := t.f.Sync(); err != nil {
			return err
		}
	}
	t.sum = hex.EncodeToString(t.h.Sum(nil))
	t.finished = true
	return nil
}

// Size is the number of bytes written.
func (t *Temp) Size() int64 { return t.size }

// Sum is the SHA-256 of the bytes, in hexadecimal ("" before Finish).
func (t *Temp) Sum() string { return t.sum }

// Created reports whether Link put this file in place (rather than
// finding the same bytes already kept).
func (t *Temp) Created() bool { return t.created }

// Chunks calls fn with the file's bytes from its start, n at a time, in
// one buffer reused (fn must not keep it).
func (t *Temp) Chunks(n int, fn func(seq int, b []byte) error) error {
	if !t.finished {
		return errors.New("files: read before Finish")
	}
	if _, err := t.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	buf := make([]byte, n)
	for seq := 0; ; seq++ {
		m, err := io.ReadFull(t.f, buf)
		if m > 0 {
			if err := fn(seq, buf[:m]); err != nil {
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

// Link puts the finished file in its Dir under its sum: renamed into
// place atomically (its directory synced), or, when the same bytes are
// already kept, dropped. The store calls it in the transaction that
// records the file's reference.
func (t *Temp) Link() error {
	if t.dir == nil || !t.finished {
		return errors.New("files: Link of a file not finished in a directory")
	}
	if t.linked {
		return nil
	}
	final := t.dir.Path(t.sum)
	if _, err := os.Stat(final); err == nil {
		t.linked = true
		return nil
	}
	fan := filepath.Dir(final)
	if _, err := os.Stat(fan); errors.Is(err, fs.ErrNotExist) {
		if err := os.Mkdir(fan, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := syncDir(t.dir.root); err != nil {
			return err
		}
	}
	if err := os.Rename(t.f.Name(), final); err != nil {
		return err
	}
	t.linked, t.created = true, true
	return syncDir(fan)
}

// Close closes the file and removes the temporary file unless it was
// put in place.
func (t *Temp) Close() error {
	if t.f == nil {
		return nil
	}
	err := t.f.Close()
	if !t.created {
		if rerr := os.Remove(t.f.Name()); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) && err == nil {
			err = rerr
		}
	}
	t.f = nil
	return err
}

func syncDir(path string) error {
	d, err := os.Open(path)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}
