package datacall

import (
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
