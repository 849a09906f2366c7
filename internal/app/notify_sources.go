package app

import (
	"context"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/training"
)

// clipArg keeps a notice's argument (a title typed by a person) within
// notify.MaxArgLen, cut on a rune boundary.
func clipArg(s string) string {
	const max = notify.MaxArgLen - 3
	if len(s) <= notify.MaxArgLen {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// followupSource reminds the owners, partners and focal points of a
// feasibility study of its milestones due in 14 days, in 3 days and
// overdue (followup.Reminders), one notice per person and key. The
// fourth argument is the milestone's Korean title, which the Korean
// messages name.
type followupSource struct{ Store followup.ReminderStore }

func (followupSource) Kinds() []string {
	return []string{followup.KindDue14, followup.KindDue3, followup.KindOverdue}
}

func (s followupSource) Due(ctx context.Context, now time.Time) ([]notify.Notice, error) {
	rs, err := followup.Reminders(ctx, s.Store, now)
	if err != nil {
		return nil, err
	}
	var out []notify.Notice
	for _, r := range rs {
		url := "/followup/studies/" + strconv.FormatInt(r.StudyID, 10) + "#m" + strconv.FormatInt(r.MilestoneID, 10)
		for _, id := range r.UserIDs {
			out = append(out, notify.Notice{UserID: id, Kind: r.Kind, Key: r.Key, Msg: "followup.notify." + r.Kind,
				Args: []string{clipArg(r.StudyTitle), clipArg(r.Milestone), r.Due, clipArg(r.MilestoneKO)}, URL: url})
		}
	}
	return out, nil
}

// trainingSource reminds each approved participant of a training session
// the day before it starts (training.Reminders), with the start in the
// session's own time zone.
type trainingSource struct{ Store training.Store }

func (trainingSource) Kinds() []string { return []string{training.ReminderKind} }

func (s trainingSource) Due(ctx context.Context, now time.Time) ([]notify.Notice, error) {
	rs, err := training.Reminders(ctx, s.Store, now)
	if err != nil {
		return nil, err
	}
	sessions := map[int64]*training.Session{}
	cohorts := map[int64]*training.Cohort{}
	out := make([]notify.Notice, 0, len(rs))
	for _, r := range rs {
		ses, ok := sessions[r.SessionID]
		if !ok {
			if ses, err = s.Store.TrainingSession(ctx, r.SessionID); err != nil {
				return nil, err
			}
			sessions[r.SessionID] = ses
		}
		co, ok := cohorts[ses.CohortID]
		if !ok {
			if co, err = s.Store.Cohort(ctx, ses.CohortID); err != nil {
				return nil, err
			}
			cohorts[ses.CohortID] = co
		}
		loc, err := time.LoadLocation(ses.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		out = append(out, notify.Notice{UserID: r.UserID, Kind: r.Kind, Key: r.DedupeKey, Msg: "training.notify.session_tomorrow",
			Args: []string{clipArg(ses.Title), clipArg(co.Title), ses.Start.In(loc).Format("2006-01-02 15:04 MST")},
			URL:  "/training/cohorts/" + strconv.FormatInt(ses.CohortID, 10)})
	}
	return out, nil
}

// eventsSource mails each confirmed registration (events.Confirmations) of
// the last confirmWindow once; the confirmation's own key names the
// registration, so a place cancelled and confirmed again is told again.
type eventsSource struct{ Store events.Store }

const (
	confirmWindow = 7 * 24 * time.Hour
	confirmPage   = 1000
	confirmPages  = 50 // at most 50,000 confirmations a run
)

func (eventsSource) Kinds() []string { return []string{events.NoticeRegistered} }

func (s eventsSource) Due(ctx context.Context, now time.Time) ([]notify.Notice, error) {
	evs := map[int64]*events.Event{}
	var out []notify.Notice
	since := now.Add(-confirmWindow)
	for page := 0; page < confirmPages; page++ {
		ns, err := events.Confirmations(ctx, s.Store, since, confirmPage)
		if err != nil {
			return nil, err
		}
		for _, n := range ns {
			id, err := strconv.ParseInt(n.Ref, 10, 64)
			if err != nil {
				continue
			}
			ev, ok := evs[id]
			if !ok {
				if ev, err = s.Store.Event(ctx, id); err != nil {
					return nil, err
				}
				evs[id] = ev
			}
			loc, err := time.LoadLocation(ev.TimeZone)
			if err != nil {
				loc = time.UTC
			}
			out = append(out, notify.Notice{UserID: n.UserID, Kind: events.NoticeRegistered, Key: n.DedupeKey, Msg: "events.notify.registered",
				Args: []string{clipArg(ev.Title), ev.Start.In(loc).Format("2006-01-02 15:04 MST")}, URL: "/events/" + n.Ref})
		}
		if len(ns) < confirmPage || !ns[len(ns)-1].CreatedAt.After(since) {
			break
		}
		since = ns[len(ns)-1].CreatedAt // rows at that instant come again; their keys keep them single
	}
	return out, nil
}
