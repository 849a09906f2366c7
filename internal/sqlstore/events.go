package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/events"
)

// The network's events: events, registrations (their list order is
// updated_at, id) and registration notices. LockEvent serialises an
// event's registrations: a row lock on PostgreSQL, the write transaction
// itself on SQLite (BEGIN IMMEDIATE).

const eventColumns = `id, kind, title, agenda, place, link, languages, time_zone, start_at, end_at, capacity, edition, open, demo, created_at`

func scanEvent(row interface{ Scan(...any) error }) (*events.Event, error) {
	var e events.Event
	var langs string
	var edition sql.NullString
	var start, end, created int64
	var open, demo int
	if err := row.Scan(&e.ID, &e.Kind, &e.Title, &e.Agenda, &e.Place, &e.Link, &langs, &e.TimeZone, &start, &end, &e.Capacity,
		&edition, &open, &demo, &created); err != nil {
		return nil, err
	}
	if langs != "" {
		e.Languages = strings.Split(langs, ",")
	}
	e.Edition, e.Open, e.Demo = edition.String, open != 0, demo != 0
	e.Start, e.End, e.CreatedAt = tm(start), tm(end), tm(created)
	return &e, nil
}

// CreateEvent implements events.Store.
func (db *Store) CreateEvent(ctx context.Context, e *events.Event) error {
	var edition any
	if e.Edition != "" {
		edition = e.Edition
	}
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO network_events (kind, title, agenda, place, link, languages, time_zone,
		start_at, end_at, capacity, edition, open, demo, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		e.Kind, e.Title, e.Agenda, e.Place, e.Link, strings.Join(e.Languages, ","), e.TimeZone, us(e.Start), us(e.End), e.Capacity,
		edition, boolInt(e.Open), boolInt(e.Demo), us(e.CreatedAt)).Scan(&e.ID)
	return db.dbError(ctx, "event", err)
}

// SetEventEdition implements events.Store.
func (db *Store) SetEventEdition(ctx context.Context, id int64, edition string) error {
	var ed any
	if edition != "" {
		ed = edition
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE network_events SET edition = $2 WHERE id = $1`, id, ed)
	if err != nil {
		return db.dbError(ctx, "event", err)
	}
	return db.rowsAffected(ctx, res, "event %d not found", id)
}

// Event implements events.Store.
func (db *Store) Event(ctx context.Context, id int64) (*events.Event, error) {
	e, err := scanEvent(db.reader(ctx).QueryRowContext(ctx, `SELECT `+eventColumns+` FROM network_events WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "event", notFound(err, "event %d not found", id))
	}
	return e, nil
}

// Events implements events.Store.
func (db *Store) Events(ctx context.Context, limit, offset int) ([]*events.Event, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+eventColumns+` FROM network_events ORDER BY start_at, id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, db.dbError(ctx, "events", err)
	}
	defer rows.Close()
	var out []*events.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, db.dbError(ctx, "events", err)
		}
		out = append(out, e)
	}
	return out, db.dbError(ctx, "events", rows.Err())
}

// LockEvent implements events.Store.
func (db *Store) LockEvent(ctx context.Context, id int64) error {
	q := `SELECT id FROM network_events WHERE id = $1`
	if db.dialect.Name == "postgres" {
		q += ` FOR UPDATE`
	}
	var got int64
	err := db.writer(ctx).QueryRowContext(ctx, q, id).Scan(&got)
	return db.dbError(ctx, "event", notFound(err, "event %d not found", id))
}

const registrationSelect = `SELECT r.id, r.event_id, r.user_id, CASE WHEN u.name = '' THEN u.email ELSE u.name END, COALESCE(u.city_code, ''),
	r.state, r.attended, r.updated_at FROM event_registrations r JOIN users u ON u.id = r.user_id`

func (db *Store) registrations(ctx context.Context, where string, arg any) ([]events.Registration, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, registrationSelect+` WHERE `+where+` ORDER BY r.updated_at, r.id`, arg)
	if err != nil {
		return nil, db.dbError(ctx, "event registrations", err)
	}
	defer rows.Close()
	var out []events.Registration
	for rows.Next() {
		var r events.Registration
		var att int
		var upd int64
		if err := rows.Scan(&r.ID, &r.EventID, &r.UserID, &r.Name, &r.CityCode, &r.State, &att, &upd); err != nil {
			return nil, db.dbError(ctx, "event registrations", err)
		}
		r.Attended, r.UpdatedAt = att != 0, tm(upd)
		out = append(out, r)
	}
	return out, db.dbError(ctx, "event registrations", rows.Err())
}

// EventRegistrations implements events.Store.
func (db *Store) EventRegistrations(ctx context.Context, eventID int64) ([]events.Registration, error) {
	return db.registrations(ctx, `r.event_id = $1`, eventID)
}

// UserEventRegistrations implements events.Store.
func (db *Store) UserEventRegistrations(ctx context.Context, userID int64) ([]events.Registration, error) {
	return db.registrations(ctx, `r.user_id = $1 AND r.state <> 'cancelled'`, userID)
}

// PutRegistration implements events.Store.
func (db *Store) PutRegistration(ctx context.Context, r *events.Registration) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO event_registrations (event_id, user_id, state, attended, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id, user_id) DO UPDATE SET state = excluded.state, attended = excluded.attended,
		updated_at = excluded.updated_at RETURNING id`, r.EventID, r.UserID, r.State, boolInt(r.Attended), us(r.UpdatedAt)).Scan(&r.ID)
	return db.dbError(ctx, "event registration", err)
}

// SetEventAttendance implements events.Store.
func (db *Store) SetEventAttendance(ctx context.Context, eventID, userID int64, attended bool) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE event_registrations SET attended = $1 WHERE event_id = $2 AND user_id = $3 AND state = 'registered'`,
		boolInt(attended), eventID, userID)
	if err != nil {
		return db.dbError(ctx, "event attendance", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return citylens.Ef(citylens.ENOTFOUND, "events.error.noregistration", "Person %d has no place at event %d.", userID, eventID)
	}
	return nil
}

// AddEventNotice implements events.Store.
func (db *Store) AddEventNotice(ctx context.Context, n events.Notice) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO event_notices (user_id, kind, ref, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (dedupe_key) DO NOTHING`, n.UserID, n.Kind, n.Ref, n.DedupeKey, us(n.CreatedAt))
	return db.dbError(ctx, "event notice", err)
}

// EventNotices implements events.Store.
func (db *Store) EventNotices(ctx context.Context, kind string, since time.Time, limit int) ([]events.Notice, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, user_id, kind, ref, dedupe_key, created_at FROM event_notices
		WHERE kind = $1 AND created_at >= $2 ORDER BY created_at, id LIMIT $3`, kind, us(since), limit)
	if err != nil {
		return nil, db.dbError(ctx, "event notices", err)
	}
	defer rows.Close()
	var out []events.Notice
	for rows.Next() {
		var n events.Notice
		var c int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Ref, &n.DedupeKey, &c); err != nil {
			return nil, db.dbError(ctx, "event notices", err)
		}
		n.CreatedAt = tm(c)
		out = append(out, n)
	}
	return out, db.dbError(ctx, "event notices", rows.Err())
}
