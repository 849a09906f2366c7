package events

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/auditlog"
)

// Viewer is who asks: the secretariat (Admin) manages events; member
// cities' delegates (Delegate: focal points, regional officers and the
// secretariat) register.
type Viewer struct {
	UserID   int64
	Admin    bool
	Delegate bool
}

// Service runs the network's events.
type Service struct {
	Store  Store
	Audit  auditlog.Store
	Now    func() time.Time
	Secret []byte // the key of the per-person feed tokens, shared by the replicas
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

func notFound(id int64) error {
	return citylens.Ef(citylens.ENOTFOUND, "events.error.notfound", "Event %d not found.", id)
}

func forbidden() error {
	return citylens.Ef(citylens.EFORBIDDEN, "events.error.forbidden", "Only the secretariat manages events.")
}

// Create adds an event: the secretariat only.
func (s *Service) Create(ctx context.Context, v Viewer, actor auditlog.Actor, e *Event) error {
	if !v.Admin {
		return forbidden()
	}
	if err := e.Validate(); err != nil {
		return err
	}
	e.CreatedAt = s.now()
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.CreateEvent(ctx, e); err != nil {
			return err
		}
		if s.Audit == nil {
			return nil
		}
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "events.event.create", "event", strconv.FormatInt(e.ID, 10), nil, e)
	})
}

// MaxEdition bounds a prize edition's code as an event names it.
const MaxEdition = 40

// LinkEdition links event id to the prize edition of code edition (""
// unlinks): the secretariat only. A ceremony's page then shows, to the
// prize's committee, the finalists invited and their answers. An edition
// that does not exist is refused naming the field; nothing changes.
func (s *Service) LinkEdition(ctx context.Context, v Viewer, actor auditlog.Actor, id int64, edition string) error {
	if !v.Admin {
		return forbidden()
	}
	edition = strings.TrimSpace(edition)
	bad := func() error {
		return citylens.Ef(citylens.EINVALID, "events.error.event", "the event was not saved: correct the fields named below").
			WithProblems(problem("edition", "events.error.edition", "no prize edition %s", edition))
	}
	if utf8.RuneCountInString(edition) > MaxEdition || !utf8.ValidString(edition) {
		return bad()
	}
	e, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.SetEventEdition(ctx, id, edition); err != nil {
			if citylens.ErrorCode(err) == citylens.EINVALID {
				return bad()
			}
			return err
		}
		if s.Audit == nil {
			return nil
		}
		return auditlog.Record(ctx, s.Audit, s.now(), actor, "events.event.edition", "event", strconv.FormatInt(id, 10),
			map[string]string{"edition": e.Edition}, map[string]string{"edition": edition})
	})
}

// Get is event id.
func (s *Service) Get(ctx context.Context, id int64) (*Event, error) {
	e, err := s.Store.Event(ctx, id)
	if citylens.ErrorCode(err) == citylens.ENOTFOUND {
		return nil, notFound(id)
	}
	return e, err
}

// List is the events by start (bounded page).
func (s *Service) List(ctx context.Context, limit, offset int) ([]*Event, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if offset < 0 || offset > 100_000 {
		offset = 0
	}
	return s.Store.Events(ctx, limit, offset)
}

// Registrations is event id's list: the secretariat only.
func (s *Service) Registrations(ctx context.Context, v Viewer, id int64) ([]Registration, error) {
	if !v.Admin {
		return nil, forbidden()
	}
	return s.Store.EventRegistrations(ctx, id)
}

// Mine is v's registration of event id, if any (not cancelled).
func (s *Service) Mine(ctx context.Context, v Viewer, id int64) (*Registration, error) {
	rs, err := s.Store.UserEventRegistrations(ctx, v.UserID)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if rs[i].EventID == id {
			return &rs[i], nil
		}
	}
	return nil, nil
}

// Register gives v a place at event id while places remain, else a
// place on the waiting list; never over capacity. The event's
// registrations are serialised (Store.LockEvent), so concurrent requests
// on any replica count the same places. A confirmed place records a
// notice (NoticeRegistered).
func (s *Service) Register(ctx context.Context, v Viewer, id int64) (*Registration, error) {
	if !v.Delegate || v.UserID == 0 {
		return nil, citylens.Ef(citylens.EFORBIDDEN, "events.error.delegates", "Only member cities' delegates register for events.")
	}
	var out *Registration
	err := s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.LockEvent(ctx, id); err != nil {
			if citylens.ErrorCode(err) == citylens.ENOTFOUND {
				return notFound(id)
			}
			return err
		}
		e, err := s.Store.Event(ctx, id)
		if err != nil {
			return err
		}
		if !e.Open {
			return citylens.Ef(citylens.ECONFLICT, "events.error.closed", "Registration for this event is closed.")
		}
		rs, err := s.Store.EventRegistrations(ctx, id)
		if err != nil {
			return err
		}
		taken := 0
		for _, r := range rs {
			if r.UserID == v.UserID && r.State != StateCancelled {
				out = &r
				return nil // already registered or waiting: nothing changes
			}
			if r.State == StateRegistered {
				taken++
			}
		}
		r := &Registration{EventID: id, UserID: v.UserID, State: StateWaiting, UpdatedAt: s.now()}
		if taken < e.Capacity {
			r.State = StateRegistered
		}
		if err := s.Store.PutRegistration(ctx, r); err != nil {
			return err
		}
		if r.State == StateRegistered {
			if err := s.notify(ctx, r); err != nil {
				return err
			}
		}
		out = r
		return nil
	})
	return out, err
}

func (s *Service) notify(ctx context.Context, r *Registration) error {
	return s.Store.AddEventNotice(ctx, Notice{UserID: r.UserID, Kind: NoticeRegistered, Ref: strconv.FormatInt(r.EventID, 10),
		DedupeKey: NoticeRegistered + ":" + strconv.FormatInt(r.EventID, 10) + ":" + strconv.FormatInt(r.UserID, 10) + ":" + strconv.FormatInt(r.UpdatedAt.UnixMicro(), 10),
		CreatedAt: s.now()})
}

// Cancel gives up v's place or waiting-list entry; a freed place goes to
// the first person waiting, who gets a notice.
func (s *Service) Cancel(ctx context.Context, v Viewer, id int64) error {
	if !v.Delegate || v.UserID == 0 {
		return citylens.Ef(citylens.EFORBIDDEN, "events.error.delegates", "Only member cities' delegates register for events.")
	}
	return s.Store.InTx(ctx, func(ctx context.Context) error {
		if err := s.Store.LockEvent(ctx, id); err != nil {
			if citylens.ErrorCode(err) == citylens.ENOTFOUND {
				return notFound(id)
			}
			return err
		}
		e, err := s.Store.Event(ctx, id)
		if err != nil {
			return err
		}
		rs, err := s.Store.EventRegistrations(ctx, id)
		if err != nil {
			return err
		}
		var mine *Registration
		taken := 0
		for i := range rs {
			if rs[i].UserID == v.UserID && rs[i].State != StateCancelled {
				mine = &rs[i]
			}
			if rs[i].State == StateRegistered {
				taken++
			}
		}
		if mine == nil {
			return citylens.Ef(citylens.ENOTFOUND, "events.error.notregistered", "You are not registered for this event.")
		}
		was := mine.State
		mine.State, mine.UpdatedAt = StateCancelled, s.now()
		if err := s.Store.PutRegistration(ctx, mine); err != nil {
			return err
		}
		if was == StateRegistered {
			taken--
		}
		for i := range rs { // in list order: the first waiting first
			if taken >= e.Capacity {
				break
			}
			r := &rs[i]
			if r.State != StateWaiting || r.UserID == v.UserID {
				continue
			}
			r.State = StateRegistered // keeps its list time
			if err := s.Store.PutRegistration(ctx, r); err != nil {
				return err
			}
			if err := s.notify(ctx, r); err != nil {
				return err
			}
			taken++
		}
		return nil
	})
}

// MarkAttendance records whether user attended event id: the secretariat only.
func (s *Service) MarkAttendance(ctx context.Context, v Viewer, id, user int64, attended bool) error {
	if !v.Admin {
		return forbidden()
	}
	return s.Store.SetEventAttendance(ctx, id, user, attended)
}

// FeedToken is the unguessable token of user's personal calendar feed.
func (s *Service) FeedToken(user int64) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("events-feed\x00" + strconv.FormatInt(user, 10)))
	return hex.EncodeToString(m.Sum(nil)[:20])
}

// PersonFeed is user's events (registered or waiting) when token is theirs.
func (s *Service) PersonFeed(ctx context.Context, user int64, token string) ([]*Event, error) {
	if len(s.Secret) == 0 || !hmac.Equal([]byte(token), []byte(s.FeedToken(user))) {
		return nil, citylens.Ef(citylens.ENOTFOUND, "events.error.feed", "No such calendar feed.")
	}
	rs, err := s.Store.UserEventRegistrations(ctx, user)
	if err != nil {
		return nil, err
	}
	var out []*Event
	for _, r := range rs {
		e, err := s.Store.Event(ctx, r.EventID)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Confirmations are the registration notices recorded from since on, for
// a notifier.
func Confirmations(ctx context.Context, st Store, since time.Time, limit int) ([]Notice, error) {
	return st.EventNotices(ctx, NoticeRegistered, since, limit)
}
