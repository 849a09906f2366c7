package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/storetest"
)

// TestFailedJobKeepsItsKeyedError: a job failing on a keyed error (an
// engine error naming an indicator, a rule naming a state) keeps its code,
// key and arguments, so that a page words it in the reader's language
// exactly as the handler's error would be; other errors are kept as text,
// an internal one whole, for the operators.
func TestFailedJobKeepsItsKeyedError(t *testing.T) {
	s := storetest.OpenSQLite(t)
	cat := i18ntest.Catalog(t)
	gmean := citylens.Ef(citylens.EINVALID, "engine.aggregate.gmean",
		"geometric mean over a value <= 0 (%s = %s): normalise to a positive range such as min-max 1-100, or use another aggregation", "EC-1", "-0.5")
	tests := []struct {
		name string
		err  error
		// keyed: the stored error words as err does; else its text.
		keyed bool
		text  string
	}{
		{"an engine error naming an indicator", citylens.Ef(citylens.EINVALID, "engine.normalise.constant",
			"normalise: indicator %q: all %d values are equal (%v): min-max cannot scale a constant column", "EC-P-EM-1C", 2, 50.0), true, ""},
		{"a float that prints as a fraction", citylens.Ef(citylens.EINVALID, "engine.framework.weight",
			"framework: node %q: weight must be a positive number, got %v", "E", -0.25), true, ""},
		{"a nested keyed error", citylens.Ef(citylens.EINVALID, "engine.aggregate.unit", "aggregate %q, unit %q: %s", "INDEX", "kr-seoul", gmean), true, ""},
		{"a phrase among the arguments", citylens.Ef(citylens.ECONFLICT, "catalogue.edition.cannot_move", "edition %q is %s: it cannot move to %s", "2026",
			citylens.Phrase{Key: "edition.status.open", English: "open"}, citylens.Phrase{Key: "edition.status.draft", English: "draft"}), true, ""},
		{"an English error", citylens.Errorf(citylens.EINVALID, "uncertainty: N must be at least 2, got %d", 1), false, "uncertainty: N must be at least 2, got 1"},
		{"an internal error", errors.New("database is locked"), false, "database is locked"},
		{"a keyed internal error", &citylens.Error{Code: citylens.EINTERNAL, Key: "engine.data.no_units", Message: "data: no units"}, false, "data: no units"},
	}
	q := jobs.NewQueue(s, jobs.Options{})
	for i, tc := range tests {
		kind := "k" + string(rune('a'+i))
		q.Register(kind, func(context.Context, jobs.Job, jobs.Progress) error { return tc.err })
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j, err := q.Enqueue(context.Background(), "k"+string(rune('a'+i)), nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			if ran, err := q.RunOne(context.Background(), "w"); !ran || err != nil {
				t.Fatalf("RunOne = %v, %v", ran, err)
			}
			got, err := s.Job(context.Background(), j.ID)
			if err != nil {
				t.Fatal(err)
			}
			e := got.Err()
			if got.State != jobs.StateFailed || e == nil {
				t.Fatalf("job %s, error %q", got.State, got.Error)
			}
			if !tc.keyed {
				if got.Error != tc.text || e.Key != "" || e.Code != citylens.EINTERNAL || e.Message != tc.text || got.ErrorText() != tc.text {
					t.Errorf("stored %q, Err %+v; want the text %q", got.Error, e, tc.text)
				}
				return
			}
			want := citylens.AsError(tc.err)
			if e.Code != want.Code || e.Key != want.Key || e.Message != want.Message || got.ErrorText() != want.Message {
				t.Errorf("Err = %+v, want %+v", e, want)
			}
			for _, lang := range i18n.Languages() {
				if g, w := cat.T(lang, e.Key, e.Args...), cat.T(lang, want.Key, want.Args...); g != w {
					t.Errorf("%s: the stored error reads %q, the handler's %q", lang, g, w)
				}
			}
			i18ntest.WantKeyed(t, e)
		})
	}
}
