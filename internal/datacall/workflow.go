package datacall

import (
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Submission states of a city in an edition.
const (
	StateDraft     = "draft"     // the city is entering values
	StateSubmitted = "submitted" // waiting for review
	StateReturned  = "returned"  // the reviewer asks for corrections, with a comment per value
	StateAccepted  = "accepted"  // the values feed the index
)

// Actions on a submission.
const (
	ActionEdit   = "edit"   // enter or change values
	ActionSubmit = "submit" // draft or returned → submitted (a resubmission from returned)
	ActionReturn = "return" // submitted → returned
	ActionAccept = "accept" // submitted → accepted
	ActionReopen = "reopen" // accepted → draft, to correct an accepted submission
	ActionReview = "review" // see the city's values in the review queue, comment on them
)

// Roles as the data call sees them.
const (
	RoleAdmin    = "admin"            // secretariat admin: every city
	RoleRegional = "regional_officer" // the cities of their region
	RoleFocal    = "focal_point"      // their city only
)

// Actor is who acts.
type Actor struct {
	Role   string
	City   string // focal points
	Region string // regional officers
	// Who, for the audit log.
	UserID     int64
	Email      string
	RemoteAddr string
}

// Audit is the actor as the audit log records it.
func (a Actor) Audit() auditlog.Actor {
	return auditlog.Actor{UserID: a.UserID, Email: a.Email, RemoteAddr: a.RemoteAddr}
}

// CityRef is what authorisation needs to know of a city.
type CityRef struct {
	Code   string
	Region string
}

// Submission is a city's state in an edition.
type Submission struct {
	Edition   string    `json:"edition"`
	City      string    `json:"city"`
	State     string    `json:"state"`
	Comment   string    `json:"comment,omitempty"` // the last reviewer's overall comment
	UpdatedBy string    `json:"updated_by,omitempty"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// transitions: action → from states → to state.
var transitions = map[string]map[string]string{
	ActionSubmit: {StateDraft: StateSubmitted, StateReturned: StateSubmitted},
	ActionReturn: {StateSubmitted: StateReturned},
	ActionAccept: {StateSubmitted: StateAccepted},
	ActionReopen: {StateAccepted: StateDraft},
}

// Next returns the state an action leads to from state, or ECONFLICT.
func Next(state, action string) (string, error) {
	to, ok := transitions[action][state]
	if !ok {
		if _, known := transitions[action]; known || action == ActionEdit {
			return "", citylens.Ef(citylens.ECONFLICT, "dc.error.cannot."+action, "a %s submission cannot be "+pastTense(action), StatePhrase(state))
		}
		return "", citylens.Errorf(citylens.ECONFLICT, "a %s submission cannot be %s", state, pastTense(action))
	}
	return to, nil
}

// StatePhrase is a submission's state as a message argument, worded in the
// reader's language on a page.
func StatePhrase(state string) citylens.Phrase {
	switch state {
	case StateDraft, StateSubmitted, StateReturned, StateAccepted:
		return citylens.Phrase{Key: "dc.state." + state, English: state}
	}
	return citylens.Phrase{English: state}
}

func pastTense(action string) string {
	switch action {
	case ActionSubmit:
		return "submitted"
	case ActionReturn:
		return "returned"
	case ActionAccept:
		return "accepted"
	case ActionReopen:
		return "reopened"
	case ActionEdit:
		return "edited"
	}
	return action + "ed"
}

// Allowed decides whether actor may take action on city's submission in
// state: EFORBIDDEN when the actor's role or scope does not allow it,
// ECONFLICT when the state does not. callOpen says whether the edition's
// data call is open; cities enter and submit only then, the secretariat
// at any time.
func Allowed(a Actor, city CityRef, action, state string, callOpen bool) error {
	own := a.Role == RoleFocal && a.City != "" && a.City == city.Code
	region := a.Role == RoleRegional && a.Region != "" && a.Region == city.Region
	admin := a.Role == RoleAdmin
	forbid := func() error {
		switch action {
		case ActionEdit, ActionSubmit, ActionReturn, ActionAccept, ActionReview, ActionReopen:
			return citylens.Ef(citylens.EFORBIDDEN, "dc.error.forbidden."+action, "you may not "+action+" the data of city %s", city.Code)
		}
		return citylens.Errorf(citylens.EFORBIDDEN, "you may not %s the data of city %s", action, city.Code)
	}
	switch action {
	case ActionEdit:
		if !own && !admin {
			return forbid()
		}
		if state != StateDraft && state != StateReturned {
			return citylens.Ef(citylens.ECONFLICT, "dc.error.not_editable", "the submission is %s: values can be changed only while it is a draft or returned", StatePhrase(state))
		}
		if !admin && !callOpen {
			return citylens.Ef(citylens.ECONFLICT, "dc.error.closed_edit", "the data call is closed: values can no longer be changed")
		}
		return nil
	case ActionSubmit:
		if !own && !admin {
			return forbid()
		}
		if !admin && !callOpen {
			return citylens.Ef(citylens.ECONFLICT, "dc.error.closed_submit", "the data call is closed: ask the secretariat to submit for you")
		}
	case ActionReturn, ActionAccept, ActionReview:
		if !region && !admin {
			return forbid()
		}
		if action == ActionReview {
			return nil
		}
	case ActionReopen:
		if !admin {
			return forbid()
		}
	default:
		return citylens.Ef(citylens.EINVALID, "dc.error.unknown_action", "unknown action %q", action)
	}
	_, err := Next(state, action)
	return err
}

// CanView reports whether actor may see city's values: its focal point, its
// region's officers and the secretariat.
func CanView(a Actor, city CityRef) bool {
	switch a.Role {
	case RoleAdmin:
		return true
	case RoleRegional:
		return a.Region != "" && a.Region == city.Region
	case RoleFocal:
		return a.City != "" && a.City == city.Code
	}
	return false
}

// CheckReturn checks that a return carries at least one comment, on a value
// of the submission or on the whole.
func CheckReturn(overall string, perValue map[string]string) error {
	if overall != "" {
		return nil
	}
	for _, c := range perValue {
		if c != "" {
			return nil
		}
	}
	return citylens.Ef(citylens.EINVALID, "dc.error.return_comment", "returning a submission needs a comment: say what to correct on each value concerned")
}
