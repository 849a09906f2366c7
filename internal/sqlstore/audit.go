package sqlstore

import (
	"context"

	"github.com/citylens/citylens/internal/auditlog"
)

func (db *Store) AppendAudit(ctx context.Context, e auditlog.Entry) (auditlog.Entry, error) {
	before, after := string(e.Before), string(e.After)
	if before == "" {
		before = "null"
	}
	if after == "" {
		after = "null"
	}
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_email, action, entity_type, entity_id,
		before_json, after_json, remote_addr) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		us(e.At), e.ActorID, e.ActorEmail, e.Action, e.EntityType, e.EntityID, before, after, e.RemoteAddr).Scan(&e.ID)
	return e, db.dbError(ctx, "append audit", err)
}

func (db *Store) ListAudit(ctx context.Context, f auditlog.Filter) ([]auditlog.Entry, error) {
	q := `SELECT id, at, actor_id, actor_email, action, entity_type, entity_id, before_json, after_json, remote_addr FROM audit_log WHERE 1=1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + itoa(len(args))
	}
	if f.ActorEmail != "" {
		q += ` AND actor_email = ` + arg(f.ActorEmail)
	}
	if f.Action != "" {
		q += ` AND action = ` + arg(f.Action)
	}
	if f.EntityType != "" {
		q += ` AND entity_type = ` + arg(f.EntityType)
	}
	if f.EntityID != "" {
		q += ` AND entity_id = ` + arg(f.EntityID)
	}
	if !f.Since.IsZero() {
		q += ` AND at >= ` + arg(us(f.Since))
	}
	if !f.Until.IsZero() {
		q += ` AND at < ` + arg(us(f.Until))
	}
	if f.BeforeID > 0 {
		q += ` AND id < ` + arg(f.BeforeID)
	}
	q += ` ORDER BY id DESC LIMIT ` + arg(auditlog.ClampLimit(f.Limit))
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.dbError(ctx, "list audit", err)
	}
	defer rows.Close()
	var out []auditlog.Entry
	for rows.Next() {
		var e auditlog.Entry
		var at int64
		var before, after string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorEmail, &e.Action, &e.EntityType, &e.EntityID, &before, &after, &e.RemoteAddr); err != nil {
			return nil, db.dbError(ctx, "list audit", err)
		}
		e.At, e.Before, e.After = tm(at), []byte(before), []byte(after)
		out = append(out, e)
	}
	return out, db.dbError(ctx, "list audit", rows.Err())
}
