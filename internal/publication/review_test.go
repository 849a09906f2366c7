package publication

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRanksAmong: ranks among a set of cities, ties sharing the best rank;
// a city that is not in both releases changes no one's rank among the rest.
func TestRanksAmong(t *testing.T) {
	got := ranksAmong(map[string]float64{"a": 50, "b": 70, "c": 50, "d": 10})
	if diff := cmp.Diff(map[string]int{"b": 1, "a": 2, "c": 2, "d": 4}, got); diff != "" {
		t.Errorf("ranks (-want +got):\n%s", diff)
	}
	// Last year x ranked first; this year it is gone and y is new at the
	// top. Among the cities ranked in both, a and b keep their order: no
	// change, although their overall ranks moved.
	before := ranksAmong(map[string]float64{"a": 60, "b": 40})
	after := ranksAmong(map[string]float64{"a": 61, "b": 41})
	for _, c := range []string{"a", "b"} {
		if before[c]-after[c] != 0 {
			t.Errorf("%s: change %d among the common cities, want 0", c, before[c]-after[c])
		}
	}
}
