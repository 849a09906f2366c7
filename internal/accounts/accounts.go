// Package accounts holds users, roles, sessions, API tokens and one-time
// tokens (password reset, invitation), and the rules around them: argon2id
// passwords, hashed tokens, scoped roles, login rate limits.
package accounts

import (
	"context"
	"time"
)

// Role is what a user may do. A regional officer is scoped to a region and a
// city focal point to a city.
type Role string

const (
	RoleAdmin    Role = "admin"            // secretariat admin: everything
	RoleRegional Role = "regional_officer" // the cities of one region
	RoleFocal    Role = "focal_point"      // one city
	RoleJudge    Role = "judge"
	RolePartner  Role = "partner"
	// RoleApplicant is a prize applicant who signed up on their own
	// (accounts.Service.Register): they see only their own applications.
	RoleApplicant Role = "applicant"
)

// Roles lists every role, in display order.
var Roles = []Role{RoleAdmin, RoleRegional, RoleFocal, RoleJudge, RolePartner, RoleApplicant}

// Label is a role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleAdmin:
		return "Secretariat admin"
	case RoleRegional:
		return "Regional officer"
	case RoleFocal:
		return "City focal point"
	case RoleJudge:
		return "Judge"
	case RolePartner:
		return "Partner"
	case RoleApplicant:
		return "Prize applicant"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, k := range Roles {
		if r == k {
			return true
		}
	}
	return false
}

// User statuses.
const (
	StatusActive   = "active"
	StatusInvited  = "invited" // no password yet: must accept the invitation
	StatusDisabled = "disabled"
)

// User is an account.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"` // lower case, unique
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	RegionCode   string    `json:"region,omitempty"` // regional officers
	CityCode     string    `json:"city,omitempty"`   // focal points
	Status       string    `json:"status"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// auditView is what the audit log records of a user: never the hash.
func (u User) auditView() map[string]any {
	return map[string]any{"id": u.ID, "email": u.Email, "name": u.Name, "role": u.Role,
		"region": u.RegionCode, "city": u.CityCode, "status": u.Status}
}

// Session is a signed-in browser. The cookie holds the token; the store
// holds only its SHA-256 hash.
type Session struct {
	TokenHash  string
	UserID     int64
	CSRFToken  string // synchronizer token for this session's forms
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RemoteAddr string
}

// API token scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write" // implies read
)

// APIToken authenticates JSON API calls as its user, limited to its scope.
type APIToken struct {
	ID         int64     `json:"id"`
	UserID     int64     `json:"user_id"`
	Name       string    `json:"name"`
	Scope      string    `json:"scope"`
	Prefix     string    `json:"prefix"` // first characters, to recognise a token
	TokenHash  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"` // zero: never
	LastUsedAt time.Time `json:"last_used_at"`
	RevokedAt  time.Time `json:"revoked_at"`
}

// One-time token purposes.
const (
	PurposeReset  = "reset"
	PurposeInvite = "invite"
)

// OneTimeToken is a password-reset or invitation token, stored hashed.
type OneTimeToken struct {
	TokenHash string
	Purpose   string
	UserID    int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Store is what accounts need from a database. Methods join the
// transaction carried by ctx; lookups of missing things return ENOTFOUND.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error

	CreateUser(ctx context.Context, u User) (User, error) // ECONFLICT if the e-mail is taken
	User(ctx context.Context, id int64) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	ListUsers(ctx context.Context) ([]User, error)
	UpdateUser(ctx context.Context, u User) error

	CreateSession(ctx context.Context, s Session) error
	Session(ctx context.Context, tokenHash string) (Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
	DeleteUserSessions(ctx context.Context, userID int64) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	CreateAPIToken(ctx context.Context, t APIToken) (APIToken, error)
	APITokenByHash(ctx context.Context, tokenHash string) (APIToken, error)
	ListAPITokens(ctx context.Context, userID int64) ([]APIToken, error)
	RevokeAPIToken(ctx context.Context, userID, id int64, at time.Time) error
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	// RevokeUserAPITokens revokes every live token of a user (a password
	// reset) and says how many.
	RevokeUserAPITokens(ctx context.Context, userID int64, at time.Time) (int64, error)

	CreateOneTimeToken(ctx context.Context, t OneTimeToken) error
	// ConsumeOneTimeToken marks an unused, unexpired token used and returns
	// it; ENOTFOUND if there is no such token.
	ConsumeOneTimeToken(ctx context.Context, tokenHash, purpose string, now time.Time) (OneTimeToken, error)
	// OneTimeToken looks up an unused, unexpired token without using it.
	OneTimeToken(ctx context.Context, tokenHash, purpose string, now time.Time) (OneTimeToken, error)
}
