package sqlstore

import (
	"context"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/release"
)

// Previews of draft releases (release.PreviewStore): one per draft, the
// latest replacing the one before.

func (db *Store) PutPreview(ctx context.Context, p release.Preview, doc []byte) error {
	if p.DraftID <= 0 || p.Hash == "" || len(doc) == 0 {
		return citylens.Errorf(citylens.EINVALID, "a release preview needs a draft, a hash and a document")
	}
	_, err := db.writer(ctx).ExecContext(ctx, `INSERT INTO release_previews (draft_id, hash, n, job_id, created_by, created_at, body_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (draft_id) DO UPDATE SET hash = excluded.hash, n = excluded.n, job_id = excluded.job_id,
			created_by = excluded.created_by, created_at = excluded.created_at, body_json = excluded.body_json`,
		p.DraftID, p.Hash, p.N, p.JobID, p.CreatedBy, us(p.CreatedAt), string(doc))
	return db.dbError(ctx, "release preview", err)
}

func (db *Store) Preview(ctx context.Context, draftID int64) (release.Preview, []byte, error) {
	p := release.Preview{DraftID: draftID}
	var created int64
	var body string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT hash, n, job_id, created_by, created_at, body_json FROM release_previews WHERE draft_id = $1`,
		draftID).Scan(&p.Hash, &p.N, &p.JobID, &p.CreatedBy, &created, &body)
	if err != nil {
		return p, nil, db.dbError(ctx, "release preview", notFound(err, "draft release %d has no preview", draftID))
	}
	p.CreatedAt = tm(created)
	return p, []byte(body), nil
}
