package followup

import (
	"context"
	"time"

	"github.com/citylens/citylens/internal/blobs"
)

// File is an evidence file's record; its bytes are kept as the prize's
// attachments' (by content beside a SQLite database, in chunks in
// PostgreSQL). ID is random: the file's URL is not
// guessable, and every download checks the viewer too.
type File struct {
	ID        string    `json:"id"`
	StudyID   int64     `json:"study_id"`
	Name      string    `json:"name"`
	Type      string    `json:"type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
}

// Due is an open milestone with its study, as Reminders reads it.
type Due struct {
	StudyID          int64
	StudyTitle       string
	HostCity         string
	StudyOwner       int64
	MilestoneID      int64
	MilestoneTitle   string
	MilestoneTitleKO string // "" when the milestone has no Korean title
	Due              string
	MilestoneOwner   int64
	PartnerUserIDs   []int64
	PartnerCityCodes []string
}

// Store is what the follow-up needs from the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	// CreateFollowupStudy adds a study with its partners and milestones;
	// ECONFLICT when the application already has one.
	CreateFollowupStudy(ctx context.Context, s *Study) error
	// UpdateFollowupStudy replaces the study's own fields (not its
	// partners, milestones or evidence).
	UpdateFollowupStudy(ctx context.Context, s *Study) error
	// FollowupStudy is a study with its partners, milestones and evidence.
	FollowupStudy(ctx context.Context, id int64) (*Study, error)
	FollowupStudyByApp(ctx context.Context, app int64) (*Study, error)
	// FollowupStudies are an edition's studies (every edition's for ""),
	// complete, by ID.
	FollowupStudies(ctx context.Context, edition string) ([]*Study, error)

	AddFollowupPartner(ctx context.Context, p *Partner) error
	AddFollowupMilestone(ctx context.Context, m *Milestone) error
	UpdateFollowupMilestone(ctx context.Context, m *Milestone) error
	AddFollowupEvidence(ctx context.Context, e *Evidence) error
	// UpdateFollowupPartner replaces partner p of study p.StudyID.
	UpdateFollowupPartner(ctx context.Context, p Partner) error
	// DeleteFollowupPartner removes partner id of study (ENOTFOUND if the
	// study has none such).
	DeleteFollowupPartner(ctx context.Context, study, id int64) error
	// UpdateFollowupEvidence replaces e's label, public mark, link and
	// measured values (not its kind, milestone or file).
	UpdateFollowupEvidence(ctx context.Context, e Evidence) error
	// DeleteFollowupEvidence removes evidence id of study and its file.
	DeleteFollowupEvidence(ctx context.Context, study, id int64) error

	// StageFile starts the file an upload streams into (hashed as it is
	// written); ReleaseStaged ends it once its transaction is over.
	StageFile() (*blobs.Temp, error)
	ReleaseStaged(ctx context.Context, t *blobs.Temp, committed bool) error
	// AddFollowupFile stores f's record, its size and SHA-256 those of t
	// (finished), with t's bytes.
	AddFollowupFile(ctx context.Context, f File, t *blobs.Temp) error
	FollowupFile(ctx context.Context, id string) (File, error)
	FollowupFileChunks(ctx context.Context, id string, fn func([]byte) error) error
	FollowupStudyBytes(ctx context.Context, study int64) (int64, error)

	// FollowupDue are the milestones not done due on or before until
	// (YYYY-MM-DD), with their studies' people, by due date and ID.
	FollowupDue(ctx context.Context, until string) ([]Due, error)
	// FollowupFocalPoints are the active focal points' user IDs of each
	// city of cities.
	FollowupFocalPoints(ctx context.Context, cities []string) (map[string][]int64, error)
}

// EvidenceStore finds the evidence that holds a file.
type EvidenceStore interface {
	FollowupEvidenceByFile(ctx context.Context, fileID string) (Evidence, error)
}
