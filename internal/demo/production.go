package demo

import (
	"context"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
)

// Demo accounts exist only while the server runs with --demo: their
// password is published (README, the log), so a database seeded with
// --demo and then served without it must not keep them signing in.

// AccountEmails are the demo accounts' e-mail addresses.
func AccountEmails() []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.Email
	}
	return out
}

// StripStore is what stripping demo accounts needs.
type StripStore interface {
	accounts.Store
	auditlog.Store
}

// ActiveAccounts are the demo accounts that can still sign in.
func ActiveAccounts(ctx context.Context, st accounts.Store) ([]accounts.User, error) {
	var out []accounts.User
	for _, email := range AccountEmails() {
		u, err := st.UserByEmail(ctx, email)
		switch {
		case citylens.ErrorCode(err) == citylens.ENOTFOUND:
			continue
		case err != nil:
			return nil, err
		case u.Status == accounts.StatusActive || u.Status == accounts.StatusInvited:
			out = append(out, u)
		}
	}
	return out, nil
}

// Strip disables every demo account that can still sign in: disabled, no
// password, its sessions ended and API tokens revoked, each with an audit
// entry; it returns their e-mails. The data they entered stays.
func Strip(ctx context.Context, st StripStore, now time.Time) ([]string, error) {
	active, err := ActiveAccounts(ctx, st)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, u := range active {
		err := st.InTx(ctx, func(ctx context.Context) error {
			before := map[string]any{"status": u.Status, "role": u.Role}
			u.Status, u.PasswordHash = accounts.StatusDisabled, ""
			if err := st.UpdateUser(ctx, u); err != nil {
				return err
			}
			if err := st.DeleteUserSessions(ctx, u.ID); err != nil {
				return err
			}
			if _, err := st.RevokeUserAPITokens(ctx, u.ID, now.UTC()); err != nil {
				return err
			}
			return auditlog.Record(ctx, st, now, system, "user.demo_strip", "user", u.Email, before,
				map[string]any{"status": u.Status, "role": u.Role})
		})
		if err != nil {
			return out, err
		}
		out = append(out, u.Email)
	}
	return out, nil
}

// HasAdmin reports whether an active admin other than a demo account exists.
func HasAdmin(ctx context.Context, st accounts.Store) (bool, error) {
	us, err := st.ListUsers(ctx)
	if err != nil {
		return false, err
	}
	demo := map[string]bool{}
	for _, e := range AccountEmails() {
		demo[e] = true
	}
	for _, u := range us {
		if u.Role == accounts.RoleAdmin && u.Status == accounts.StatusActive && !demo[u.Email] {
			return true, nil
		}
	}
	return false, nil
}
