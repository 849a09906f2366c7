// Package training is the capacity-building programme of the prize's
// recognised cities: courses (modules, materials), cohorts per prize
// edition with their sessions (online or on site, dates, time zone and
// place), enrolment of the winners' teams and, on request approved by
// the secretariat, of other member cities' officials; attendance per
// session; assignments with submissions; completion computed from the
// course's rules (a share of sessions attended, every assignment
// submitted), never typed; completion certificates (a number and a hash
// anyone can check on a public page, a PDF); the end-of-course feedback
// form and its aggregate; and the reminders of tomorrow's sessions a
// notifier reads.
package training

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Session modes.
const (
	ModeOnline = "online"
	ModeOnSite = "onsite"
)

// Enrolment sources and states.
const (
	SourceWinner  = "winner"
	SourceRequest = "request"

	StatePending  = "pending"
	StateApproved = "approved"
	StateDeclined = "declined"
)

// ReminderKind is the notice kind of a session starting tomorrow.
const ReminderKind = "training.session_tomorrow"

// Bounds.
const (
	MaxTitle     = 200
	MaxText      = 20_000
	MaxModules   = 50
	MaxMaterials = 50
	MaxComment   = 4_000
)

// Material is a course's reading: a link, or a file uploaded (FileID,
// downloaded at /training/files/{FileID} by the course's participants).
type Material struct {
	Title    string `json:"title"`
	URL      string `json:"url"`
	FileID   string `json:"file_id,omitempty"`
	FileName string `json:"file_name,omitempty"`
	FileType string `json:"file_type,omitempty"`
	FileSize int64  `json:"file_size,omitempty"`
}

// Course is a training course.
type Course struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Modules     []string   `json:"modules"`
	Materials   []Material `json:"materials"`
	// MinAttendance is the share of the cohort's sessions, in per cent,
	// a participant attends to complete the course.
	MinAttendance int       `json:"min_attendance"`
	CreatedAt     time.Time `json:"created_at"`
}

// Cohort is one run of a course for a prize edition.
type Cohort struct {
	ID        int64     `json:"id"`
	CourseID  int64     `json:"course_id"`
	Edition   string    `json:"edition"`
	Title     string    `json:"title"`
	Demo      bool      `json:"demo"`
	CreatedAt time.Time `json:"created_at"`
}

// Session is one meeting of a cohort.
type Session struct {
	ID       int64     `json:"id"`
	CohortID int64     `json:"cohort_id"`
	Title    string    `json:"title"`
	Mode     string    `json:"mode"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	TimeZone string    `json:"time_zone"`
	Place    string    `json:"place"`
	Link     string    `json:"link"`
}

// Enrolment is one participant of a cohort.
type Enrolment struct {
	ID        int64     `json:"id"`
	CohortID  int64     `json:"cohort_id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"` // read only: the person's name or e-mail
	CityCode  string    `json:"city"` // read only
	Source    string    `json:"source"`
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
}

// Assignment is a task of a cohort.
type Assignment struct {
	ID       int64     `json:"id"`
	CohortID int64     `json:"cohort_id"`
	Title    string    `json:"title"`
	Due      time.Time `json:"due"`
}

// Submission is a participant's answer to an assignment: a text, a file
// or both.
type Submission struct {
	AssignmentID int64     `json:"assignment_id"`
	UserID       int64     `json:"user_id"`
	Text         string    `json:"text"`
	FileID       string    `json:"file_id,omitempty"` // read with its name, type and size
	FileName     string    `json:"file_name,omitempty"`
	FileType     string    `json:"file_type,omitempty"`
	FileSize     int64     `json:"file_size,omitempty"`
	SubmittedAt  time.Time `json:"submitted_at"`
}

// Certificate is a completion certificate. Only Holder, Course and Issued
// show on the public verification page.
type Certificate struct {
	Number   string    `json:"number"`
	Hash     string    `json:"hash"`
	CohortID int64     `json:"cohort_id"`
	UserID   int64     `json:"user_id"`
	Holder   string    `json:"holder"`
	Course   string    `json:"course"`
	Issued   time.Time `json:"issued"`
}

// Feedback is one participant's end-of-course form.
type Feedback struct {
	CohortID  int64  `json:"cohort_id"`
	UserID    int64  `json:"user_id"`
	Rating    int    `json:"rating"`    // 1–5: the course overall
	Relevance int    `json:"relevance"` // 1–5: for the participant's city
	Comment   string `json:"comment"`
}

// Attendance is one person present at one session.
type Attendance struct {
	SessionID int64
	UserID    int64
}

// Store is what training needs from the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	FileStore
	CreateCourse(ctx context.Context, c *Course) error
	Course(ctx context.Context, id int64) (*Course, error)
	Courses(ctx context.Context) ([]*Course, error)
	CreateCohort(ctx context.Context, c *Cohort) error
	Cohort(ctx context.Context, id int64) (*Cohort, error)
	Cohorts(ctx context.Context) ([]*Cohort, error)
	CreateTrainingSession(ctx context.Context, s *Session) error
	TrainingSession(ctx context.Context, id int64) (*Session, error)
	CohortSessions(ctx context.Context, cohortID int64) ([]Session, error)
	// SessionsStarting lists the sessions starting in [from, to).
	SessionsStarting(ctx context.Context, from, to time.Time) ([]Session, error)
	// PutEnrolment inserts or replaces (cohort, user)'s enrolment.
	PutEnrolment(ctx context.Context, e *Enrolment) error
	Enrolment(ctx context.Context, id int64) (*Enrolment, error)
	CohortEnrolments(ctx context.Context, cohortID int64) ([]Enrolment, error)
	SetTrainingAttendance(ctx context.Context, sessionID, userID int64, present bool) error
	CohortAttendance(ctx context.Context, cohortID int64) ([]Attendance, error)
	CreateAssignment(ctx context.Context, a *Assignment) error
	TrainingAssignment(ctx context.Context, id int64) (*Assignment, error)
	CohortAssignments(ctx context.Context, cohortID int64) ([]Assignment, error)
	// PutTrainingSubmission inserts or replaces (assignment, user)'s
	// submission, its file too (FileID, "" for none).
	PutTrainingSubmission(ctx context.Context, s *Submission) error
	CohortSubmissions(ctx context.Context, cohortID int64) ([]Submission, error)
	// CreateCertificate stores c unless (cohort, user) has one (ECONFLICT).
	CreateCertificate(ctx context.Context, c *Certificate) error
	Certificate(ctx context.Context, number string) (*Certificate, error)
	CohortCertificates(ctx context.Context, cohortID int64) ([]Certificate, error)
	PutFeedback(ctx context.Context, f *Feedback) error
	CohortFeedback(ctx context.Context, cohortID int64) ([]Feedback, error)
}

func problem(field, key, format string, args ...any) citylens.Problem {
	return citylens.Problem{Field: field}.Keyed(key, format, args...)
}

type checker struct{ ps []citylens.Problem }

func (c *checker) text(field, v string, max int, required bool) {
	switch {
	case required && strings.TrimSpace(v) == "":
		c.ps = append(c.ps, problem(field, "training.error.required", "required"))
	case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
		c.ps = append(c.ps, problem(field, "training.error.text", "not valid text"))
	case utf8.RuneCountInString(v) > max:
		c.ps = append(c.ps, problem(field, "training.error.toolong", "longer than %d characters", max))
	}
}

func (c *checker) link(field, v string) {
	if v != "" && !strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") {
		c.ps = append(c.ps, problem(field, "training.error.link", "not a web address (http or https)"))
	}
}

func (c *checker) err(key, message string) error {
	if len(c.ps) == 0 {
		return nil
	}
	return (&citylens.Error{Code: citylens.EINVALID, Key: key, Message: message}).WithProblems(c.ps...)
}

// Validate checks c, naming every field at fault.
func (c *Course) Validate() error {
	var ch checker
	ch.text("title", c.Title, MaxTitle, true)
	ch.text("description", c.Description, MaxText, false)
	if len(c.Modules) > MaxModules {
		ch.ps = append(ch.ps, problem("modules", "training.error.toomany", "more than %d", MaxModules))
	}
	for _, m := range c.Modules {
		ch.text("modules", m, MaxTitle, true)
	}
	if len(c.Materials) > MaxMaterials {
		ch.ps = append(ch.ps, problem("materials", "training.error.toomany", "more than %d", MaxMaterials))
	}
	for _, m := range c.Materials {
		ch.text("materials", m.Title, MaxTitle, true)
		ch.link("materials", m.URL)
		if m.URL == "" && m.FileID == "" {
			ch.ps = append(ch.ps, problem("materials", "training.error.link", "not a web address (http or https)"))
		}
	}
	if c.MinAttendance < 1 || c.MinAttendance > 100 {
		ch.ps = append(ch.ps, problem("min_attendance", "training.error.percent", "between 1 and 100"))
	}
	return ch.err("training.error.course", "the course was not saved: correct the fields named below")
}

// Validate checks s, naming every field at fault.
func (s *Session) Validate() error {
	var ch checker
	ch.text("title", s.Title, MaxTitle, true)
	ch.text("place", s.Place, MaxTitle, false)
	ch.text("link", s.Link, MaxTitle, false)
	ch.link("link", s.Link)
	switch s.Mode {
	case ModeOnline:
		if s.Link == "" {
			ch.ps = append(ch.ps, problem("link", "training.error.required", "required"))
		}
	case ModeOnSite:
		if strings.TrimSpace(s.Place) == "" {
			ch.ps = append(ch.ps, problem("place", "training.error.required", "required"))
		}
	default:
		ch.ps = append(ch.ps, problem("mode", "training.error.mode", "online or on site"))
	}
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" || s.TimeZone == "Local" {
		ch.ps = append(ch.ps, problem("time_zone", "training.error.timezone", "not a time zone"))
	}
	if s.Start.IsZero() {
		ch.ps = append(ch.ps, problem("start", "training.error.required", "required"))
	}
	if s.End.IsZero() {
		ch.ps = append(ch.ps, problem("end", "training.error.required", "required"))
	} else if !s.End.After(s.Start) {
		ch.ps = append(ch.ps, problem("end", "training.error.endbefore", "before the start"))
	}
	return ch.err("training.error.session", "the session was not saved: correct the fields named below")
}

// Validate checks f, naming every field at fault.
func (f *Feedback) Validate() error {
	var ch checker
	if f.Rating < 1 || f.Rating > 5 {
		ch.ps = append(ch.ps, problem("rating", "training.error.scale", "between 1 and 5"))
	}
	if f.Relevance < 1 || f.Relevance > 5 {
		ch.ps = append(ch.ps, problem("relevance", "training.error.scale", "between 1 and 5"))
	}
	ch.text("comment", f.Comment, MaxComment, false)
	return ch.err("training.error.feedback", "the feedback was not saved: correct the fields named below")
}

// Progress is a participant's standing in a cohort, computed.
type Progress struct {
	Enrolment Enrolment
	Attended  int  // sessions attended
	Sessions  int  // sessions of the cohort
	Percent   int  // attended share, rounded down
	Submitted int  // assignments submitted
	Assigned  int  // assignments of the cohort
	Complete  bool // the course's rules are met
	Cert      *Certificate
}

// Compute is the progress of every approved participant of a cohort
// under course c's rules: at least c.MinAttendance per cent of the
// cohort's sessions attended (a cohort without sessions completes no one)
// and every assignment submitted.
func Compute(c *Course, es []Enrolment, sessions []Session, att []Attendance, as []Assignment, subs []Submission, certs []Certificate) []Progress {
	inCohort := map[int64]bool{}
	for _, s := range sessions {
		inCohort[s.ID] = true
	}
	attended := map[int64]int{}
	for _, a := range att {
		if inCohort[a.SessionID] {
			attended[a.UserID]++
		}
	}
	isAssignment := map[int64]bool{}
	for _, a := range as {
		isAssignment[a.ID] = true
	}
	submitted := map[int64]int{}
	for _, s := range subs {
		if isAssignment[s.AssignmentID] {
			submitted[s.UserID]++
		}
	}
	certOf := map[int64]*Certificate{}
	for i := range certs {
		certOf[certs[i].UserID] = &certs[i]
	}
	var out []Progress
	for _, e := range es {
		if e.State != StateApproved {
			continue
		}
		p := Progress{Enrolment: e, Attended: attended[e.UserID], Sessions: len(sessions), Submitted: submitted[e.UserID],
			Assigned: len(as), Cert: certOf[e.UserID]}
		if p.Sessions > 0 {
			p.Percent = p.Attended * 100 / p.Sessions
		}
		p.Complete = p.Sessions > 0 && p.Attended*100 >= c.MinAttendance*p.Sessions && p.Submitted >= p.Assigned
		out = append(out, p)
	}
	return out
}
