package sqlstore

import (
	"context"
	"strings"

	"github.com/citylens/citylens/internal/mail"
)

func (db *Store) PutOutboxMessage(ctx context.Context, m mail.Message) (mail.Message, error) {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO mail_outbox (to_addr, subject, body, created_at, headers) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.To, m.Subject, m.Body, us(m.CreatedAt), strings.Join(m.Headers, "\n")).Scan(&m.ID)
	return m, db.dbError(ctx, "outbox", err)
}

// PutOutboxMessages writes messages, 200 a statement.
func (db *Store) PutOutboxMessages(ctx context.Context, ms []mail.Message) error {
	const cols = 5
	for i := 0; i < len(ms); i += 200 {
		part := ms[i:min(i+200, len(ms))]
		var q strings.Builder
		q.WriteString(`INSERT INTO mail_outbox (to_addr, subject, body, created_at, headers) VALUES `)
		args := make([]any, 0, len(part)*cols)
		for j, m := range part {
			if j > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + notifyPlaceholders(j*cols+1, cols) + ")")
			args = append(args, m.To, m.Subject, m.Body, us(m.CreatedAt), strings.Join(m.Headers, "\n"))
		}
		if _, err := db.writer(ctx).ExecContext(ctx, q.String(), args...); err != nil {
			return db.dbError(ctx, "outbox", err)
		}
	}
	return nil
}

func (db *Store) ListOutbox(ctx context.Context, limit int) ([]mail.Message, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, to_addr, subject, body, created_at, headers FROM mail_outbox ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, db.dbError(ctx, "list outbox", err)
	}
	defer rows.Close()
	var out []mail.Message
	for rows.Next() {
		var m mail.Message
		var c int64
		var h string
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &c, &h); err != nil {
			return nil, db.dbError(ctx, "list outbox", err)
		}
		m.CreatedAt, m.Headers = tm(c), splitHeaders(h)
		out = append(out, m)
	}
	return out, db.dbError(ctx, "list outbox", rows.Err())
}

// splitHeaders reads the outbox's headers column (one header a line).
func splitHeaders(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}
