package web

import (
	"testing"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/jobs"
)

// TestJobErrorWording: a job's keyed error reads in the reader's language;
// one stored as text (an internal error) reads as it is for the
// secretariat and as "something went wrong" for anyone else.
func TestJobErrorWording(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	admin := Viewer{User: accounts.User{ID: 1, Role: accounts.RoleAdmin}}
	officer := Viewer{User: accounts.User{ID: 2, Role: accounts.RoleRegional}}
	keyed := jobs.Job{Error: `{"code":"invalid","key":"engine.normalise.no_values","args":["EC-1"],"message":"normalise: indicator \"EC-1\": no values"}`}
	internal := jobs.Job{Error: "sqlite: database is locked"}
	for _, tc := range []struct {
		name string
		lang i18n.Lang
		v    Viewer
		j    jobs.Job
		want string
	}{
		{"keyed, Korean", i18n.Korean, officer, keyed, `정규화: 지표 "EC-1": 값이 없습니다`},
		{"keyed, English", i18n.English, admin, keyed, `normalise: indicator "EC-1": no values`},
		{"internal, the secretariat", i18n.Korean, admin, internal, "sqlite: database is locked"},
		{"internal, anyone else", i18n.Korean, officer, internal, cat.T(i18n.Korean, "error.internal")},
		{"no error", i18n.Korean, admin, jobs.Job{}, ""},
	} {
		if got := jobError(cat, tc.lang, tc.v, tc.j); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
