package sqlstore

import (
	"context"

	"github.com/citylens/citylens/internal/mail"
)

func (db *Store) PutOutboxMessage(ctx context.Context, m mail.Message) (mail.Message, error) {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO mail_outbox (to_addr, subject, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		m.To, m.Subject, m.Body, us(m.CreatedAt)).Scan(&m.ID)
	return m, db.dbError(ctx, "outbox", err)
}

func (db *Store) ListOutbox(ctx context.Context, limit int) ([]mail.Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, to_addr, subject, body, created_at FROM mail_outbox ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, db.dbError(ctx, "list outbox", err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var m mail.Message
		var c int64
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &c); err != nil {
			return nil, db.dbError(ctx, "list outbox", err)
		}
		m.CreatedAt = tm(c)
		out = append(out, m)
	}
	return out, db.dbError(ctx, "list outbox", rows.Err())
}
