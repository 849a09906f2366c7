// Package events is the network's events: the prize ceremony, the General
// Assembly of member cities, kick-off events and study visits, each with
// its agenda, place or link, languages and time zone; the registration of
// member cities' delegates with a capacity and a waiting list (never over
// capacity, also under concurrent registrations: the store serialises
// them per event), attendance, registration notices a notifier reads, and
// iCalendar feeds (RFC 5545) per event and per person.
package events

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
)

// Kinds of event.
const (
	KindCeremony   = "ceremony"
	KindAssembly   = "general_assembly"
	KindKickoff    = "kickoff"
	KindStudyVisit = "study_visit"
)

// Kinds lists the kinds of event.
var Kinds = []string{KindCeremony, KindAssembly, KindKickoff, KindStudyVisit}

// Registration states.
const (
	StateRegistered = "registered"
	StateWaiting    = "waiting"
	StateCancelled  = "cancelled"
)

// NoticeRegistered is the notice kind of a confirmed registration (a
// place, either at once or promoted from the waiting list).
const NoticeRegistered = "event.registered"

// Bounds of an event's fields.
const (
	MaxTitle     = 200
	MaxAgenda    = 20_000
	MaxPlace     = 500
	MaxLanguages = 10
	MaxCapacity  = 100_000
)

// Event is one event of the network.
type Event struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Title     string    `json:"title"`
	Agenda    string    `json:"agenda"`
	Place     string    `json:"place"`
	Link      string    `json:"link"`
	Languages []string  `json:"languages"`
	TimeZone  string    `json:"time_zone"` // IANA name; Start and End are instants
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"`
	Capacity  int       `json:"capacity"`
	Edition   string    `json:"edition,omitempty"` // the prize edition of a ceremony
	Open      bool      `json:"open"`              // registration open
	Demo      bool      `json:"demo"`
	CreatedAt time.Time `json:"created_at"`
}

// Registration is one person's place or waiting-list entry.
type Registration struct {
	ID        int64     `json:"id"`
	EventID   int64     `json:"event_id"`
	UserID    int64     `json:"user_id"`
	Name      string    `json:"name"` // the person's name or e-mail (read only)
	CityCode  string    `json:"city"`
	State     string    `json:"state"`
	Attended  bool      `json:"attended"`
	UpdatedAt time.Time `json:"updated_at"` // when the person joined the list (its order)
}

// Notice is a row a notifier reads: someone must be told something once
// (DedupeKey is unique).
type Notice struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	Kind      string    `json:"kind"`
	Ref       string    `json:"ref"` // the event's id
	DedupeKey string    `json:"dedupe_key"`
	CreatedAt time.Time `json:"created_at"`
}

// Store is what events need from the database.
type Store interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
	CreateEvent(ctx context.Context, e *Event) error
	// SetEventEdition links event id to a prize edition ("" unlinks);
	// ENOTFOUND for no such event, EINVALID for no such edition.
	SetEventEdition(ctx context.Context, id int64, edition string) error
	Event(ctx context.Context, id int64) (*Event, error)
	// Events lists events by start, the first limit after offset.
	Events(ctx context.Context, limit, offset int) ([]*Event, error)
	// LockEvent serialises the registrations of event id within the
	// transaction of ctx (ENOTFOUND for no such event).
	LockEvent(ctx context.Context, id int64) error
	// EventRegistrations lists an event's registrations in list order.
	EventRegistrations(ctx context.Context, eventID int64) ([]Registration, error)
	// UserEventRegistrations lists a person's registrations that are not cancelled.
	UserEventRegistrations(ctx context.Context, userID int64) ([]Registration, error)
	// PutRegistration inserts or replaces (event, user)'s registration.
	PutRegistration(ctx context.Context, r *Registration) error
	SetEventAttendance(ctx context.Context, eventID, userID int64, attended bool) error
	// AddEventNotice records n unless its DedupeKey is recorded.
	AddEventNotice(ctx context.Context, n Notice) error
	// EventNotices lists the notices of kind recorded from since on.
	EventNotices(ctx context.Context, kind string, since time.Time, limit int) ([]Notice, error)
}

func problem(field, key, format string, args ...any) citylens.Problem {
	return citylens.Problem{Field: field}.Keyed(key, format, args...)
}

// Validate checks e, naming every field at fault.
func (e *Event) Validate() error {
	var ps []citylens.Problem
	e.Title, e.Place, e.Link = strings.TrimSpace(e.Title), strings.TrimSpace(e.Place), strings.TrimSpace(e.Link)
	text := func(field, v string, max int, required bool) {
		switch {
		case required && v == "":
			ps = append(ps, problem(field, "events.error.required", "required"))
		case !utf8.ValidString(v) || strings.ContainsRune(v, 0):
			ps = append(ps, problem(field, "events.error.text", "not valid text"))
		case utf8.RuneCountInString(v) > max:
			ps = append(ps, problem(field, "events.error.toolong", "longer than %d characters", max))
		}
	}
	if !contains(Kinds, e.Kind) {
		ps = append(ps, problem("kind", "events.error.kind", "not a kind of event"))
	}
	text("title", e.Title, MaxTitle, true)
	text("agenda", e.Agenda, MaxAgenda, false)
	text("place", e.Place, MaxPlace, false)
	text("link", e.Link, MaxPlace, false)
	if e.Link != "" && !strings.HasPrefix(e.Link, "https://") && !strings.HasPrefix(e.Link, "http://") {
		ps = append(ps, problem("link", "events.error.link", "not a web address (http or https)"))
	}
	if e.Place == "" && e.Link == "" {
		ps = append(ps, problem("place", "events.error.where", "a place or a link is required"))
	}
	if len(e.Languages) > MaxLanguages {
		ps = append(ps, problem("languages", "events.error.languages", "more than %d languages", MaxLanguages))
	}
	for _, l := range e.Languages {
		if len(l) < 2 || len(l) > 8 || strings.Trim(strings.ToLower(l), "abcdefghijklmnopqrstuvwxyz-") != "" {
			ps = append(ps, problem("languages", "events.error.language", "%q is not a language code", l))
			break
		}
	}
	if _, err := time.LoadLocation(e.TimeZone); err != nil || e.TimeZone == "" || e.TimeZone == "Local" {
		ps = append(ps, problem("time_zone", "events.error.timezone", "not a time zone"))
	}
	if e.Start.IsZero() {
		ps = append(ps, problem("start", "events.error.required", "required"))
	}
	if e.End.IsZero() {
		ps = append(ps, problem("end", "events.error.required", "required"))
	} else if !e.Start.IsZero() && !e.End.After(e.Start) {
		ps = append(ps, problem("end", "events.error.endbefore", "before the start"))
	}
	if e.Capacity < 1 || e.Capacity > MaxCapacity {
		ps = append(ps, problem("capacity", "events.error.capacity", "between 1 and %d", MaxCapacity))
	}
	if len(ps) > 0 {
		return citylens.Ef(citylens.EINVALID, "events.error.event", "the event was not saved: correct the fields named below").WithProblems(ps...)
	}
	return nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
