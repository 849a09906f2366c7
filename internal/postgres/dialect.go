package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/sqlstore"
)

// migrationLock is the advisory lock key replicas take while migrating.
const migrationLock = "74192026"

// dialect is what the shared store does differently on PostgreSQL: several
// replicas share the database, so claims lock the candidate row and
// migrations take an advisory lock; bulk writes send column arrays.
var dialect = sqlstore.Dialect{
	Name:           "postgres",
	ConstraintCode: constraintCode,
	Migrations:     migrationFiles,
	SchemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
	MigrationLock: `SELECT pg_advisory_xact_lock(` + migrationLock + `)`,
	ClaimLock:     `FOR UPDATE SKIP LOCKED`,
	PutValues:     putValues,
	AppendAudits:  appendAudits,
	CodesIn:       codesIn,
}

func constraintCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return citylens.ECONFLICT
		case "23503": // foreign_key_violation
			return citylens.EINVALID
		}
	}
	return ""
}

// putValues sends the values as column arrays (unnest): one statement per
// 20,000 values, so PostgreSQL parses and plans it once, not once per row batch.
func putValues(ctx context.Context, w sqlstore.Querier, values []datacall.Value) error {
	for start := 0; start < len(values); start += 20000 {
		part := values[start:min(len(values), start+20000)]
		n := len(part)
		ed, city, ind, unit, src, note, com, by := make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		val := make([]float64, n)
		year, est, at := make([]int64, n), make([]int64, n), make([]int64, n)
		for i := range part {
			v := &part[i]
			ed[i], city[i], ind[i], unit[i], src[i], note[i], com[i], by[i] = v.Edition, v.City, v.Indicator, v.Unit, v.Source, v.MethodNote, v.Comment, v.UpdatedBy
			val[i], year[i], at[i] = v.Value, int64(v.DataYear), sqlstore.Micros(v.UpdatedAt)
			if v.Estimated {
				est[i] = 1
			}
		}
		_, err := w.ExecContext(ctx, `INSERT INTO datacall_values (edition, city, indicator, value, unit, source, data_year,
			method_note, estimated, comment, updated_by, updated_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::int[], $8::text[],
				$9::int[], $10::text[], $11::text[], $12::bigint[])
			ON CONFLICT (edition, city, indicator) DO UPDATE SET value = excluded.value, unit = excluded.unit, source = excluded.source,
				data_year = excluded.data_year, method_note = excluded.method_note, estimated = excluded.estimated, comment = excluded.comment,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			ed, city, ind, val, unit, src, year, note, est, com, by, at)
		if err != nil {
			return err
		}
	}
	return nil
}

// appendAudits sends the entries as column arrays (see putValues).
func appendAudits(ctx context.Context, w sqlstore.Querier, entries []auditlog.Entry) error {
	for start := 0; start < len(entries); start += 20000 {
		part := entries[start:min(len(entries), start+20000)]
		n := len(part)
		at, actor := make([]int64, n), make([]int64, n)
		email, action, typ, id, before, after, addr := make([]string, n), make([]string, n), make([]string, n), make([]string, n),
			make([]string, n), make([]string, n), make([]string, n)
		for i := range part {
			e := &part[i]
			at[i], actor[i] = sqlstore.Micros(e.At), e.ActorID
			email[i], action[i], typ[i], id[i], addr[i] = e.ActorEmail, e.Action, e.EntityType, e.EntityID, e.RemoteAddr
			before[i], after[i] = string(e.Before), string(e.After)
			if before[i] == "" {
				before[i] = "null"
			}
			if after[i] == "" {
				after[i] = "null"
			}
		}
		_, err := w.ExecContext(ctx, `INSERT INTO audit_log (at, actor_id, actor_email, action, entity_type, entity_id,
			before_json, after_json, remote_addr)
			SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
			at, actor, email, action, typ, id, before, after, addr)
		if err != nil {
			return err
		}
	}
	return nil
}

func codesIn(table string, codes []string) (string, []any) {
	return `SELECT code FROM ` + table + ` WHERE code = ANY($1::text[])`, []any{codes}
}
