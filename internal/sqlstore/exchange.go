package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/exchange"
)

// The knowledge exchange's practice library. Cases are one row each, with
// their multi-valued fields and links as JSON; exchange_case_facets holds
// every facet value for filters and counts, and terms_text the case's
// index terms (exchange.Terms). Search runs on the store's index in
// memory (exchange_index.go), made of those, so it is the same on both
// databases.

const exchangeCaseColumns = `id, source, application_id, study_id, title, title_ko, summary, summary_ko, city_code, city_name, country,
	region, population_band, esg_pillar, stage, budget_band, results, evidence, contacts, tags_json, links_json,
	visibility, demo, created_by, created_at, updated_at`

func exchangeCaseArgs(c *exchange.Case) ([]any, error) {
	tags, err := json.Marshal(c.Tags)
	if err != nil {
		return nil, err
	}
	links := c.Links
	for i := range links {
		links[i].Title = ""
	}
	if links == nil {
		links = []exchange.Link{}
	}
	lj, err := json.Marshal(links)
	if err != nil {
		return nil, err
	}
	var app, study any
	if c.ApplicationID != 0 {
		app = c.ApplicationID
	}
	if c.StudyID != 0 {
		study = c.StudyID
	}
	return []any{c.Source, app, study, c.Title, c.TitleKO, c.Summary, c.SummaryKO, c.CityCode, c.CityName, c.Country,
		c.Region, c.PopulationBand, c.ESGPillar, c.Stage, c.BudgetBand, c.Results, c.Evidence, c.Contacts, string(tags), string(lj),
		c.Visibility, boolInt(c.Demo), c.CreatedBy, us(c.CreatedAt), us(c.UpdatedAt), strings.Join(c.SearchText(), " ")}, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func scanExchangeCase(row interface{ Scan(...any) error }) (*exchange.Case, error) {
	var c exchange.Case
	var app, study sql.NullInt64
	var tags, links string
	var demo int
	var created, updated int64
	if err := row.Scan(&c.ID, &c.Source, &app, &study, &c.Title, &c.TitleKO, &c.Summary, &c.SummaryKO, &c.CityCode, &c.CityName, &c.Country,
		&c.Region, &c.PopulationBand, &c.ESGPillar, &c.Stage, &c.BudgetBand, &c.Results, &c.Evidence, &c.Contacts, &tags, &links,
		&c.Visibility, &demo, &c.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	c.ApplicationID, c.StudyID = app.Int64, study.Int64
	c.Demo = demo != 0
	c.CreatedAt, c.UpdatedAt = tm(created), tm(updated)
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return nil, fmt.Errorf("exchange case %d: tags: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(links), &c.Links); err != nil {
		return nil, fmt.Errorf("exchange case %d: links: %w", c.ID, err)
	}
	return &c, nil
}

// CreateExchangeCase implements exchange.Store.
func (db *Store) CreateExchangeCase(ctx context.Context, c *exchange.Case) error {
	args, err := exchangeCaseArgs(c)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		seq, err := db.nextExchangeSeq(ctx)
		if err != nil {
			return err
		}
		err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO exchange_cases (`+strings.TrimPrefix(exchangeCaseColumns, "id, ")+`, terms_text, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27)
			RETURNING id`, append(args, seq)...).Scan(&c.ID)
		if err != nil {
			return db.dbError(ctx, "exchange case", err)
		}
		return db.putExchangeFacets(ctx, c)
	})
}

// UpdateExchangeCase implements exchange.Store.
func (db *Store) UpdateExchangeCase(ctx context.Context, c *exchange.Case) error {
	args, err := exchangeCaseArgs(c)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(ctx context.Context) error {
		seq, err := db.nextExchangeSeq(ctx)
		if err != nil {
			return err
		}
		res, err := db.writer(ctx).ExecContext(ctx, `UPDATE exchange_cases SET source = $1, application_id = $2, study_id = $3, title = $4, title_ko = $5,
			summary = $6, summary_ko = $7, city_code = $8, city_name = $9, country = $10, region = $11, population_band = $12,
			esg_pillar = $13, stage = $14, budget_band = $15, results = $16, evidence = $17, contacts = $18, tags_json = $19,
			links_json = $20, visibility = $21, demo = $22, created_by = $23, created_at = $24, updated_at = $25, terms_text = $26,
			seq = $27 WHERE id = $28`, append(args, seq, c.ID)...)
		if err != nil {
			return db.dbError(ctx, "exchange case", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return citylens.Errorf(citylens.ENOTFOUND, "exchange case %d not found", c.ID)
		}
		if _, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM exchange_case_facets WHERE case_id = $1`, c.ID); err != nil {
			return db.dbError(ctx, "exchange case facets", err)
		}
		return db.putExchangeFacets(ctx, c)
	})
}

func (db *Store) putExchangeFacets(ctx context.Context, c *exchange.Case) error {
	for _, f := range exchange.Facets {
		for _, v := range c.FacetValues(f) {
			if _, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO exchange_case_facets (case_id, field, value) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, c.ID, f, v); err != nil {
				return db.dbError(ctx, "exchange case facets", err)
			}
		}
	}
	return nil
}

// ExchangeCase implements exchange.Store.
func (db *Store) ExchangeCase(ctx context.Context, id int64) (*exchange.Case, error) {
	c, err := scanExchangeCase(db.reader(ctx).QueryRowContext(ctx, `SELECT `+exchangeCaseColumns+` FROM exchange_cases WHERE id = $1`, id))
	if err != nil {
		return nil, db.dbError(ctx, "exchange case", notFound(err, "exchange case %d not found", id))
	}
	return c, nil
}

// ExchangeCaseByApplication implements exchange.Store.
func (db *Store) ExchangeCaseByApplication(ctx context.Context, applicationID int64) (*exchange.Case, error) {
	c, err := scanExchangeCase(db.reader(ctx).QueryRowContext(ctx, `SELECT `+exchangeCaseColumns+` FROM exchange_cases WHERE application_id = $1`, applicationID))
	if err != nil {
		return nil, db.dbError(ctx, "exchange case", notFound(err, "no exchange case of application %d", applicationID))
	}
	return c, nil
}

// ExchangeCaseByStudy implements exchange.Store.
func (db *Store) ExchangeCaseByStudy(ctx context.Context, studyID int64) (*exchange.Case, error) {
	c, err := scanExchangeCase(db.reader(ctx).QueryRowContext(ctx, `SELECT `+exchangeCaseColumns+` FROM exchange_cases WHERE study_id = $1`, studyID))
	if err != nil {
		return nil, db.dbError(ctx, "exchange case", notFound(err, "no exchange case of study %d", studyID))
	}
	return c, nil
}

// maxFacetValues bounds the values one facet lists (the most frequent).
const maxFacetValues = 30

// SearchExchangeCases implements exchange.Store. Terms (letters and
// digits only, from exchange.Terms) all match, each as a prefix. The
// store's exchangeIndex, in memory and the same on both databases, finds
// the matches, ranks, filters and counts them (see exchange_index.go);
// the database reads the page's cases.
func (db *Store) SearchExchangeCases(ctx context.Context, terms []string, q exchange.Query) (exchange.Result, error) {
	r := exchange.Result{Facets: map[string][]exchange.FacetCount{}}
	ix, err := db.freshExchangeIndex(ctx)
	if err != nil {
		return r, err
	}
	var page []int64
	r.Total, page, r.Facets = ix.counted(ix.matches(terms), len(terms) == 0, q)
	ix.mu.RUnlock()
	if len(page) == 0 {
		return r, nil
	}
	args := make([]any, len(page))
	ps := make([]string, len(page))
	for i, id := range page {
		args[i] = id
		ps[i] = fmt.Sprintf("$%d", i+1)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+exchangeCaseColumns+` FROM exchange_cases WHERE id IN (`+strings.Join(ps, ", ")+`)`, args...)
	if err != nil {
		return r, db.dbError(ctx, "exchange search", err)
	}
	defer rows.Close()
	byID := map[int64]*exchange.Case{}
	for rows.Next() {
		c, err := scanExchangeCase(rows)
		if err != nil {
			return r, db.dbError(ctx, "exchange search", err)
		}
		byID[c.ID] = c
	}
	if err := rows.Err(); err != nil {
		return r, db.dbError(ctx, "exchange search", err)
	}
	for _, id := range page {
		if c := byID[id]; c != nil {
			r.Cases = append(r.Cases, c)
		}
	}
	return r, nil
}

// exchangeCaseColumnsAs is exchangeCaseColumns qualified by table alias t.
func exchangeCaseColumnsAs(t string) string {
	fs := strings.Split(exchangeCaseColumns, ",")
	for i, f := range fs {
		fs[i] = t + "." + strings.TrimSpace(f)
	}
	return strings.Join(fs, ", ")
}

// SimilarExchangeCases implements exchange.Store.
func (db *Store) SimilarExchangeCases(ctx context.Context, id int64, members bool, limit int) ([]*exchange.Case, error) {
	args := []any{id, limit}
	fields := make([]string, len(exchange.SimilarFields))
	for i, f := range exchange.SimilarFields {
		args = append(args, f)
		fields[i] = fmt.Sprintf("$%d", len(args))
	}
	vis := ""
	if !members {
		vis = "AND c.visibility = 'public'"
	}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+exchangeCaseColumnsAs("c")+` FROM exchange_cases c
		JOIN (SELECT f2.case_id, count(*) AS shared FROM exchange_case_facets f1
			JOIN exchange_case_facets f2 ON f2.field = f1.field AND f2.value = f1.value AND f2.case_id <> f1.case_id
			WHERE f1.case_id = $1 AND f1.field IN (`+strings.Join(fields, ", ")+`) GROUP BY f2.case_id) s ON s.case_id = c.id
		WHERE TRUE `+vis+` ORDER BY s.shared DESC, c.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, db.dbError(ctx, "similar exchange cases", err)
	}
	defer rows.Close()
	var out []*exchange.Case
	for rows.Next() {
		c, err := scanExchangeCase(rows)
		if err != nil {
			return nil, db.dbError(ctx, "similar exchange cases", err)
		}
		out = append(out, c)
	}
	return out, db.dbError(ctx, "similar exchange cases", rows.Err())
}
