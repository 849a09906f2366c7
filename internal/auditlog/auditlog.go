// Package auditlog is the append-only record of every change to data, roles
// and settings: who did what, when, from which address, and the entity's
// state before and after as JSON. Entries are written through the same store
// (and so the same transaction) as the change they describe.
package auditlog

import (
	"context"
	"encoding/json"
	"time"

	"github.com/citylens/citylens"
)

// Actor is who makes a change: a signed-in user, an API token's owner, or the
// system itself (UserID 0, Email "system" or a command name).
type Actor struct {
	UserID     int64
	Email      string
	RemoteAddr string
}

// System is the actor of changes made by the platform itself (seeding,
// migrations, command-line imports).
func System(name string) Actor { return Actor{Email: name} }

// Entry is one recorded change.
type Entry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    int64           `json:"actor_id"`
	ActorEmail string          `json:"actor_email"`
	Action     string          `json:"action"`      // e.g. "city.update", "user.role"
	EntityType string          `json:"entity_type"` // e.g. "city", "user"
	EntityID   string          `json:"entity_id"`
	Before     json.RawMessage `json:"before"` // JSON, "null" when created
	After      json.RawMessage `json:"after"`  // JSON, "null" when deleted
	RemoteAddr string          `json:"remote_addr"`
}

// Filter selects entries; zero fields match everything. Entries come newest
// first; BeforeID pages backwards.
type Filter struct {
	ActorEmail string
	Action     string
	EntityType string
	EntityID   string
	Since      time.Time
	Until      time.Time
	BeforeID   int64
	Limit      int // default 100, at most 1000
}

// Store keeps the log. AppendAudit joins the transaction carried by ctx, if
// any, so an entry commits or rolls back with its change.
type Store interface {
	AppendAudit(ctx context.Context, e Entry) (Entry, error)
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
}

// NewEntry builds an entry, marshalling before and after to JSON (nil
// becomes null).
func NewEntry(actor Actor, action, entityType, entityID string, before, after any) (Entry, error) {
	b, err := json.Marshal(before)
	if err != nil {
		return Entry{}, citylens.Errorf(citylens.EINTERNAL, "audit: marshal before: %v", err)
	}
	a, err := json.Marshal(after)
	if err != nil {
		return Entry{}, citylens.Errorf(citylens.EINTERNAL, "audit: marshal after: %v", err)
	}
	return Entry{
		ActorID: actor.UserID, ActorEmail: actor.Email, RemoteAddr: actor.RemoteAddr,
		Action: action, EntityType: entityType, EntityID: entityID,
		Before: b, After: a,
	}, nil
}

// Record appends one entry built by NewEntry, stamped with now.
func Record(ctx context.Context, s Store, now time.Time, actor Actor, action, entityType, entityID string, before, after any) error {
	e, err := NewEntry(actor, action, entityType, entityID, before, after)
	if err != nil {
		return err
	}
	e.At = now.UTC()
	_, err = s.AppendAudit(ctx, e)
	return err
}

// History returns every entry about one entity, newest first: the per-entity
// (and, for data values, per-value) history.
func History(ctx context.Context, s Store, entityType, entityID string, limit int) ([]Entry, error) {
	if entityType == "" || entityID == "" {
		return nil, citylens.Errorf(citylens.EINVALID, "history: entity type and id are required")
	}
	return s.ListAudit(ctx, Filter{EntityType: entityType, EntityID: entityID, Limit: limit})
}

// ClampLimit applies the default and maximum page size; stores call it.
func ClampLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
