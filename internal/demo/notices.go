package demo

import (
	"context"
	"strconv"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/followup"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/training"
)

// seedNotices fills the demo focal points' inboxes with one notice of
// each kind the follow-up sends, so the home's inbox panel has something
// to show: a milestone due soon (the at-risk study's, unread), an
// overdue one (a milestone since done, the notice of the day after its
// due date, read), a training session tomorrow (the demo cohort's last
// session, the notice of the day before, read) and a registration
// confirmed (the focal point registers for the demo General Assembly,
// unread). The notices carry the keys the reminder job uses, so a later
// run does not send them again, and the Korean titles beside the English
// ones: the inbox words them in the reader's language (English or Korean)
// when it shows them. They are never mailed. Seeding twice adds nothing.
func seedNotices(ctx context.Context, s Services) error {
	if s.Notify == nil {
		return nil
	}
	for _, u := range users {
		if u.Role != accounts.RoleFocal {
			continue
		}
		acc, err := s.Store.UserByEmail(ctx, u.Email)
		if err != nil {
			return err
		}
		var ns []notify.Notice
		if s.Followup != nil {
			ms, err := milestoneNotices(ctx, s, acc.ID, acc.CityCode)
			if err != nil {
				return err
			}
			ns = append(ns, ms...)
		}
		if s.Training != nil {
			n, err := trainingNotice(ctx, s, acc.ID)
			if err != nil {
				return err
			}
			ns = append(ns, n...)
		}
		if s.Events != nil {
			n, err := registrationNotice(ctx, s, acc.ID)
			if err != nil {
				return err
			}
			ns = append(ns, n...)
		}
		n, err := s.Notify.SeedInbox(ctx, ns...)
		if err != nil {
			return err
		}
		s.Log.Info("demo notices seeded", "person", u.Email, "notices", n)
	}
	return nil
}

// milestoneNotices: the first open milestone due within 14 days and the
// last milestone done whose due date has passed, of the 2025 studies the
// reminder job tells the person of (their city hosts the study, or they
// edit it for a partner).
func milestoneNotices(ctx context.Context, s Services, user int64, city string) ([]notify.Notice, error) {
	studies, err := s.Followup.List(ctx, followup.Viewer{Admin: true}, "2025")
	if err != nil {
		return nil, err
	}
	now := s.Followup.Time()
	today := followup.Today(now)
	notice := func(st *followup.Study, m followup.Milestone, kind string) notify.Notice {
		ko := m.TitleKO
		if ko == "" {
			ko = m.Title
		}
		return notify.Notice{UserID: user, Kind: kind, Key: "followup:" + strconv.FormatInt(st.ID, 10) + ":" + strconv.FormatInt(m.ID, 10) + ":" + kind + ":" + m.Due,
			Msg: "followup.notify." + kind, Args: []string{clip(st.Title), clip(m.Title), m.Due, clip(ko)},
			URL: "/followup/studies/" + strconv.FormatInt(st.ID, 10) + "#m" + strconv.FormatInt(m.ID, 10)}
	}
	var due, overdue *notify.Notice
	for _, st := range studies {
		told := st.HostCity == city
		for _, p := range st.Partners {
			told = told || p.UserID == user
		}
		if !told {
			continue
		}
		for _, m := range st.Milestones {
			if m.Reported != followup.StatusDone && m.Due >= today && due == nil {
				if kind := followup.ReminderKind(m.Due, today); kind != "" {
					n := notice(st, m, kind)
					due = &n
				}
			}
			if m.Reported == followup.StatusDone && m.Due < today {
				d, err := time.Parse(followup.DateLayout, m.Due)
				if err != nil {
					continue
				}
				n := notice(st, m, followup.KindOverdue)
				n.CreatedAt, n.ReadAt = d.AddDate(0, 0, 1).Add(9*time.Hour), d.AddDate(0, 0, 2).Add(9*time.Hour)
				if !n.ReadAt.Before(now) {
					continue
				}
				if overdue == nil || overdue.CreatedAt.Before(n.CreatedAt) {
					overdue = &n
				}
			}
		}
	}
	var out []notify.Notice
	for _, n := range []*notify.Notice{due, overdue} {
		if n != nil {
			out = append(out, *n)
		}
	}
	return out, nil
}

// trainingNotice: the demo cohort's last session, the day before, for a
// person with a place in the cohort.
func trainingNotice(ctx context.Context, s Services, user int64) ([]notify.Notice, error) {
	cs, err := s.Training.Store.Cohorts(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if !c.Demo {
			continue
		}
		es, err := s.Training.Store.CohortEnrolments(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		placed := false
		for _, e := range es {
			placed = placed || (e.UserID == user && e.State == training.StateApproved)
		}
		if !placed {
			return nil, nil
		}
		ss, err := s.Training.Store.CohortSessions(ctx, c.ID)
		if err != nil || len(ss) == 0 {
			return nil, err
		}
		last := ss[len(ss)-1]
		loc, err := time.LoadLocation(last.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		return []notify.Notice{{UserID: user, Kind: training.ReminderKind,
			Key: training.ReminderKind + ":" + strconv.FormatInt(last.ID, 10) + ":" + strconv.FormatInt(user, 10),
			Msg: "training.notify.session_tomorrow", Args: []string{clip(last.Title), clip(c.Title), last.Start.In(loc).Format("2006-01-02 15:04 MST")},
			URL: "/training/cohorts/" + strconv.FormatInt(c.ID, 10), CreatedAt: last.Start.Add(-24 * time.Hour), ReadAt: last.Start.Add(-20 * time.Hour)}}, nil
	}
	return nil, nil
}

// registrationNotice: the focal point registers for the demo General
// Assembly; the notice carries the confirmation's key.
func registrationNotice(ctx context.Context, s Services, user int64) ([]notify.Notice, error) {
	es, err := s.Events.List(ctx, 200, 0)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if !e.Demo || e.Kind != events.KindAssembly || !e.Open {
			continue
		}
		if _, err := s.Events.Register(ctx, events.Viewer{UserID: user, Delegate: true}, e.ID); err != nil && citylens.ErrorCode(err) != citylens.ECONFLICT {
			return nil, err
		}
		ns, err := events.Confirmations(ctx, s.Events.Store, time.Time{}, 1000)
		if err != nil {
			return nil, err
		}
		loc, err := time.LoadLocation(e.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		for _, n := range ns {
			if n.UserID == user && n.Ref == strconv.FormatInt(e.ID, 10) {
				return []notify.Notice{{UserID: user, Kind: events.NoticeRegistered, Key: n.DedupeKey, Msg: "events.notify.registered",
					Args: []string{clip(e.Title), e.Start.In(loc).Format("2006-01-02 15:04 MST")}, URL: "/events/" + strconv.FormatInt(e.ID, 10)}}, nil
			}
		}
	}
	return nil, nil
}

// clip bounds a notice's argument (notify.MaxArgLen bytes).
func clip(s string) string {
	if len(s) <= notify.MaxArgLen {
		return s
	}
	return s[:notify.MaxArgLen]
}
