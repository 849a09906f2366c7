package release

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testDraft is the draft of testdata/release/draft.json: 12 cities in 3 ESG
// pillars over 7 indicators; Kigali has 3 of 7 values (not ranked), Nairobi
// misses one (imputed).
func testDraft(t testing.TB) Draft {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "release", "draft.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d Draft
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

var testTime = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// testConfig keeps the analyses small so tests run fast.
func testConfig() Config {
	return Config{Uncertainty: Uncertainty{N: 200, Seed: 7, SAN: 40, Bootstrap: 20}}
}

func mustPublish(t testing.TB, in PublishInput) *Release {
	t.Helper()
	if in.PublishedAt.IsZero() {
		in.PublishedAt = testTime
	}
	r, err := Publish(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func testRelease(t testing.TB) *Release {
	t.Helper()
	return mustPublish(t, PublishInput{Draft: testDraft(t), Config: testConfig()})
}
