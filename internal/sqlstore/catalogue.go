package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

const indicatorColumns = `code, name, definition, unit, direction, min_value, max_value, guidance, notes, crosswalk_json, name_ko, unit_ko, definition_ko`

func scanIndicator(s scanner) (catalogue.Indicator, error) {
	var ind catalogue.Indicator
	var lo, hi sql.NullFloat64
	var xw string
	if err := s.Scan(&ind.Code, &ind.Name, &ind.Definition, &ind.Unit, &ind.Direction, &lo, &hi, &ind.Guidance, &ind.Notes, &xw, &ind.Ko.Name, &ind.Ko.Unit, &ind.Ko.Definition); err != nil {
		return ind, err
	}
	if lo.Valid {
		ind.Min = &lo.Float64
	}
	if hi.Valid {
		ind.Max = &hi.Float64
	}
	if err := json.Unmarshal([]byte(xw), &ind.Xwalk); err != nil {
		return ind, citylens.Errorf(citylens.EINTERNAL, "indicator %s: stored crosswalk: %v", ind.Code, err)
	}
	return ind, nil
}

func (db *Store) Indicators(ctx context.Context) ([]catalogue.Indicator, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+indicatorColumns+` FROM indicators ORDER BY code`)
	if err != nil {
		return nil, db.dbError(ctx, "list indicators", err)
	}
	defer rows.Close()
	var out []catalogue.Indicator
	for rows.Next() {
		ind, err := scanIndicator(rows)
		if err != nil {
			return nil, db.dbError(ctx, "list indicators", err)
		}
		out = append(out, ind)
	}
	return out, db.dbError(ctx, "list indicators", rows.Err())
}

func (db *Store) Indicator(ctx context.Context, code string) (catalogue.Indicator, error) {
	ind, err := scanIndicator(db.reader(ctx).QueryRowContext(ctx, `SELECT `+indicatorColumns+` FROM indicators WHERE code = $1`, code))
	return ind, db.dbError(ctx, "indicator", notFound(err, "indicator %q not found", code))
}

func (db *Store) PutIndicators(ctx context.Context, inds []catalogue.Indicator) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		for _, ind := range inds {
			xw, err := json.Marshal(ind.Xwalk)
			if err != nil {
				return err
			}
			_, err = db.writer(ctx).ExecContext(ctx, `INSERT INTO indicators (`+indicatorColumns+`, pillar)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
				ON CONFLICT (code) DO UPDATE SET name = excluded.name, definition = excluded.definition, unit = excluded.unit,
					direction = excluded.direction, min_value = excluded.min_value, max_value = excluded.max_value,
					guidance = excluded.guidance, notes = excluded.notes, crosswalk_json = excluded.crosswalk_json, pillar = excluded.pillar,
					name_ko = excluded.name_ko, unit_ko = excluded.unit_ko, definition_ko = excluded.definition_ko`,
				ind.Code, ind.Name, ind.Definition, ind.Unit, ind.Direction, ind.Min, ind.Max, ind.Guidance, ind.Notes, string(xw), ind.Ko.Name, ind.Ko.Unit, ind.Ko.Definition, ind.Xwalk.Pillar)
			if err != nil {
				return db.dbError(ctx, "indicator "+ind.Code, err)
			}
		}
		return nil
	})
}

const editionColumns = `code, name, reference_year, previous_edition, opens_at, closes_at, status, jump_threshold, framework_json, method_json, release_json`

func scanEdition(s scanner) (*catalogue.Edition, error) {
	e := &catalogue.Edition{}
	var opens, closes int64
	var fw, m, rel string
	if err := s.Scan(&e.Code, &e.Name, &e.ReferenceYear, &e.PreviousEdition, &opens, &closes, &e.Status, &e.JumpThreshold, &fw, &m, &rel); err != nil {
		return nil, err
	}
	if rel != "" {
		e.Release = json.RawMessage(rel)
	}
	e.Opens, e.Closes = tm(opens), tm(closes)
	if err := json.Unmarshal([]byte(fw), &e.Framework); err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "edition %s: stored framework: %v", e.Code, err)
	}
	if err := json.Unmarshal([]byte(m), &e.Method); err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "edition %s: stored method: %v", e.Code, err)
	}
	return e, nil
}

func editionArgs(e *catalogue.Edition) ([]any, error) {
	fw, err := json.Marshal(e.Framework)
	if err != nil {
		return nil, err
	}
	m, err := json.Marshal(e.Method)
	if err != nil {
		return nil, err
	}
	return []any{e.Code, e.Name, e.ReferenceYear, e.PreviousEdition, us(e.Opens), us(e.Closes), e.Status, e.JumpThreshold, string(fw), string(m), string(e.Release)}, nil
}

func (db *Store) CreateEdition(ctx context.Context, e *catalogue.Edition) error {
	args, err := editionArgs(e)
	if err != nil {
		return err
	}
	_, err = db.writer(ctx).ExecContext(ctx, `INSERT INTO editions (`+editionColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, args...)
	return db.dbError(ctx, "edition "+e.Code, err)
}

func (db *Store) Edition(ctx context.Context, code string) (*catalogue.Edition, error) {
	e, err := scanEdition(db.reader(ctx).QueryRowContext(ctx, `SELECT `+editionColumns+` FROM editions WHERE code = $1`, code))
	return e, db.dbError(ctx, "edition", notFound(err, "edition %q not found", code))
}

func (db *Store) Editions(ctx context.Context) ([]*catalogue.Edition, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+editionColumns+` FROM editions ORDER BY reference_year DESC, code DESC`)
	if err != nil {
		return nil, db.dbError(ctx, "list editions", err)
	}
	defer rows.Close()
	var out []*catalogue.Edition
	for rows.Next() {
		e, err := scanEdition(rows)
		if err != nil {
			return nil, db.dbError(ctx, "list editions", err)
		}
		out = append(out, e)
	}
	return out, db.dbError(ctx, "list editions", rows.Err())
}

func (db *Store) UpdateEdition(ctx context.Context, e *catalogue.Edition) error {
	args, err := editionArgs(e)
	if err != nil {
		return err
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE editions SET name = $2, reference_year = $3, previous_edition = $4, opens_at = $5,
		closes_at = $6, status = $7, jump_threshold = $8, framework_json = $9, method_json = $10, release_json = $11 WHERE code = $1`, args...)
	if err != nil {
		return db.dbError(ctx, "edition "+e.Code, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return citylens.Errorf(citylens.ENOTFOUND, "edition %q not found", e.Code)
	}
	return nil
}

// CatalogueVersion is the version of the catalogue and the editions, which
// triggers on both tables bump with every write (migration 103), whoever
// makes it: datacall.CallCache reloads them when it changes.
func (db *Store) CatalogueVersion(ctx context.Context) (int64, error) {
	var v int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT version FROM catalogue_version WHERE id = 1`).Scan(&v)
	return v, db.dbError(ctx, "catalogue version", err)
}
