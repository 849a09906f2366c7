package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/jobs"
)

const jobColumns = `id, kind, payload, state, progress, message, error, attempts, max_attempts, lease_owner, lease_expires_at,
	cancel_requested, created_at, started_at, finished_at`

func scanJob(s scanner) (jobs.Job, error) {
	var j jobs.Job
	var payload, state string
	var lease, created, started, finished int64
	var cancel int
	err := s.Scan(&j.ID, &j.Kind, &payload, &state, &j.Progress, &j.Message, &j.Error, &j.Attempts, &j.MaxAttempts,
		&j.LeaseOwner, &lease, &cancel, &created, &started, &finished)
	j.Payload, j.State, j.CancelRequested = []byte(payload), jobs.State(state), cancel != 0
	j.LeaseExpiresAt, j.CreatedAt, j.StartedAt, j.FinishedAt = tm(lease), tm(created), tm(started), tm(finished)
	return j, err
}

func (db *Store) EnqueueJob(ctx context.Context, j jobs.Job) (jobs.Job, error) {
	if len(j.Payload) == 0 {
		j.Payload = []byte("null")
	}
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO jobs (kind, payload, state, max_attempts, created_at)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, j.Kind, string(j.Payload), string(jobs.StateQueued), j.MaxAttempts, us(j.CreatedAt)).Scan(&j.ID)
	j.State = jobs.StateQueued
	return j, db.dbError(ctx, "enqueue job", err)
}

func (db *Store) ClaimJob(ctx context.Context, kinds []string, owner string, now, leaseUntil time.Time) (jobs.Job, error) {
	var j jobs.Job
	err := db.InTx(ctx, func(ctx context.Context) error {
		// Jobs whose server died on their last attempt give up.
		if _, err := db.writer(ctx).ExecContext(ctx, `UPDATE jobs SET state = 'failed', finished_at = $1,
			error = 'the server running it stopped on each of its ' || attempts || ' attempts', lease_owner = ''
			WHERE state = 'running' AND lease_expires_at < $1 AND attempts >= max_attempts`, us(now)); err != nil {
			return err
		}
		args := []any{us(now)}
		ph := make([]string, len(kinds))
		for i, k := range kinds {
			args = append(args, k)
			ph[i] = "$" + itoa(len(args))
		}
		var id int64
		err := db.writer(ctx).QueryRowContext(ctx, `SELECT id FROM jobs
			WHERE kind IN (`+strings.Join(ph, ", ")+`) AND (state = 'queued' OR (state = 'running' AND lease_expires_at < $1))
			ORDER BY id LIMIT 1 `+db.dialect.ClaimLock, args...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil // commit the failures above; report "nothing to do" below
		}
		if err != nil {
			return err
		}
		j, err = scanJob(db.writer(ctx).QueryRowContext(ctx, `UPDATE jobs SET state = 'running', attempts = attempts + 1,
			lease_owner = $2, lease_expires_at = $3, started_at = $4, error = '' WHERE id = $1 RETURNING `+jobColumns,
			id, owner, us(leaseUntil), us(now)))
		return err
	})
	if err == nil && j.ID == 0 {
		return j, citylens.Errorf(citylens.ENOTFOUND, "no job to run")
	}
	return j, db.dbError(ctx, "claim job", err)
}

func (db *Store) RenewJobLease(ctx context.Context, id int64, owner string, progress float64, message string, leaseUntil time.Time) (bool, error) {
	var cancel int
	err := db.writer(ctx).QueryRowContext(ctx, `UPDATE jobs SET lease_expires_at = $3, progress = $4, message = $5
		WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING cancel_requested`,
		id, owner, us(leaseUntil), progress, message).Scan(&cancel)
	if err != nil {
		if e := notFound(err, ""); citylens.ErrorCode(e) == citylens.ENOTFOUND {
			return false, citylens.Errorf(citylens.ECONFLICT, "job %d: lease lost by %s", id, owner)
		}
		return false, db.dbError(ctx, "renew job lease", err)
	}
	return cancel != 0, nil
}

func (db *Store) FinishJob(ctx context.Context, id int64, owner string, state jobs.State, message, errText string, now time.Time) error {
	progress := "progress"
	if state == jobs.StateDone {
		progress = "1"
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE jobs SET state = $3, message = $4, error = $5, finished_at = $6,
		lease_owner = '', lease_expires_at = 0, progress = `+progress+`
		WHERE id = $1 AND lease_owner = $2 AND state = 'running'`, id, owner, string(state), message, errText, us(now))
	if err := db.affectedOne(ctx, res, err, "running job", itoa(int(id))); citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return citylens.Errorf(citylens.ECONFLICT, "job %d: lease lost by %s", id, owner)
	} else {
		return err
	}
}

func (db *Store) RequestJobCancel(ctx context.Context, id int64, now time.Time) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		j, err := db.Job(ctx, id)
		if err != nil {
			return err
		}
		switch j.State {
		case jobs.StateQueued:
			_, err = db.writer(ctx).ExecContext(ctx, `UPDATE jobs SET state = 'canceled', cancel_requested = 1, finished_at = $2,
				message = 'cancelled before it started' WHERE id = $1`, id, us(now))
		case jobs.StateRunning:
			_, err = db.writer(ctx).ExecContext(ctx, `UPDATE jobs SET cancel_requested = 1 WHERE id = $1`, id)
		default:
			return citylens.Errorf(citylens.ECONFLICT, "job %d is already %s", id, j.State)
		}
		return db.dbError(ctx, "cancel job", err)
	})
}

func (db *Store) Job(ctx context.Context, id int64) (jobs.Job, error) {
	j, err := scanJob(db.reader(ctx).QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
	return j, db.dbError(ctx, "job", notFound(err, "job %d not found", id))
}

func (db *Store) ListJobs(ctx context.Context, f jobs.Filter) ([]jobs.Job, error) {
	q := `SELECT ` + jobColumns + ` FROM jobs WHERE 1=1`
	var args []any
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += ` AND kind = $` + itoa(len(args))
	}
	if f.State != "" {
		args = append(args, string(f.State))
		q += ` AND state = $` + itoa(len(args))
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	args = append(args, limit)
	q += ` ORDER BY id DESC LIMIT $` + itoa(len(args))
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.dbError(ctx, "list jobs", err)
	}
	defer rows.Close()
	var out []jobs.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, db.dbError(ctx, "list jobs", err)
		}
		out = append(out, j)
	}
	return out, db.dbError(ctx, "list jobs", rows.Err())
}

func (db *Store) CountJobsByState(ctx context.Context) (map[jobs.State]int, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT state, count(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, db.dbError(ctx, "count jobs", err)
	}
	defer rows.Close()
	out := map[jobs.State]int{}
	for _, s := range jobs.States {
		out[s] = 0
	}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, db.dbError(ctx, "count jobs", err)
		}
		out[jobs.State(s)] = n
	}
	return out, db.dbError(ctx, "count jobs", rows.Err())
}
