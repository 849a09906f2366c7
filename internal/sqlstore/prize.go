package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/prize"
)

// The Seoul Smart City Prize's records (package prize).

func bint(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

const prizeEditionColumns = `code, year, title, title_ko, description, description_ko, time_zone, opens, deadline, grace_seconds,
	evaluation, finalists, ceremony, published, created_at, updated_at`

func prizeEditionArgs(e *prize.Edition) []any {
	return []any{e.Code, e.Year, e.Title, e.TitleKO, e.Description, e.DescriptionKO, e.TimeZone, us(e.Opens), us(e.Deadline),
		int64(e.Grace / time.Second), us(e.Evaluation), us(e.Finalists), us(e.Ceremony), bint(e.Published), us(e.CreatedAt), us(e.UpdatedAt)}
}

func scanPrizeEdition(s scanner) (*prize.Edition, error) {
	var e prize.Edition
	var opens, deadline, grace, eval, fin, cer, pub, created, updated int64
	err := s.Scan(&e.Code, &e.Year, &e.Title, &e.TitleKO, &e.Description, &e.DescriptionKO, &e.TimeZone, &opens, &deadline, &grace,
		&eval, &fin, &cer, &pub, &created, &updated)
	e.Opens, e.Deadline, e.Grace = tm(opens), tm(deadline), time.Duration(grace)*time.Second
	e.Evaluation, e.Finalists, e.Ceremony = tm(eval), tm(fin), tm(cer)
	e.Published, e.CreatedAt, e.UpdatedAt = pub != 0, tm(created), tm(updated)
	return &e, err
}

func (db *Store) CreatePrizeEdition(ctx context.Context, e *prize.Edition) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO prize_editions (`+prizeEditionColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`, prizeEditionArgs(e)...)
	return db.dbError(ctx, "prize edition "+e.Code, err)
}

func (db *Store) UpdatePrizeEdition(ctx context.Context, e *prize.Edition) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE prize_editions SET year = $2, title = $3, title_ko = $4, description = $5,
		description_ko = $6, time_zone = $7, opens = $8, deadline = $9, grace_seconds = $10, evaluation = $11, finalists = $12,
		ceremony = $13, published = $14, created_at = $15, updated_at = $16 WHERE code = $1`, prizeEditionArgs(e)...)
	if err != nil {
		return db.dbError(ctx, "prize edition "+e.Code, err)
	}
	return db.rowsAffected(ctx, res, "prize edition %q not found", e.Code)
}

func (db *Store) rowsAffected(ctx context.Context, res sql.Result, format string, args ...any) error {
	n, err := res.RowsAffected()
	if err != nil {
		return db.dbError(ctx, "rows affected", err)
	}
	if n == 0 {
		return citylens.Errorf(citylens.ENOTFOUND, format, args...)
	}
	return nil
}

func (db *Store) PrizeEdition(ctx context.Context, code string) (*prize.Edition, error) {
	e, err := scanPrizeEdition(db.reader(ctx).QueryRowContext(ctx, `SELECT `+prizeEditionColumns+` FROM prize_editions WHERE code = $1`, code))
	return e, db.dbError(ctx, "prize edition", notFound(err, "prize edition %q not found", code))
}

func (db *Store) PrizeEditions(ctx context.Context) ([]*prize.Edition, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+prizeEditionColumns+` FROM prize_editions ORDER BY year DESC, code DESC`)
	if err != nil {
		return nil, db.dbError(ctx, "prize editions", err)
	}
	defer rows.Close()
	var out []*prize.Edition
	for rows.Next() {
		e, err := scanPrizeEdition(rows)
		if err != nil {
			return nil, db.dbError(ctx, "prize editions", err)
		}
		out = append(out, e)
	}
	return out, db.dbError(ctx, "prize editions", rows.Err())
}

func (db *Store) PutPrizeTrack(ctx context.Context, t prize.Track) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO prize_tracks (edition, code, kind, name, name_ko, description, description_ko,
		criteria, criteria_ko, partner, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (edition, code) DO UPDATE SET kind = excluded.kind, name = excluded.name, name_ko = excluded.name_ko,
		description = excluded.description, description_ko = excluded.description_ko, criteria = excluded.criteria,
		criteria_ko = excluded.criteria_ko, partner = excluded.partner, position = excluded.position`,
		t.Edition, t.Code, t.Kind, t.Name, t.NameKO, t.Description, t.DescriptionKO, t.Criteria, t.CriteriaKO, t.Partner, t.Position)
	return db.dbError(ctx, "prize track "+t.Code, err)
}

func (db *Store) PrizeTracks(ctx context.Context, edition string) ([]prize.Track, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT edition, code, kind, name, name_ko, description, description_ko, criteria,
		criteria_ko, partner, position FROM prize_tracks WHERE edition = $1 ORDER BY position, code`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "prize tracks", err)
	}
	defer rows.Close()
	var out []prize.Track
	for rows.Next() {
		var t prize.Track
		if err := rows.Scan(&t.Edition, &t.Code, &t.Kind, &t.Name, &t.NameKO, &t.Description, &t.DescriptionKO, &t.Criteria,
			&t.CriteriaKO, &t.Partner, &t.Position); err != nil {
			return nil, db.dbError(ctx, "prize tracks", err)
		}
		out = append(out, t)
	}
	return out, db.dbError(ctx, "prize tracks", rows.Err())
}

func (db *Store) PutPrizeEligibility(ctx context.Context, edition string, rows []prize.Eligibility) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		w := db.writer(ctx)
		if _, err := w.ExecContext(ctx, `DELETE FROM prize_eligibility WHERE edition = $1`, edition); err != nil {
			return db.dbError(ctx, "prize eligibility", err)
		}
		for _, r := range rows {
			if _, err := w.ExecContext(ctx, `INSERT INTO prize_eligibility (edition, track, applicant_type, eligible) VALUES ($1, $2, $3, $4)`,
				edition, r.Track, r.ApplicantType, bint(r.Eligible)); err != nil {
				return db.dbError(ctx, "prize eligibility", err)
			}
		}
		return nil
	})
}

func (db *Store) PrizeEligibility(ctx context.Context, edition string) ([]prize.Eligibility, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT track, applicant_type, eligible FROM prize_eligibility WHERE edition = $1
		ORDER BY track, applicant_type`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "prize eligibility", err)
	}
	defer rows.Close()
	var out []prize.Eligibility
	for rows.Next() {
		var r prize.Eligibility
		var ok int64
		if err := rows.Scan(&r.Track, &r.ApplicantType, &ok); err != nil {
			return nil, db.dbError(ctx, "prize eligibility", err)
		}
		r.Eligible = ok != 0
		out = append(out, r)
	}
	return out, db.dbError(ctx, "prize eligibility", rows.Err())
}

func (db *Store) PutPrizeForm(ctx context.Context, edition, track, applicantType string, f *prize.Form) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	_, err = db.writer(ctx).ExecContext(ctx, `INSERT INTO prize_forms (edition, track, applicant_type, form) VALUES ($1, $2, $3, $4)
		ON CONFLICT (edition, track, applicant_type) DO UPDATE SET form = excluded.form`, edition, track, applicantType, string(b))
	return db.dbError(ctx, "prize form", err)
}

func (db *Store) PrizeForm(ctx context.Context, edition, track, applicantType string) (*prize.Form, error) {
	var s string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT form FROM prize_forms WHERE edition = $1 AND track = $2 AND applicant_type = $3`,
		edition, track, applicantType).Scan(&s)
	if err != nil {
		return nil, db.dbError(ctx, "prize form", notFound(err, "no form for %s/%s/%s", edition, track, applicantType))
	}
	var f prize.Form
	if err := json.Unmarshal([]byte(s), &f); err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "prize form %s/%s/%s: %v", edition, track, applicantType, err)
	}
	return &f, nil
}

func (db *Store) PutPrizeProfile(ctx context.Context, p prize.Profile) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO prize_profiles (user_id, type, organisation, country, city_code, city_name,
		website, contact, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (user_id) DO UPDATE SET type = excluded.type, organisation = excluded.organisation, country = excluded.country,
		city_code = excluded.city_code, city_name = excluded.city_name, website = excluded.website, contact = excluded.contact,
		updated_at = excluded.updated_at`,
		p.UserID, p.Type, p.Organisation, p.Country, p.CityCode, p.CityName, p.Website, p.Contact, us(p.UpdatedAt))
	return db.dbError(ctx, "prize profile", err)
}

func (db *Store) PrizeProfile(ctx context.Context, userID int64) (prize.Profile, error) {
	var p prize.Profile
	var updated int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT user_id, type, organisation, country, city_code, city_name, website, contact,
		updated_at FROM prize_profiles WHERE user_id = $1`, userID).
		Scan(&p.UserID, &p.Type, &p.Organisation, &p.Country, &p.CityCode, &p.CityName, &p.Website, &p.Contact, &updated)
	p.UpdatedAt = tm(updated)
	return p, db.dbError(ctx, "prize profile", notFound(err, "no prize profile for user %d", userID))
}

const prizeAppColumns = `id, edition, track, user_id, email, applicant_type, organisation, country, city_code, city_name, title, stage,
	answers, co_applicants, state, late, screening, screen_reason, screened_at, screened_by, demo, created_at, updated_at,
	submitted_at, withdrawn_at`

func scanPrizeApp(s scanner) (*prize.Application, error) {
	var a prize.Application
	var answers, co string
	var late, demo, screened, created, updated, submitted, withdrawn int64
	err := s.Scan(&a.ID, &a.Edition, &a.Track, &a.UserID, &a.Email, &a.ApplicantType, &a.Organisation, &a.Country, &a.CityCode,
		&a.CityName, &a.Title, &a.Stage, &answers, &co, &a.State, &late, &a.Screening, &a.ScreenReason, &screened, &a.ScreenedBy,
		&demo, &created, &updated, &submitted, &withdrawn)
	if err != nil {
		return nil, err
	}
	a.Late, a.Demo = late != 0, demo != 0
	a.ScreenedAt, a.CreatedAt, a.UpdatedAt, a.SubmittedAt, a.WithdrawnAt = tm(screened), tm(created), tm(updated), tm(submitted), tm(withdrawn)
	if err := json.Unmarshal([]byte(answers), &a.Answers); err != nil {
		return nil, err
	}
	if co != "[]" && co != "" { // most have none: no decoding
		if err := json.Unmarshal([]byte(co), &a.CoApplicants); err != nil {
			return nil, err
		}
	}
	if a.Answers == nil {
		a.Answers = prize.Answers{}
	}
	if a.CoApplicants == nil { // none is an empty list, never null
		a.CoApplicants = []prize.CoApplicant{}
	}
	return &a, nil
}

func prizeAppArgs(a *prize.Application) ([]any, error) {
	ans, err := json.Marshal(a.Answers)
	if err != nil {
		return nil, err
	}
	co := []byte("[]")
	if len(a.CoApplicants) > 0 {
		if co, err = json.Marshal(a.CoApplicants); err != nil {
			return nil, err
		}
	}
	return []any{a.Edition, a.Track, a.UserID, a.Email, a.ApplicantType, a.Organisation, a.Country, a.CityCode, a.CityName,
		a.Title, a.Stage, string(ans), string(co), a.State, bint(a.Late), a.Screening, a.ScreenReason, us(a.ScreenedAt), a.ScreenedBy,
		bint(a.Demo), us(a.CreatedAt), us(a.UpdatedAt), us(a.SubmittedAt), us(a.WithdrawnAt)}, nil
}

func (db *Store) CreatePrizeApplication(ctx context.Context, a *prize.Application) error {
	args, err := prizeAppArgs(a)
	if err != nil {
		return err
	}
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO prize_applications (`+strings.TrimPrefix(prizeAppColumns, "id, ")+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)
		RETURNING id`, args...).Scan(&a.ID)
	return db.dbError(ctx, "prize application", err)
}

func (db *Store) UpdatePrizeApplication(ctx context.Context, a *prize.Application) error {
	args, err := prizeAppArgs(a)
	if err != nil {
		return err
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE prize_applications SET edition = $1, track = $2, user_id = $3, email = $4,
		applicant_type = $5, organisation = $6, country = $7, city_code = $8, city_name = $9, title = $10, stage = $11, answers = $12,
		co_applicants = $13, state = $14, late = $15, screening = $16, screen_reason = $17, screened_at = $18, screened_by = $19,
		demo = $20, created_at = $21, updated_at = $22, submitted_at = $23, withdrawn_at = $24 WHERE id = $25`, append(args, a.ID)...)
	if err != nil {
		return db.dbError(ctx, "prize application", err)
	}
	return db.rowsAffected(ctx, res, "prize application %d not found", a.ID)
}

func (db *Store) PrizeApplication(ctx context.Context, id int64) (*prize.Application, error) {
	a, err := scanPrizeApp(db.reader(ctx).QueryRowContext(ctx, `SELECT `+prizeAppColumns+` FROM prize_applications WHERE id = $1`, id))
	return a, db.dbError(ctx, "prize application", notFound(err, "prize application %d not found", id))
}

func (db *Store) PrizeApplications(ctx context.Context, f prize.ApplicationFilter) ([]*prize.Application, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if f.Edition != "" {
		add("edition = ?", f.Edition)
	}
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.Track != "" {
		add("track = ?", f.Track)
	}
	if f.State != "" {
		add("state = ?", f.State)
	}
	if f.Stage != "" {
		add("stage = ?", f.Stage)
	}
	if f.Type != "" {
		add("applicant_type = ?", f.Type)
	}
	if f.Country != "" {
		add("country = ?", f.Country)
	}
	if f.City != "" {
		add("city_code = ?", f.City)
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(q)) + "%"
		add(`(LOWER(title) LIKE ? ESCAPE '\' OR LOWER(organisation) LIKE ? ESCAPE '\' OR LOWER(city_name) LIKE ? ESCAPE '\')`, like)
	}
	q := `SELECT ` + prizeAppColumns + ` FROM prize_applications`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := db.reader(ctx).QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, db.dbError(ctx, "prize applications", err)
	}
	defer rows.Close()
	var out []*prize.Application
	for rows.Next() {
		a, err := scanPrizeApp(rows)
		if err != nil {
			return nil, db.dbError(ctx, "prize applications", err)
		}
		out = append(out, a)
	}
	return out, db.dbError(ctx, "prize applications", rows.Err())
}

// AddPrizeAttachment implements prize.Store: the record of a (size and
// SHA-256 from t) with the bytes of t (finished), in the transaction of
// ctx (see files.go).
func (db *Store) AddPrizeAttachment(ctx context.Context, a prize.Attachment, t *blobs.Temp) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO prize_attachments (id, application_id, field, name, type, size, sha256, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.ApplicationID, a.Field, a.Name, a.Type, t.Size(), t.Sum(), us(a.CreatedAt))
		if err != nil {
			return db.dbError(ctx, "prize attachment", err)
		}
		return db.putFileBytes(ctx, prizeChunks, a.ID, t)
	})
}

const prizeAttColumns = `id, application_id, field, name, type, size, sha256, created_at`

func scanPrizeAtt(s scanner) (prize.Attachment, error) {
	var a prize.Attachment
	var created int64
	err := s.Scan(&a.ID, &a.ApplicationID, &a.Field, &a.Name, &a.Type, &a.Size, &a.SHA256, &created)
	a.CreatedAt = tm(created)
	return a, err
}

func (db *Store) PrizeAttachment(ctx context.Context, id string) (prize.Attachment, error) {
	a, err := scanPrizeAtt(db.reader(ctx).QueryRowContext(ctx, `SELECT `+prizeAttColumns+` FROM prize_attachments WHERE id = $1`, id))
	return a, db.dbError(ctx, "prize attachment", notFound(err, "prize attachment not found"))
}

func (db *Store) PrizeAttachments(ctx context.Context, applicationID int64) ([]prize.Attachment, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+prizeAttColumns+` FROM prize_attachments WHERE application_id = $1
		ORDER BY created_at, id`, applicationID)
	if err != nil {
		return nil, db.dbError(ctx, "prize attachments", err)
	}
	defer rows.Close()
	var out []prize.Attachment
	for rows.Next() {
		a, err := scanPrizeAtt(rows)
		if err != nil {
			return nil, db.dbError(ctx, "prize attachments", err)
		}
		out = append(out, a)
	}
	return out, db.dbError(ctx, "prize attachments", rows.Err())
}

// PrizeAttachmentChunks reads the file a chunk at a time, so a download
// holds one chunk in memory.
func (db *Store) PrizeAttachmentChunks(ctx context.Context, id string, fn func([]byte) error) error {
	a, err := db.PrizeAttachment(ctx, id)
	if err != nil {
		return err
	}
	return db.readFileBytes(ctx, prizeChunks, id, a.SHA256, fn)
}

func (db *Store) DeletePrizeAttachment(ctx context.Context, id string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM prize_attachment_chunks WHERE attachment_id = $1`, id); err != nil {
			return db.dbError(ctx, "prize attachment", err)
		}
		// Bytes kept in the file directory stay for the sweep (CollectFiles).
		res, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM prize_attachments WHERE id = $1`, id)
		if err != nil {
			return db.dbError(ctx, "prize attachment", err)
		}
		return db.rowsAffected(ctx, res, "prize attachment not found")
	})
}

const prizeEndColumns = `id, application_id, city_code, city_name, email, COALESCE(token_hash, ''), status, comment, requested_at,
	expires_at, decided_at, decided_by`

func scanPrizeEnd(s scanner) (prize.Endorsement, error) {
	var e prize.Endorsement
	var req, exp, dec int64
	err := s.Scan(&e.ID, &e.ApplicationID, &e.CityCode, &e.CityName, &e.Email, &e.TokenHash, &e.Status, &e.Comment, &req, &exp, &dec, &e.DecidedBy)
	e.RequestedAt, e.ExpiresAt, e.DecidedAt = tm(req), tm(exp), tm(dec)
	return e, err
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (db *Store) CreatePrizeEndorsement(ctx context.Context, e *prize.Endorsement) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO prize_endorsements (application_id, city_code, city_name, email, token_hash,
		status, comment, requested_at, expires_at, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		e.ApplicationID, e.CityCode, e.CityName, e.Email, nullString(e.TokenHash), e.Status, e.Comment, us(e.RequestedAt), us(e.ExpiresAt),
		us(e.DecidedAt), e.DecidedBy).Scan(&e.ID)
	return db.dbError(ctx, "prize endorsement", err)
}

func (db *Store) UpdatePrizeEndorsement(ctx context.Context, e prize.Endorsement) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE prize_endorsements SET token_hash = $2, status = $3, comment = $4, decided_at = $5,
		decided_by = $6 WHERE id = $1`, e.ID, nullString(e.TokenHash), e.Status, e.Comment, us(e.DecidedAt), e.DecidedBy)
	if err != nil {
		return db.dbError(ctx, "prize endorsement", err)
	}
	return db.rowsAffected(ctx, res, "prize endorsement %d not found", e.ID)
}

func (db *Store) PrizeEndorsement(ctx context.Context, id int64) (prize.Endorsement, error) {
	e, err := scanPrizeEnd(db.reader(ctx).QueryRowContext(ctx, `SELECT `+prizeEndColumns+` FROM prize_endorsements WHERE id = $1`, id))
	return e, db.dbError(ctx, "prize endorsement", notFound(err, "prize endorsement %d not found", id))
}

func (db *Store) PrizeEndorsementByToken(ctx context.Context, hash string) (prize.Endorsement, error) {
	e, err := scanPrizeEnd(db.reader(ctx).QueryRowContext(ctx, `SELECT `+prizeEndColumns+` FROM prize_endorsements WHERE token_hash = $1`, hash))
	return e, db.dbError(ctx, "prize endorsement", notFound(err, "prize endorsement not found"))
}

func (db *Store) prizeEndorsements(ctx context.Context, where string, arg any) ([]prize.Endorsement, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+prizeEndColumns+` FROM prize_endorsements WHERE `+where+` ORDER BY id`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "prize endorsements", err)
	}
	defer rows.Close()
	var out []prize.Endorsement
	for rows.Next() {
		e, err := scanPrizeEnd(rows)
		if err != nil {
			return nil, db.dbError(ctx, "prize endorsements", err)
		}
		out = append(out, e)
	}
	return out, db.dbError(ctx, "prize endorsements", rows.Err())
}

func (db *Store) PrizeEndorsements(ctx context.Context, applicationID int64) ([]prize.Endorsement, error) {
	return db.prizeEndorsements(ctx, "application_id = $1", applicationID)
}

func (db *Store) PrizeEndorsementsForCity(ctx context.Context, city string) ([]prize.Endorsement, error) {
	return db.prizeEndorsements(ctx, "city_code = $1", city)
}

func (db *Store) AddPrizeScreening(ctx context.Context, s *prize.Screening) error {
	checks, err := json.Marshal(s.Checks)
	if err != nil {
		return err
	}
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO prize_screenings (application_id, outcome, reason, checks, actor, at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, s.ApplicationID, s.Outcome, s.Reason, string(checks), s.Actor, us(s.At)).Scan(&s.ID)
	return db.dbError(ctx, "prize screening", err)
}

func (db *Store) PrizeScreenings(ctx context.Context, applicationID int64) ([]prize.Screening, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, application_id, outcome, reason, checks, actor, at FROM prize_screenings
		WHERE application_id = $1 ORDER BY id`, applicationID)
	if err != nil {
		return nil, db.dbError(ctx, "prize screenings", err)
	}
	defer rows.Close()
	var out []prize.Screening
	for rows.Next() {
		var s prize.Screening
		var checks string
		var at int64
		if err := rows.Scan(&s.ID, &s.ApplicationID, &s.Outcome, &s.Reason, &checks, &s.Actor, &at); err != nil {
			return nil, db.dbError(ctx, "prize screenings", err)
		}
		s.At = tm(at)
		if err := json.Unmarshal([]byte(checks), &s.Checks); err != nil {
			return nil, db.dbError(ctx, "prize screenings", err)
		}
		out = append(out, s)
	}
	return out, db.dbError(ctx, "prize screenings", rows.Err())
}

var _ prize.Store = (*Store)(nil)
