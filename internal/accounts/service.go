package accounts

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
	citymail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
)

// Lifetimes of the things this package issues.
const (
	SessionLifetime    = 12 * time.Hour
	ResetLifetime      = time.Hour
	InvitationLifetime = 7 * 24 * time.Hour
)

// Scopes checks that a role's region or city exists; members.Store is one.
type Scopes interface {
	Region(ctx context.Context, code string) (members.Region, error)
	City(ctx context.Context, code string) (members.City, error)
}

// Service applies the account rules.
type Service struct {
	Store  Store
	Audit  auditlog.Store
	Scopes Scopes
	Mail   citymail.Sender
	Hasher *Hasher
	// Throttle keeps the sign-in and reset counters (the database, so
	// replicas share them); Policy sets the limits (nil: DefaultThrottle).
	Throttle ThrottleStore
	Policy   *ThrottlePolicy
	Now      func() time.Time
	// BaseURL prefixes links in e-mails, e.g. "https://citylens.example.org".
	BaseURL string

	dummyOnce sync.Once
	dummy     string
}

// NormaliseEmail lower-cases and trims an address and checks its form.
func NormaliseEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || !strings.Contains(e, "@") || len(e) > 254 {
		return "", citylens.Ef(citylens.EINVALID, "acct.error.email", "email: %q is not an e-mail address", email)
	}
	return e, nil
}

// checkRole validates a role and its scope, returning the user with only the
// scope field the role uses.
func (s *Service) checkRole(ctx context.Context, u User) (User, error) {
	if !u.Role.Valid() {
		return u, citylens.Ef(citylens.EINVALID, "acct.error.role", "role: %q is not one of admin, regional_officer, focal_point, judge, partner, applicant", u.Role)
	}
	switch u.Role {
	case RoleRegional:
		u.CityCode = ""
		if u.RegionCode == "" {
			return u, citylens.Ef(citylens.EINVALID, "acct.error.region_missing", "region: a regional officer needs a region")
		}
		if _, err := s.Scopes.Region(ctx, u.RegionCode); err != nil {
			return u, citylens.Ef(citylens.EINVALID, "acct.error.region", "region: %s", citylens.MessageArg(err))
		}
	case RoleFocal:
		u.RegionCode = ""
		if u.CityCode == "" {
			return u, citylens.Ef(citylens.EINVALID, "acct.error.city_missing", "city: a city focal point needs a city")
		}
		if _, err := s.Scopes.City(ctx, u.CityCode); err != nil {
			return u, citylens.Ef(citylens.EINVALID, "acct.error.city", "city: %s", citylens.MessageArg(err))
		}
	default:
		u.RegionCode, u.CityCode = "", ""
	}
	return u, nil
}

// AddUser creates an active user with a password (the command-line path
// for the first admin, and demo seeding).
func (s *Service) AddUser(ctx context.Context, actor auditlog.Actor, u User, password string) (User, error) {
	email, err := NormaliseEmail(u.Email)
	if err != nil {
		return User{}, err
	}
	u.Email = email
	if err := CheckPasswordStrength(password); err != nil {
		return User{}, err
	}
	u.PasswordHash = s.Hasher.Hash(password)
	u.Status = StatusActive
	u.CreatedAt = s.Now().UTC()
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if u, err = s.checkRole(ctx, u); err != nil {
			return err
		}
		if u, err = s.Store.CreateUser(ctx, u); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.Now(), actor, "user.create", "user", u.Email, nil, u.auditView())
	})
	return u, err
}

// Authenticate checks an e-mail and password under the sign-in throttle
// (see ThrottlePolicy). Every failure gives the same message and costs the
// same work, whether the account is unknown, invited (no password yet),
// disabled or active: one password hash check and the same counter writes.
func (s *Service) Authenticate(ctx context.Context, email, password, remoteIP string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := s.Now()
	if err := s.checkLogin(ctx, email, remoteIP, now); err != nil {
		return User{}, err
	}
	u, err := s.Store.UserByEmail(ctx, email)
	if err != nil && citylens.ErrorCode(err) != citylens.ENOTFOUND {
		return User{}, err
	}
	hash := u.PasswordHash
	if err != nil || hash == "" {
		hash = s.dummyHash() // the same work as a real check, so timing does not reveal accounts
	}
	ok := s.Hasher.Verify(hash, password)
	if err != nil || u.Status != StatusActive || u.PasswordHash == "" || !ok {
		if err := s.failLogin(ctx, email, remoteIP, now); err != nil {
			return User{}, err
		}
		return User{}, citylens.E(citylens.EUNAUTHORIZED, "error.login_failed")
	}
	if err := s.succeedLogin(ctx, email, remoteIP); err != nil {
		return User{}, err
	}
	return u, nil
}

// dummyHash is a hash made with the service's own parameters, which an
// unknown or invited account's sign-in checks instead of a real one.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() { s.dummy = s.Hasher.Hash("not a password of anyone " + NewToken()) })
	return s.dummy
}

// StartSession creates a session for u and returns the cookie token. The
// caller deletes any previous session (rotation at login).
func (s *Service) StartSession(ctx context.Context, u User, remoteAddr string) (string, Session, error) {
	token := NewToken()
	now := s.Now().UTC()
	sess := Session{TokenHash: HashToken(token), UserID: u.ID, CSRFToken: NewToken(),
		CreatedAt: now, ExpiresAt: now.Add(SessionLifetime), RemoteAddr: remoteAddr}
	return token, sess, s.Store.CreateSession(ctx, sess)
}

// SessionUser returns the live session for a cookie token and its user.
func (s *Service) SessionUser(ctx context.Context, token string) (User, Session, error) {
	sess, err := s.Store.Session(ctx, HashToken(token))
	if err != nil {
		return User{}, Session{}, err
	}
	if !s.Now().Before(sess.ExpiresAt) {
		return User{}, Session{}, citylens.Ef(citylens.EUNAUTHORIZED, "acct.error.session_expired", "session expired: please sign in again")
	}
	u, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return User{}, Session{}, err
	}
	if u.Status != StatusActive {
		return User{}, Session{}, citylens.Ef(citylens.EUNAUTHORIZED, "acct.error.inactive", "account is not active")
	}
	return u, sess, nil
}

// EndSession signs out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.Store.DeleteSession(ctx, HashToken(token))
}

func (s *Service) link(path, token string) string {
	return strings.TrimSuffix(s.BaseURL, "/") + path + "?token=" + token
}

// Invite creates an invited user (no password) and mails a one-time link to
// set one, all in one transaction.
func (s *Service) Invite(ctx context.Context, actor auditlog.Actor, u User) (User, error) {
	email, err := NormaliseEmail(u.Email)
	if err != nil {
		return User{}, err
	}
	u.Email, u.Status, u.CreatedAt = email, StatusInvited, s.Now().UTC()
	u.Name = strings.TrimSpace(u.Name)
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if u, err = s.checkRole(ctx, u); err != nil {
			return err
		}
		if u, err = s.Store.CreateUser(ctx, u); err != nil {
			return err
		}
		token := NewToken()
		now := s.Now().UTC()
		if err := s.Store.CreateOneTimeToken(ctx, OneTimeToken{TokenHash: HashToken(token), Purpose: PurposeInvite,
			UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)}); err != nil {
			return err
		}
		if err := auditlog.Record(ctx, s.Audit, now, actor, "user.invite", "user", u.Email, nil, u.auditView()); err != nil {
			return err
		}
		return s.Mail.Send(ctx, citymail.Message{To: u.Email, Subject: "You are invited to CityLens",
			Body: fmt.Sprintf("%s invited you to CityLens as %s.\n\nChoose your password here (the link works once, for 7 days):\n%s\n",
				actor.Email, u.Role.Label(), s.link("/invitations/accept", token))})
	})
	return u, err
}

// Register signs up a prize applicant on their own: an account with no
// password yet, and a one-time link mailed to the address (it works once,
// for 7 days) where they choose one, which confirms the address. Only the
// applicant role signs up this way.
func (s *Service) Register(ctx context.Context, u User, remoteAddr string) (User, error) {
	email, err := NormaliseEmail(u.Email)
	if err != nil {
		return User{}, err
	}
	if u.Role != RoleApplicant {
		return User{}, citylens.Ef(citylens.EFORBIDDEN, "acct.error.register_role", "only prize applicants sign up on their own")
	}
	u.Email, u.Status, u.CreatedAt = email, StatusInvited, s.Now().UTC()
	u.Name = strings.TrimSpace(u.Name)
	if len(u.Name) > 200 {
		u.Name = u.Name[:200]
	}
	u.RegionCode, u.CityCode = "", ""
	err = s.Store.InTx(ctx, func(ctx context.Context) error {
		if u, err = s.Store.CreateUser(ctx, u); err != nil {
			return err
		}
		token := NewToken()
		now := s.Now().UTC()
		if err := s.Store.CreateOneTimeToken(ctx, OneTimeToken{TokenHash: HashToken(token), Purpose: PurposeInvite,
			UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime)}); err != nil {
			return err
		}
		if err := auditlog.Record(ctx, s.Audit, now, Actor(u, remoteAddr), "user.register", "user", u.Email, nil, u.auditView()); err != nil {
			return err
		}
		return s.Mail.Send(ctx, citymail.Message{To: u.Email, Subject: "Confirm your e-mail address for CityLens",
			Body: fmt.Sprintf("You signed up on CityLens to apply to the Seoul Smart City Prize.\n\nConfirm your address and choose your password here (the link works once, for 7 days):\n%s\n\nIf it was not you, ignore this message.\n",
				s.link("/invitations/accept", token))})
	})
	return u, err
}

// Actor is u as the audit log names them.
func Actor(u User, remoteAddr string) auditlog.Actor {
	return auditlog.Actor{UserID: u.ID, Email: u.Email, RemoteAddr: remoteAddr}
}

// RequestPasswordReset mails a one-time reset link if email belongs to an
// active user; otherwise it does nothing, so answers do not reveal
// accounts. Requests are limited per address and per e-mail (known or
// not), and the mail goes into the outbox in the same transaction, so the
// answer is the same whether a mail server is up or not.
func (s *Service) RequestPasswordReset(ctx context.Context, email, remoteAddr string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.checkReset(ctx, email, remoteAddr, s.Now()); err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		u, err := s.Store.UserByEmail(ctx, email)
		if citylens.ErrorCode(err) == citylens.ENOTFOUND || (err == nil && u.Status != StatusActive) {
			return nil
		}
		if err != nil {
			return err
		}
		token := NewToken()
		now := s.Now().UTC()
		if err := s.Store.CreateOneTimeToken(ctx, OneTimeToken{TokenHash: HashToken(token), Purpose: PurposeReset,
			UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}); err != nil {
			return err
		}
		return s.Mail.Send(ctx, citymail.Message{To: u.Email, Subject: "Reset your CityLens password",
			Body: fmt.Sprintf("Someone (from %s) asked to reset the password of %s.\n\nChoose a new password here (the link works once, for an hour):\n%s\n\nIf it was not you, ignore this message.\n",
				remoteAddr, u.Email, s.link("/password/reset", token))})
	})
}

// CheckOneTimeToken reports whether a link's token is still usable.
func (s *Service) CheckOneTimeToken(ctx context.Context, token, purpose string) (User, error) {
	t, err := s.Store.OneTimeToken(ctx, HashToken(token), purpose, s.Now().UTC())
	if err != nil {
		return User{}, linkError(err)
	}
	return s.Store.User(ctx, t.UserID)
}

func linkError(err error) error {
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return citylens.Ef(citylens.EINVALID, "acct.error.link", "this link is invalid, expired or already used: ask for a new one")
	}
	return err
}

// CompleteOneTimeToken uses a reset or invitation token to set the user's
// password (and name, for invitations), activating an invited user and
// ending every existing session of the user. A reset also revokes every
// API token of the user (whoever knew the old password may have made
// one); Revoked says how many, so the user can be told.
func (s *Service) CompleteOneTimeToken(ctx context.Context, token, purpose, password, name, remoteAddr string) (User, error) {
	u, _, err := s.CompleteOneTimeTokenRevoking(ctx, token, purpose, password, name, remoteAddr)
	return u, err
}

// CompleteOneTimeTokenRevoking is CompleteOneTimeToken, also saying how
// many API tokens a reset revoked.
func (s *Service) CompleteOneTimeTokenRevoking(ctx context.Context, token, purpose, password, name, remoteAddr string) (User, int64, error) {
	if err := CheckPasswordStrength(password); err != nil {
		return User{}, 0, err
	}
	hash := s.Hasher.Hash(password)
	var u User
	var revoked int64
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		t, err := s.Store.ConsumeOneTimeToken(ctx, HashToken(token), purpose, s.Now().UTC())
		if err != nil {
			return linkError(err)
		}
		if u, err = s.Store.User(ctx, t.UserID); err != nil {
			return err
		}
		before := u.auditView()
		u.PasswordHash = hash
		if purpose == PurposeInvite {
			u.Status = StatusActive
			if n := strings.TrimSpace(name); n != "" {
				u.Name = n
			}
		}
		if err := s.Store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		if purpose == PurposeReset {
			if revoked, err = s.Store.RevokeUserAPITokens(ctx, u.ID, s.Now().UTC()); err != nil {
				return err
			}
		}
		action := "user.password_reset"
		if purpose == PurposeInvite {
			action = "user.accept_invitation"
		}
		return auditlog.Record(ctx, s.Audit, s.Now(), auditlog.Actor{UserID: u.ID, Email: u.Email, RemoteAddr: remoteAddr},
			action, "user", u.Email, before, u.auditView())
	})
	return u, revoked, err
}

// ChangeRole sets a user's role and scope; the user's sessions end so the
// new role applies at once.
func (s *Service) ChangeRole(ctx context.Context, actor auditlog.Actor, userID int64, role Role, region, city string) (User, error) {
	var u User
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if u, err = s.Store.User(ctx, userID); err != nil {
			return err
		}
		before := u.auditView()
		u.Role, u.RegionCode, u.CityCode = role, region, city
		if u, err = s.checkRole(ctx, u); err != nil {
			return err
		}
		if u.ID == actor.UserID && u.Role != RoleAdmin {
			return citylens.Ef(citylens.ECONFLICT, "acct.error.own_admin", "role: you cannot remove your own admin role")
		}
		if err := s.Store.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.Now(), actor, "user.role", "user", u.Email, before, u.auditView())
	})
	return u, err
}

// CreateAPIToken issues a token for u; the plain token is returned once and
// only its hash is stored.
func (s *Service) CreateAPIToken(ctx context.Context, actor auditlog.Actor, u User, name, scope string) (string, APIToken, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", APIToken{}, citylens.Ef(citylens.EINVALID, "acct.error.token_name", "name: give the token a name of 1-100 characters")
	}
	if scope != ScopeRead && scope != ScopeWrite {
		return "", APIToken{}, citylens.Ef(citylens.EINVALID, "acct.error.token_scope", "scope: %q is not read or write", scope)
	}
	plain := "cl_" + NewToken()
	now := s.Now().UTC()
	t := APIToken{UserID: u.ID, Name: name, Scope: scope, Prefix: plain[:9], TokenHash: HashToken(plain), CreatedAt: now}
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		var err error
		if t, err = s.Store.CreateAPIToken(ctx, t); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, now, actor, "api_token.create", "user", u.Email, nil,
			map[string]any{"token_id": t.ID, "name": t.Name, "scope": t.Scope, "prefix": t.Prefix})
	})
	return plain, t, err
}

// RevokeAPIToken revokes one of u's tokens.
func (s *Service) RevokeAPIToken(ctx context.Context, actor auditlog.Actor, u User, id int64) error {
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.RevokeAPIToken(ctx, u.ID, id, s.Now().UTC()); err != nil {
			return err
		}
		return auditlog.Record(ctx, s.Audit, s.Now(), actor, "api_token.revoke", "user", u.Email,
			map[string]any{"token_id": id}, nil)
	})
}

// AuthenticateAPIToken returns the user and token of a bearer token.
func (s *Service) AuthenticateAPIToken(ctx context.Context, plain string) (User, APIToken, error) {
	t, err := s.Store.APITokenByHash(ctx, HashToken(plain))
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return User{}, APIToken{}, citylens.Ef(citylens.EUNAUTHORIZED, "acct.error.token_invalid", "API token is not valid")
	}
	if err != nil {
		return User{}, APIToken{}, err
	}
	now := s.Now()
	if !t.RevokedAt.IsZero() || (!t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)) {
		return User{}, APIToken{}, citylens.Ef(citylens.EUNAUTHORIZED, "acct.error.token_revoked", "API token is revoked or expired")
	}
	u, err := s.Store.User(ctx, t.UserID)
	if err != nil {
		return User{}, APIToken{}, err
	}
	if u.Status != StatusActive {
		return User{}, APIToken{}, citylens.Ef(citylens.EUNAUTHORIZED, "acct.error.inactive", "account is not active")
	}
	if now.Sub(t.LastUsedAt) > time.Minute {
		if err := s.Store.TouchAPIToken(ctx, t.ID, now.UTC()); err != nil {
			return User{}, APIToken{}, err
		}
	}
	return u, t, nil
}
