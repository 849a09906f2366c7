package release

import (
	"bytes"
	"context"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Release states as the store keeps them. Only published releases are
// public; a published row is never updated (a correction is a new row).
const (
	StateDraft     = "draft"
	StatePublished = "published"
)

// AuditPublish is the audit action of a publication (entity "release", id
// the hash).
const AuditPublish = "release.publish"

// Record is a stored release: its identity, workflow facts and change log.
// The release itself is the document kept beside it (see Store).
type Record struct {
	ID      int64  `json:"id"`
	Edition string `json:"edition"`
	Hash    string `json:"hash"`
	State   string `json:"state"`
	// Corrects is the hash of the release of the same edition this one
	// corrects ("" for a first release).
	Corrects string `json:"corrects,omitempty"`
	// DraftID is the data call's draft release it was published from (0: none,
	// e.g. an example edition published from a file).
	DraftID int64  `json:"draft_id,omitempty"`
	Title   string `json:"title"`
	// Demo marks synthetic demonstration data, labelled on every page.
	Demo        bool      `json:"demo"`
	Cities      int       `json:"cities"`
	ChangeNote  string    `json:"change_note,omitempty"` // the secretariat's words for a correction
	Changes     []Change  `json:"changes,omitempty"`     // the computed change log
	CreatedBy   string    `json:"created_by"`
	CreatedAt   time.Time `json:"created_at"`
	PublishedBy string    `json:"published_by,omitempty"`
	PublishedAt time.Time `json:"published_at"`
}

// TitleOf is a release's title from its index's name and its edition's
// code: the name once with the edition's year ("Smart Cities Index 2026",
// never "... 2026 2026"); an edition whose code is not a year adds nothing
// to a reader and is left out ("Urban environment", not "Urban environment
// eurostat-urban-audit").
func TitleOf(indexName, edition string) string {
	indexName = strings.TrimSpace(indexName)
	switch {
	case indexName == "":
		return edition
	case edition == "" || strings.Contains(indexName, edition) || !isYear(edition):
		return indexName
	}
	return indexName + " " + edition
}

// DisplayTitle is the record's title as pages show it: a title stored
// with its edition's year twice ("... 2026 2026", as releases published
// before TitleOf were) shows it once.
func (r Record) DisplayTitle() string {
	t := strings.TrimSpace(r.Title)
	if t == "" {
		return r.Edition
	}
	if twice := " " + r.Edition + " " + r.Edition; r.Edition != "" && strings.HasSuffix(t, twice) {
		t = strings.TrimSuffix(t, " "+r.Edition)
	}
	return t
}

func isYear(s string) bool {
	if len(s) != 4 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Filter narrows a list of stored releases; empty fields match all.
type Filter struct {
	Edition string
	State   string
}

// Store keeps releases. Implementations store the document as given and
// return it unchanged; a duplicate hash is ECONFLICT; a missing release is
// ENOTFOUND.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	// PutRelease inserts a release and sets rec.ID.
	PutRelease(ctx context.Context, rec *Record, doc []byte) error
	// StoredReleases lists releases, newest publication first.
	StoredReleases(ctx context.Context, f Filter) ([]Record, error)
	// StoredRelease returns one release's record by hash.
	StoredRelease(ctx context.Context, hash string) (Record, error)
	// ReleaseDocument returns one release's JSON document by hash.
	ReleaseDocument(ctx context.Context, hash string) ([]byte, error)
}

// Workflow stores publications with their audit entries.
type Workflow struct {
	Store Store
	Audit auditlog.Store
	Now   func() time.Time
}

// PublishRequest is a publication to store: the published release and the
// facts of the workflow.
type PublishRequest struct {
	Release    *Release
	DraftID    int64
	Title      string
	Demo       bool
	ChangeNote string
	CreatedBy  string
	CreatedAt  time.Time
}

// Save keeps a freshly published release and its audit entry in one
// transaction. A correction (the release names the one it corrects) must
// correct the latest published release of its edition, and its change note
// is required; a release already stored is ECONFLICT.
func (w *Workflow) Save(ctx context.Context, a auditlog.Actor, req PublishRequest) (Record, error) {
	r := req.Release
	if r == nil {
		return Record{}, citylens.Errorf(citylens.EINVALID, "nothing to publish")
	}
	sum := r.Summary()
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	rec := Record{Edition: sum.Edition, Hash: sum.Hash, State: StatePublished, Corrects: sum.Corrects, DraftID: req.DraftID,
		Title: req.Title, Demo: req.Demo, Cities: sum.Cities, ChangeNote: req.ChangeNote, Changes: r.Changes(),
		CreatedBy: req.CreatedBy, CreatedAt: req.CreatedAt, PublishedBy: a.Email, PublishedAt: sum.PublishedAt}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = now().UTC()
	}
	if rec.Title == "" {
		rec.Title = TitleOf(sum.IndexName, sum.Edition)
	}
	if rec.Corrects != "" && rec.ChangeNote == "" {
		return Record{}, citylens.Errorf(citylens.EINVALID, "a correction needs a note saying what it corrects")
	}
	var doc bytes.Buffer
	if err := r.JSON(&doc); err != nil {
		return Record{}, citylens.Errorf(citylens.EINTERNAL, "release %s: %v", sum.Hash, err)
	}
	err := w.Store.InTx(ctx, func(ctx context.Context) error {
		if _, err := w.Store.StoredRelease(ctx, rec.Hash); err == nil {
			return citylens.Errorf(citylens.ECONFLICT, "release %s of edition %s is already published: nothing changed", recordHashPrefix(rec.Hash), rec.Edition)
		} else if citylens.ErrorCode(err) != citylens.ENOTFOUND {
			return err
		}
		if rec.Corrects != "" {
			latest, err := w.Store.StoredReleases(ctx, Filter{Edition: rec.Edition, State: StatePublished})
			if err != nil {
				return err
			}
			if len(latest) == 0 || latest[0].Hash != rec.Corrects {
				return citylens.Errorf(citylens.ECONFLICT, "release %s corrects %s, which is not the latest release of edition %s", recordHashPrefix(rec.Hash), recordHashPrefix(rec.Corrects), rec.Edition)
			}
		}
		if err := w.Store.PutRelease(ctx, &rec, doc.Bytes()); err != nil {
			return err
		}
		return auditlog.Record(ctx, w.Audit, now(), a, AuditPublish, "release", rec.Hash, nil, map[string]any{
			"edition": rec.Edition, "id": rec.ID, "corrects": rec.Corrects, "draft_id": rec.DraftID,
			"cities": rec.Cities, "changes": len(rec.Changes), "change_note": rec.ChangeNote,
		})
	})
	if err != nil {
		return Record{}, err
	}
	return rec, nil
}

// Latest returns the latest published release of an edition (ENOTFOUND when
// it has none).
func (w *Workflow) Latest(ctx context.Context, edition string) (Record, error) {
	recs, err := w.Store.StoredReleases(ctx, Filter{Edition: edition, State: StatePublished})
	if err != nil {
		return Record{}, err
	}
	if len(recs) == 0 {
		return Record{}, citylens.Errorf(citylens.ENOTFOUND, "edition %s has no published release", edition)
	}
	return recs[0], nil
}

// Load reads a stored release's document back into a release.
func (w *Workflow) Load(ctx context.Context, hash string) (*Release, error) {
	b, err := w.Store.ReleaseDocument(ctx, hash)
	if err != nil {
		return nil, err
	}
	r, err := Unmarshal(b)
	if err != nil {
		return nil, citylens.Errorf(citylens.EINTERNAL, "stored release %s: %v", recordHashPrefix(hash), err)
	}
	return r, nil
}

func recordHashPrefix(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
