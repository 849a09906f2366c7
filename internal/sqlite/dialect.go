package sqlite

import (
	"context"
	"errors"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/sqlstore"
)

// dialect is what the shared store does differently on SQLite. Claims need
// no row lock (the single writer transaction serialises them) and
// migrations no lock (one process writes at a time). Statements with many
// parameters use positional "?": SQLite looks "$N" names up one by one.
var dialect = sqlstore.Dialect{
	Name:           "sqlite",
	ConstraintCode: constraintCode,
	Migrations:     migrationFiles,
	SchemaMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`,
	PutValues:         putValues,
	AppendAudits:      appendAudits,
	CodesIn:           codesIn,
	PrepareStatements: true, // modernc.org/sqlite parses every statement it is given
}

func constraintCode(err error) string {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return citylens.ECONFLICT
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return citylens.EINVALID
		}
	}
	return ""
}

// batchInsert runs an INSERT of rows in statements of at most perStmt rows.
func batchInsert(ctx context.Context, w sqlstore.Querier, head, tail string, ncols, nrows, perStmt int, row func(i int) []any) error {
	for start := 0; start < nrows; start += perStmt {
		end := min(nrows, start+perStmt)
		var b strings.Builder
		b.WriteString(head)
		args := make([]any, 0, (end-start)*ncols)
		for i := start; i < end; i++ {
			if i > start {
				b.WriteByte(',')
			}
			b.WriteByte('(')
			for c := 0; c < ncols; c++ {
				if c > 0 {
					b.WriteByte(',')
				}
				b.WriteByte('?')
			}
			b.WriteByte(')')
			args = append(args, row(i)...)
		}
		b.WriteString(tail)
		if _, err := w.ExecContext(ctx, b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

func putValues(ctx context.Context, w sqlstore.Querier, values []datacall.Value) error {
	return batchInsert(ctx, w,
		`INSERT INTO datacall_values (edition, city, indicator, value, unit, source, data_year, method_note, estimated, comment, updated_by, updated_at) VALUES `,
		` ON CONFLICT (edition, city, indicator) DO UPDATE SET value = excluded.value, unit = excluded.unit, source = excluded.source,
			data_year = excluded.data_year, method_note = excluded.method_note, estimated = excluded.estimated, comment = excluded.comment,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		12, len(values), 200, func(i int) []any {
			v := &values[i]
			est := 0
			if v.Estimated {
				est = 1
			}
			return []any{v.Edition, v.City, v.Indicator, v.Value, v.Unit, v.Source, v.DataYear, v.MethodNote, est, v.Comment, v.UpdatedBy, sqlstore.Micros(v.UpdatedAt)}
		})
}

func appendAudits(ctx context.Context, w sqlstore.Querier, entries []auditlog.Entry) error {
	return batchInsert(ctx, w,
		`INSERT INTO audit_log (at, actor_id, actor_email, action, entity_type, entity_id, before_json, after_json, remote_addr) VALUES `, ``,
		9, len(entries), 500, func(i int) []any {
			e := &entries[i]
			before, after := string(e.Before), string(e.After)
			if before == "" {
				before = "null"
			}
			if after == "" {
				after = "null"
			}
			return []any{sqlstore.Micros(e.At), e.ActorID, e.ActorEmail, e.Action, e.EntityType, e.EntityID, before, after, e.RemoteAddr}
		})
}

// strings as arguments, for positional lists.
func stringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

func codesIn(table string, codes []string) (string, []any) {
	return `SELECT code FROM ` + table + ` WHERE code IN (?` + strings.Repeat(",?", len(codes)-1) + `)`, stringArgs(codes)
}
