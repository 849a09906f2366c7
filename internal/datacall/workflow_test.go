package datacall

import (
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n/i18ntest"
)

func TestAllowed(t *testing.T) {
	seoul := CityRef{Code: "SEO", Region: "asia"}
	var (
		admin    = Actor{Role: RoleAdmin}
		focal    = Actor{Role: RoleFocal, City: "SEO"}
		other    = Actor{Role: RoleFocal, City: "BUS"}
		officer  = Actor{Role: RoleRegional, Region: "asia"}
		outsider = Actor{Role: RoleRegional, Region: "europe"}
		judge    = Actor{Role: "judge"}
		unscoped = Actor{Role: RoleFocal} // a focal point without a city sees nothing
	)
	const ok = ""
	tests := []struct {
		name     string
		actor    Actor
		action   string
		state    string
		callOpen bool
		want     string // error code, "" when allowed
	}{
		{"focal edits own draft", focal, ActionEdit, StateDraft, true, ok},
		{"focal edits own returned", focal, ActionEdit, StateReturned, true, ok},
		{"focal cannot edit submitted", focal, ActionEdit, StateSubmitted, true, citylens.ECONFLICT},
		{"focal cannot edit accepted", focal, ActionEdit, StateAccepted, true, citylens.ECONFLICT},
		{"focal cannot edit after the call", focal, ActionEdit, StateDraft, false, citylens.ECONFLICT},
		{"admin edits after the call", admin, ActionEdit, StateDraft, false, ok},
		{"admin cannot edit accepted", admin, ActionEdit, StateAccepted, true, citylens.ECONFLICT},
		{"other city's focal cannot edit", other, ActionEdit, StateDraft, true, citylens.EFORBIDDEN},
		{"unscoped focal cannot edit", unscoped, ActionEdit, StateDraft, true, citylens.EFORBIDDEN},
		{"officer cannot edit", officer, ActionEdit, StateDraft, true, citylens.EFORBIDDEN},
		{"judge cannot edit", judge, ActionEdit, StateDraft, true, citylens.EFORBIDDEN},

		{"focal submits draft", focal, ActionSubmit, StateDraft, true, ok},
		{"focal resubmits returned", focal, ActionSubmit, StateReturned, true, ok},
		{"focal cannot submit twice", focal, ActionSubmit, StateSubmitted, true, citylens.ECONFLICT},
		{"focal cannot submit after the call", focal, ActionSubmit, StateDraft, false, citylens.ECONFLICT},
		{"admin submits after the call", admin, ActionSubmit, StateDraft, false, ok},
		{"other focal cannot submit", other, ActionSubmit, StateDraft, true, citylens.EFORBIDDEN},
		{"officer cannot submit", officer, ActionSubmit, StateDraft, true, citylens.EFORBIDDEN},

		{"officer returns", officer, ActionReturn, StateSubmitted, true, ok},
		{"officer accepts", officer, ActionAccept, StateSubmitted, false, ok},
		{"officer cannot accept a draft", officer, ActionAccept, StateDraft, true, citylens.ECONFLICT},
		{"officer cannot return accepted", officer, ActionReturn, StateAccepted, true, citylens.ECONFLICT},
		{"officer of another region cannot accept", outsider, ActionAccept, StateSubmitted, true, citylens.EFORBIDDEN},
		{"officer of another region cannot review", outsider, ActionReview, StateSubmitted, true, citylens.EFORBIDDEN},
		{"officer reviews", officer, ActionReview, StateDraft, true, ok},
		{"admin accepts", admin, ActionAccept, StateSubmitted, true, ok},
		{"admin returns", admin, ActionReturn, StateSubmitted, true, ok},
		{"focal cannot accept own", focal, ActionAccept, StateSubmitted, true, citylens.EFORBIDDEN},
		{"focal cannot return", focal, ActionReturn, StateSubmitted, true, citylens.EFORBIDDEN},

		{"admin reopens accepted", admin, ActionReopen, StateAccepted, true, ok},
		{"admin cannot reopen a draft", admin, ActionReopen, StateDraft, true, citylens.ECONFLICT},
		{"officer cannot reopen", officer, ActionReopen, StateAccepted, true, citylens.EFORBIDDEN},
		{"focal cannot reopen", focal, ActionReopen, StateAccepted, true, citylens.EFORBIDDEN},

		{"unknown action", admin, "publish", StateAccepted, true, citylens.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Allowed(tt.actor, seoul, tt.action, tt.state, tt.callOpen)
			if got := citylens.ErrorCode(err); got != tt.want {
				t.Fatalf("got %q (%v), want %q", got, err, tt.want)
			}
			if err != nil {
				i18ntest.WantKeyed(t, err)
			}
		})
	}
}

func TestNext(t *testing.T) {
	tests := []struct{ from, action, to string }{
		{StateDraft, ActionSubmit, StateSubmitted},
		{StateReturned, ActionSubmit, StateSubmitted},
		{StateSubmitted, ActionReturn, StateReturned},
		{StateSubmitted, ActionAccept, StateAccepted},
		{StateAccepted, ActionReopen, StateDraft},
		{StateDraft, ActionAccept, ""},
		{StateAccepted, ActionSubmit, ""},
	}
	for _, tt := range tests {
		t.Run(tt.from+" "+tt.action, func(t *testing.T) {
			got, err := Next(tt.from, tt.action)
			if tt.to == "" {
				if citylens.ErrorCode(err) != citylens.ECONFLICT {
					t.Fatalf("got %q, %v; want ECONFLICT", got, err)
				}
				i18ntest.WantKeyed(t, err)
				return
			}
			if err != nil || got != tt.to {
				t.Fatalf("got %q, %v; want %q", got, err, tt.to)
			}
		})
	}
}

func TestCanView(t *testing.T) {
	seoul := CityRef{Code: "SEO", Region: "asia"}
	tests := []struct {
		actor Actor
		want  bool
	}{
		{Actor{Role: RoleAdmin}, true},
		{Actor{Role: RoleRegional, Region: "asia"}, true},
		{Actor{Role: RoleRegional, Region: "europe"}, false},
		{Actor{Role: RoleRegional}, false},
		{Actor{Role: RoleFocal, City: "SEO"}, true},
		{Actor{Role: RoleFocal, City: "BUS"}, false},
		{Actor{Role: "judge"}, false},
		{Actor{}, false},
	}
	for _, tt := range tests {
		if got := CanView(tt.actor, seoul); got != tt.want {
			t.Errorf("CanView(%+v) = %v, want %v", tt.actor, got, tt.want)
		}
	}
}

func TestCheckReturn(t *testing.T) {
	if err := CheckReturn("", map[string]string{"SHARE": ""}); citylens.ErrorCode(err) != citylens.EINVALID {
		t.Errorf("a return without comments: %v", err)
	} else {
		i18ntest.WantKeyed(t, err)
	}
	if err := CheckReturn("", map[string]string{"SHARE": "source?"}); err != nil {
		t.Error(err)
	}
	if err := CheckReturn("see the notes", nil); err != nil {
		t.Error(err)
	}
}
