package prize

import (
	"context"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/blobs"
	"github.com/citylens/citylens/internal/members"
)

// ApplicationFilter narrows a list of applications; zero fields do not.
type ApplicationFilter struct {
	Edition string
	UserID  int64
	Track   string
	State   string
	Stage   string
	Type    string
	Country string
	City    string
	Query   string // in the title, organisation or city, case aside
}

// Store is what the prize needs from the database. Methods join the
// transaction carried by ctx; missing records are ENOTFOUND.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreatePrizeEdition(ctx context.Context, e *Edition) error // ECONFLICT if the code is taken
	UpdatePrizeEdition(ctx context.Context, e *Edition) error
	PrizeEdition(ctx context.Context, code string) (*Edition, error)
	PrizeEditions(ctx context.Context) ([]*Edition, error) // newest first

	PutPrizeTrack(ctx context.Context, t Track) error
	PrizeTracks(ctx context.Context, edition string) ([]Track, error) // by position
	PutPrizeEligibility(ctx context.Context, edition string, rows []Eligibility) error
	PrizeEligibility(ctx context.Context, edition string) ([]Eligibility, error)
	// PutPrizeForm stores the form of a track (track "" for the edition's
	// default) and applicant type ("" for every type).
	PutPrizeForm(ctx context.Context, edition, track, applicantType string, f *Form) error
	PrizeForm(ctx context.Context, edition, track, applicantType string) (*Form, error)

	PutPrizeProfile(ctx context.Context, p Profile) error
	PrizeProfile(ctx context.Context, userID int64) (Profile, error)

	CreatePrizeApplication(ctx context.Context, a *Application) error // sets ID
	UpdatePrizeApplication(ctx context.Context, a *Application) error
	PrizeApplication(ctx context.Context, id int64) (*Application, error)
	PrizeApplications(ctx context.Context, f ApplicationFilter) ([]*Application, error) // by ID

	// StageFile starts the file an upload streams into (hashed as it is
	// written); ReleaseStaged ends it once its transaction is over
	// (collecting its bytes if that failed).
	StageFile() (*blobs.Temp, error)
	ReleaseStaged(ctx context.Context, t *blobs.Temp, committed bool) error
	// AddPrizeAttachment stores a's record, its size and SHA-256 those of
	// t (finished), with t's bytes.
	AddPrizeAttachment(ctx context.Context, a Attachment, t *blobs.Temp) error
	PrizeAttachment(ctx context.Context, id string) (Attachment, error)
	PrizeAttachments(ctx context.Context, applicationID int64) ([]Attachment, error)
	// PrizeAttachmentChunks calls fn with the file's chunks in order.
	PrizeAttachmentChunks(ctx context.Context, id string, fn func([]byte) error) error
	DeletePrizeAttachment(ctx context.Context, id string) error

	CreatePrizeEndorsement(ctx context.Context, e *Endorsement) error // sets ID
	UpdatePrizeEndorsement(ctx context.Context, e Endorsement) error
	PrizeEndorsement(ctx context.Context, id int64) (Endorsement, error)
	PrizeEndorsementByToken(ctx context.Context, tokenHash string) (Endorsement, error)
	PrizeEndorsements(ctx context.Context, applicationID int64) ([]Endorsement, error)
	PrizeEndorsementsForCity(ctx context.Context, city string) ([]Endorsement, error)

	AddPrizeScreening(ctx context.Context, s *Screening) error
	PrizeScreenings(ctx context.Context, applicationID int64) ([]Screening, error)
}

// Directory is what the prize reads of the rest of the platform: member
// cities (a project's city, its focal points) and accounts.
type Directory interface {
	City(ctx context.Context, code string) (members.City, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
	ListUsers(ctx context.Context) ([]accounts.User, error)
	User(ctx context.Context, id int64) (accounts.User, error)
}
