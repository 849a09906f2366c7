package blobs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/citylens/citylens"
)

func write(t *testing.T, d *Dir, b []byte) *Temp {
	t.Helper()
	f, err := NewTemp(d)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := f.Finish(); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestDir: a file is named by its SHA-256 once linked, the same bytes are
// kept once, a temporary file never outlives Close unless linked, and a
// staging file (no directory) reads back in chunks.
func TestDir(t *testing.T) {
	d, err := Open(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Repeat([]byte("abc"), 1000)
	h := sha256.Sum256(b)
	sum := hex.EncodeToString(h[:])
	f := write(t, d, b)
	if f.Sum() != sum || f.Size() != int64(len(b)) {
		t.Fatalf("sum %s size %d", f.Sum(), f.Size())
	}
	if d.Exists(sum) {
		t.Fatal("kept before Link")
	}
	if err := f.Link(); err != nil || !f.Created() {
		t.Fatalf("link: %v, created %v", err, f.Created())
	}
	f.Close()
	g := write(t, d, b)
	if err := g.Link(); err != nil || g.Created() {
		t.Fatalf("second link: %v, created %v", err, g.Created())
	}
	g.Close()
	in, err := d.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(in)
	in.Close()
	if !bytes.Equal(got, b) || d.Path(sum) != filepath.Join(d.Root(), sum[:2], sum) {
		t.Errorf("read back %d bytes from %s", len(got), d.Path(sum))
	}
	var n int
	d.Walk(func(s string, _ time.Time) error { n++; return nil })
	if n != 1 {
		t.Errorf("%d files kept, want 1", n)
	}
	if tmp, _ := os.ReadDir(filepath.Join(d.Root(), "tmp")); len(tmp) != 0 {
		t.Errorf("temporary files left: %v", tmp)
	}
	// Not linked: removed on Close. An old temporary file: swept.
	write(t, d, []byte("gone")).Close()
	old := write(t, d, []byte("interrupted"))
	if n, err := d.SweepTemps(time.Now().Add(time.Minute)); err != nil || n != 1 {
		t.Errorf("swept %d, %v; want the interrupted upload", n, err)
	}
	old.Close()
	for _, bad := range []string{"", "../../etc/passwd", sum[:63], sum + "0", "ZZ" + sum[2:]} {
		if _, err := d.Open(bad); citylens.ErrorCode(err) != citylens.ENOTFOUND {
			t.Errorf("Open(%q) = %v, want not found", bad, err)
		}
		if d.Exists(bad) || d.Remove(bad) != nil {
			t.Errorf("%q taken for a sum", bad)
		}
	}
	if err := d.Remove(sum); err != nil || d.Exists(sum) {
		t.Errorf("remove: %v", err)
	}
	// A staging file outside any directory reads back in chunks and
	// cannot be linked.
	s := write(t, nil, b)
	var back bytes.Buffer
	seqs := 0
	if err := s.Chunks(1000, func(seq int, c []byte) error { back.Write(c); seqs = seq + 1; return nil }); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Bytes(), b) || seqs != 3 {
		t.Errorf("chunks: %d bytes in %d", back.Len(), seqs)
	}
	if s.Link() == nil {
		t.Error("a staging file was linked")
	}
	name := s.f.Name()
	s.Close()
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("staging file left: %v", err)
	}
}
