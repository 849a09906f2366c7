package training

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
)

// Viewer is who asks: the secretariat (Admin) runs the programme;
// member cities' officials (Official: focal points, regional officers)
// may ask to join a cohort; any participant follows their own progress.
type Viewer struct {
	UserID   int64
	Admin    bool
	Official bool
	// Email and RemoteAddr name the actor in the audit log.
	Email      string
	RemoteAddr string
}

// Actor is who the audit log names.
func (v Viewer) Actor() auditlog.Actor {
	return auditlog.Actor{UserID: v.UserID, Email: v.Email, RemoteAddr: v.RemoteAddr}
}

// Winners is what training reads of the prize's announced winners.
type Winners interface {
	Winners(ctx context.Context, v judging.Viewer, edition string) ([]judging.Winner, error)
}

// Applications is what training reads of the prize's applications (the
// winning team's account).
type Applications interface {
	PrizeApplication(ctx context.Context, id int64) (*prize.Application, error)
}

// Service runs the training programme.
type Service struct {
	Store   Store
	Winners Winners
	Prize   Applications
	// Audit records changes to courses' materials (nil: not recorded).
	Audit auditlog.Store
	Now   func() time.Time
}

// record appends an audit entry of a change to course courseID, in the
// transaction of ctx.
func (s *Service) record(ctx context.Context, v Viewer, action string, courseID int64, before, after any) error {
	if s.Audit == nil {
		return nil
	}
	return auditlog.Record(ctx, s.Audit, s.now(), v.Actor(), action, "training_course", strconv.FormatInt(courseID, 10), before, after)
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func forbidden() error {
	return citylens.Ef(citylens.EFORBIDDEN, "training.error.forbidden", "Only the secretariat runs the training programme.")
}

func notFound(what string, id any) error {
	return citylens.Ef(citylens.ENOTFOUND, "training.error.notfound", "%s %v not found.", what, id)
}

func missing(err error, what string, id any) error {
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return notFound(what, id)
	}
	return err
}

// CreateCourse adds a course: the secretariat only.
func (s *Service) CreateCourse(ctx context.Context, v Viewer, c *Course) error {
	if !v.Admin {
		return forbidden()
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.CreatedAt = s.now()
	return s.Store.CreateCourse(ctx, c)
}

// CreateCohort opens a cohort of a course for a prize edition.
func (s *Service) CreateCohort(ctx context.Context, v Viewer, c *Cohort) error {
	if !v.Admin {
		return forbidden()
	}
	var ch checker
	ch.text("title", c.Title, MaxTitle, true)
	if strings.TrimSpace(c.Edition) == "" {
		ch.ps = append(ch.ps, problem("edition", "training.error.required", "required"))
	}
	if _, err := s.Store.Course(ctx, c.CourseID); err != nil {
		if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		ch.ps = append(ch.ps, problem("course", "training.error.nocourse", "no course %d", c.CourseID))
	}
	if err := ch.err("training.error.cohort", "the cohort was not saved: correct the fields named below"); err != nil {
		return err
	}
	c.CreatedAt = s.now()
	err := s.Store.CreateCohort(ctx, c)
	if citylens.ErrorCode(err) == citylens.EINVALID { // the edition's foreign key
		return citylens.Ef(citylens.EINVALID, "training.error.cohort", "the cohort was not saved: correct the fields named below").
			WithProblems(problem("edition", "training.error.noedition", "no prize edition %s", c.Edition))
	}
	return err
}

// AddSession adds a session to a cohort.
func (s *Service) AddSession(ctx context.Context, v Viewer, ss *Session) error {
	if !v.Admin {
		return forbidden()
	}
	if _, err := s.Store.Cohort(ctx, ss.CohortID); err != nil {
		return missing(err, "Cohort", ss.CohortID)
	}
	if err := ss.Validate(); err != nil {
		return err
	}
	return s.Store.CreateTrainingSession(ctx, ss)
}

// AddAssignment adds an assignment to a cohort.
func (s *Service) AddAssignment(ctx context.Context, v Viewer, a *Assignment) error {
	if !v.Admin {
		return forbidden()
	}
	if _, err := s.Store.Cohort(ctx, a.CohortID); err != nil {
		return missing(err, "Cohort", a.CohortID)
	}
	var ch checker
	ch.text("title", a.Title, MaxTitle, true)
	if a.Due.IsZero() {
		ch.ps = append(ch.ps, problem("due", "training.error.required", "required"))
	}
	if err := ch.err("training.error.assignment", "the assignment was not saved: correct the fields named below"); err != nil {
		return err
	}
	return s.Store.CreateAssignment(ctx, a)
}

// EnrolWinners enrols the team (the applicant's account) of every
// announced winning project of the cohort's edition; it returns how many
// were enrolled now. Before the announcement there are no winners.
func (s *Service) EnrolWinners(ctx context.Context, v Viewer, cohortID int64) (int, error) {
	if !v.Admin {
		return 0, forbidden()
	}
	c, err := s.Store.Cohort(ctx, cohortID)
	if err != nil {
		return 0, missing(err, "Cohort", cohortID)
	}
	// The public's view: announced winners only, never the embargoed decisions.
	ws, err := s.Winners.Winners(ctx, judging.Viewer{}, c.Edition)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		es, err := s.Store.CohortEnrolments(ctx, cohortID)
		if err != nil {
			return err
		}
		have := map[int64]*Enrolment{}
		for i := range es {
			have[es[i].UserID] = &es[i]
		}
		for _, w := range ws {
			a, err := s.Prize.PrizeApplication(ctx, w.App)
			if err != nil {
				return err
			}
			if a.UserID == 0 {
				continue
			}
			if e := have[a.UserID]; e != nil && e.State == StateApproved {
				continue
			}
			e := &Enrolment{CohortID: cohortID, UserID: a.UserID, Source: SourceWinner, State: StateApproved, CreatedAt: s.now()}
			if err := s.Store.PutEnrolment(ctx, e); err != nil {
				return err
			}
			have[a.UserID] = e
			n++
		}
		return nil
	})
	return n, err
}

// Request asks for v's place in a cohort: member cities' officials; the
// secretariat decides (Decide).
func (s *Service) Request(ctx context.Context, v Viewer, cohortID int64) (*Enrolment, error) {
	if !v.Official {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "training.error.officials", "Only member cities' officials may ask to join a cohort.")
	}
	if _, err := s.Store.Cohort(ctx, cohortID); err != nil {
		return nil, missing(err, "Cohort", cohortID)
	}
	var out *Enrolment
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		es, err := s.Store.CohortEnrolments(ctx, cohortID)
		if err != nil {
			return err
		}
		for i := range es {
			if es[i].UserID == v.UserID && es[i].State != StateDeclined {
				out = &es[i]
				return nil
			}
		}
		out = &Enrolment{CohortID: cohortID, UserID: v.UserID, Source: SourceRequest, State: StatePending, CreatedAt: s.now()}
		return s.Store.PutEnrolment(ctx, out)
	})
	return out, err
}

// Decide approves or declines a pending request.
func (s *Service) Decide(ctx context.Context, v Viewer, enrolmentID int64, approve bool) (*Enrolment, error) {
	if !v.Admin {
		return nil, forbidden()
	}
	e, err := s.Store.Enrolment(ctx, enrolmentID)
	if err != nil {
		return nil, missing(err, "Enrolment", enrolmentID)
	}
	if e.State != StatePending {
		return nil, citylens.Ef(citylens.ECONFLICT, "training.error.decided", "This request was already decided.")
	}
	e.State = StateDeclined
	if approve {
		e.State = StateApproved
	}
	return e, s.Store.PutEnrolment(ctx, e)
}

// MarkAttendance records who attended session sessionID: present are the
// people present, every other approved participant absent. A person who
// is not an approved participant is refused, naming them, and nothing
// changes.
func (s *Service) MarkAttendance(ctx context.Context, v Viewer, sessionID int64, present []int64) error {
	if !v.Admin {
		return forbidden()
	}
	ss, err := s.Store.TrainingSession(ctx, sessionID)
	if err != nil {
		return missing(err, "Session", sessionID)
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		es, err := s.Store.CohortEnrolments(ctx, ss.CohortID)
		if err != nil {
			return err
		}
		approved := map[int64]bool{}
		for _, e := range es {
			if e.State == StateApproved {
				approved[e.UserID] = true
			}
		}
		here := map[int64]bool{}
		for _, u := range present {
			if !approved[u] {
				return citylens.Ef(citylens.EINVALID, "training.error.attendance", "the attendance was not saved: correct the fields named below").
					WithProblems(problem("present", "training.error.notenrolled", "person %d is not a participant of this cohort", u))
			}
			here[u] = true
		}
		for u := range approved {
			if err := s.Store.SetTrainingAttendance(ctx, sessionID, u, here[u]); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *Service) participant(ctx context.Context, v Viewer, cohortID int64) error {
	es, err := s.Store.CohortEnrolments(ctx, cohortID)
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.UserID == v.UserID && e.State == StateApproved {
			return nil
		}
	}
	return citylens.Ef(citylens.EFORBIDDEN, "training.error.participants", "Only the cohort's participants may do this.")
}

// Submit records v's answer to an assignment: a text, a file (name and
// r, nil for none; streamed under the prize's file rules) or both. A new
// answer replaces the earlier one whole, its file removed.
func (s *Service) Submit(ctx context.Context, v Viewer, assignmentID int64, text, name string, r io.Reader) error {
	a, err := s.Store.TrainingAssignment(ctx, assignmentID)
	if err != nil {
		return missing(err, "Assignment", assignmentID)
	}
	var staged *blobs.Temp
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.participant(ctx, v, a.CohortID); err != nil {
			return err
		}
		var ch checker
		ch.text("text", text, MaxText, r == nil)
		if err := ch.err("training.error.submission", "the submission was not saved: correct the fields named below"); err != nil {
			return err
		}
		sub := &Submission{AssignmentID: assignmentID, UserID: v.UserID, Text: text, SubmittedAt: s.now()}
		if r != nil {
			f, err := s.storeFile(ctx, File{AssignmentID: assignmentID, UserID: v.UserID}, name, r, &staged)
			if err != nil {
				return err
			}
			sub.FileID, sub.FileName, sub.FileType, sub.FileSize = f.ID, f.Name, f.Type, f.Size
		}
		old := ""
		subs, err := s.Store.CohortSubmissions(ctx, a.CohortID)
		if err != nil {
			return err
		}
		for _, x := range subs {
			if x.AssignmentID == assignmentID && x.UserID == v.UserID {
				old = x.FileID
			}
		}
		if err := s.Store.PutTrainingSubmission(ctx, sub); err != nil {
			return err
		}
		if old != "" {
			return s.Store.DeleteTrainingFile(ctx, old)
		}
		return nil
	})
	// What a failed release leaves, the periodic sweep collects.
	_ = s.Store.ReleaseStaged(ctx, staged, err == nil)
	return err
}

// Submissions are v's own submissions to a cohort's assignments.
func (s *Service) Submissions(ctx context.Context, v Viewer, cohortID int64) ([]Submission, error) {
	subs, err := s.Store.CohortSubmissions(ctx, cohortID)
	if err != nil {
		return nil, err
	}
	var out []Submission
	for _, x := range subs {
		if x.UserID == v.UserID {
			out = append(out, x)
		}
	}
	return out, nil
}

// SubmitFeedback records v's end-of-course form (replacing an earlier one).
func (s *Service) SubmitFeedback(ctx context.Context, v Viewer, f *Feedback) error {
	if _, err := s.Store.Cohort(ctx, f.CohortID); err != nil {
		return missing(err, "Cohort", f.CohortID)
	}
	if err := s.participant(ctx, v, f.CohortID); err != nil {
		return err
	}
	if err := f.Validate(); err != nil {
		return err
	}
	f.UserID = v.UserID
	return s.Store.PutFeedback(ctx, f)
}

// View is a cohort as v sees it: the secretariat sees every participant,
// requests and the feedback's aggregate; a participant their own progress.
type View struct {
	Cohort      *Cohort
	Course      *Course
	Sessions    []Session
	Assignments []Assignment
	Progress    []Progress
	Pending     []Enrolment // requests awaiting the secretariat
	Mine        *Enrolment  // v's enrolment, if any
	Feedback    *FeedbackSummary
	Attendance  []Attendance // the secretariat's view: who attended which session
	Admin       bool
}

// FeedbackSummary aggregates a cohort's feedback forms.
type FeedbackSummary struct {
	Count         int
	MeanRating    float64
	MeanRelevance float64
	Ratings       [5]int // how many gave 1 … 5
	Comments      []string
}

// Summarise aggregates fs.
func Summarise(fs []Feedback) *FeedbackSummary {
	out := &FeedbackSummary{Count: len(fs)}
	if len(fs) == 0 {
		return out
	}
	var r, rel int
	for _, f := range fs {
		r += f.Rating
		rel += f.Relevance
		if f.Rating >= 1 && f.Rating <= 5 {
			out.Ratings[f.Rating-1]++
		}
		if strings.TrimSpace(f.Comment) != "" {
			out.Comments = append(out.Comments, f.Comment)
		}
	}
	out.MeanRating = float64(r) / float64(len(fs))
	out.MeanRelevance = float64(rel) / float64(len(fs))
	return out
}

// Get is cohort id as v sees it.
func (s *Service) Get(ctx context.Context, v Viewer, id int64) (*View, error) {
	c, err := s.Store.Cohort(ctx, id)
	if err != nil {
		return nil, missing(err, "Cohort", id)
	}
	course, err := s.Store.Course(ctx, c.CourseID)
	if err != nil {
		return nil, err
	}
	out := &View{Cohort: c, Course: course, Admin: v.Admin}
	if out.Sessions, err = s.Store.CohortSessions(ctx, id); err != nil {
		return nil, err
	}
	if out.Assignments, err = s.Store.CohortAssignments(ctx, id); err != nil {
		return nil, err
	}
	progress, es, err := s.progress(ctx, course, id, out.Sessions, out.Assignments)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].UserID == v.UserID {
			out.Mine = &es[i]
		}
		if v.Admin && es[i].State == StatePending {
			out.Pending = append(out.Pending, es[i])
		}
	}
	for _, p := range progress {
		if v.Admin || p.Enrolment.UserID == v.UserID {
			out.Progress = append(out.Progress, p)
		}
	}
	if v.Admin {
		fs, err := s.Store.CohortFeedback(ctx, id)
		if err != nil {
			return nil, err
		}
		out.Feedback = Summarise(fs)
		if out.Attendance, err = s.Store.CohortAttendance(ctx, id); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) progress(ctx context.Context, course *Course, id int64, sessions []Session, as []Assignment) ([]Progress, []Enrolment, error) {
	es, err := s.Store.CohortEnrolments(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	att, err := s.Store.CohortAttendance(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	subs, err := s.Store.CohortSubmissions(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	certs, err := s.Store.CohortCertificates(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	return Compute(course, es, sessions, att, as, subs, certs), es, nil
}

// Cohorts lists the cohorts with their courses.
func (s *Service) Cohorts(ctx context.Context) ([]*Cohort, []*Course, error) {
	cs, err := s.Store.Cohorts(ctx)
	if err != nil {
		return nil, nil, err
	}
	courses, err := s.Store.Courses(ctx)
	return cs, courses, err
}

// IssueCertificates issues a certificate to every participant who meets
// the course's rules and has none; it returns how many were issued.
func (s *Service) IssueCertificates(ctx context.Context, v Viewer, cohortID int64) (int, error) {
	if !v.Admin {
		return 0, forbidden()
	}
	c, err := s.Store.Cohort(ctx, cohortID)
	if err != nil {
		return 0, missing(err, "Cohort", cohortID)
	}
	course, err := s.Store.Course(ctx, c.CourseID)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		sessions, err := s.Store.CohortSessions(ctx, cohortID)
		if err != nil {
			return err
		}
		as, err := s.Store.CohortAssignments(ctx, cohortID)
		if err != nil {
			return err
		}
		ps, _, err := s.progress(ctx, course, cohortID, sessions, as)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if !p.Complete || p.Cert != nil {
				continue
			}
			cert := &Certificate{Number: newNumber(c.Edition), CohortID: cohortID, UserID: p.Enrolment.UserID,
				Holder: p.Enrolment.Name, Course: course.Title, Issued: s.now().Truncate(time.Second)}
			cert.Hash = CertificateHash(cert)
			if err := s.Store.CreateCertificate(ctx, cert); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// newNumber is a fresh certificate number: CLT-<edition>-<8 random characters>.
func newNumber(edition string) string {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return "CLT-" + edition + "-" + base32.StdEncoding.EncodeToString(b)
}

// CertificateHash is the hash printed on certificate c: the SHA-256 of
// its number, holder, course and issue date, 24 hexadecimal digits.
func CertificateHash(c *Certificate) string {
	h := sha256.New()
	for _, p := range []string{c.Number, c.Holder, c.Course, c.Issued.UTC().Format(time.RFC3339), strconv.FormatInt(c.UserID, 10)} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:24]
}

// Verified is what the public verification page shows of a certificate.
type Verified struct {
	Holder string
	Course string
	Issued time.Time
}

// Verify checks a certificate's number and hash: both must match; either
// wrong is the same ENOTFOUND (no hint which).
func (s *Service) Verify(ctx context.Context, number, hash string) (*Verified, error) {
	bad := citylens.Ef(citylens.ENOTFOUND, "training.error.verify", "No certificate has this number and hash.")
	number, hash = strings.ToUpper(strings.TrimSpace(number)), strings.ToLower(strings.TrimSpace(hash))
	if len(number) > 64 || len(hash) != 24 {
		return nil, bad
	}
	c, err := s.Store.Certificate(ctx, number)
	if err != nil {
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			return nil, bad
		}
		return nil, err
	}
	if c.Hash != hash || CertificateHash(c) != hash {
		return nil, bad
	}
	return &Verified{Holder: c.Holder, Course: c.Course, Issued: c.Issued}, nil
}

// Certificate is certificate number for its holder or the secretariat.
func (s *Service) Certificate(ctx context.Context, v Viewer, number string) (*Certificate, error) {
	c, err := s.Store.Certificate(ctx, number)
	if err != nil {
		return nil, missing(err, "Certificate", number)
	}
	if !v.Admin && c.UserID != v.UserID {
		return nil, notFound("Certificate", number)
	}
	return c, nil
}

// Reminder is one person to remind of a session starting tomorrow.
type Reminder struct {
	UserID    int64
	SessionID int64
	Start     time.Time
	Kind      string // ReminderKind
	DedupeKey string // one reminder per session and person
}

// Reminders are the reminders due at now: every approved participant of
// every session that starts on the next calendar day in the session's
// own time zone.
func Reminders(ctx context.Context, st Store, now time.Time) ([]Reminder, error) {
	ss, err := st.SessionsStarting(ctx, now, now.Add(50*time.Hour))
	if err != nil {
		return nil, err
	}
	var out []Reminder
	enrolled := map[int64][]Enrolment{}
	for _, ses := range ss {
		loc, err := time.LoadLocation(ses.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		ty, tm, td := now.In(loc).AddDate(0, 0, 1).Date()
		sy, sm, sd := ses.Start.In(loc).Date()
		if ty != sy || tm != sm || td != sd {
			continue
		}
		es, ok := enrolled[ses.CohortID]
		if !ok {
			if es, err = st.CohortEnrolments(ctx, ses.CohortID); err != nil {
				return nil, err
			}
			enrolled[ses.CohortID] = es
		}
		for _, e := range es {
			if e.State != StateApproved {
				continue
			}
			out = append(out, Reminder{UserID: e.UserID, SessionID: ses.ID, Start: ses.Start, Kind: ReminderKind,
				DedupeKey: ReminderKind + ":" + strconv.FormatInt(ses.ID, 10) + ":" + strconv.FormatInt(e.UserID, 10)})
		}
	}
	return out, nil
}
