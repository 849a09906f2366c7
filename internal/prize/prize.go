// Package prize runs the Seoul Smart City Prize's call: editions and their
// tracks, who may apply to which track (eligibility per track and
// applicant type), the applicants' organisation profiles, applications
// with their configurable forms, drafts and attachments, city endorsements,
// and the secretariat's screening. Judging (conflicts, assignment, scores)
// builds on these records in a later part: an application keeps its
// organisation, country and city, which conflicts need, and its screening
// outcome, which decides what is judged.
package prize

import (
	"strings"
	"time"

	"github.com/citylens/citylens"
)

// Applicant types: who applies. Individuals may apply to the Leadership
// track only (the seeded eligibility; the administrator may change it).
const (
	TypeLocalGov    = "local_government"    // a local or regional government
	TypeNationalGov = "national_government" // a national government, for a project that targets cities
	TypeCorporation = "corporation"
	TypeInstitution = "institution" // agency, NGO, university, international organisation
	TypeIndividual  = "individual"
)

// ApplicantTypes lists the applicant types in display order.
var ApplicantTypes = []string{TypeLocalGov, TypeNationalGov, TypeCorporation, TypeInstitution, TypeIndividual}

// ValidApplicantType reports whether t is an applicant type.
func ValidApplicantType(t string) bool { return contains(ApplicantTypes, t) }

// NeedsEndorsement reports whether an applicant of type t needs the
// endorsement of the city where its project runs: corporations and
// institutions applying for a city's project do.
func NeedsEndorsement(t string) bool { return t == TypeCorporation || t == TypeInstitution }

// Development stages of a project: they drive the winners' follow-up (a
// concept or plan gets a feasibility study, a pilot a triangular
// cooperation, an ongoing or scaled project a collaborative
// demonstration).
const (
	StageConcept = "concept"
	StagePlanned = "planned"
	StagePilot   = "pilot"
	StageOngoing = "ongoing"
	StageScaled  = "scaled"
)

// Stages lists the development stages in order.
var Stages = []string{StageConcept, StagePlanned, StagePilot, StageOngoing, StageScaled}

// Track kinds.
const (
	KindMain       = "main"       // Tech-InnovaCity, Human-CentriCity
	KindLeadership = "leadership" // individuals
	KindSpecial    = "special"    // special mentions proposed by a partner organisation
)

// Edition is one year's prize: its call's texts in English and Korean, its
// time zone and key dates. Grace is a period after the deadline in which
// submissions are still taken (and marked late); no page or API shows it.
type Edition struct {
	Code          string        `json:"code"` // e.g. "2026"
	Year          int           `json:"year"`
	Title         string        `json:"title"`
	TitleKO       string        `json:"title_ko"`
	Description   string        `json:"description"`
	DescriptionKO string        `json:"description_ko"`
	TimeZone      string        `json:"time_zone"` // IANA name, e.g. "Asia/Seoul"
	Opens         time.Time     `json:"opens"`
	Deadline      time.Time     `json:"deadline"`
	Grace         time.Duration `json:"-"`
	Evaluation    time.Time     `json:"evaluation"` // judging starts
	Finalists     time.Time     `json:"finalists"`  // finalists announced
	Ceremony      time.Time     `json:"ceremony"`
	Published     bool          `json:"published"` // the call page is public
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
}

// Location is the edition's time zone (UTC when unknown).
func (e *Edition) Location() *time.Location {
	if loc, err := time.LoadLocation(e.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// Phases of an edition's call.
const (
	PhaseDraft    = "draft"    // not published
	PhaseUpcoming = "upcoming" // published, not open yet
	PhaseOpen     = "open"
	PhaseClosed   = "closed"
)

// Phase is the call's phase at now, as applicants see it: closed from the
// deadline on, grace or not.
func (e *Edition) Phase(now time.Time) string {
	switch {
	case !e.Published:
		return PhaseDraft
	case now.Before(e.Opens):
		return PhaseUpcoming
	case now.Before(e.Deadline):
		return PhaseOpen
	}
	return PhaseClosed
}

// TakesChanges reports whether applications may still be created, edited
// or submitted at now: from the opening until the deadline plus the grace.
func (e *Edition) TakesChanges(now time.Time) bool {
	return e.Published && !now.Before(e.Opens) && now.Before(e.Deadline.Add(e.Grace))
}

// Late reports whether now is past the deadline (within the grace, if
// changes are still taken).
func (e *Edition) Late(now time.Time) bool { return !now.Before(e.Deadline) }

// Validate checks an edition's fields.
func (e *Edition) Validate() error {
	var ps []citylens.Problem
	add := func(field, key, format string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field}.Keyed(key, format, args...))
	}
	if !validCode(e.Code) {
		add("code", "prize.error.code", "use 1 to 40 lower-case letters, digits and hyphens")
	}
	if e.Year < 2000 || e.Year > 2100 {
		add("year", "prize.error.year", "the year must be between 2000 and 2100")
	}
	if strings.TrimSpace(e.Title) == "" {
		add("title", "prize.error.required", "required")
	}
	if strings.TrimSpace(e.TitleKO) == "" {
		add("title_ko", "prize.error.required", "required")
	}
	if len(e.Title) > 200 || len(e.TitleKO) > 200 {
		add("title", "prize.error.too_long", "at most %d characters", 200)
	}
	if len(e.Description) > 20000 || len(e.DescriptionKO) > 20000 {
		add("description", "prize.error.too_long", "at most %d characters", 20000)
	}
	if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" || e.TimeZone == "Local" {
		add("time_zone", "prize.error.time_zone", "%q is not a time zone name (such as Asia/Seoul)", e.TimeZone)
	}
	if e.Opens.IsZero() {
		add("opens", "prize.error.required", "required")
	}
	if e.Deadline.IsZero() {
		add("deadline", "prize.error.required", "required")
	} else if !e.Opens.IsZero() && !e.Deadline.After(e.Opens) {
		add("deadline", "prize.error.deadline_order", "the deadline must come after the opening")
	}
	if e.Grace < 0 || e.Grace > 7*24*time.Hour {
		add("grace", "prize.error.grace", "the grace period must be between 0 and 7 days")
	}
	for _, d := range []struct {
		field string
		t     time.Time
	}{{"evaluation", e.Evaluation}, {"finalists", e.Finalists}, {"ceremony", e.Ceremony}} {
		if !d.t.IsZero() && !e.Deadline.IsZero() && d.t.Before(e.Deadline) {
			add(d.field, "prize.error.after_deadline", "this date must come after the deadline")
		}
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "prize.error.edition", "the edition was not saved: correct the fields named below").WithProblems(ps...)
	}
	return nil
}

// Track is one of an edition's award tracks.
type Track struct {
	Edition       string `json:"edition"`
	Code          string `json:"code"`
	Kind          string `json:"kind"`
	Name          string `json:"name"`
	NameKO        string `json:"name_ko"`
	Description   string `json:"description"`
	DescriptionKO string `json:"description_ko"`
	Criteria      string `json:"criteria"` // a special mention's own criteria
	CriteriaKO    string `json:"criteria_ko"`
	Partner       string `json:"partner,omitempty"` // the partner organisation proposing a special mention
	Position      int    `json:"position"`
}

// Eligibility says whether an applicant type may apply to a track.
type Eligibility struct {
	Track         string `json:"track"`
	ApplicantType string `json:"applicant_type"`
	Eligible      bool   `json:"eligible"`
}

// EligibilityMap is an edition's eligibility by track and applicant type;
// a pair it does not hold is not eligible.
type EligibilityMap map[string]map[string]bool

// Allows reports whether applicant type t may apply to track.
func (m EligibilityMap) Allows(track, t string) bool { return m[track][t] }

// EligibilityOf builds the map from rows.
func EligibilityOf(rows []Eligibility) EligibilityMap {
	m := EligibilityMap{}
	for _, r := range rows {
		if m[r.Track] == nil {
			m[r.Track] = map[string]bool{}
		}
		m[r.Track][r.ApplicantType] = r.Eligible
	}
	return m
}

// Profile is an applicant's organisation (or, for an individual, the
// person): one per account, copied into each application when it is made.
type Profile struct {
	UserID       int64     `json:"user_id"`
	Type         string    `json:"type"`
	Organisation string    `json:"organisation"`
	Country      string    `json:"country"`   // ISO 3166 alpha-3
	CityCode     string    `json:"city_code"` // a member city, or ""
	CityName     string    `json:"city_name"`
	Website      string    `json:"website"`
	Contact      string    `json:"contact"` // the contact person's name
	UpdatedAt    time.Time `json:"updated_at"`
}

// CoApplicant is another organisation applying with the applicant.
type CoApplicant struct {
	Organisation string `json:"organisation"`
	Country      string `json:"country"`
	Email        string `json:"email"`
}

// Application states.
const (
	StateDraft     = "draft"
	StateSubmitted = "submitted"
	StateWithdrawn = "withdrawn"
	StateRejected  = "rejected" // desk-rejected at screening
)

// Screening outcomes.
const (
	ScreenPending  = ""         // not screened yet
	ScreenEligible = "eligible" // passes to judging (part 2)
	ScreenRejected = "rejected" // desk rejection, with a reason the applicant sees
)

// Application is one project put forward to one track of an edition.
type Application struct {
	ID            int64         `json:"id"`
	Edition       string        `json:"edition"`
	Track         string        `json:"track"`
	UserID        int64         `json:"user_id"`
	Email         string        `json:"email"` // the applicant's account
	ApplicantType string        `json:"applicant_type"`
	Organisation  string        `json:"organisation"`
	Country       string        `json:"country"`
	CityCode      string        `json:"city_code"` // the project's city when a member, else ""
	CityName      string        `json:"city_name"`
	Title         string        `json:"title"`
	Stage         string        `json:"stage"`
	Answers       Answers       `json:"answers"`
	CoApplicants  []CoApplicant `json:"co_applicants"`
	State         string        `json:"state"`
	Late          bool          `json:"late"` // submitted after the deadline, within the grace
	Screening     string        `json:"screening"`
	ScreenReason  string        `json:"screening_reason,omitempty"`
	ScreenedAt    time.Time     `json:"screened_at"`
	ScreenedBy    string        `json:"-"`
	Demo          bool          `json:"demo,omitempty"`
	CreatedAt     time.Time     `json:"created_at"`
	UpdatedAt     time.Time     `json:"updated_at"`
	SubmittedAt   time.Time     `json:"submitted_at"`
	WithdrawnAt   time.Time     `json:"withdrawn_at"`
}

// Ref is the application's reference as receipts show it.
func (a *Application) Ref() string {
	return a.Edition + "-" + pad4(a.ID)
}

func pad4(n int64) string {
	s := itoa(n)
	for len(s) < 4 {
		s = "0" + s
	}
	return s
}

// Summary is the project's summary (English) from its answers.
func (a *Application) Summary() string { return a.Answers.First(FieldSummary) }

// Endorsement states.
const (
	EndorseRequested = "requested"
	EndorseGiven     = "endorsed"
	EndorseDeclined  = "declined"
)

// Endorsement is a city's word on a corporation's or institution's
// application for a project in the city: its focal point's (a member
// city) or an official's reached by an e-mailed link (a city not yet a
// member). The decision and its time are kept.
type Endorsement struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	CityCode      string    `json:"city_code"` // member city, or ""
	CityName      string    `json:"city_name"`
	Email         string    `json:"email"` // the official's address (non-member city)
	TokenHash     string    `json:"-"`
	Status        string    `json:"status"`
	Comment       string    `json:"comment"`
	RequestedAt   time.Time `json:"requested_at"`
	ExpiresAt     time.Time `json:"-"`
	DecidedAt     time.Time `json:"decided_at"`
	DecidedBy     string    `json:"decided_by"`
}

// Attachment is a file of an application: its bytes are in the database
// (so every replica serves them), in chunks. ID is random: file URLs are
// not guessable, and every download checks the viewer too.
type Attachment struct {
	ID            string    `json:"id"`
	ApplicationID int64     `json:"application_id"`
	Field         string    `json:"field"`
	Name          string    `json:"name"`
	Type          string    `json:"type"` // sniffed from the content
	Size          int64     `json:"size"`
	SHA256        string    `json:"sha256"`
	CreatedAt     time.Time `json:"created_at"`
}

// Screening is one screening decision, logged.
type Screening struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	Outcome       string    `json:"outcome"`
	Reason        string    `json:"reason"`
	Checks        []Check   `json:"checks"` // the automatic checks at the time
	Actor         string    `json:"actor"`
	At            time.Time `json:"at"`
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func validCode(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
