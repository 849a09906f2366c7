package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/prize"
)

// Needs and strengths' overrides and matching rounds (exchange.MatchStore).

var _ exchange.MatchStore = (*Store)(nil)

// ExchangeOverrides implements exchange.MatchStore.
func (db *Store) ExchangeOverrides(ctx context.Context, city string) ([]exchange.Override, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT city, side, kind, ref, theme, action, name, note, by_email, at
		FROM exchange_item_overrides WHERE city = $1 ORDER BY at, side, kind, ref, theme`, city)
	if err != nil {
		return nil, db.dbError(ctx, "exchange overrides", err)
	}
	defer rows.Close()
	var out []exchange.Override
	for rows.Next() {
		var o exchange.Override
		var at int64
		if err := rows.Scan(&o.City, &o.Key.Side, &o.Key.Kind, &o.Key.Ref, &o.Key.Theme, &o.Action, &o.Name, &o.Note, &o.By, &at); err != nil {
			return nil, db.dbError(ctx, "exchange overrides", err)
		}
		o.At = tm(at)
		out = append(out, o)
	}
	return out, db.dbError(ctx, "exchange overrides", rows.Err())
}

// PutExchangeOverride implements exchange.MatchStore.
func (db *Store) PutExchangeOverride(ctx context.Context, o exchange.Override) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO exchange_item_overrides (city, side, kind, ref, theme, action, name, note, by_email, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (city, side, kind, ref, theme) DO UPDATE SET action = excluded.action, name = excluded.name, note = excluded.note,
			by_email = excluded.by_email, at = excluded.at`,
		o.City, o.Key.Side, o.Key.Kind, o.Key.Ref, o.Key.Theme, o.Action, o.Name, o.Note, o.By, us(o.At))
	return db.dbError(ctx, "exchange override", err)
}

// DeleteExchangeOverride implements exchange.MatchStore.
func (db *Store) DeleteExchangeOverride(ctx context.Context, city string, k exchange.ItemKey) error {
	_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM exchange_item_overrides WHERE city = $1 AND side = $2 AND kind = $3 AND ref = $4 AND theme = $5`,
		city, k.Side, k.Kind, k.Ref, k.Theme)
	return db.dbError(ctx, "exchange override", err)
}

// ExchangeCityCases implements exchange.MatchStore.
func (db *Store) ExchangeCityCases(ctx context.Context, city string) ([]*exchange.Case, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+exchangeCaseColumns+` FROM exchange_cases WHERE city_code = $1 ORDER BY id`, city)
	if err != nil {
		return nil, db.dbError(ctx, "exchange city cases", err)
	}
	defer rows.Close()
	var out []*exchange.Case
	for rows.Next() {
		c, err := scanExchangeCase(rows)
		if err != nil {
			return nil, db.dbError(ctx, "exchange city cases", err)
		}
		out = append(out, c)
	}
	return out, db.dbError(ctx, "exchange city cases", rows.Err())
}

// CityWinningProjects implements exchange.MatchStore.
func (db *Store) CityWinningProjects(ctx context.Context, city string) ([]exchange.WinningProject, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT a.id, a.edition, a.title, a.answers, d.kind, d.grade
		FROM judging_decisions d JOIN prize_applications a ON a.id = d.application_id
		JOIN judging_announcements n ON n.edition = d.edition
		WHERE a.city_code = $1 AND d.kind IN ('winner', 'leadership', 'special_mention')
		ORDER BY a.edition DESC, a.id`, city)
	if err != nil {
		return nil, db.dbError(ctx, "city winning projects", err)
	}
	defer rows.Close()
	var out []exchange.WinningProject
	for rows.Next() {
		var w exchange.WinningProject
		var answers string
		if err := rows.Scan(&w.App, &w.Edition, &w.Title, &answers, &w.Kind, &w.Grade); err != nil {
			return nil, db.dbError(ctx, "city winning projects", err)
		}
		var ans prize.Answers
		if err := json.Unmarshal([]byte(answers), &ans); err != nil {
			return nil, fmt.Errorf("prize application %d: answers: %w", w.App, err)
		}
		w.Themes = ans["themes"]
		out = append(out, w)
	}
	return out, db.dbError(ctx, "city winning projects", rows.Err())
}

// PublishedReleaseHashes implements exchange.MatchStore.
func (db *Store) PublishedReleaseHashes(ctx context.Context, limit int) ([]string, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT r.hash FROM releases r JOIN editions e ON e.code = r.edition
		WHERE r.state = 'published' ORDER BY e.reference_year DESC, r.published_at DESC, r.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, db.dbError(ctx, "published releases", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, db.dbError(ctx, "published releases", err)
		}
		out = append(out, h)
	}
	return out, db.dbError(ctx, "published releases", rows.Err())
}

const matchRoundColumns = `id, title, title_ko, w_needs, w_context, w_practical, state, runs, result_json, demo, created_by, created_at, run_at`

func scanMatchRound(row interface{ Scan(...any) error }) (*exchange.Round, error) {
	var r exchange.Round
	var result string
	var demo int
	var created, run int64
	if err := row.Scan(&r.ID, &r.Title, &r.TitleKO, &r.Weights.Needs, &r.Weights.Context, &r.Weights.Practical, &r.State, &r.Runs,
		&result, &demo, &r.CreatedBy, &created, &run); err != nil {
		return nil, err
	}
	r.Demo, r.CreatedAt = demo != 0, tm(created)
	if run != 0 {
		r.RunAt = tm(run)
	}
	if err := json.Unmarshal([]byte(result), &r.Result); err != nil {
		return nil, fmt.Errorf("matching round %d: result: %w", r.ID, err)
	}
	return &r, nil
}

// CreateMatchRound implements exchange.MatchStore.
func (db *Store) CreateMatchRound(ctx context.Context, r *exchange.Round) error {
	res, err := json.Marshal(r.Result)
	if err != nil {
		return err
	}
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO exchange_rounds (title, title_ko, w_needs, w_context, w_practical, state, runs,
		result_json, demo, created_by, created_at, run_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		r.Title, r.TitleKO, r.Weights.Needs, r.Weights.Context, r.Weights.Practical, r.State, r.Runs, string(res), boolInt(r.Demo),
		r.CreatedBy, us(r.CreatedAt), usOrZero(r.RunAt)).Scan(&r.ID)
	return db.dbError(ctx, "matching round", err)
}

func usOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return us(t)
}

// UpdateMatchRound implements exchange.MatchStore.
func (db *Store) UpdateMatchRound(ctx context.Context, r *exchange.Round) error {
	res, err := json.Marshal(r.Result)
	if err != nil {
		return err
	}
	out, err := db.writer(ctx).ExecContext(ctx, `UPDATE exchange_rounds SET state = $1, runs = $2, result_json = $3, run_at = $4 WHERE id = $5`,
		r.State, r.Runs, string(res), usOrZero(r.RunAt), r.ID)
	if err != nil {
		return db.dbError(ctx, "matching round", err)
	}
	if n, _ := out.RowsAffected(); n == 0 {
		return citylens.Errorf(citylens.ENOTFOUND, "matching round %d not found", r.ID)
	}
	return nil
}

// MatchRound implements exchange.MatchStore.
func (db *Store) MatchRound(ctx context.Context, id int64) (*exchange.Round, error) {
	r, err := scanMatchRound(db.reader(ctx).QueryRowContext(ctx, `SELECT `+matchRoundColumns+` FROM exchange_rounds WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "matching round", notFound(err, "matching round %d not found", id))
	}
	return r, nil
}

// MatchRounds implements exchange.MatchStore.
func (db *Store) MatchRounds(ctx context.Context) ([]*exchange.Round, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+matchRoundColumns+` FROM exchange_rounds ORDER BY id DESC`)
	if err != nil {
		return nil, db.dbError(ctx, "matching rounds", err)
	}
	defer rows.Close()
	var out []*exchange.Round
	for rows.Next() {
		r, err := scanMatchRound(rows)
		if err != nil {
			return nil, db.dbError(ctx, "matching rounds", err)
		}
		out = append(out, r)
	}
	return out, db.dbError(ctx, "matching rounds", rows.Err())
}

// PutMatchOpt implements exchange.MatchStore.
func (db *Store) PutMatchOpt(ctx context.Context, o exchange.Opt) error {
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO exchange_round_opts (round_id, city, learner, mentor, languages, by_email, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (round_id, city) DO UPDATE SET learner = excluded.learner, mentor = excluded.mentor, languages = excluded.languages,
			by_email = excluded.by_email, at = excluded.at`,
		o.Round, o.City, o.Learner, o.Mentor, strings.Join(o.Languages, " "), o.By, us(o.At))
	return db.dbError(ctx, "matching opt-in", err)
}

// DeleteMatchOpt implements exchange.MatchStore.
func (db *Store) DeleteMatchOpt(ctx context.Context, round int64, city string) error {
	_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM exchange_round_opts WHERE round_id = $1 AND city = $2`, round, city)
	return db.dbError(ctx, "matching opt-in", err)
}

// MatchOpts implements exchange.MatchStore.
func (db *Store) MatchOpts(ctx context.Context, round int64) ([]exchange.Opt, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT round_id, city, learner, mentor, languages, by_email, at
		FROM exchange_round_opts WHERE round_id = $1 ORDER BY city`, round)
	if err != nil {
		return nil, db.dbError(ctx, "matching opt-ins", err)
	}
	defer rows.Close()
	var out []exchange.Opt
	for rows.Next() {
		var o exchange.Opt
		var langs string
		var at int64
		if err := rows.Scan(&o.Round, &o.City, &o.Learner, &o.Mentor, &langs, &o.By, &at); err != nil {
			return nil, db.dbError(ctx, "matching opt-ins", err)
		}
		o.Languages, o.At = strings.Fields(langs), tm(at)
		out = append(out, o)
	}
	return out, db.dbError(ctx, "matching opt-ins", rows.Err())
}

// ReplaceMatchSuggestions implements exchange.MatchStore.
func (db *Store) ReplaceMatchSuggestions(ctx context.Context, round int64, ss []exchange.Suggestion) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM exchange_round_pairs WHERE round_id = $1`, round); err != nil {
			return db.dbError(ctx, "matching pairs", err)
		}
		for _, s := range ss {
			reasons := s.Reasons
			if reasons == nil {
				reasons = []exchange.Reason{}
			}
			rj, err := json.Marshal(reasons)
			if err != nil {
				return err
			}
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO exchange_round_pairs (round_id, learner, mentor, score, needs, context,
				practical, reasons_json, learner_answer, mentor_answer, run, answered_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				round, s.Learner, s.Mentor, s.Score, s.Needs, s.Context, s.Practical, string(rj), s.LearnerAnswer, s.MentorAnswer, s.Run,
				usOrZero(s.AnsweredAt)); err != nil {
				return db.dbError(ctx, "matching pairs", err)
			}
		}
		return nil
	})
}

const matchPairColumns = `round_id, learner, mentor, score, needs, context, practical, reasons_json, learner_answer, mentor_answer, run, answered_at`

func (db *Store) matchPairs(ctx context.Context, where string, args ...any) ([]exchange.Suggestion, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+matchPairColumns+` FROM exchange_round_pairs WHERE `+where+
		` ORDER BY round_id DESC, score DESC, learner, mentor`, args...)
	if err != nil {
		return nil, db.dbError(ctx, "matching pairs", err)
	}
	defer rows.Close()
	var out []exchange.Suggestion
	for rows.Next() {
		var s exchange.Suggestion
		var rj string
		var at int64
		if err := rows.Scan(&s.Round, &s.Learner, &s.Mentor, &s.Score, &s.Needs, &s.Context, &s.Practical, &rj, &s.LearnerAnswer,
			&s.MentorAnswer, &s.Run, &at); err != nil {
			return nil, db.dbError(ctx, "matching pairs", err)
		}
		if at != 0 {
			s.AnsweredAt = tm(at)
		}
		if err := json.Unmarshal([]byte(rj), &s.Reasons); err != nil {
			return nil, fmt.Errorf("matching pair %s–%s: reasons: %w", s.Learner, s.Mentor, err)
		}
		out = append(out, s)
	}
	return out, db.dbError(ctx, "matching pairs", rows.Err())
}

// MatchSuggestions implements exchange.MatchStore.
func (db *Store) MatchSuggestions(ctx context.Context, round int64) ([]exchange.Suggestion, error) {
	return db.matchPairs(ctx, `round_id = $1`, round)
}

// CityMatchSuggestions implements exchange.MatchStore.
func (db *Store) CityMatchSuggestions(ctx context.Context, city string) ([]exchange.Suggestion, error) {
	return db.matchPairs(ctx, `(learner = $1 OR mentor = $1)`, city)
}

// SetMatchAnswer implements exchange.MatchStore.
func (db *Store) SetMatchAnswer(ctx context.Context, round int64, learner, mentor, side, answer string, at time.Time) error {
	col := "learner_answer"
	if side == "mentor" {
		col = "mentor_answer"
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE exchange_round_pairs SET `+col+` = $1, answered_at = $2
		WHERE round_id = $3 AND learner = $4 AND mentor = $5`, answer, us(at), round, learner, mentor)
	if err != nil {
		return db.dbError(ctx, "matching answer", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return citylens.Errorf(citylens.ENOTFOUND, "round %d has no pair %s–%s", round, learner, mentor)
	}
	return nil
}

// MatchTies implements exchange.MatchStore: the pairs both cities
// accepted in a round, and the pairs of cities in a partnership that has
// not lapsed.
func (db *Store) MatchTies(ctx context.Context) ([][2]string, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT learner, mentor FROM exchange_round_pairs
		WHERE learner_answer = 'accepted' AND mentor_answer = 'accepted'
		UNION SELECT city_a, city_b FROM exchange_partnerships WHERE city_b IS NOT NULL AND status <> 'lapsed'
		ORDER BY 1, 2`)
	if err != nil {
		return nil, db.dbError(ctx, "city ties", err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			return nil, db.dbError(ctx, "city ties", err)
		}
		out = append(out, p)
	}
	return out, db.dbError(ctx, "city ties", rows.Err())
}
