package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/mail"
)

// ServerSecret is the shared secret called name, made (32 random bytes,
// hex) by the first replica that asks.
func (db *Store) ServerSecret(ctx context.Context, name string) (string, error) {
	var b [32]byte
	rand.Read(b[:])
	if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`,
		name, hex.EncodeToString(b[:]), us(time.Now())); err != nil {
		return "", db.dbError(ctx, "server secret", err)
	}
	var v string
	err := db.writer(ctx).QueryRowContext(ctx, `SELECT value FROM server_secrets WHERE name = $1`, name).Scan(&v)
	return v, db.dbError(ctx, "server secret", err)
}

func (db *Store) ThrottleHit(ctx context.Context, key string, now, windowStart time.Time) (accounts.Throttle, error) {
	t := accounts.Throttle{Key: key}
	var start, blocked int64
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO auth_throttle (key, count, window_start, blocked_until) VALUES ($1, 1, $2, 0)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN auth_throttle.window_start < $3 THEN 1 ELSE auth_throttle.count + 1 END,
			window_start = CASE WHEN auth_throttle.window_start < $3 THEN $2 ELSE auth_throttle.window_start END
		RETURNING count, window_start, blocked_until`, key, us(now), us(windowStart)).Scan(&t.Count, &start, &blocked)
	t.WindowStart, t.BlockedUntil = tm(start), tm(blocked)
	return t, db.dbError(ctx, "throttle", err)
}

func (db *Store) ThrottleBlock(ctx context.Context, key string, until time.Time) error {
	_, err := db.writer(ctx).ExecContext(ctx, `UPDATE auth_throttle SET blocked_until = $2 WHERE key = $1 AND blocked_until < $2`, key, us(until))
	return db.dbError(ctx, "throttle", err)
}

func (db *Store) Throttles(ctx context.Context, keys []string) ([]accounts.Throttle, error) {
	var out []accounts.Throttle
	for _, k := range keys {
		t := accounts.Throttle{Key: k}
		var start, blocked int64
		err := db.reader(ctx).QueryRowContext(ctx, `SELECT count, window_start, blocked_until FROM auth_throttle WHERE key = $1`, k).Scan(&t.Count, &start, &blocked)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, db.dbError(ctx, "throttle", err)
		}
		t.WindowStart, t.BlockedUntil = tm(start), tm(blocked)
		out = append(out, t)
	}
	return out, nil
}

func (db *Store) ThrottleClear(ctx context.Context, keys ...string) error {
	for _, k := range keys {
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM auth_throttle WHERE key = $1`, k); err != nil {
			return db.dbError(ctx, "throttle", err)
		}
	}
	return nil
}

func (db *Store) DeleteStaleThrottles(ctx context.Context, before, now time.Time) (int64, error) {
	res, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM auth_throttle WHERE window_start < $1 AND blocked_until < $2`, us(before), us(now))
	if err != nil {
		return 0, db.dbError(ctx, "throttle", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// RevokeUserAPITokens revokes every live API token of a user and says how many.
func (db *Store) RevokeUserAPITokens(ctx context.Context, userID int64, at time.Time) (int64, error) {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at = 0`, userID, us(at))
	if err != nil {
		return 0, db.dbError(ctx, "revoke tokens", err)
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// OutboxMessage is one message of the outbox.
func (db *Store) OutboxMessage(ctx context.Context, id int64) (mail.Message, error) {
	var m mail.Message
	var c int64
	var h string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT id, to_addr, subject, body, created_at, headers FROM mail_outbox WHERE id = $1`, id).
		Scan(&m.ID, &m.To, &m.Subject, &m.Body, &c, &h)
	m.CreatedAt, m.Headers = tm(c), splitHeaders(h)
	return m, db.dbError(ctx, "outbox", notFound(err, "outbox message %d not found", id))
}

func (db *Store) PutUploadReport(ctx context.Context, r datacall.UploadReport) error {
	if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM upload_reports WHERE expires_at < $1`, us(r.CreatedAt)); err != nil {
		return db.dbError(ctx, "upload report", err)
	}
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO upload_reports (token_hash, user_id, file_name, problems, body, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.TokenHash, r.UserID, r.FileName, r.Problems, r.Body, us(r.CreatedAt), us(r.ExpiresAt))
	return db.dbError(ctx, "upload report", err)
}

func (db *Store) UploadReport(ctx context.Context, tokenHash string, userID int64, now time.Time) (datacall.UploadReport, error) {
	r := datacall.UploadReport{TokenHash: tokenHash}
	var c, e int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT user_id, file_name, problems, body, created_at, expires_at FROM upload_reports
		WHERE token_hash = $1 AND user_id = $2 AND expires_at > $3`, tokenHash, userID, us(now)).Scan(&r.UserID, &r.FileName, &r.Problems, &r.Body, &c, &e)
	r.CreatedAt, r.ExpiresAt = tm(c), tm(e)
	return r, db.dbError(ctx, "upload report", notFound(err, "upload report not found"))
}

// MarkDemoSeeded records that demo seeding created something (a user, an
// edition), in the transaction of ctx if any.
func (db *Store) MarkDemoSeeded(ctx context.Context, kind, code string, at time.Time) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO demo_seeded (kind, code, created_at) VALUES ($1, $2, $3) ON CONFLICT (kind, code) DO NOTHING`,
		kind, code, us(at))
	return db.dbError(ctx, "demo mark", err)
}

// DemoSeeded lists the codes of what demo seeding created of a kind.
func (db *Store) DemoSeeded(ctx context.Context, kind string) ([]string, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT code FROM demo_seeded WHERE kind = $1 ORDER BY code`, kind)
	if err != nil {
		return nil, db.dbError(ctx, "demo marks", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, db.dbError(ctx, "demo marks", err)
		}
		out = append(out, c)
	}
	return out, db.dbError(ctx, "demo marks", rows.Err())
}

// TryDemoLock takes the demo seeding lock (a row every replica sees) unless
// another holder took it after staleBefore; it reports whether it did.
func (db *Store) TryDemoLock(ctx context.Context, now, staleBefore time.Time) (bool, error) {
	if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM demo_seeded WHERE kind = 'lock' AND code = 'seed' AND created_at < $1`, us(staleBefore)); err != nil {
		return false, db.dbError(ctx, "demo lock", err)
	}
	res, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO demo_seeded (kind, code, created_at) VALUES ('lock', 'seed', $1) ON CONFLICT (kind, code) DO NOTHING`, us(now))
	if err != nil {
		return false, db.dbError(ctx, "demo lock", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DemoUnlock releases the demo seeding lock.
func (db *Store) DemoUnlock(ctx context.Context) error {
	_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM demo_seeded WHERE kind = 'lock' AND code = 'seed'`)
	return db.dbError(ctx, "demo lock", err)
}
