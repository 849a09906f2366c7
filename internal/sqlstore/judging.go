package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/judging"
)

// The prize's judging records (package judging).

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return "null"
	}
	return string(b)
}

func strList(s string) []string {
	var out []string
	_ = json.Unmarshal([]byte(s), &out)
	if out == nil {
		out = []string{}
	}
	return out
}

const judgeColumns = `id, edition, user_id, name, email, role, organisation, org_parent, city_code, city_name, country,
	languages, expertise, partner_track, max_load, tracks, demo, created_at`

func scanJudge(s scanner) (*judging.Judge, error) {
	var j judging.Judge
	var langs, exp, tracks string
	var demo, created int64
	err := s.Scan(&j.ID, &j.Edition, &j.UserID, &j.Name, &j.Email, &j.Role, &j.Organisation, &j.OrgParent, &j.CityCode, &j.CityName,
		&j.Country, &langs, &exp, &j.PartnerTrack, &j.Load, &tracks, &demo, &created)
	j.Languages, j.Expertise, j.Tracks = strList(langs), strList(exp), strList(tracks)
	j.Demo, j.CreatedAt = demo != 0, tm(created)
	return &j, err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (db *Store) CreatePrizeJudge(ctx context.Context, j *judging.Judge) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO judging_judges (edition, user_id, name, email, role, organisation,
		org_parent, city_code, city_name, country, languages, expertise, partner_track, max_load, tracks, demo, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) RETURNING id`,
		j.Edition, j.UserID, j.Name, j.Email, j.Role, j.Organisation, j.OrgParent, j.CityCode, j.CityName, j.Country,
		jsonText(nonNil(j.Languages)), jsonText(nonNil(j.Expertise)), j.PartnerTrack, j.Load, jsonText(nonNil(j.Tracks)),
		bint(j.Demo), us(j.CreatedAt)).Scan(&j.ID)
	return db.dbError(ctx, "judge", err)
}

func (db *Store) UpdatePrizeJudge(ctx context.Context, j *judging.Judge) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE judging_judges SET name = $2, email = $3, role = $4, organisation = $5,
		org_parent = $6, city_code = $7, city_name = $8, country = $9, languages = $10, expertise = $11, partner_track = $12,
		max_load = $13, tracks = $14 WHERE id = $1`, j.ID, j.Name, j.Email, j.Role, j.Organisation, j.OrgParent, j.CityCode,
		j.CityName, j.Country, jsonText(nonNil(j.Languages)), jsonText(nonNil(j.Expertise)), j.PartnerTrack, j.Load,
		jsonText(nonNil(j.Tracks)))
	if err != nil {
		return db.dbError(ctx, "judge", err)
	}
	return db.rowsAffected(ctx, res, "judge %d not found", j.ID)
}

func (db *Store) PrizeJudge(ctx context.Context, id int64) (*judging.Judge, error) {
	j, err := scanJudge(db.reader(ctx).QueryRowContext(ctx, `SELECT `+judgeColumns+` FROM judging_judges WHERE id = $1`, id))
	return j, db.dbError(ctx, "judge", notFound(err, "judge %d not found", id))
}

func (db *Store) PrizeJudgeByUser(ctx context.Context, edition string, userID int64) (*judging.Judge, error) {
	j, err := scanJudge(db.reader(ctx).QueryRowContext(ctx, `SELECT `+judgeColumns+` FROM judging_judges
		WHERE edition = $1 AND user_id = $2`, edition, userID))
	return j, db.dbError(ctx, "judge", notFound(err, "user %d is not a judge of %s", userID, edition))
}

func (db *Store) PrizeJudges(ctx context.Context, edition string) ([]*judging.Judge, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+judgeColumns+` FROM judging_judges WHERE edition = $1 ORDER BY id`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "judges", err)
	}
	defer rows.Close()
	var out []*judging.Judge
	for rows.Next() {
		j, err := scanJudge(rows)
		if err != nil {
			return nil, db.dbError(ctx, "judges", err)
		}
		out = append(out, j)
	}
	return out, db.dbError(ctx, "judges", rows.Err())
}

func (db *Store) PutPrizeConflict(ctx context.Context, c judging.Conflict) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_conflicts (judge_id, application_id, type, source, detail, status,
		unsupported) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (judge_id, application_id, type, source) DO UPDATE SET detail = excluded.detail, status = excluded.status,
		unsupported = excluded.unsupported`, c.Judge, c.App, c.Type, c.Source, c.Detail, c.Status, bint(c.Unsupported))
	return db.dbError(ctx, "conflict", err)
}

func (db *Store) conflicts(ctx context.Context, where string, arg any) ([]judging.Conflict, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT c.judge_id, c.application_id, c.type, c.source, c.detail, c.status,
		c.unsupported FROM judging_conflicts c JOIN judging_judges j ON j.id = c.judge_id WHERE `+where+`
		ORDER BY c.judge_id, c.application_id, c.type, c.source`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "conflicts", err)
	}
	defer rows.Close()
	var out []judging.Conflict
	for rows.Next() {
		var c judging.Conflict
		var uns int64
		if err := rows.Scan(&c.Judge, &c.App, &c.Type, &c.Source, &c.Detail, &c.Status, &uns); err != nil {
			return nil, db.dbError(ctx, "conflicts", err)
		}
		c.Unsupported = uns != 0
		out = append(out, c)
	}
	return out, db.dbError(ctx, "conflicts", rows.Err())
}

func (db *Store) PrizeConflicts(ctx context.Context, edition string) ([]judging.Conflict, error) {
	return db.conflicts(ctx, "j.edition = $1", edition)
}

func (db *Store) PrizeJudgeConflicts(ctx context.Context, judge int64) ([]judging.Conflict, error) {
	return db.conflicts(ctx, "c.judge_id = $1", judge)
}

func (db *Store) PutPrizeBid(ctx context.Context, judge, app int64, bid string) error {
	if bid == "" {
		_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM judging_bids WHERE judge_id = $1 AND application_id = $2`, judge, app)
		return db.dbError(ctx, "bid", err)
	}
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_bids (judge_id, application_id, bid) VALUES ($1, $2, $3)
		ON CONFLICT (judge_id, application_id) DO UPDATE SET bid = excluded.bid`, judge, app, bid)
	return db.dbError(ctx, "bid", err)
}

func (db *Store) PrizeBids(ctx context.Context, edition string) (map[[2]int64]string, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT b.judge_id, b.application_id, b.bid FROM judging_bids b
		JOIN judging_judges j ON j.id = b.judge_id WHERE j.edition = $1`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "bids", err)
	}
	defer rows.Close()
	out := map[[2]int64]string{}
	for rows.Next() {
		var j, a int64
		var b string
		if err := rows.Scan(&j, &a, &b); err != nil {
			return nil, db.dbError(ctx, "bids", err)
		}
		out[[2]int64{j, a}] = b
	}
	return out, db.dbError(ctx, "bids", rows.Err())
}

const roundColumns = `id, edition, kind, k, rubric, closes, seed`

func scanRound(s scanner) (*judging.Round, error) {
	var r judging.Round
	var rubric string
	var closes int64
	err := s.Scan(&r.ID, &r.Edition, &r.Kind, &r.K, &rubric, &closes, &r.Seed)
	if err == nil {
		if jerr := json.Unmarshal([]byte(rubric), &r.Rubric); jerr != nil {
			return nil, jerr
		}
	}
	r.Closes = tm(closes)
	return &r, err
}

func (db *Store) CreatePrizeRound(ctx context.Context, r *judging.Round) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO judging_rounds (edition, kind, k, rubric, closes, seed)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, r.Edition, r.Kind, r.K, jsonText(r.Rubric), us(r.Closes), r.Seed).Scan(&r.ID)
	return db.dbError(ctx, "round "+r.Kind, err)
}

func (db *Store) PrizeRound(ctx context.Context, id int64) (*judging.Round, error) {
	r, err := scanRound(db.reader(ctx).QueryRowContext(ctx, `SELECT `+roundColumns+` FROM judging_rounds WHERE id = $1`, id))
	return r, db.dbError(ctx, "round", notFound(err, "round %d not found", id))
}

func (db *Store) PrizeRounds(ctx context.Context, edition string) ([]*judging.Round, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+roundColumns+` FROM judging_rounds WHERE edition = $1 ORDER BY id`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "rounds", err)
	}
	defer rows.Close()
	var out []*judging.Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			return nil, db.dbError(ctx, "rounds", err)
		}
		out = append(out, r)
	}
	return out, db.dbError(ctx, "rounds", rows.Err())
}

func (db *Store) PutPrizeAssignment(ctx context.Context, round int64, pairs []judging.Pair) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		w := db.writer(ctx)
		if _, err := w.ExecContext(ctx, `DELETE FROM judging_assignments WHERE round_id = $1 AND pinned = 0 AND forbidden = 0`, round); err != nil {
			return db.dbError(ctx, "assignment", err)
		}
		if _, err := w.ExecContext(ctx, `UPDATE judging_assignments SET assigned = pinned WHERE round_id = $1`, round); err != nil {
			return db.dbError(ctx, "assignment", err)
		}
		for _, p := range pairs {
			if _, err := w.ExecContext(ctx, `INSERT INTO judging_assignments (round_id, judge_id, application_id, assigned)
				VALUES ($1, $2, $3, 1) ON CONFLICT (round_id, judge_id, application_id) DO UPDATE SET assigned = 1`,
				round, p.Judge, p.App); err != nil {
				return db.dbError(ctx, "assignment", err)
			}
		}
		return nil
	})
}

func (db *Store) PutPrizeLock(ctx context.Context, a judging.Assigned) error {
	if a.Pinned && a.Forbidden {
		return citylens.Ef(citylens.EINVALID, "judging.err.lock", "A pair cannot be both pinned and forbidden.")
	}
	assigned := a.Pinned || (a.Assigned && !a.Forbidden)
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_assignments (round_id, judge_id, application_id, assigned, pinned,
		forbidden) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (round_id, judge_id, application_id) DO UPDATE SET
		assigned = excluded.assigned, pinned = excluded.pinned, forbidden = excluded.forbidden`,
		a.Round, a.Judge, a.App, bint(assigned), bint(a.Pinned), bint(a.Forbidden))
	return db.dbError(ctx, "assignment lock", err)
}

func (db *Store) PrizeAssignment(ctx context.Context, round int64) ([]judging.Assigned, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT round_id, judge_id, application_id, assigned, pinned, forbidden
		FROM judging_assignments WHERE round_id = $1 ORDER BY application_id, judge_id`, round)
	if err != nil {
		return nil, db.dbError(ctx, "assignment", err)
	}
	defer rows.Close()
	var out []judging.Assigned
	for rows.Next() {
		var a judging.Assigned
		var as, pin, forb int64
		if err := rows.Scan(&a.Round, &a.Judge, &a.App, &as, &pin, &forb); err != nil {
			return nil, db.dbError(ctx, "assignment", err)
		}
		a.Assigned, a.Pinned, a.Forbidden = as != 0, pin != 0, forb != 0
		out = append(out, a)
	}
	return out, db.dbError(ctx, "assignment", rows.Err())
}

func (db *Store) PutPrizeScore(ctx context.Context, s judging.Scored) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_scores (round_id, judge_id, application_id, sheet, submitted, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (round_id, judge_id, application_id) DO UPDATE SET sheet = excluded.sheet,
		submitted = excluded.submitted, updated_at = excluded.updated_at`,
		s.Round, s.Judge, s.App, jsonText(s.Sheet), bint(s.Submitted), us(s.UpdatedAt))
	return db.dbError(ctx, "score", err)
}

func (db *Store) PrizeScores(ctx context.Context, round int64) ([]judging.Scored, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT round_id, judge_id, application_id, sheet, submitted, updated_at
		FROM judging_scores WHERE round_id = $1 ORDER BY application_id, judge_id`, round)
	if err != nil {
		return nil, db.dbError(ctx, "scores", err)
	}
	defer rows.Close()
	var out []judging.Scored
	for rows.Next() {
		var s judging.Scored
		var sheet string
		var sub, upd int64
		if err := rows.Scan(&s.Round, &s.Judge, &s.App, &sheet, &sub, &upd); err != nil {
			return nil, db.dbError(ctx, "scores", err)
		}
		if err := json.Unmarshal([]byte(sheet), &s.Sheet); err != nil {
			return nil, db.dbError(ctx, "scores", err)
		}
		s.Submitted, s.UpdatedAt = sub != 0, tm(upd)
		out = append(out, s)
	}
	return out, db.dbError(ctx, "scores", rows.Err())
}

func (db *Store) AddPrizeDecision(ctx context.Context, d *judging.Decision) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO judging_decisions (edition, application_id, kind, grade, track, note,
		decided_by, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		d.Edition, d.App, d.Kind, d.Grade, d.Track, d.Note, d.DecidedBy, us(d.DecidedAt)).Scan(&d.ID)
	return db.dbError(ctx, "decision", err)
}

func (db *Store) PrizeDecisions(ctx context.Context, edition string) ([]judging.Decision, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, edition, application_id, kind, grade, track, note, decided_by, decided_at
		FROM judging_decisions WHERE edition = $1 ORDER BY id`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "decisions", err)
	}
	defer rows.Close()
	var out []judging.Decision
	for rows.Next() {
		var d judging.Decision
		var at int64
		if err := rows.Scan(&d.ID, &d.Edition, &d.App, &d.Kind, &d.Grade, &d.Track, &d.Note, &d.DecidedBy, &at); err != nil {
			return nil, db.dbError(ctx, "decisions", err)
		}
		d.DecidedAt = tm(at)
		out = append(out, d)
	}
	return out, db.dbError(ctx, "decisions", rows.Err())
}

func (db *Store) AnnouncePrize(ctx context.Context, edition string, at time.Time, by string) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_announcements (edition, announced_at, announced_by)
		VALUES ($1, $2, $3)`, edition, us(at), by)
	return db.dbError(ctx, "announcement of "+edition, err)
}

func (db *Store) PrizeAnnounced(ctx context.Context, edition string) (time.Time, bool, error) {
	var at int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT announced_at FROM judging_announcements WHERE edition = $1`, edition).Scan(&at)
	if err == sql.ErrNoRows {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, db.dbError(ctx, "announcement", err)
	}
	return tm(at), true, nil
}

// The ceremony (migration 421).

func (db *Store) PutPrizeSlot(ctx context.Context, s *judging.Slot) error {
	if s.ID == 0 {
		err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO judging_slots (round_id, application_id, starts_at, minutes, room, link)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, s.Round, s.App, us(s.Starts), s.Minutes, s.Room, s.Link).Scan(&s.ID)
		return db.dbError(ctx, "slot", err)
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE judging_slots SET application_id = $3, starts_at = $4, minutes = $5, room = $6,
		link = $7 WHERE id = $1 AND round_id = $2`, s.ID, s.Round, s.App, us(s.Starts), s.Minutes, s.Room, s.Link)
	if err != nil {
		return db.dbError(ctx, "slot", err)
	}
	return db.rowsAffected(ctx, res, "slot %d not found", s.ID)
}

func (db *Store) DeletePrizeSlot(ctx context.Context, round, id int64) error {
	res, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM judging_slots WHERE id = $1 AND round_id = $2`, id, round)
	if err != nil {
		return db.dbError(ctx, "slot", err)
	}
	return db.rowsAffected(ctx, res, "slot %d not found", id)
}

func (db *Store) PrizeSlots(ctx context.Context, round int64) ([]judging.Slot, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, round_id, application_id, starts_at, minutes, room, link
		FROM judging_slots WHERE round_id = $1 ORDER BY starts_at, id`, round)
	if err != nil {
		return nil, db.dbError(ctx, "slots", err)
	}
	defer rows.Close()
	var out []judging.Slot
	for rows.Next() {
		var s judging.Slot
		var at int64
		if err := rows.Scan(&s.ID, &s.Round, &s.App, &at, &s.Minutes, &s.Room, &s.Link); err != nil {
			return nil, db.dbError(ctx, "slots", err)
		}
		s.Starts = tm(at)
		out = append(out, s)
	}
	return out, db.dbError(ctx, "slots", rows.Err())
}

func (db *Store) PutPrizeInvitation(ctx context.Context, in judging.Invitation) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_invitations (application_id, edition, lang, status, attendees,
		travel, sent_at, responded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (application_id) DO UPDATE SET lang = excluded.lang, status = excluded.status, attendees = excluded.attendees,
		travel = excluded.travel, sent_at = excluded.sent_at, responded_at = excluded.responded_at`,
		in.App, in.Edition, in.Lang, in.Status, jsonText(nonNil(in.Attendees)), in.Travel, us(in.SentAt), us(in.RespondedAt))
	return db.dbError(ctx, "invitation", err)
}

func (db *Store) PrizeInvitations(ctx context.Context, edition string) ([]judging.Invitation, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT application_id, edition, lang, status, attendees, travel, sent_at, responded_at
		FROM judging_invitations WHERE edition = $1 ORDER BY application_id`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "invitations", err)
	}
	defer rows.Close()
	var out []judging.Invitation
	for rows.Next() {
		var in judging.Invitation
		var att string
		var sent, resp int64
		if err := rows.Scan(&in.App, &in.Edition, &in.Lang, &in.Status, &att, &in.Travel, &sent, &resp); err != nil {
			return nil, db.dbError(ctx, "invitations", err)
		}
		in.Attendees, in.SentAt, in.RespondedAt = strList(att), tm(sent), tm(resp)
		out = append(out, in)
	}
	return out, db.dbError(ctx, "invitations", rows.Err())
}

func (db *Store) PutPrizeProgramme(ctx context.Context, edition string, items []judging.ProgrammeItem) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM judging_programme WHERE edition = $1`, edition); err != nil {
			return db.dbError(ctx, "programme", err)
		}
		for i, it := range items {
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO judging_programme (edition, position, starts_at, minutes, title,
				title_ko, place) VALUES ($1, $2, $3, $4, $5, $6, $7)`, edition, i+1, us(it.Starts), it.Minutes, it.Title, it.TitleKO,
				it.Place); err != nil {
				return db.dbError(ctx, "programme", err)
			}
		}
		return nil
	})
}

func (db *Store) PrizeProgramme(ctx context.Context, edition string) ([]judging.ProgrammeItem, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT edition, position, starts_at, minutes, title, title_ko, place
		FROM judging_programme WHERE edition = $1 ORDER BY position`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "programme", err)
	}
	defer rows.Close()
	var out []judging.ProgrammeItem
	for rows.Next() {
		var it judging.ProgrammeItem
		var at int64
		if err := rows.Scan(&it.Edition, &it.Position, &at, &it.Minutes, &it.Title, &it.TitleKO, &it.Place); err != nil {
			return nil, db.dbError(ctx, "programme", err)
		}
		it.Starts = tm(at)
		out = append(out, it)
	}
	return out, db.dbError(ctx, "programme", rows.Err())
}

var _ judging.Store = (*Store)(nil)
