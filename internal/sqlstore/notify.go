package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/notify"
)

// notifyPlaceholders returns "$from, $from+1, ..." for n values.
func notifyPlaceholders(from, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}

// notifyInChunk is how many ids one IN list holds.
const notifyInChunk = 500

func (db *Store) InsertNotices(ctx context.Context, ns []notify.Notice) ([]notify.Notice, error) {
	var out []notify.Notice
	const cols = 8
	for i := 0; i < len(ns); i += 250 {
		part := ns[i:min(i+250, len(ns))]
		var q strings.Builder
		q.WriteString(`INSERT INTO notify_notices (user_id, kind, dedupe_key, msg_key, args_json, url, created_at, mail_state) VALUES `)
		args := make([]any, 0, len(part)*cols)
		byKey := make(map[string]notify.Notice, len(part))
		for j, n := range part {
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + notifyPlaceholders(j*cols+1, cols) + ")")
			args = append(args, n.UserID, n.Kind, n.Key, n.Msg, notify.ArgsJSON(n.Args), n.URL, us(n.CreatedAt), n.MailState)
			byKey[noticeKey(n.UserID, n.Kind, n.Key)] = n
		}
		q.WriteString(` ON CONFLICT (user_id, kind, dedupe_key) DO NOTHING RETURNING id, user_id, kind, dedupe_key`)
		rows, err := db.writer(ctx).QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, db.dbError(ctx, "notices", err)
		}
		for rows.Next() {
			var id, user int64
			var kind, key string
			if err := rows.Scan(&id, &user, &kind, &key); err != nil {
				rows.Close()
				return nil, db.dbError(ctx, "notices", err)
			}
			n := byKey[noticeKey(user, kind, key)]
			n.ID = id
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.dbError(ctx, "notices", err)
		}
	}
	return out, nil
}

func noticeKey(user int64, kind, key string) string {
	return strconv.FormatInt(user, 10) + "\x00" + kind + "\x00" + key
}

// notifyInIDs runs query (whose last clause is "IN (%s)") over ids in chunks.
func (db *Store) notifyInIDs(ctx context.Context, what, query string, ids []int64, scan func(*sql.Rows) error) error {
	for i := 0; i < len(ids); i += notifyInChunk {
		part := ids[i:min(i+notifyInChunk, len(ids))]
		args := make([]any, len(part))
		for j, id := range part {
			args[j] = id
		}
		rows, err := db.reader(ctx).QueryContext(ctx, strings.Replace(query, "%s", notifyPlaceholders(1, len(part)), 1), args...)
		if err != nil {
			return db.dbError(ctx, what, err)
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return db.dbError(ctx, what, err)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return db.dbError(ctx, what, err)
		}
	}
	return nil
}

func (db *Store) NoticeModes(ctx context.Context, users []int64) (map[int64]map[string]notify.Mode, error) {
	out := map[int64]map[string]notify.Mode{}
	err := db.notifyInIDs(ctx, "notice preferences", `SELECT user_id, kind, mode FROM notify_prefs WHERE user_id IN (%s)`, users, func(r *sql.Rows) error {
		var u int64
		var k, m string
		if err := r.Scan(&u, &k, &m); err != nil {
			return err
		}
		if out[u] == nil {
			out[u] = map[string]notify.Mode{}
		}
		out[u][k] = notify.Mode(m)
		return nil
	})
	return out, err
}

func (db *Store) SetNoticeMode(ctx context.Context, user int64, kind string, m notify.Mode) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO notify_prefs (user_id, kind, mode) VALUES ($1, $2, $3)
		ON CONFLICT (user_id, kind) DO UPDATE SET mode = excluded.mode`, user, kind, string(m))
	return db.dbError(ctx, "notice preference", err)
}

func (db *Store) SetNoticeLang(ctx context.Context, user int64, lang i18n.Lang) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO notify_people (user_id, lang) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET lang = excluded.lang`, user, string(lang))
	return db.dbError(ctx, "notice language", err)
}

func (db *Store) Recipients(ctx context.Context, users []int64) (map[int64]notify.Recipient, error) {
	out := map[int64]notify.Recipient{}
	err := db.notifyInIDs(ctx, "recipients", `SELECT u.id, u.email, u.name, u.status, COALESCE(p.lang, '') FROM users u
		LEFT JOIN notify_people p ON p.user_id = u.id WHERE u.id IN (%s)`, users, func(r *sql.Rows) error {
		var p notify.Recipient
		var status, lang string
		if err := r.Scan(&p.UserID, &p.Email, &p.Name, &status, &lang); err != nil {
			return err
		}
		p.Active = status == "active"
		p.Lang = i18n.English
		if l, ok := i18n.Parse(lang); ok {
			p.Lang = l
		}
		out[p.UserID] = p
		return nil
	})
	return out, err
}

const noticeColumns = `id, user_id, kind, dedupe_key, msg_key, args_json, url, created_at, read_at, mail_state`

func scanNotice(r interface{ Scan(...any) error }) (notify.Notice, error) {
	var n notify.Notice
	var args string
	var c, rd int64
	err := r.Scan(&n.ID, &n.UserID, &n.Kind, &n.Key, &n.Msg, &args, &n.URL, &c, &rd, &n.MailState)
	n.Args, n.CreatedAt = notify.ParseArgs(args), tm(c)
	if rd != 0 {
		n.ReadAt = tm(rd)
	}
	return n, err
}

func (db *Store) queryNotices(ctx context.Context, q Querier, what, query string, args ...any) ([]notify.Notice, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, db.dbError(ctx, what, err)
	}
	defer rows.Close()
	var out []notify.Notice
	for rows.Next() {
		n, err := scanNotice(rows)
		if err != nil {
			return nil, db.dbError(ctx, what, err)
		}
		out = append(out, n)
	}
	return out, db.dbError(ctx, what, rows.Err())
}

func (db *Store) TakeDigest(ctx context.Context, until, now time.Time) ([]notify.Notice, error) {
	return db.queryNotices(ctx, db.writer(ctx), "digest", `UPDATE notify_notices SET mail_state = 'digested', mailed_at = $1
		WHERE mail_state = 'pending' AND created_at <= $2 RETURNING `+noticeColumns, us(now), us(until))
}

func (db *Store) Notices(ctx context.Context, user, before int64, limit int) ([]notify.Notice, error) {
	if before <= 0 {
		before = 1 << 62
	}
	return db.queryNotices(ctx, db.reader(ctx), "notices", `SELECT `+noticeColumns+` FROM notify_notices
		WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, user, before, limit)
}

func (db *Store) UnreadNotices(ctx context.Context, user int64) (int, error) {
	var n int
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM notify_notices WHERE user_id = $1 AND read_at = 0`, user).Scan(&n)
	return n, db.dbError(ctx, "unread notices", err)
}

func (db *Store) MarkNoticesRead(ctx context.Context, user int64, ids []int64, all bool, now time.Time) (int, error) {
	q := `UPDATE notify_notices SET read_at = $1 WHERE user_id = $2 AND read_at = 0`
	args := []any{us(now), user}
	if !all {
		if len(ids) == 0 {
			return 0, nil
		}
		q += ` AND id IN (` + notifyPlaceholders(3, len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	res, err := db.writer(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return 0, db.dbError(ctx, "mark read", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

func (db *Store) ClaimRun(ctx context.Context, job, slot, owner string, now time.Time) (bool, error) {
	res, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO notify_runs (job, slot, owner, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (job, slot) DO NOTHING`, job, slot, owner, us(now))
	if err != nil {
		return false, db.dbError(ctx, "claim run", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (db *Store) ClosingCalls(ctx context.Context, now, until time.Time) ([]notify.ClosingCall, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT e.code, e.name, e.closes_at, c.code, c.name, u.id
		FROM editions e
		CROSS JOIN cities c
		JOIN users u ON u.city_code = c.code
		WHERE e.status = 'open' AND e.closes_at > $1 AND e.closes_at <= $2
		  AND u.role = 'focal_point' AND u.status = 'active'
		  AND NOT EXISTS (SELECT 1 FROM datacall_submissions s WHERE s.edition = e.code AND s.city = c.code AND s.state IN ('submitted', 'accepted'))
		ORDER BY e.code, c.code, u.id`, us(now), us(until))
	if err != nil {
		return nil, db.dbError(ctx, "closing calls", err)
	}
	defer rows.Close()
	var out []notify.ClosingCall
	for rows.Next() {
		var r notify.ClosingCall
		var closes int64
		if err := rows.Scan(&r.Edition, &r.EditionName, &closes, &r.City, &r.CityName, &r.UserID); err != nil {
			return nil, db.dbError(ctx, "closing calls", err)
		}
		r.Closes = tm(closes)
		out = append(out, r)
	}
	return out, db.dbError(ctx, "closing calls", rows.Err())
}

func (db *Store) ReviewsWaiting(ctx context.Context) ([]notify.ReviewWaiting, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT s.edition, s.city, c.name, s.updated_at, u.id
		FROM datacall_submissions s
		JOIN cities c ON c.code = s.city
		JOIN users u ON u.status = 'active' AND (u.role = 'admin' OR (u.role = 'regional_officer' AND u.region_code = c.region_code))
		WHERE s.state = 'submitted'
		ORDER BY s.edition, s.city, u.id`)
	if err != nil {
		return nil, db.dbError(ctx, "reviews waiting", err)
	}
	defer rows.Close()
	var out []notify.ReviewWaiting
	for rows.Next() {
		var r notify.ReviewWaiting
		var at int64
		if err := rows.Scan(&r.Edition, &r.City, &r.CityName, &at, &r.UserID); err != nil {
			return nil, db.dbError(ctx, "reviews waiting", err)
		}
		r.Submitted = tm(at)
		out = append(out, r)
	}
	return out, db.dbError(ctx, "reviews waiting", rows.Err())
}

func (db *Store) EndorsementsWaiting(ctx context.Context, now time.Time) ([]notify.EndorsementWaiting, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT e.id, a.title, u.id
		FROM prize_endorsements e
		JOIN prize_applications a ON a.id = e.application_id
		JOIN users u ON u.role = 'focal_point' AND u.status = 'active' AND u.city_code = e.city_code
		WHERE e.status = 'requested' AND e.city_code <> '' AND (e.expires_at = 0 OR e.expires_at > $1)
		ORDER BY e.id, u.id`, us(now))
	if err != nil {
		return nil, db.dbError(ctx, "endorsements waiting", err)
	}
	defer rows.Close()
	var out []notify.EndorsementWaiting
	for rows.Next() {
		var r notify.EndorsementWaiting
		if err := rows.Scan(&r.ID, &r.Title, &r.UserID); err != nil {
			return nil, db.dbError(ctx, "endorsements waiting", err)
		}
		out = append(out, r)
	}
	return out, db.dbError(ctx, "endorsements waiting", rows.Err())
}

func (db *Store) CityFacts(ctx context.Context, city string) (notify.CityFacts, error) {
	f := notify.CityFacts{City: city}
	q := db.reader(ctx)
	err := q.QueryRowContext(ctx, `SELECT name FROM cities WHERE code = $1`, city).Scan(&f.CityName)
	if err == sql.ErrNoRows {
		return f, citylens.Errorf(citylens.ENOTFOUND, "city %q not found", city)
	}
	if err != nil {
		return f, db.dbError(ctx, "city home", err)
	}
	var closes int64
	err = q.QueryRowContext(ctx, `SELECT code, name, status, closes_at FROM editions WHERE status <> 'draft'
		ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, reference_year DESC, code DESC LIMIT 1`).
		Scan(&f.Edition, &f.EditionName, &f.EditionStatus, &closes)
	if err != nil && err != sql.ErrNoRows {
		return f, db.dbError(ctx, "city home", err)
	}
	if f.Edition != "" {
		f.Closes = tm(closes)
		if err := q.QueryRowContext(ctx, `SELECT state FROM datacall_submissions WHERE edition = $1 AND city = $2`, f.Edition, city).
			Scan(&f.State); err != nil && err != sql.ErrNoRows {
			return f, db.dbError(ctx, "city home", err)
		}
		if err := q.QueryRowContext(ctx, `SELECT n_values, n_optional FROM datacall_city_counts WHERE edition = $1 AND city = $2`, f.Edition, city).
			Scan(&f.Values, &f.Optional); err != nil && err != sql.ErrNoRows {
			return f, db.dbError(ctx, "city home", err)
		}
		if f.State == "returned" {
			if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM datacall_values WHERE edition = $1 AND city = $2 AND review_comment <> ''`,
				f.Edition, city).Scan(&f.Returned); err != nil {
				return f, db.dbError(ctx, "city home", err)
			}
		}
	}
	err = q.QueryRowContext(ctx, `SELECT r.edition, r.hash, r.title FROM releases r JOIN editions e ON e.code = r.edition
		WHERE r.state = 'published' ORDER BY e.reference_year DESC, r.published_at DESC, r.id DESC LIMIT 1`).
		Scan(&f.ReleaseEdition, &f.ReleaseHash, &f.ReleaseTitle)
	if err != nil && err != sql.ErrNoRows {
		return f, db.dbError(ctx, "city home", err)
	}
	err = q.QueryRowContext(ctx, `SELECT s.edition, (SELECT COUNT(*) FROM survey_responses r WHERE r.edition = s.edition AND r.city = $1 AND r.excluded = 0)
		FROM surveys s
		WHERE EXISTS (SELECT 1 FROM survey_invites i WHERE i.edition = s.edition AND i.city = $1)
		   OR EXISTS (SELECT 1 FROM survey_responses r WHERE r.edition = s.edition AND r.city = $1)
		ORDER BY s.opens_at DESC LIMIT 1`, city).Scan(&f.SurveyEdition, &f.Responses)
	if err != nil && err != sql.ErrNoRows {
		return f, db.dbError(ctx, "city home", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, edition, title, state FROM prize_applications
		WHERE city_code = $1 AND state <> 'draft' ORDER BY id DESC LIMIT 20`, city)
	if err != nil {
		return f, db.dbError(ctx, "city home", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a notify.HomeApplication
		if err := rows.Scan(&a.ID, &a.Edition, &a.Title, &a.State); err != nil {
			return f, db.dbError(ctx, "city home", err)
		}
		f.Applications = append(f.Applications, a)
	}
	return f, db.dbError(ctx, "city home", rows.Err())
}
