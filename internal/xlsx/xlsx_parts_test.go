package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestTooManyParts: an archive whose end record declares more files than
// the limit is refused before its directory is read.
func TestTooManyParts(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range 50 {
		w, _ := zw.Create(fmt.Sprintf("p%d", i))
		w.Write([]byte("x"))
	}
	zw.Close()
	lim := LimitsFor(1 << 20)
	lim.MaxParts = 50
	if _, err := Open(buf.Bytes(), lim); err == nil || !strings.Contains(err.Error(), "declares 50 files") {
		t.Fatalf("50 parts over a limit of 50: %v", err)
	}
	if n := zipEntries(buf.Bytes()); n != 50 {
		t.Fatalf("zipEntries = %d, want 50", n)
	}
	lim.MaxParts = 51
	if _, err := Open(buf.Bytes(), lim); err == nil || strings.Contains(err.Error(), "declares") {
		t.Fatalf("50 parts under a limit of 51 must fail for another reason (no workbook part), got %v", err)
	}
}
