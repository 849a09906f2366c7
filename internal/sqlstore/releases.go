package sqlstore

import (
	"context"
	"encoding/json"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/release"
)

// Published releases (release.Store). There is no update: a published row
// is immutable (triggers enforce it too).

const storedReleaseColumns = `id, edition, hash, state, corrects, draft_id, title, demo, cities, change_note, changes_json,
	created_by, created_at, published_by, published_at`

func scanStoredRelease(s scanner) (release.Record, error) {
	var rec release.Record
	var demo int
	var changes string
	var created, published int64
	err := s.Scan(&rec.ID, &rec.Edition, &rec.Hash, &rec.State, &rec.Corrects, &rec.DraftID, &rec.Title, &demo, &rec.Cities,
		&rec.ChangeNote, &changes, &rec.CreatedBy, &created, &rec.PublishedBy, &published)
	if err != nil {
		return rec, err
	}
	rec.Demo, rec.CreatedAt, rec.PublishedAt = demo != 0, tm(created), tm(published)
	if err := json.Unmarshal([]byte(changes), &rec.Changes); err != nil {
		return rec, citylens.Errorf(citylens.EINTERNAL, "release %s: stored change log: %v", rec.Hash, err)
	}
	return rec, nil
}

func (db *Store) PutRelease(ctx context.Context, rec *release.Record, doc []byte) error {
	if rec.Hash == "" || rec.Edition == "" || len(doc) == 0 {
		return citylens.Errorf(citylens.EINVALID, "a release needs an edition, a hash and a document")
	}
	if rec.State != release.StateDraft && rec.State != release.StatePublished {
		return citylens.Errorf(citylens.EINVALID, "release state %q is neither draft nor published", rec.State)
	}
	changes, err := json.Marshal(rec.Changes)
	if err != nil {
		return citylens.Errorf(citylens.EINTERNAL, "release change log: %v", err)
	}
	if rec.Changes == nil {
		changes = []byte("[]")
	}
	demo := 0
	if rec.Demo {
		demo = 1
	}
	err = db.writer(ctx).QueryRowContext(ctx, `INSERT INTO releases (edition, hash, state, corrects, draft_id, title, demo, cities, change_note,
		changes_json, created_by, created_at, published_by, published_at, body_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
		rec.Edition, rec.Hash, rec.State, rec.Corrects, rec.DraftID, rec.Title, demo, rec.Cities, rec.ChangeNote,
		string(changes), rec.CreatedBy, us(rec.CreatedAt), rec.PublishedBy, us(rec.PublishedAt), string(doc)).Scan(&rec.ID)
	return db.dbError(ctx, "release "+rec.Hash, err)
}

func (db *Store) StoredReleases(ctx context.Context, f release.Filter) ([]release.Record, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+storedReleaseColumns+` FROM releases
		WHERE ($1 = '' OR edition = $1) AND ($2 = '' OR state = $2)
		ORDER BY published_at DESC, id DESC`, f.Edition, f.State)
	if err != nil {
		return nil, db.dbError(ctx, "releases", err)
	}
	defer rows.Close()
	var out []release.Record
	for rows.Next() {
		rec, err := scanStoredRelease(rows)
		if err != nil {
			return nil, db.dbError(ctx, "releases", err)
		}
		out = append(out, rec)
	}
	return out, db.dbError(ctx, "releases", rows.Err())
}

func (db *Store) StoredRelease(ctx context.Context, hash string) (release.Record, error) {
	rec, err := scanStoredRelease(db.reader(ctx).QueryRowContext(ctx, `SELECT `+storedReleaseColumns+` FROM releases WHERE hash = $1`, hash))
	return rec, db.dbError(ctx, "release", notFound(err, "there is no release %s", hash))
}

func (db *Store) ReleaseDocument(ctx context.Context, hash string) ([]byte, error) {
	var body string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT body_json FROM releases WHERE hash = $1`, hash).Scan(&body)
	if err != nil {
		return nil, db.dbError(ctx, "release document", notFound(err, "there is no release %s", hash))
	}
	return []byte(body), nil
}
