package sqlstore

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/survey"
)

const surveyColumns = `edition, opens_at, closes_at, pooling_json, trim_at, demo, updated_by, updated_at`

func scanSurvey(s scanner) (survey.Survey, error) {
	var sv survey.Survey
	var opens, closes, updated int64
	var pooling string
	var demo int
	if err := s.Scan(&sv.Edition, &opens, &closes, &pooling, &sv.TrimAt, &demo, &sv.UpdatedBy, &updated); err != nil {
		return sv, err
	}
	sv.Opens, sv.Closes, sv.UpdatedAt, sv.Demo = tm(opens), tm(closes), tm(updated), demo == 1
	if err := json.Unmarshal([]byte(pooling), &sv.Pooling); err != nil {
		return sv, citylens.Errorf(citylens.EINTERNAL, "survey %s pooling: %v", sv.Edition, err)
	}
	return sv, nil
}

func (db *Store) PutSurvey(ctx context.Context, sv survey.Survey) error {
	pooling, _ := json.Marshal(sv.Pooling)
	demo := 0
	if sv.Demo {
		demo = 1
	}
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO surveys (`+surveyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (edition) DO UPDATE SET opens_at = excluded.opens_at, closes_at = excluded.closes_at,
		pooling_json = excluded.pooling_json, trim_at = excluded.trim_at, demo = excluded.demo,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		sv.Edition, us(sv.Opens), us(sv.Closes), string(pooling), sv.TrimAt, demo, sv.UpdatedBy, us(sv.UpdatedAt))
	return db.dbError(ctx, "survey "+sv.Edition, err)
}

func (db *Store) Survey(ctx context.Context, edition string) (survey.Survey, error) {
	sv, err := scanSurvey(db.reader(ctx).QueryRowContext(ctx, `SELECT `+surveyColumns+` FROM surveys WHERE edition = $1`, edition))
	return sv, db.dbError(ctx, "survey", notFound(err, "no survey for edition %q", edition))
}

func (db *Store) Surveys(ctx context.Context) ([]survey.Survey, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+surveyColumns+` FROM surveys ORDER BY edition DESC`)
	if err != nil {
		return nil, db.dbError(ctx, "surveys", err)
	}
	defer rows.Close()
	var out []survey.Survey
	for rows.Next() {
		sv, err := scanSurvey(rows)
		if err != nil {
			return nil, db.dbError(ctx, "surveys", err)
		}
		out = append(out, sv)
	}
	return out, db.dbError(ctx, "surveys", rows.Err())
}

func (db *Store) AddSurveyInstrument(ctx context.Context, edition string, in *survey.Instrument, by string, at time.Time) error {
	body, err := json.Marshal(in)
	if err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "instrument: %v", err)
	}
	_, err = db.writer(ctx).ExecContext(ctx, `INSERT INTO survey_instruments (edition, version, created_by, created_at, body_json)
		VALUES ($1, $2, $3, $4, $5)`, edition, in.Version, by, us(at), string(body))
	return db.dbError(ctx, "survey instrument "+edition, err)
}

func (db *Store) SurveyInstrument(ctx context.Context, edition string, version int) (*survey.Instrument, error) {
	var body string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT body_json FROM survey_instruments
		WHERE edition = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1`, edition, version).Scan(&body)
	if err != nil {
		return nil, db.dbError(ctx, "survey instrument", notFound(err, "no instrument for the survey of edition %q", edition))
	}
	var in survey.Instrument
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "instrument %s: %v", edition, err)
	}
	return &in, nil
}

func (db *Store) SurveyInstrumentVersion(ctx context.Context, edition string) (int, error) {
	var v int
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM survey_instruments WHERE edition = $1`, edition).Scan(&v)
	if err == nil && v == 0 {
		return 0, citylens.Errorf(citylens.ENOTFOUND, "no instrument for the survey of edition %q", edition)
	}
	return v, db.dbError(ctx, "survey instrument", err)
}

func (db *Store) AddSurveyInvites(ctx context.Context, edition, city string, hashes []string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, h := range hashes {
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO survey_invites (edition, code_hash, city) VALUES ($1, $2, $3)`,
				edition, h, city); err != nil {
				return db.dbError(ctx, "survey invitation", err)
			}
		}
		return nil
	})
}

func (db *Store) insertResponse(ctx context.Context, r *survey.Response) error {
	answers, err := json.Marshal(r.Answers)
	if err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "response: %v", err)
	}
	excluded := 0
	if r.Excluded {
		excluded = 1
	}
	// The time to the hour: enough to order waves, too coarse to match a
	// response to a log line.
	at := r.Submitted.UTC().Truncate(time.Hour)
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO survey_responses (edition, city, lang, version, source, seconds,
		submitted_at, answers_json, priorities, flags, excluded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
		r.Edition, r.City, r.Lang, r.Version, r.Source, r.Seconds, us(at), string(answers),
		strings.Join(r.Priorities, " "), strings.Join(r.Flags, " "), excluded).Scan(&r.ID)
	if err != nil {
		if e := citylens.AsError(db.dbError(ctx, "survey response", err)); e != nil && e.Code == citylens.EINVALID {
			return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.city", Args: []any{r.City},
				Message:  "no survey of edition " + r.Edition + " for city " + r.City,
				Problems: []citylens.Problem{{Field: "city", City: r.City, Reason: "unknown city", Key: "survey.problem.city", Args: []any{r.City}}}}
		}
		return db.dbError(ctx, "survey response", err)
	}
	r.Submitted = at
	return nil
}

func (db *Store) AddSurveyResponse(ctx context.Context, r *survey.Response, invite string) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if invite != "" {
			var city string
			var used int
			err := db.reader(ctx).QueryRowContext(ctx, `SELECT city, used FROM survey_invites WHERE edition = $1 AND code_hash = $2`,
				r.Edition, invite).Scan(&city, &used)
			if err != nil {
				return db.dbError(ctx, "survey invitation", notFound(err, "unknown invitation code"))
			}
			if used != 0 || city != r.City {
				return citylens.E(citylens.ECONFLICT, "survey.error.invite_used")
			}
			res, err := db.writer(ctx).ExecContext(ctx, `UPDATE survey_invites SET used = 1 WHERE edition = $1 AND code_hash = $2 AND used = 0`,
				r.Edition, invite)
			if err != nil {
				return db.dbError(ctx, "survey invitation", err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return citylens.E(citylens.ECONFLICT, "survey.error.invite_used")
			}
		}
		return db.insertResponse(ctx, r)
	})
}

// AddSurveyResponses stores responses in one transaction, 100 rows a
// statement (an upload or the demo: their ids are not read back).
func (db *Store) AddSurveyResponses(ctx context.Context, rs []survey.Response) error {
	const batch = 100
	return db.InTx(ctx, func(ctx context.Context) error {
		// Unknown cities are named first (a failed statement would end a
		// PostgreSQL transaction before it could say which).
		seen := map[string]bool{}
		var codes []any
		for _, r := range rs {
			if !seen[r.City] {
				seen[r.City] = true
				codes = append(codes, r.City)
			}
		}
		for lo := 0; lo < len(codes); lo += 500 {
			hi := min(lo+500, len(codes))
			q := `SELECT code FROM cities WHERE code IN (`
			for k := lo; k < hi; k++ {
				if k > lo {
					q += ", "
				}
				q += "$" + strconv.Itoa(k-lo+1)
			}
			rows, err := db.reader(ctx).QueryContext(ctx, q+")", codes[lo:hi]...)
			if err != nil {
				return db.dbError(ctx, "survey responses", err)
			}
			for rows.Next() {
				var c string
				if err := rows.Scan(&c); err != nil {
					rows.Close()
					return db.dbError(ctx, "survey responses", err)
				}
				delete(seen, c)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return db.dbError(ctx, "survey responses", err)
			}
		}
		for _, c := range codes {
			if seen[c.(string)] {
				return unknownCity(c.(string))
			}
		}
		for lo := 0; lo < len(rs); lo += batch {
			part := rs[lo:min(lo+batch, len(rs))]
			var q strings.Builder
			q.WriteString(`INSERT INTO survey_responses (edition, city, lang, version, source, seconds, submitted_at, answers_json, priorities, flags, excluded) VALUES `)
			args := make([]any, 0, len(part)*11)
			for i := range part {
				r := &part[i]
				answers, err := json.Marshal(r.Answers)
				if err != nil {
					return citylens.Errorf(citylens.EINTERNAL, "response: %v", err)
				}
				excluded := 0
				if r.Excluded {
					excluded = 1
				}
				r.Submitted = r.Submitted.UTC().Truncate(time.Hour)
				if i > 0 {
					q.WriteString(", ")
				}
				q.WriteString("(")
				for k := range 11 {
					if k > 0 {
						q.WriteString(", ")
					}
					q.WriteString("$" + strconv.Itoa(len(args)+k+1))
				}
				q.WriteString(")")
				args = append(args, r.Edition, r.City, r.Lang, r.Version, r.Source, r.Seconds, us(r.Submitted), string(answers),
					strings.Join(r.Priorities, " "), strings.Join(r.Flags, " "), excluded)
			}
			if _, err := db.writer(ctx).ExecContext(ctx, q.String(), args...); err != nil {
				return db.dbError(ctx, "survey responses", err)
			}
		}
		return nil
	})
}

const responseColumns = `id, edition, city, lang, version, source, seconds, submitted_at, answers_json, priorities, flags, excluded,
	override, override_reason, override_by`

func scanResponse(s scanner) (survey.Response, error) {
	var r survey.Response
	var at int64
	var answers, priorities, flags string
	var excluded int
	if err := s.Scan(&r.ID, &r.Edition, &r.City, &r.Lang, &r.Version, &r.Source, &r.Seconds, &at, &answers, &priorities, &flags,
		&excluded, &r.Override, &r.OverrideReason, &r.OverrideBy); err != nil {
		return r, err
	}
	r.Submitted, r.Excluded = tm(at), excluded == 1
	r.Priorities, r.Flags = strings.Fields(priorities), strings.Fields(flags)
	if err := json.Unmarshal([]byte(answers), &r.Answers); err != nil {
		return r, citylens.Errorf(citylens.EINTERNAL, "response %d: %v", r.ID, err)
	}
	return r, nil
}

func (db *Store) SurveyResponses(ctx context.Context, edition, city string) ([]survey.Response, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+responseColumns+` FROM survey_responses
		WHERE edition = $1 AND ($2 = '' OR city = $2) ORDER BY id`, edition, city)
	if err != nil {
		return nil, db.dbError(ctx, "survey responses", err)
	}
	defer rows.Close()
	var out []survey.Response
	for rows.Next() {
		r, err := scanResponse(rows)
		if err != nil {
			return nil, db.dbError(ctx, "survey responses", err)
		}
		out = append(out, r)
	}
	return out, db.dbError(ctx, "survey responses", rows.Err())
}

func (db *Store) SurveyResponse(ctx context.Context, id int64) (survey.Response, error) {
	r, err := scanResponse(db.reader(ctx).QueryRowContext(ctx, `SELECT `+responseColumns+` FROM survey_responses WHERE id = $1`, id))
	return r, db.dbError(ctx, "survey response", notFound(err, "no survey response %d", id))
}

func (db *Store) SetSurveyFlags(ctx context.Context, rs []survey.Response) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, r := range rs {
			excluded := 0
			if r.Excluded {
				excluded = 1
			}
			if _, err := db.writer(ctx).ExecContext(ctx, `UPDATE survey_responses SET flags = $1, excluded = $2 WHERE id = $3`,
				strings.Join(r.Flags, " "), excluded, r.ID); err != nil {
				return db.dbError(ctx, "survey flags", err)
			}
		}
		return nil
	})
}

func (db *Store) SetSurveyOverride(ctx context.Context, id int64, decision, reason, by string) error {
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE survey_responses SET override = $1, override_reason = $2, override_by = $3 WHERE id = $4`,
		decision, reason, by, id)
	if err != nil {
		return db.dbError(ctx, "survey override", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return citylens.Errorf(citylens.ENOTFOUND, "no survey response %d", id)
	}
	return nil
}

func (db *Store) PutSurveyMargins(ctx context.Context, edition string, margins map[string]survey.Population) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for city, pop := range margins {
			if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM survey_margins WHERE edition = $1 AND city = $2`, edition, city); err != nil {
				return db.dbError(ctx, "survey margins", err)
			}
			for v, cats := range pop {
				for c, n := range cats {
					if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO survey_margins (edition, city, variable, category, population)
						VALUES ($1, $2, $3, $4, $5)`, edition, city, v, c, n); err != nil {
						return db.dbError(ctx, "survey margins of "+city, err)
					}
				}
			}
		}
		return nil
	})
}

func (db *Store) SurveyMargins(ctx context.Context, edition string) (map[string]survey.Population, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT city, variable, category, population FROM survey_margins WHERE edition = $1`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "survey margins", err)
	}
	defer rows.Close()
	out := map[string]survey.Population{}
	for rows.Next() {
		var city, v, c string
		var n float64
		if err := rows.Scan(&city, &v, &c, &n); err != nil {
			return nil, db.dbError(ctx, "survey margins", err)
		}
		if out[city] == nil {
			out[city] = survey.Population{}
		}
		if out[city][v] == nil {
			out[city][v] = map[string]float64{}
		}
		out[city][v][c] = n
	}
	return out, db.dbError(ctx, "survey margins", rows.Err())
}

func (db *Store) PutSurveyResults(ctx context.Context, r *survey.Results) error {
	body, err := json.Marshal(r)
	if err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "survey results: %v", err)
	}
	_, err = db.writer(ctx).ExecContext(ctx, `INSERT INTO survey_results (edition, version, computed_by, computed_at, body_json)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (edition) DO UPDATE SET version = excluded.version,
		computed_by = excluded.computed_by, computed_at = excluded.computed_at, body_json = excluded.body_json`,
		r.Edition, r.Version, r.ComputedBy, us(r.ComputedAt), string(body))
	return db.dbError(ctx, "survey results "+r.Edition, err)
}

func (db *Store) SurveyResults(ctx context.Context, edition string) (*survey.Results, error) {
	var body string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT body_json FROM survey_results WHERE edition = $1`, edition).Scan(&body)
	if err != nil {
		return nil, db.dbError(ctx, "survey results", notFound(err, "the survey of edition %q has no results yet", edition))
	}
	var r survey.Results
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "survey results %s: %v", edition, err)
	}
	return &r, nil
}

func unknownCity(city string) error {
	return &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.city", Args: []any{city},
		Message:  "there is no city " + city + " in the network",
		Problems: []citylens.Problem{{Field: "city", City: city, Reason: "unknown city", Key: "survey.problem.city", Args: []any{city}}}}
}

// SurveyTopics is an edition's perception-versus-data mapping in its
// order; edition "" lists every edition's.
func (db *Store) SurveyTopics(ctx context.Context, edition string) ([]survey.Topic, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT item, indicator, lower_better, updated_by, updated_at FROM survey_topics
		WHERE $1 = '' OR edition = $1 ORDER BY edition, position`, edition)
	if err != nil {
		return nil, db.dbError(ctx, "survey topics", err)
	}
	defer rows.Close()
	out := []survey.Topic{}
	for rows.Next() {
		var t survey.Topic
		var lower int
		var at int64
		if err := rows.Scan(&t.Item, &t.Indicator, &lower, &t.UpdatedBy, &at); err != nil {
			return nil, db.dbError(ctx, "survey topics", err)
		}
		t.LowerBetter, t.UpdatedAt = lower != 0, tm(at)
		out = append(out, t)
	}
	return out, db.dbError(ctx, "survey topics", rows.Err())
}

// PutSurveyTopics replaces an edition's mapping, in one transaction.
func (db *Store) PutSurveyTopics(ctx context.Context, edition string, topics []survey.Topic) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM survey_topics WHERE edition = $1`, edition); err != nil {
			return db.dbError(ctx, "survey topics", err)
		}
		for k, t := range topics {
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO survey_topics (edition, position, item, indicator, lower_better, updated_by, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, edition, k, t.Item, t.Indicator, boolInt(t.LowerBetter), t.UpdatedBy, us(t.UpdatedAt)); err != nil {
				return db.dbError(ctx, "survey topic "+t.Item+" ↔ "+t.Indicator, err)
			}
		}
		return nil
	})
}

// IndicatorDirection is a catalogue indicator's direction (ENOTFOUND for
// an unknown code).
func (db *Store) IndicatorDirection(ctx context.Context, code string) (int, error) {
	var dir int
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT direction FROM indicators WHERE code = $1`, code).Scan(&dir)
	return dir, db.dbError(ctx, "indicator", notFound(err, "no indicator %q in the catalogue", code))
}
