package sqlstore

import (
	"context"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
)

func itoa(n int) string { return strconv.Itoa(n) }

const userColumns = `id, email, name, role, COALESCE(region_code, ''), COALESCE(city_code, ''), status, password_hash, created_at`

func scanUser(s scanner) (accounts.User, error) {
	var u accounts.User
	var created int64
	err := s.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.RegionCode, &u.CityCode, &u.Status, &u.PasswordHash, &created)
	u.CreatedAt = tm(created)
	return u, err
}

func (db *Store) CreateUser(ctx context.Context, u accounts.User) (accounts.User, error) {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO users (email, name, role, region_code, city_code, status, password_hash, created_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), $6, $7, $8) RETURNING id`,
		u.Email, u.Name, string(u.Role), u.RegionCode, u.CityCode, u.Status, u.PasswordHash, us(u.CreatedAt)).Scan(&u.ID)
	if err != nil {
		err = db.dbError(ctx, "user "+u.Email, err)
		if citylens.ErrorCode(err) == citylens.ECONFLICT {
			return u, citylens.Errorf(citylens.ECONFLICT, "email: a user with e-mail %s already exists", u.Email)
		}
		return u, err
	}
	return u, nil
}

func (db *Store) User(ctx context.Context, id int64) (accounts.User, error) {
	u, err := scanUser(db.reader(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	return u, db.dbError(ctx, "user", notFound(err, "user %d not found", id))
}

func (db *Store) UserByEmail(ctx context.Context, email string) (accounts.User, error) {
	u, err := scanUser(db.reader(ctx).QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
	return u, db.dbError(ctx, "user", notFound(err, "user %s not found", email))
}

func (db *Store) ListUsers(ctx context.Context) ([]accounts.User, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, db.dbError(ctx, "list users", err)
	}
	defer rows.Close()
	var out []accounts.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.dbError(ctx, "list users", err)
		}
		out = append(out, u)
	}
	return out, db.dbError(ctx, "list users", rows.Err())
}

func (db *Store) UpdateUser(ctx context.Context, u accounts.User) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE users SET email = $2, name = $3, role = $4, region_code = NULLIF($5, ''),
		city_code = NULLIF($6, ''), status = $7, password_hash = $8 WHERE id = $1`,
		u.ID, u.Email, u.Name, string(u.Role), u.RegionCode, u.CityCode, u.Status, u.PasswordHash)
	return db.affectedOne(ctx, res, err, "user", u.Email)
}

// affectedOne turns "no row changed" into ENOTFOUND.
func (db *Store) affectedOne(ctx context.Context, res interface{ RowsAffected() (int64, error) }, err error, kind, id string) error {
	if err != nil {
		return db.dbError(ctx, kind+" "+id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return db.dbError(ctx, kind+" "+id, err)
	}
	if n == 0 {
		return citylens.Errorf(citylens.ENOTFOUND, "%s %s not found", kind, id)
	}
	return nil
}

func (db *Store) CreateSession(ctx context.Context, s accounts.Session) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, remote_addr)
		VALUES ($1, $2, $3, $4, $5, $6)`, s.TokenHash, s.UserID, s.CSRFToken, us(s.CreatedAt), us(s.ExpiresAt), s.RemoteAddr)
	return db.dbError(ctx, "session", err)
}

func (db *Store) Session(ctx context.Context, tokenHash string) (accounts.Session, error) {
	var s accounts.Session
	var created, expires int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT token_hash, user_id, csrf_token, created_at, expires_at, remote_addr
		FROM sessions WHERE token_hash = $1`, tokenHash).Scan(&s.TokenHash, &s.UserID, &s.CSRFToken, &created, &expires, &s.RemoteAddr)
	s.CreatedAt, s.ExpiresAt = tm(created), tm(expires)
	return s, db.dbError(ctx, "session", notFound(err, "session not found"))
}

func (db *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return db.dbError(ctx, "delete session", err)
}

func (db *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	return db.dbError(ctx, "delete sessions", err)
}

func (db *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	res, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, us(now))
	if err != nil {
		return 0, db.dbError(ctx, "delete expired sessions", err)
	}
	n, err := res.RowsAffected()
	return n, db.dbError(ctx, "delete expired sessions", err)
}

const tokenColumns = `id, user_id, name, scope, prefix, token_hash, created_at, expires_at, last_used_at, revoked_at`

func scanToken(s scanner) (accounts.APIToken, error) {
	var t accounts.APIToken
	var c, e, l, r int64
	err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &t.Prefix, &t.TokenHash, &c, &e, &l, &r)
	t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt = tm(c), tm(e), tm(l), tm(r)
	return t, err
}

func (db *Store) CreateAPIToken(ctx context.Context, t accounts.APIToken) (accounts.APIToken, error) {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, scope, prefix, token_hash, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.UserID, t.Name, t.Scope, t.Prefix, t.TokenHash, us(t.CreatedAt), us(t.ExpiresAt)).Scan(&t.ID)
	return t, db.dbError(ctx, "api token", err)
}

func (db *Store) APITokenByHash(ctx context.Context, tokenHash string) (accounts.APIToken, error) {
	t, err := scanToken(db.reader(ctx).QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, tokenHash))
	return t, db.dbError(ctx, "api token", notFound(err, "API token not found"))
}

func (db *Store) ListAPITokens(ctx context.Context, userID int64) ([]accounts.APIToken, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, db.dbError(ctx, "list api tokens", err)
	}
	defer rows.Close()
	var out []accounts.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, db.dbError(ctx, "list api tokens", err)
		}
		out = append(out, t)
	}
	return out, db.dbError(ctx, "list api tokens", rows.Err())
}

func (db *Store) RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at = 0`,
		id, userID, us(at))
	return db.affectedOne(ctx, res, err, "API token", itoa(int(id)))
}

func (db *Store) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	_, err := db.writer(ctx).ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $2 WHERE id = $1`, id, us(at))
	return db.dbError(ctx, "touch api token", err)
}

func (db *Store) CreateOneTimeToken(ctx context.Context, t accounts.OneTimeToken) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO one_time_tokens (token_hash, purpose, user_id, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5)`, t.TokenHash, t.Purpose, t.UserID, us(t.CreatedAt), us(t.ExpiresAt))
	return db.dbError(ctx, "one-time token", err)
}

func (db *Store) OneTimeToken(ctx context.Context, tokenHash, purpose string, now time.Time) (accounts.OneTimeToken, error) {
	t := accounts.OneTimeToken{TokenHash: tokenHash, Purpose: purpose}
	var c, e int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT user_id, created_at, expires_at FROM one_time_tokens
		WHERE token_hash = $1 AND purpose = $2 AND used_at = 0 AND expires_at > $3`, tokenHash, purpose, us(now)).Scan(&t.UserID, &c, &e)
	t.CreatedAt, t.ExpiresAt = tm(c), tm(e)
	return t, db.dbError(ctx, "one-time token", notFound(err, "link not found"))
}

func (db *Store) ConsumeOneTimeToken(ctx context.Context, tokenHash, purpose string, now time.Time) (accounts.OneTimeToken, error) {
	t := accounts.OneTimeToken{TokenHash: tokenHash, Purpose: purpose, UsedAt: now}
	var c, e int64
	err := db.writer(ctx).QueryRowContext(ctx, `UPDATE one_time_tokens SET used_at = $3
		WHERE token_hash = $1 AND purpose = $2 AND used_at = 0 AND expires_at > $3 RETURNING user_id, created_at, expires_at`,
		tokenHash, purpose, us(now)).Scan(&t.UserID, &c, &e)
	t.CreatedAt, t.ExpiresAt = tm(c), tm(e)
	return t, db.dbError(ctx, "one-time token", notFound(err, "link not found"))
}
