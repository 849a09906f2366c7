package eventsweb

import (
	"context"
	"sort"
	"time"

	"github.com/citylens/citylens/internal/events"
)

// HomeEvent is an event a person registered for (a place or on the
// waiting list) that has not ended.
type HomeEvent struct {
	Event *events.Event
	State string
	Start string // in the event's own time zone
}

// HomeEvents is the home panel's data.
type HomeEvents struct {
	Events     []HomeEvent
	Registered int // with a place
	Waiting    int // on a waiting list
}

// PersonEvents reads the home panel of user's registrations for events
// not ended at now, by start (nil, not a typed nil, when there are none).
func PersonEvents(ctx context.Context, st events.Store, user int64, now time.Time) (any, error) {
	rs, err := st.UserEventRegistrations(ctx, user)
	if err != nil {
		return nil, err
	}
	var out HomeEvents
	for _, r := range rs {
		if r.State != events.StateRegistered && r.State != events.StateWaiting {
			continue
		}
		ev, err := st.Event(ctx, r.EventID)
		if err != nil {
			return nil, err
		}
		if !ev.End.After(now) {
			continue
		}
		loc, err := time.LoadLocation(ev.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		out.Events = append(out.Events, HomeEvent{Event: ev, State: r.State, Start: ev.Start.In(loc).Format("2006-01-02 15:04 MST")})
		if r.State == events.StateRegistered {
			out.Registered++
		} else {
			out.Waiting++
		}
	}
	if len(out.Events) == 0 {
		return nil, nil
	}
	sort.SliceStable(out.Events, func(i, j int) bool { return out.Events[i].Event.Start.Before(out.Events[j].Event.Start) })
	return &out, nil
}
