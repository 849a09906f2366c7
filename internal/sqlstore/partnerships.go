package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/exchange"
)

// The knowledge exchange's partnerships (migration 630): one row each,
// themes as JSON, activities and the agreement file in their own tables.

const partnershipColumns = `p.id, p.city_a, p.city_b, p.partner, p.title, p.title_ko, p.summary, p.summary_ko, p.themes_json,
	p.start_date, p.end_date, p.status, p.agreement_date, p.outcomes, p.visibility, p.case_id, p.demo, p.created_by,
	p.created_at, p.updated_at, f.id, f.name, f.type, f.size, f.sha256, f.created_at`

const partnershipFrom = ` FROM exchange_partnerships p LEFT JOIN exchange_partnership_files f ON f.id = p.agreement_file`

func nullInt(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

func scanPartnership(row interface{ Scan(...any) error }) (*exchange.Partnership, error) {
	var p exchange.Partnership
	var cityB, partner, fid, fname, ftype, fsha sql.NullString
	var caseID, fsize, fcreated sql.NullInt64
	var themes string
	var demo int
	var created, updated int64
	if err := row.Scan(&p.ID, &p.CityA, &cityB, &partner, &p.Title, &p.TitleKO, &p.Summary, &p.SummaryKO, &themes,
		&p.StartDate, &p.EndDate, &p.Status, &p.AgreementDate, &p.Outcomes, &p.Visibility, &caseID, &demo, &p.CreatedBy,
		&created, &updated, &fid, &fname, &ftype, &fsize, &fsha, &fcreated); err != nil {
		return nil, err
	}
	p.CityB, p.Partner, p.CaseID, p.Demo = cityB.String, partner.String, caseID.Int64, demo != 0
	p.CreatedAt, p.UpdatedAt = tm(created), tm(updated)
	if fid.Valid {
		p.Agreement = &exchange.File{ID: fid.String, PartnershipID: p.ID, Name: fname.String, Type: ftype.String, Size: fsize.Int64,
			SHA256: fsha.String, CreatedAt: tm(fcreated.Int64)}
	}
	if err := json.Unmarshal([]byte(themes), &p.Themes); err != nil {
		return nil, fmt.Errorf("partnership %d: themes: %w", p.ID, err)
	}
	return &p, nil
}

func partnershipArgs(p *exchange.Partnership) ([]any, error) {
	themes := p.Themes
	if themes == nil {
		themes = []string{}
	}
	tj, err := json.Marshal(themes)
	if err != nil {
		return nil, err
	}
	var file any
	if p.Agreement != nil {
		file = p.Agreement.ID
	}
	return []any{p.CityA, nullString(p.CityB), nullString(p.Partner), p.Title, p.TitleKO, p.Summary, p.SummaryKO, string(tj),
		p.StartDate, p.EndDate, p.Status, p.AgreementDate, file, p.Outcomes, p.Visibility, nullInt(p.CaseID), boolInt(p.Demo),
		p.CreatedBy, us(p.CreatedAt), us(p.UpdatedAt)}, nil
}

// CreatePartnership implements exchange.PartnershipStore.
func (db *Store) CreatePartnership(ctx context.Context, p *exchange.Partnership) error {
	args, err := partnershipArgs(p)
	if err != nil {
		return err
	}
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO exchange_partnerships (city_a, city_b, partner, title, title_ko, summary,
		summary_ko, themes_json, start_date, end_date, status, agreement_date, agreement_file, outcomes, visibility, case_id, demo,
		created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
		RETURNING id`, args...).Scan(&p.ID)
	return db.dbError(ctx, "partnership", err)
}

// UpdatePartnership implements exchange.PartnershipStore.
func (db *Store) UpdatePartnership(ctx context.Context, p *exchange.Partnership) error {
	args, err := partnershipArgs(p)
	if err != nil {
		return err
	}
	res, err := db.writer(ctx).ExecContext(ctx, `UPDATE exchange_partnerships SET city_a = $1, city_b = $2, partner = $3, title = $4,
		title_ko = $5, summary = $6, summary_ko = $7, themes_json = $8, start_date = $9, end_date = $10, status = $11,
		agreement_date = $12, agreement_file = $13, outcomes = $14, visibility = $15, case_id = $16, demo = $17, created_by = $18,
		created_at = $19, updated_at = $20 WHERE id = $21`, append(args, p.ID)...)
	if err != nil {
		return db.dbError(ctx, "partnership", err)
	}
	return db.rowsAffected(ctx, res, "partnership %d not found", p.ID)
}

// Partnership implements exchange.PartnershipStore.
func (db *Store) Partnership(ctx context.Context, id int64) (*exchange.Partnership, error) {
	return db.onePartnership(ctx, `p.id = $1`, id)
}

// PartnershipByCase implements exchange.PartnershipStore.
func (db *Store) PartnershipByCase(ctx context.Context, caseID int64) (*exchange.Partnership, error) {
	return db.onePartnership(ctx, `p.case_id = $1`, caseID)
}

func (db *Store) onePartnership(ctx context.Context, where string, arg int64) (*exchange.Partnership, error) {
	p, err := scanPartnership(db.reader(ctx).QueryRowContext(ctx, `SELECT `+partnershipColumns+partnershipFrom+` WHERE `+where, arg))
	if err != nil {
		return nil, db.dbError(ctx, "partnership", notFound(err, "partnership not found"))
	}
	acts, err := db.partnershipActivities(ctx, []int64{p.ID})
	if err != nil {
		return nil, err
	}
	p.Activities = acts[p.ID]
	return p, nil
}

func (db *Store) partnershipActivities(ctx context.Context, ids []int64) (map[int64][]exchange.Activity, error) {
	out := map[int64][]exchange.Activity{}
	for start := 0; start < len(ids); start += 500 {
		part := ids[start:min(start+500, len(ids))]
		args := make([]any, len(part))
		ps := make([]string, len(part))
		for i, id := range part {
			args[i], ps[i] = id, fmt.Sprintf("$%d", i+1)
		}
		rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, partnership_id, kind, title, start_date, end_date, report, created_by, created_at
			FROM exchange_partnership_activities WHERE partnership_id IN (`+strings.Join(ps, ", ")+`) ORDER BY start_date, id`, args...)
		if err != nil {
			return nil, db.dbError(ctx, "partnership activities", err)
		}
		for rows.Next() {
			var a exchange.Activity
			var created int64
			if err := rows.Scan(&a.ID, &a.PartnershipID, &a.Kind, &a.Title, &a.StartDate, &a.EndDate, &a.Report, &a.CreatedBy, &created); err != nil {
				rows.Close()
				return nil, db.dbError(ctx, "partnership activities", err)
			}
			a.CreatedAt = tm(created)
			out[a.PartnershipID] = append(out[a.PartnershipID], a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, db.dbError(ctx, "partnership activities", err)
		}
	}
	return out, nil
}

// Partnerships implements exchange.PartnershipStore.
func (db *Store) Partnerships(ctx context.Context, f exchange.PartnershipFilter) ([]*exchange.Partnership, error) {
	var where []string
	var args []any
	if len(f.Cities) > 0 {
		ps := make([]string, len(f.Cities))
		for i, c := range f.Cities {
			args = append(args, c)
			ps[i] = fmt.Sprintf("$%d", len(args))
		}
		in := strings.Join(ps, ", ")
		where = append(where, "(p.city_a IN ("+in+") OR p.city_b IN ("+in+"))")
	}
	if f.PublicOnly {
		where = append(where, "p.visibility = 'public'")
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("p.status = $%d", len(args)))
	}
	q := `SELECT ` + partnershipColumns + partnershipFrom
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY p.start_date DESC, p.id DESC LIMIT %d", exchange.MaxPartnershipList)
	rows, err := db.reader(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.dbError(ctx, "partnerships", err)
	}
	var out []*exchange.Partnership
	var ids []int64
	for rows.Next() {
		p, err := scanPartnership(rows)
		if err != nil {
			rows.Close()
			return nil, db.dbError(ctx, "partnerships", err)
		}
		out = append(out, p)
		ids = append(ids, p.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.dbError(ctx, "partnerships", err)
	}
	acts, err := db.partnershipActivities(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		p.Activities = acts[p.ID]
	}
	return out, nil
}

// AddPartnershipActivity implements exchange.PartnershipStore.
func (db *Store) AddPartnershipActivity(ctx context.Context, a *exchange.Activity) error {
	err := db.writer(ctx).QueryRowContext(ctx, `INSERT INTO exchange_partnership_activities (partnership_id, kind, title, start_date,
		end_date, report, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		a.PartnershipID, a.Kind, a.Title, a.StartDate, a.EndDate, a.Report, a.CreatedBy, us(a.CreatedAt)).Scan(&a.ID)
	return db.dbError(ctx, "partnership activity", err)
}

// partnershipChunks are the agreement files' chunk rows (files.go).
var partnershipChunks = chunkTable{"exchange_partnership_file_chunks", "file_id"}

// AddPartnershipFile implements exchange.PartnershipStore: the record of f
// (size and SHA-256 from t) with the bytes of t (finished), in the
// transaction of ctx (see files.go).
func (db *Store) AddPartnershipFile(ctx context.Context, f exchange.File, t *blobs.Temp) error {
	return db.InTx(ctx, func(ctx context.Context) error {
		_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO exchange_partnership_files (id, partnership_id, name, type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, f.ID, f.PartnershipID, f.Name, f.Type, t.Size(), t.Sum(), us(f.CreatedAt))
		if err != nil {
			return db.dbError(ctx, "partnership file", err)
		}
		return db.putFileBytes(ctx, partnershipChunks, f.ID, t)
	})
}

// PartnershipFile implements exchange.PartnershipStore.
func (db *Store) PartnershipFile(ctx context.Context, id string) (exchange.File, error) {
	var f exchange.File
	var created int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT id, partnership_id, name, type, size, sha256, created_at
		FROM exchange_partnership_files WHERE id = $1`, id).Scan(&f.ID, &f.PartnershipID, &f.Name, &f.Type, &f.Size, &f.SHA256, &created)
	f.CreatedAt = tm(created)
	return f, db.dbError(ctx, "partnership file", notFound(err, "partnership file %s not found", id))
}

// PartnershipFileChunks implements exchange.PartnershipStore: one chunk
// at a time, from the chunk rows or the files' directory (files.go).
func (db *Store) PartnershipFileChunks(ctx context.Context, id string, fn func([]byte) error) error {
	f, err := db.PartnershipFile(ctx, id)
	if err != nil {
		return err
	}
	return db.readFileBytes(ctx, partnershipChunks, id, f.SHA256, fn)
}

// DeletePartnershipFile implements exchange.PartnershipStore.
func (db *Store) DeletePartnershipFile(ctx context.Context, id string) error {
	_, err := db.writer(ctx).ExecContext(ctx, `DELETE FROM exchange_partnership_files WHERE id = $1`, id)
	return db.dbError(ctx, "partnership file", err)
}
