package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
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

func (db *Store) PutValues(ctx context.Context, values []datacall.Value) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if err := db.checkValueRefs(ctx, values); err != nil {
			return err
		}
		return db.dbError(ctx, "save values", db.dialect.PutValues(ctx, db.writer(ctx), values))
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

// checkValueRefs refuses values whose edition, city or indicator does not
// exist (the table has no foreign keys; see migration 101): with one query
// for a few values (a save), one query per table otherwise.
func (db *Store) checkValueRefs(ctx context.Context, values []datacall.Value) error {
	sets := [3]map[string]bool{{}, {}, {}}
	for i := range values {
		sets[0][values[i].Edition], sets[1][values[i].City], sets[2][values[i].Indicator] = true, true, true
	}
	refs := []struct{ table, what string }{{"editions", "edition"}, {"cities", "city"}, {"indicators", "indicator"}}
	if n := len(sets[0]) + len(sets[1]) + len(sets[2]); n <= 64 {
		// A save of a few values: one statement for the three tables.
		var b strings.Builder
		args := make([]any, 0, n)
		for k, ref := range refs {
			if k > 0 {
				b.WriteString(" UNION ALL ")
			}
			fmt.Fprintf(&b, "SELECT %d, code FROM %s WHERE code IN (", k, ref.table)
			for i, c := range sortedCodes(sets[k]) {
				if i > 0 {
					b.WriteString(", ")
				}
				args = append(args, c)
				b.WriteString("$" + strconv.Itoa(len(args)))
			}
			b.WriteString(")")
		}
		rows, err := db.reader(ctx).QueryContext(ctx, b.String(), args...)
		if err != nil {
			return db.dbError(ctx, "save values", err)
		}
		defer rows.Close()
		for rows.Next() {
			var k int
			var c string
			if err := rows.Scan(&k, &c); err != nil {
				return db.dbError(ctx, "save values", err)
			}
			delete(sets[k], c)
		}
		if err := rows.Err(); err != nil {
			return db.dbError(ctx, "save values", err)
		}
		for k, ref := range refs {
			if missing := sortedCodes(sets[k]); len(missing) > 0 {
				return citylens.Errorf(citylens.EINVALID, "save values: %s %q does not exist", ref.what, missing[0])
			}
		}
		return nil
	}
	for k, ref := range refs {
		codes := make([]string, 0, len(sets[k]))
		for c := range sets[k] {
			codes = append(codes, c)
		}
		sort.Strings(codes)
		found := map[string]bool{}
		for start := 0; start < len(codes); start += 500 {
			part := codes[start:min(len(codes), start+500)]
			q, args := db.dialect.CodesIn(ref.table, part)
			rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
			if err != nil {
				return db.dbError(ctx, "save values", err)
			}
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
		}
		for _, c := range codes {
			if !found[c] {
				return citylens.Errorf(citylens.EINVALID, "save values: %s %q does not exist", ref.what, c)
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

func (db *Store) AddValueCounts(ctx context.Context, edition string, cities []datacall.CityCount, indicators []datacall.IndicatorCount) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, c := range cities {
			_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_city_counts (edition, city, n_values, n_optional) VALUES ($1, $2, $3, $4)
				ON CONFLICT (edition, city) DO UPDATE SET n_values = datacall_city_counts.n_values + excluded.n_values,
					n_optional = datacall_city_counts.n_optional + excluded.n_optional`, edition, c.City, c.Values, c.Optional)
			if err != nil {
				return db.dbError(ctx, "value counts", err)
			}
		}
		for _, c := range indicators {
			_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
				VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (edition, region, indicator) DO UPDATE SET n_cities = datacall_indicator_counts.n_cities + excluded.n_cities,
					n_accepted = datacall_indicator_counts.n_accepted + excluded.n_accepted`, edition, c.Region, c.Indicator, c.Cities, c.Accepted)
			if err != nil {
				return db.dbError(ctx, "value counts", err)
			}
		}
		return nil
	})
}

func (db *Store) RecountValues(ctx context.Context, edition string, optional []string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, t := range []string{"datacall_city_counts", "datacall_indicator_counts"} {
			if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM `+t+` WHERE edition = $1`, edition); err != nil {
				return db.dbError(ctx, "recount values", err)
			}
		}
		q, args := db.dialect.RecountCities(edition, optional)
		if _, err := db.writer(ctx).ExecContext(ctx, q, args...); err != nil {
			return db.dbError(ctx, "recount values", err)
		}
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO datacall_indicator_counts (edition, region, indicator, n_cities, n_accepted)
			SELECT v.edition, c.region_code, v.indicator, count(*), sum(CASE WHEN s.state = 'accepted' THEN 1 ELSE 0 END)
			FROM datacall_values v JOIN cities c ON c.code = v.city
			LEFT JOIN datacall_submissions s ON s.edition = v.edition AND s.city = v.city
			WHERE v.edition = $1 GROUP BY v.edition, c.region_code, v.indicator`, edition)
		return db.dbError(ctx, "recount values", err)
	})
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
