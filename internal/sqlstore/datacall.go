package sqlstore

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
)

const valueColumns = `edition, city, indicator, value, unit, source, data_year, method_note, estimated, comment, review_comment, updated_by, updated_at`

func scanValue(s scanner) (datacall.Value, error) {
	var v datacall.Value
	var est int
	var at int64
	err := s.Scan(&v.Edition, &v.City, &v.Indicator, &v.Value, &v.Unit, &v.Source, &v.DataYear, &v.MethodNote, &est, &v.Comment,
		&v.ReviewComment, &v.UpdatedBy, &at)
	v.Estimated, v.UpdatedAt = est != 0, tm(at)
	return v, err
}

func (db *Store) queryValues(ctx context.Context, what, q string, args ...any) ([]datacall.Value, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.dbError(ctx, what, err)
	}
	defer rows.Close()
	var out []datacall.Value
	for rows.Next() {
		v, err := scanValue(rows)
		if err != nil {
			return nil, db.dbError(ctx, what, err)
		}
		out = append(out, v)
	}
	return out, db.dbError(ctx, what, rows.Err())
}

func (db *Store) CityValues(ctx context.Context, edition, city string) ([]datacall.Value, error) {
	return db.queryValues(ctx, "city values", `SELECT `+valueColumns+` FROM datacall_values WHERE edition = $1 AND city = $2 ORDER BY indicator`, edition, city)
}

// CityValuesOf reads only the values a save of a few values needs.
func (db *Store) CityValuesOf(ctx context.Context, edition, city string, indicators []string) ([]datacall.Value, error) {
	if len(indicators) == 0 {
		return nil, nil
	}
	// One shape per list length, so the statement is prepared once.
	var b strings.Builder
	args := make([]any, 0, 2+len(indicators))
	args = append(args, edition, city)
	for i, ind := range indicators {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i+3))
		args = append(args, ind)
	}
	return db.queryValues(ctx, "city values", `SELECT `+valueColumns+` FROM datacall_values WHERE edition = $1 AND city = $2 AND indicator IN (`+
		b.String()+`) ORDER BY indicator`, args...)
}

func (db *Store) EditionValues(ctx context.Context, edition string) ([]datacall.Value, error) {
	return db.queryValues(ctx, "edition values", `SELECT `+valueColumns+` FROM datacall_values WHERE edition = $1 ORDER BY city, indicator`, edition)
}

// PutValues writes values all or nothing, even inside a caller's
// transaction (a savepoint). The foreign keys of datacall_values refuse a
// value of an unknown edition, city or indicator (migration 106); the
// refusal then names the first one, as callers show it.
func (db *Store) PutValues(ctx context.Context, values []datacall.Value) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		w := db.writer(ctx)
		if _, err := w.ExecContext(ctx, `SAVEPOINT put_values`); err != nil {
			return db.dbError(ctx, "save values", err)
		}
		err := db.dialect.PutValues(ctx, w, values)
		if err == nil {
			_, err = w.ExecContext(ctx, `RELEASE SAVEPOINT put_values`)
			return db.dbError(ctx, "save values", err)
		}
		// PostgreSQL accepts no statement in a failed transaction until it
		// rolls back to the savepoint; SQLite keeps the batch's earlier rows.
		if _, rerr := w.ExecContext(ctx, `ROLLBACK TO SAVEPOINT put_values`); rerr != nil {
			return db.dbError(ctx, "save values", err)
		}
		if _, rerr := w.ExecContext(ctx, `RELEASE SAVEPOINT put_values`); rerr != nil {
			return db.dbError(ctx, "save values", err)
		}
		if db.dialect.ConstraintCode(err) == citylens.EINVALID {
			if missing := db.missingRef(ctx, values); missing != nil {
				return missing
			}
		}
		return db.dbError(ctx, "save values", err)
	})
}

func (db *Store) SetReviewComments(ctx context.Context, edition, city string, comments map[string]string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `UPDATE datacall_values SET review_comment = '' WHERE edition = $1 AND city = $2`, edition, city); err != nil {
			return db.dbError(ctx, "review comments", err)
		}
		for ind, c := range comments {
			if _, err := db.writer(ctx).ExecContext(ctx, `UPDATE datacall_values SET review_comment = $4 WHERE edition = $1 AND city = $2 AND indicator = $3`,
				edition, city, ind, c); err != nil {
				return db.dbError(ctx, "review comments", err)
			}
		}
		return nil
	})
}

func (db *Store) AppendValueAudits(ctx context.Context, entries []auditlog.Entry) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		return db.dbError(ctx, "append audit", db.dialect.AppendAudits(ctx, db.writer(ctx), entries))
	})
}

// missingRef is the error naming the first edition, city or indicator of
// values that does not exist, nil if it finds none. It runs after a foreign
// key refused values, in their transaction (so it sees what the
// transaction created), with one query per table and 500 codes.
func (db *Store) missingRef(ctx context.Context, values []datacall.Value) error {
	refs := []struct {
		table, what string
		code        func(v *datacall.Value) string
	}{
		{"editions", "edition", func(v *datacall.Value) string { return v.Edition }},
		{"cities", "city", func(v *datacall.Value) string { return v.City }},
		{"indicators", "indicator", func(v *datacall.Value) string { return v.Indicator }},
	}
	for _, ref := range refs {
		set := map[string]bool{}
		for i := range values {
			set[ref.code(&values[i])] = true
		}
		codes := sortedCodes(set)
		for start := 0; start < len(codes); start += 500 {
			part := codes[start:min(len(codes), start+500)]
			q, args := db.dialect.CodesIn(ref.table, part)
			rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
			if err != nil {
				return db.dbError(ctx, "save values", err)
			}
			found := map[string]bool{}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return db.dbError(ctx, "save values", err)
				}
				found[c] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return db.dbError(ctx, "save values", err)
			}
			for _, c := range part {
				if !found[c] {
					return citylens.Errorf(citylens.EINVALID, "save values: %s %q does not exist", ref.what, c)
				}
			}
		}
	}
	return nil
}

func sortedCodes(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (db *Store) ValueCounts(ctx context.Context, edition, region string) ([]datacall.CityCount, []datacall.IndicatorCount, error) {
	q := `SELECT city, n_values, n_optional FROM datacall_city_counts WHERE edition = $1`
	args := []any{edition}
	iq := `SELECT indicator, sum(n_cities), sum(n_accepted) FROM datacall_indicator_counts WHERE edition = $1`
	if region != "" {
		q += ` AND city IN (SELECT code FROM cities WHERE region_code = $2)`
		iq += ` AND region = $2`
		args = append(args, region)
	}
	return db.valueCounts(ctx, q, args, iq+` GROUP BY indicator`, args)
}

func (db *Store) valueCounts(ctx context.Context, cityQ string, cityArgs []any, indQ string, indArgs []any) ([]datacall.CityCount, []datacall.IndicatorCount, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, cityQ, cityArgs...)
	if err != nil {
		return nil, nil, db.dbError(ctx, "value counts", err)
	}
	var cc []datacall.CityCount
	for rows.Next() {
		var c datacall.CityCount
		if err := rows.Scan(&c.City, &c.Values, &c.Optional); err != nil {
			rows.Close()
			return nil, nil, db.dbError(ctx, "value counts", err)
		}
		cc = append(cc, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, db.dbError(ctx, "value counts", err)
	}
	rows, err = db.reader(ctx).QueryContext(ctx, indQ, indArgs...)
	if err != nil {
		return nil, nil, db.dbError(ctx, "value counts", err)
	}
	defer rows.Close()
	var ic []datacall.IndicatorCount
	for rows.Next() {
		var c datacall.IndicatorCount
		if err := rows.Scan(&c.Indicator, &c.Cities, &c.Accepted); err != nil {
			return nil, nil, db.dbError(ctx, "value counts", err)
		}
		ic = append(ic, c)
	}
	return cc, ic, db.dbError(ctx, "value counts", rows.Err())
}

const submissionColumns = `edition, city, state, comment, updated_by, updated_at`

func scanSubmission(s scanner) (datacall.Submission, error) {
	var sub datacall.Submission
	var at int64
	err := s.Scan(&sub.Edition, &sub.City, &sub.State, &sub.Comment, &sub.UpdatedBy, &at)
	sub.UpdatedAt = tm(at)
	return sub, err
}

func (db *Store) Submission(ctx context.Context, edition, city string) (datacall.Submission, error) {
	sub, err := scanSubmission(db.reader(ctx).QueryRowContext(ctx, `SELECT `+submissionColumns+` FROM datacall_submissions WHERE edition = $1 AND city = $2`, edition, city))
	if citylens.ErrorCode(notFound(err, "")) == citylens.ENOTFOUND {
		return datacall.Submission{Edition: edition, City: city, State: datacall.StateDraft}, nil
	}
	return sub, db.dbError(ctx, "submission", err)
}

func (db *Store) Submissions(ctx context.Context, edition string) ([]datacall.Submission, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+submissionColumns+` FROM datacall_submissions WHERE edition = $1 ORDER BY city`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "submissions", err)
	}
	defer rows.Close()
	var out []datacall.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, db.dbError(ctx, "submissions", err)
		}
		out = append(out, sub)
	}
	return out, db.dbError(ctx, "submissions", rows.Err())
}

func (db *Store) PutSubmission(ctx context.Context, s datacall.Submission) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_submissions (`+submissionColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (edition, city) DO UPDATE SET state = excluded.state, comment = excluded.comment, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`, s.Edition, s.City, s.State, s.Comment, s.UpdatedBy, us(s.UpdatedAt))
	return db.dbError(ctx, "submission "+s.Edition+"/"+s.City, err)
}

func (db *Store) CreateDraftRelease(ctx context.Context, r *datacall.DraftRelease, createdBy string) (int64, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return 0, citylens.Errorf(citylens.EINTERNAL, "draft release: %v", err)
	}
	var id int64
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO draft_releases (edition, hash, data_hash, engine_version, cities, created_by, created_at, body_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.Edition, r.Hash, r.DataHash, r.EngineVersion, len(r.Results), createdBy, us(r.ComputedAt), string(body)).Scan(&id)
	return id, db.dbError(ctx, "draft release", err)
}

const releaseColumns = `id, edition, hash, data_hash, engine_version, cities, created_by, created_at`

func scanReleaseInfo(s scanner, extra ...any) (datacall.ReleaseInfo, error) {
	var ri datacall.ReleaseInfo
	var at int64
	err := s.Scan(append([]any{&ri.ID, &ri.Edition, &ri.Hash, &ri.DataHash, &ri.EngineVersion, &ri.Cities, &ri.CreatedBy, &at}, extra...)...)
	ri.CreatedAt = tm(at)
	return ri, err
}

func (db *Store) DraftReleases(ctx context.Context, edition string) ([]datacall.ReleaseInfo, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+releaseColumns+` FROM draft_releases WHERE edition = $1 ORDER BY id DESC`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "draft releases", err)
	}
	defer rows.Close()
	var out []datacall.ReleaseInfo
	for rows.Next() {
		ri, err := scanReleaseInfo(rows)
		if err != nil {
			return nil, db.dbError(ctx, "draft releases", err)
		}
		out = append(out, ri)
	}
	return out, db.dbError(ctx, "draft releases", rows.Err())
}

func (db *Store) DraftRelease(ctx context.Context, id int64) (*datacall.DraftRelease, datacall.ReleaseInfo, error) {
	var body string
	ri, err := scanReleaseInfo(db.reader(ctx).QueryRowContext(ctx, `SELECT `+releaseColumns+`, body_json FROM draft_releases WHERE id = $1`, id), &body)
	if err != nil {
		return nil, ri, db.dbError(ctx, "draft release", notFound(err, "draft release %d not found", id))
	}
	var r datacall.DraftRelease
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, ri, citylens.Errorf(citylens.EINTERNAL, "draft release %d: stored body: %v", id, err)
	}
	return &r, ri, nil
}
