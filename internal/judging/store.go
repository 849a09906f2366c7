package judging

import (
	"context"
	"time"
)

// Committee roles.
const (
	RoleJudge   = "judge"
	RoleChair   = "chair"
	RolePartner = "partner" // a partner organisation's judge, for its Special Mention
)

// Judge is a member of an edition's committee.
type Judge struct {
	ID           int64     `json:"id"`
	Edition      string    `json:"edition"`
	UserID       int64     `json:"user_id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Role         string    `json:"role"`
	Organisation string    `json:"organisation"`
	OrgParent    string    `json:"org_parent"` // the organisation's parent, if any
	CityCode     string    `json:"city_code"`
	CityName     string    `json:"city_name"`
	Country      string    `json:"country"`
	Languages    []string  `json:"languages"`
	Expertise    []string  `json:"expertise"`
	PartnerTrack string    `json:"partner_track,omitempty"` // the Special Mention track a partner judge serves
	Load         int       `json:"load"`                    // most applications per round
	Tracks       []string  `json:"tracks"`                  // the panels (tracks) the judge sits on
	Demo         bool      `json:"demo,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Round kinds: document screening, then the finalists' round.
const (
	RoundScreening = "screening"
	RoundFinalist  = "finalist"
)

// Round is one judging round of an edition, with its own rubric,
// assignment and closing time.
type Round struct {
	ID      int64     `json:"id"`
	Edition string    `json:"edition"`
	Kind    string    `json:"kind"`
	K       int       `json:"k"` // judges per application
	Rubric  Rubric    `json:"rubric"`
	Closes  time.Time `json:"closes"`
	Seed    string    `json:"seed"` // the tie-break seed, fixed when the round opens
}

// Assigned is a stored judge–application pair of a round; Pinned and
// Forbidden are the chair's locks, kept when the assignment is re-run.
type Assigned struct {
	Round     int64 `json:"round"`
	Judge     int64 `json:"judge"`
	App       int64 `json:"app"`
	Assigned  bool  `json:"assigned"`
	Pinned    bool  `json:"pinned"`
	Forbidden bool  `json:"forbidden"`
}

// Scored is a judge's sheet for an application in a round.
type Scored struct {
	Round     int64     `json:"round"`
	Judge     int64     `json:"judge"`
	App       int64     `json:"app"`
	Sheet     Sheet     `json:"sheet"`
	Submitted bool      `json:"submitted"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Decision kinds.
const (
	DecisionShortlist = "shortlist"       // passes the screening round
	DecisionFinalist  = "finalist"        // invited to present
	DecisionWinner    = "winner"          // with a grade
	DecisionLeader    = "leadership"      // a Leadership award
	DecisionMention   = "special_mention" // a partner's Special Mention
)

// Decision is one logged decision on an application: who and when.
type Decision struct {
	ID        int64     `json:"id"`
	Edition   string    `json:"edition"`
	App       int64     `json:"app"`
	Kind      string    `json:"kind"`
	Grade     string    `json:"grade"` // e.g. gold, silver, bronze
	Track     string    `json:"track"`
	Note      string    `json:"note"`
	DecidedBy string    `json:"decided_by"`
	DecidedAt time.Time `json:"decided_at"`
}

// Store is what judging needs from the database. Decisions live in their
// own table, which no query of the call's pages, counts, sorts or search
// reads: the embargo cannot leak through part 1's queries.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreatePrizeJudge(ctx context.Context, j *Judge) error // ECONFLICT if the user already sits on the edition
	UpdatePrizeJudge(ctx context.Context, j *Judge) error
	PrizeJudge(ctx context.Context, id int64) (*Judge, error)
	PrizeJudgeByUser(ctx context.Context, edition string, userID int64) (*Judge, error)
	PrizeJudges(ctx context.Context, edition string) ([]*Judge, error) // by ID

	PutPrizeConflict(ctx context.Context, c Conflict) error // replaces the same judge, application, type and source
	PrizeConflicts(ctx context.Context, edition string) ([]Conflict, error)
	PrizeJudgeConflicts(ctx context.Context, judge int64) ([]Conflict, error)

	PutPrizeBid(ctx context.Context, judge, app int64, bid string) error // "" deletes
	PrizeBids(ctx context.Context, edition string) (map[[2]int64]string, error)

	CreatePrizeRound(ctx context.Context, r *Round) error
	PrizeRound(ctx context.Context, id int64) (*Round, error)
	PrizeRounds(ctx context.Context, edition string) ([]*Round, error)
	// PutAssignment replaces the round's unlocked assignment with pairs
	// and keeps its locks (pins and forbidden pairs).
	PutPrizeAssignment(ctx context.Context, round int64, pairs []Pair) error
	PutPrizeLock(ctx context.Context, a Assigned) error
	PrizeAssignment(ctx context.Context, round int64) ([]Assigned, error)

	PutPrizeScore(ctx context.Context, s Scored) error
	PrizeScores(ctx context.Context, round int64) ([]Scored, error)

	AddPrizeDecision(ctx context.Context, d *Decision) error
	PrizeDecisions(ctx context.Context, edition string) ([]Decision, error)
	AnnouncePrize(ctx context.Context, edition string, at time.Time, by string) error // ECONFLICT if already announced
	PrizeAnnounced(ctx context.Context, edition string) (time.Time, bool, error)

	// The ceremony (migration 421).
	PutPrizeSlot(ctx context.Context, s *Slot) error                                    // ID 0 inserts and sets ID; otherwise replaces (ENOTFOUND if none)
	PrizeSlots(ctx context.Context, round int64) ([]Slot, error)                        // by start, then ID
	DeletePrizeSlot(ctx context.Context, round, id int64) error                         // ENOTFOUND if the round has no such slot
	PutPrizeInvitation(ctx context.Context, in Invitation) error                        // one per application: replaces
	PrizeInvitations(ctx context.Context, edition string) ([]Invitation, error)         // by application
	PutPrizeProgramme(ctx context.Context, edition string, items []ProgrammeItem) error // replaces the programme
	PrizeProgramme(ctx context.Context, edition string) ([]ProgrammeItem, error)        // by position
}
