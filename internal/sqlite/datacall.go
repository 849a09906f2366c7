package sqlite

import (
	"context"
	"encoding/json"
	"sort"
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

func (db *DB) queryValues(ctx context.Context, what, q string, args ...any) ([]datacall.Value, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, dbError(ctx, what, err)
	}
	defer rows.Close()
	var out []datacall.Value
	for rows.Next() {
		v, err := scanValue(rows)
		if err != nil {
			return nil, dbError(ctx, what, err)
		}
		out = append(out, v)
	}
	return out, dbError(ctx, what, rows.Err())
}

func (db *DB) CityValues(ctx context.Context, edition, city string) ([]datacall.Value, error) {
	return db.queryValues(ctx, "city values", `SELECT `+valueColumns+` FROM datacall_values WHERE edition = $1 AND city = $2 ORDER BY indicator`, edition, city)
}

func (db *DB) EditionValues(ctx context.Context, edition string) ([]datacall.Value, error) {
	return db.queryValues(ctx, "edition values", `SELECT `+valueColumns+` FROM datacall_values WHERE edition = $1 ORDER BY city, indicator`, edition)
}

// batchInsert runs an INSERT of rows in statements of at most perStmt rows.
func (db *DB) batchInsert(ctx context.Context, what, head, tail string, ncols, nrows, perStmt int, row func(i int) []any) error {
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
				b.WriteByte('?') // positional: SQLite looks "$N" names up one by one
			}
			b.WriteByte(')')
			args = append(args, row(i)...)
		}
		b.WriteString(tail)
		if _, err := db.writer(ctx).ExecContext(ctx, b.String(), args...); err != nil {
			return dbError(ctx, what, err)
		}
	}
	return nil
}

func (db *DB) PutValues(ctx context.Context, values []datacall.Value) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.checkValueRefs(ctx, values); err != nil {
			return err
		}
		return db.batchInsert(ctx, "save values",
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
				return []any{v.Edition, v.City, v.Indicator, v.Value, v.Unit, v.Source, v.DataYear, v.MethodNote, est, v.Comment, v.UpdatedBy, us(v.UpdatedAt)}
			})
	})
}

func (db *DB) SetReviewComments(ctx context.Context, edition, city string, comments map[string]string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `UPDATE datacall_values SET review_comment = '' WHERE edition = $1 AND city = $2`, edition, city); err != nil {
			return dbError(ctx, "review comments", err)
		}
		for ind, c := range comments {
			if _, err := db.writer(ctx).ExecContext(ctx, `UPDATE datacall_values SET review_comment = $4 WHERE edition = $1 AND city = $2 AND indicator = $3`,
				edition, city, ind, c); err != nil {
				return dbError(ctx, "review comments", err)
			}
		}
		return nil
	})
}

func (db *DB) AppendValueAudits(ctx context.Context, entries []auditlog.Entry) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		return db.batchInsert(ctx, "append audit",
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
				return []any{us(e.At), e.ActorID, e.ActorEmail, e.Action, e.EntityType, e.EntityID, before, after, e.RemoteAddr}
			})
	})
}

// checkValueRefs refuses values whose edition, city or indicator does not
// exist, with one query per table (the table has no foreign keys; see
// migration 101).
func (db *DB) checkValueRefs(ctx context.Context, values []datacall.Value) error {
	sets := [3]map[string]bool{{}, {}, {}}
	for i := range values {
		sets[0][values[i].Edition], sets[1][values[i].City], sets[2][values[i].Indicator] = true, true, true
	}
	for k, ref := range []struct{ table, what string }{{"editions", "edition"}, {"cities", "city"}, {"indicators", "indicator"}} {
		codes := make([]string, 0, len(sets[k]))
		for c := range sets[k] {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		found := map[string]bool{}
		for start := 0; start < len(codes); start += 500 {
			part := codes[start:min(len(codes), start+500)]
			args := make([]any, len(part))
			for i, c := range part {
				args[i] = c
			}
			rows, err := db.reader(ctx).QueryContext(ctx, `SELECT code FROM `+ref.table+` WHERE code IN (?`+strings.Repeat(",?", len(part)-1)+`)`, args...)
			if err != nil {
				return dbError(ctx, "save values", err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return dbError(ctx, "save values", err)
				}
				found[c] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return dbError(ctx, "save values", err)
			}
		}
		for _, c := range codes {
			if !found[c] {
				return citylens.Errorf(citylens.EINVALID, "save values: %s %q does not exist", ref.what, c)
			}
		}
	}
	return nil
}

func (db *DB) ValueCounts(ctx context.Context, edition, region string) ([]datacall.CityCount, []datacall.IndicatorCount, error) {
	q := `SELECT city, n_values, n_optional FROM datacall_city_counts WHERE edition = ?`
	args := []any{edition}
	iq := `SELECT indicator, sum(n_cities), sum(n_accepted) FROM datacall_indicator_counts WHERE edition = ?`
	if region != "" {
		q += ` AND city IN (SELECT code FROM cities WHERE region_code = ?)`
		iq += ` AND region = ?`
		args = append(args, region)
	}
	return db.valueCounts(ctx, q, args, iq+` GROUP BY indicator`, args)
}

func (db *DB) AddValueCounts(ctx context.Context, edition string, cities []datacall.CityCount, indicators []datacall.IndicatorCount) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, c := range cities {
			_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_city_counts (edition, city, n_values, n_optional) VALUES (?, ?, ?, ?)
				ON CONFLICT (edition, city) DO UPDATE SET n_values = datacall_city_counts.n_values + excluded.n_values,
					n_optional = datacall_city_counts.n_optional + excluded.n_optional`, edition, c.City, c.Values, c.Optional)
			if err != nil {
				return dbError(ctx, "value counts", err)
			}
		}
		for _, c := range indicators {
			_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
				VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = datacall_indicator_counts.n_cities + excluded.n_cities,
					n_accepted = datacall_indicator_counts.n_accepted + excluded.n_accepted`, edition, c.Region, c.Indicator, c.Cities, c.Accepted)
			if err != nil {
				return dbError(ctx, "value counts", err)
			}
		}
		return nil
	})
}

func (db *DB) RecountValues(ctx context.Context, edition string, optional []string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, t := range []string{"datacall_city_counts", "datacall_indicator_counts"} {
			if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM `+t+` WHERE edition = ?`, edition); err != nil {
				return dbError(ctx, "recount values", err)
			}
		}
		opt := "0"
		args := []any{edition}
		if len(optional) > 0 {
			opt = `sum(CASE WHEN indicator IN (?` + strings.Repeat(",?", len(optional)-1) + `) THEN 1 ELSE 0 END)`
			args = nil
			for _, o := range optional {
				args = append(args, o)
			}
			args = append(args, edition)
		}
		if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_city_counts (edition, city, n_values, n_optional)
			SELECT edition, city, count(*), `+opt+` FROM datacall_values WHERE edition = ? GROUP BY edition, city`, args...); err != nil {
			return dbError(ctx, "recount values", err)
		}
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
			SELECT v.edition, c.region_code, v.indicator, count(*), sum(CASE WHEN s.state = 'accepted' THEN 1 ELSE 0 END)
			FROM datacall_values v JOIN cities c ON c.code = v.city
			LEFT JOIN datacall_submissions s ON s.edition = v.edition AND s.city = v.city
			WHERE v.edition = ? GROUP BY v.edition, c.region_code, v.indicator`, edition)
		return dbError(ctx, "recount values", err)
	})
}

func (db *DB) valueCounts(ctx context.Context, cityQ string, cityArgs []any, indQ string, indArgs []any) ([]datacall.CityCount, []datacall.IndicatorCount, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, cityQ, cityArgs...)
	if err != nil {
		return nil, nil, dbError(ctx, "value counts", err)
	}
	var cc []datacall.CityCount
	for rows.Next() {
		var c datacall.CityCount
		if err := rows.Scan(&c.City, &c.Values, &c.Optional); err != nil {
			rows.Close()
			return nil, nil, dbError(ctx, "value counts", err)
		}
		cc = append(cc, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, dbError(ctx, "value counts", err)
	}
	rows, err = db.reader(ctx).QueryContext(ctx, indQ, indArgs...)
	if err != nil {
		return nil, nil, dbError(ctx, "value counts", err)
	}
	defer rows.Close()
	var ic []datacall.IndicatorCount
	for rows.Next() {
		var c datacall.IndicatorCount
		if err := rows.Scan(&c.Indicator, &c.Cities, &c.Accepted); err != nil {
			return nil, nil, dbError(ctx, "value counts", err)
		}
		ic = append(ic, c)
	}
	return cc, ic, dbError(ctx, "value counts", rows.Err())
}

const submissionColumns = `edition, city, state, comment, updated_by, updated_at`

func scanSubmission(s scanner) (datacall.Submission, error) {
	var sub datacall.Submission
	var at int64
	err := s.Scan(&sub.Edition, &sub.City, &sub.State, &sub.Comment, &sub.UpdatedBy, &at)
	sub.UpdatedAt = tm(at)
	return sub, err
}

func (db *DB) Submission(ctx context.Context, edition, city string) (datacall.Submission, error) {
	sub, err := scanSubmission(db.reader(ctx).QueryRowContext(ctx, `SELECT `+submissionColumns+` FROM datacall_submissions WHERE edition = $1 AND city = $2`, edition, city))
	if citylens.ErrorCode(notFound(err, "")) == citylens.ENOTFOUND {
		return datacall.Submission{Edition: edition, City: city, State: datacall.StateDraft}, nil
	}
	return sub, dbError(ctx, "submission", err)
}

func (db *DB) Submissions(ctx context.Context, edition string) ([]datacall.Submission, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+submissionColumns+` FROM datacall_submissions WHERE edition = $1 ORDER BY city`, edition)
	if err != nil {
		return nil, dbError(ctx, "submissions", err)
	}
	defer rows.Close()
	var out []datacall.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, dbError(ctx, "submissions", err)
		}
		out = append(out, sub)
	}
	return out, dbError(ctx, "submissions", rows.Err())
}

func (db *DB) PutSubmission(ctx context.Context, s datacall.Submission) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_submissions (`+submissionColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (edition, city) DO UPDATE SET state = excluded.state, comment = excluded.comment, updated_by = excluded.updated_by,
			updated_at = excluded.updated_at`, s.Edition, s.City, s.State, s.Comment, s.UpdatedBy, us(s.UpdatedAt))
	return dbError(ctx, "submission "+s.Edition+"/"+s.City, err)
}

func (db *DB) CreateDraftRelease(ctx context.Context, r *datacall.DraftRelease, createdBy string) (int64, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return 0, citylens.Errorf(citylens.EINTERNAL, "draft release: %v", err)
	}
	var id int64
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO draft_releases (edition, hash, data_hash, engine_version, cities, created_by, created_at, body_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		r.Edition, r.Hash, r.DataHash, r.EngineVersion, len(r.Results), createdBy, us(r.ComputedAt), string(body)).Scan(&id)
	return id, dbError(ctx, "draft release", err)
}

const releaseColumns = `id, edition, hash, data_hash, engine_version, cities, created_by, created_at`

func scanReleaseInfo(s scanner, extra ...any) (datacall.ReleaseInfo, error) {
	var ri datacall.ReleaseInfo
	var at int64
	err := s.Scan(append([]any{&ri.ID, &ri.Edition, &ri.Hash, &ri.DataHash, &ri.EngineVersion, &ri.Cities, &ri.CreatedBy, &at}, extra...)...)
	ri.CreatedAt = tm(at)
	return ri, err
}

func (db *DB) DraftReleases(ctx context.Context, edition string) ([]datacall.ReleaseInfo, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+releaseColumns+` FROM draft_releases WHERE edition = $1 ORDER BY id DESC`, edition)
	if err != nil {
		return nil, dbError(ctx, "draft releases", err)
	}
	defer rows.Close()
	var out []datacall.ReleaseInfo
	for rows.Next() {
		ri, err := scanReleaseInfo(rows)
		if err != nil {
			return nil, dbError(ctx, "draft releases", err)
		}
		out = append(out, ri)
	}
	return out, dbError(ctx, "draft releases", rows.Err())
}

func (db *DB) DraftRelease(ctx context.Context, id int64) (*datacall.DraftRelease, datacall.ReleaseInfo, error) {
	var body string
	ri, err := scanReleaseInfo(db.reader(ctx).QueryRowContext(ctx, `SELECT `+releaseColumns+`, body_json FROM draft_releases WHERE id = $1`, id), &body)
	if err != nil {
		return nil, ri, dbError(ctx, "draft release", notFound(err, "draft release %d not found", id))
	}
	var r datacall.DraftRelease
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, ri, citylens.Errorf(citylens.EINTERNAL, "draft release %d: stored body: %v", id, err)
	}
	return &r, ri, nil
}
