package datacall

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/citylens/citylens"
)

func wantPanicError(t *testing.T, err error, step string) {
	t.Helper()
	if citylens.ErrorCode(err) != citylens.EINTERNAL || !strings.Contains(citylens.ErrorMessage(err), step+" panicked: injected") {
		t.Fatalf("error = %v (code %q); want EINTERNAL naming %q", err, citylens.ErrorCode(err), step)
	}
	if pe := citylens.AsError(err); pe == nil || !strings.Contains(string(pe.Stack), "panics_test.go") {
		t.Errorf("the error carries no stack of the panic")
	}
	if strings.Contains(err.Error(), "goroutine") {
		t.Errorf("the stack leaked into the message: %q", err.Error())
	}
}

// TestCheckEntriesWorkerPanic: a checking worker's panic fails the check
// with an EINTERNAL error, not the process, and the other parts stop.
func TestCheckEntriesWorkerPanic(t *testing.T) {
	for _, n := range []int{10, 40000} { // one part; several parts
		t.Run(fmt.Sprintf("%d entries", n), func(t *testing.T) {
			entries := make([]Entry, n)
			for i := range entries {
				entries[i] = Entry{Row: i + 2, City: "SEO", Indicator: "SHARE", Value: "50", Source: "NSO", DataYear: "2025"}
			}
			r := testRules(t, "SEO")
			var checked atomic.Int32
			r.beforeCheck = func(i int) {
				checked.Add(1)
				if i == n/2+1 {
					panic("injected")
				}
			}
			c, err := CheckEntries(entries, r)
			if c != nil {
				t.Error("checked entries besides the error")
			}
			wantPanicError(t, err, "checking entries")
			if got := checked.Load(); got == int32(n) {
				t.Errorf("every entry was checked: the other parts did not stop")
			}
		})
	}
}

// TestParseWorkbookWorkerPanic: a panic while reading a part of a workbook's
// rows fails the upload with an EINTERNAL error, not the process.
func TestParseWorkbookWorkerPanic(t *testing.T) {
	r := testRules(t, "SEO")
	var cities []TemplateCity
	for c := range 40 {
		cities = append(cities, TemplateCity{Code: fmt.Sprintf("C%02d", c), Name: "City"})
	}
	var buf bytes.Buffer
	if err := WriteTemplate(&buf, TemplateInput{Edition: r.Edition, Catalogue: r.Catalogue, Cities: cities}); err != nil {
		t.Fatal(err)
	}
	for _, parts := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d parts", parts), func(t *testing.T) {
			var p Parsed
			err := parseXLSX(context.Background(), buf.Bytes(), &p, parseHooks{parts: parts, beforeRow: func(row int) {
				if row == 50 {
					panic("injected")
				}
			}})
			wantPanicError(t, err, "reading the workbook")
			// Without the fault the same workbook reads.
			if err := parseXLSX(context.Background(), buf.Bytes(), &Parsed{}, parseHooks{parts: parts}); err != nil {
				t.Fatal(err)
			}
		})
	}
}
