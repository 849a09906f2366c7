package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/training"
)

// The capacity-building training: courses (modules and materials as
// JSON), cohorts, sessions, enrolments, attendance, assignments and
// submissions, certificates and feedback. Names of participants are read
// from users (never copied) except on a certificate, which keeps what it
// printed.

// queryAll runs q and scans every row with scan.
func queryAll[T any](ctx context.Context, db *Store, what, q string, scan func(scanner) (T, error), args ...any) ([]T, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.dbError(ctx, what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, db.dbError(ctx, what, err)
		}
		out = append(out, v)
	}
	return out, db.dbError(ctx, what, rows.Err())
}

const courseColumns = `id, title, description, modules_json, materials_json, min_attendance, created_at`

func scanCourse(row scanner) (*training.Course, error) {
	var c training.Course
	var mods, mats string
	var created int64
	if err := row.Scan(&c.ID, &c.Title, &c.Description, &mods, &mats, &c.MinAttendance, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = tm(created)
	if err := json.Unmarshal([]byte(mods), &c.Modules); err != nil {
		return nil, fmt.Errorf("course %d: modules: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(mats), &c.Materials); err != nil {
		return nil, fmt.Errorf("course %d: materials: %w", c.ID, err)
	}
	return &c, nil
}

// CreateCourse implements training.Store.
func (db *Store) CreateCourse(ctx context.Context, c *training.Course) error {
	mods, mats := c.Modules, c.Materials
	if mods == nil {
		mods = []string{}
	}
	if mats == nil {
		mats = []training.Material{}
	}
	mj, _ := json.Marshal(mods)
	aj, _ := json.Marshal(mats)
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO training_courses (title, description, modules_json, materials_json, min_attendance, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.Title, c.Description, string(mj), string(aj), c.MinAttendance, us(c.CreatedAt)).Scan(&c.ID)
	return db.dbError(ctx, "training course", err)
}

// Course implements training.Store.
func (db *Store) Course(ctx context.Context, id int64) (*training.Course, error) {
	c, err := scanCourse(db.reader(ctx).QueryRowContext(ctx, `SELECT `+courseColumns+` FROM training_courses WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "training course", notFound(err, "course %d not found", id))
	}
	return c, nil
}

// Courses implements training.Store.
func (db *Store) Courses(ctx context.Context) ([]*training.Course, error) {
	return queryAll(ctx, db, "training courses", `SELECT `+courseColumns+` FROM training_courses ORDER BY id LIMIT 1000`, scanCourse)
}

const cohortColumns = `id, course_id, edition, title, demo, created_at`

func scanCohort(row scanner) (*training.Cohort, error) {
	var c training.Cohort
	var demo int
	var created int64
	if err := row.Scan(&c.ID, &c.CourseID, &c.Edition, &c.Title, &demo, &created); err != nil {
		return nil, err
	}
	c.Demo, c.CreatedAt = demo != 0, tm(created)
	return &c, nil
}

// CreateCohort implements training.Store.
func (db *Store) CreateCohort(ctx context.Context, c *training.Cohort) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO training_cohorts (course_id, edition, title, demo, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.CourseID, c.Edition, c.Title, boolInt(c.Demo), us(c.CreatedAt)).Scan(&c.ID)
	return db.dbError(ctx, "training cohort", err)
}

// Cohort implements training.Store.
func (db *Store) Cohort(ctx context.Context, id int64) (*training.Cohort, error) {
	c, err := scanCohort(db.reader(ctx).QueryRowContext(ctx, `SELECT `+cohortColumns+` FROM training_cohorts WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "training cohort", notFound(err, "cohort %d not found", id))
	}
	return c, nil
}

// Cohorts implements training.Store.
func (db *Store) Cohorts(ctx context.Context) ([]*training.Cohort, error) {
	return queryAll(ctx, db, "training cohorts", `SELECT `+cohortColumns+` FROM training_cohorts ORDER BY edition DESC, id LIMIT 1000`, scanCohort)
}

const sessionColumns = `id, cohort_id, title, mode, start_at, end_at, time_zone, place, link`

func scanSession(row scanner) (training.Session, error) {
	var s training.Session
	var start, end int64
	err := row.Scan(&s.ID, &s.CohortID, &s.Title, &s.Mode, &start, &end, &s.TimeZone, &s.Place, &s.Link)
	s.Start, s.End = tm(start), tm(end)
	return s, err
}

// CreateTrainingSession implements training.Store.
func (db *Store) CreateTrainingSession(ctx context.Context, s *training.Session) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO training_sessions (cohort_id, title, mode, start_at, end_at, time_zone, place, link)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, s.CohortID, s.Title, s.Mode, us(s.Start), us(s.End), s.TimeZone, s.Place, s.Link).Scan(&s.ID)
	return db.dbError(ctx, "training session", err)
}

// TrainingSession implements training.Store.
func (db *Store) TrainingSession(ctx context.Context, id int64) (*training.Session, error) {
	s, err := scanSession(db.reader(ctx).QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM training_sessions WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "training session", notFound(err, "session %d not found", id))
	}
	return &s, nil
}

// CohortSessions implements training.Store.
func (db *Store) CohortSessions(ctx context.Context, cohortID int64) ([]training.Session, error) {
	return queryAll(ctx, db, "training sessions", `SELECT `+sessionColumns+` FROM training_sessions WHERE cohort_id = $1 ORDER BY start_at, id`, scanSession, cohortID)
}

// SessionsStarting implements training.Store.
func (db *Store) SessionsStarting(ctx context.Context, from, to time.Time) ([]training.Session, error) {
	return queryAll(ctx, db, "training sessions", `SELECT `+sessionColumns+` FROM training_sessions WHERE start_at >= $1 AND start_at < $2 ORDER BY start_at, id`,
		scanSession, us(from), us(to))
}

const enrolmentSelect = `SELECT e.id, e.cohort_id, e.user_id, CASE WHEN u.name = '' THEN u.email ELSE u.name END, COALESCE(u.city_code, ''),
	e.source, e.state, e.created_at FROM training_enrolments e JOIN users u ON u.id = e.user_id`

func scanEnrolment(row scanner) (training.Enrolment, error) {
	var e training.Enrolment
	var created int64
	err := row.Scan(&e.ID, &e.CohortID, &e.UserID, &e.Name, &e.CityCode, &e.Source, &e.State, &created)
	e.CreatedAt = tm(created)
	return e, err
}

// PutEnrolment implements training.Store.
func (db *Store) PutEnrolment(ctx context.Context, e *training.Enrolment) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO training_enrolments (cohort_id, user_id, source, state, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (cohort_id, user_id) DO UPDATE SET source = excluded.source, state = excluded.state RETURNING id`,
		e.CohortID, e.UserID, e.Source, e.State, us(e.CreatedAt)).Scan(&e.ID)
	return db.dbError(ctx, "training enrolment", err)
}

// Enrolment implements training.Store.
func (db *Store) Enrolment(ctx context.Context, id int64) (*training.Enrolment, error) {
	e, err := scanEnrolment(db.reader(ctx).QueryRowContext(ctx, enrolmentSelect+` WHERE e.id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "training enrolment", notFound(err, "enrolment %d not found", id))
	}
	return &e, nil
}

// CohortEnrolments implements training.Store.
func (db *Store) CohortEnrolments(ctx context.Context, cohortID int64) ([]training.Enrolment, error) {
	return queryAll(ctx, db, "training enrolments", enrolmentSelect+` WHERE e.cohort_id = $1 ORDER BY e.id`, scanEnrolment, cohortID)
}

// SetTrainingAttendance implements training.Store.
func (db *Store) SetTrainingAttendance(ctx context.Context, sessionID, userID int64, present bool) error {
	q := `DELETE FROM training_attendance WHERE session_id = $1 AND user_id = $2`
	if present {
		q = `INSERT INTO training_attendance (session_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`
	}
	_, err := db.writer(ctx).ExecContext(ctx, q, sessionID, userID)
	return db.dbError(ctx, "training attendance", err)
}

// CohortAttendance implements training.Store.
func (db *Store) CohortAttendance(ctx context.Context, cohortID int64) ([]training.Attendance, error) {
	return queryAll(ctx, db, "training attendance", `SELECT a.session_id, a.user_id FROM training_attendance a
		JOIN training_sessions s ON s.id = a.session_id WHERE s.cohort_id = $1 ORDER BY a.session_id, a.user_id`,
		func(row scanner) (training.Attendance, error) {
			var a training.Attendance
			return a, row.Scan(&a.SessionID, &a.UserID)
		}, cohortID)
}

func scanAssignment(row scanner) (training.Assignment, error) {
	var a training.Assignment
	var due int64
	err := row.Scan(&a.ID, &a.CohortID, &a.Title, &due)
	a.Due = tm(due)
	return a, err
}

// CreateAssignment implements training.Store.
func (db *Store) CreateAssignment(ctx context.Context, a *training.Assignment) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO training_assignments (cohort_id, title, due_at) VALUES ($1, $2, $3) RETURNING id`,
		a.CohortID, a.Title, us(a.Due)).Scan(&a.ID)
	return db.dbError(ctx, "training assignment", err)
}

// TrainingAssignment implements training.Store.
func (db *Store) TrainingAssignment(ctx context.Context, id int64) (*training.Assignment, error) {
	a, err := scanAssignment(db.reader(ctx).QueryRowContext(ctx, `SELECT id, cohort_id, title, due_at FROM training_assignments WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "training assignment", notFound(err, "assignment %d not found", id))
	}
	return &a, nil
}

// CohortAssignments implements training.Store.
func (db *Store) CohortAssignments(ctx context.Context, cohortID int64) ([]training.Assignment, error) {
	return queryAll(ctx, db, "training assignments", `SELECT id, cohort_id, title, due_at FROM training_assignments WHERE cohort_id = $1 ORDER BY due_at, id`,
		scanAssignment, cohortID)
}

// PutTrainingSubmission implements training.Store.
func (db *Store) PutTrainingSubmission(ctx context.Context, s *training.Submission) error {
	var file any
	if s.FileID != "" {
		file = s.FileID
	}
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO training_submissions (assignment_id, user_id, body, file_id, submitted_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (assignment_id, user_id) DO UPDATE SET body = excluded.body, file_id = excluded.file_id, submitted_at = excluded.submitted_at`,
		s.AssignmentID, s.UserID, s.Text, file, us(s.SubmittedAt))
	return db.dbError(ctx, "training submission", err)
}

// CohortSubmissions implements training.Store.
func (db *Store) CohortSubmissions(ctx context.Context, cohortID int64) ([]training.Submission, error) {
	return queryAll(ctx, db, "training submissions", `SELECT s.assignment_id, s.user_id, s.body, s.submitted_at, COALESCE(f.id, ''),
		COALESCE(f.name, ''), COALESCE(f.type, ''), COALESCE(f.size, 0) FROM training_submissions s
		JOIN training_assignments a ON a.id = s.assignment_id LEFT JOIN training_files f ON f.id = s.file_id
		WHERE a.cohort_id = $1 ORDER BY s.assignment_id, s.user_id`,
		func(row scanner) (training.Submission, error) {
			var s training.Submission
			var at int64
			err := row.Scan(&s.AssignmentID, &s.UserID, &s.Text, &at, &s.FileID, &s.FileName, &s.FileType, &s.FileSize)
			s.SubmittedAt = tm(at)
			return s, err
		}, cohortID)
}

const certificateColumns = `number, hash, cohort_id, user_id, holder, course, issued_at`

func scanCertificate(row scanner) (training.Certificate, error) {
	var c training.Certificate
	var at int64
	err := row.Scan(&c.Number, &c.Hash, &c.CohortID, &c.UserID, &c.Holder, &c.Course, &at)
	c.Issued = tm(at)
	return c, err
}

// CreateCertificate implements training.Store.
func (db *Store) CreateCertificate(ctx context.Context, c *training.Certificate) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO training_certificates (`+certificateColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.Number, c.Hash, c.CohortID, c.UserID, c.Holder, c.Course, us(c.Issued))
	return db.dbError(ctx, "training certificate", err)
}

// Certificate implements training.Store.
func (db *Store) Certificate(ctx context.Context, number string) (*training.Certificate, error) {
	c, err := scanCertificate(db.reader(ctx).QueryRowContext(ctx, `SELECT `+certificateColumns+` FROM training_certificates WHERE number = $1`, number))
	if err != nil {
		if err == sql.ErrNoRows {
			return nil, citylens.Errorf(citylens.ENOTFOUND, "certificate %s not found", number)
		}
		return nil, db.dbError(ctx, "training certificate", err)
	}
	return &c, nil
}

// CohortCertificates implements training.Store.
func (db *Store) CohortCertificates(ctx context.Context, cohortID int64) ([]training.Certificate, error) {
	return queryAll(ctx, db, "training certificates", `SELECT `+certificateColumns+` FROM training_certificates WHERE cohort_id = $1 ORDER BY number`,
		scanCertificate, cohortID)
}

// PutFeedback implements training.Store.
func (db *Store) PutFeedback(ctx context.Context, f *training.Feedback) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO training_feedback (cohort_id, user_id, rating, relevance, comment) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (cohort_id, user_id) DO UPDATE SET rating = excluded.rating, relevance = excluded.relevance, comment = excluded.comment`,
		f.CohortID, f.UserID, f.Rating, f.Relevance, f.Comment)
	return db.dbError(ctx, "training feedback", err)
}

// CohortFeedback implements training.Store.
func (db *Store) CohortFeedback(ctx context.Context, cohortID int64) ([]training.Feedback, error) {
	return queryAll(ctx, db, "training feedback", `SELECT cohort_id, user_id, rating, relevance, comment FROM training_feedback WHERE cohort_id = $1 ORDER BY user_id`,
		func(row scanner) (training.Feedback, error) {
			var f training.Feedback
			return f, row.Scan(&f.CohortID, &f.UserID, &f.Rating, &f.Relevance, &f.Comment)
		}, cohortID)
}
