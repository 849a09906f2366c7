package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The demo focal point's inbox on SQLite and PostgreSQL: one notice of
// each kind (a milestone due soon and a registration confirmed unread; an
// overdue milestone, since done, and a training session of the past,
// read), none mailed, the home's inbox panel showing them in English and
// in Korean; seeding again
// adds none, and the reminder job does not send the due one again.
func TestDemoNotices(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		env.SeedDemo()
		ctx := context.Background()
		u, err := env.Store.UserByEmail(ctx, "focal.seoul@demo.citylens")
		if err != nil {
			t.Fatal(err)
		}
		ns, err := env.Services.Notify.Inbox(ctx, u.ID, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]notify.Notice{}
		for _, n := range ns {
			kinds[n.Kind] = n
			if n.MailState != notify.MailNone && n.MailState != "" {
				t.Errorf("a demo notice is mailed: %+v", n)
			}
		}
		due := kinds["milestone.due14"]
		if due.ID == 0 {
			due = kinds["milestone.due3"]
		}
		for name, c := range map[string]struct {
			n    notify.Notice
			read bool
		}{"due": {due, false}, "overdue": {kinds["milestone.overdue"], true}, "training": {kinds["training.session_tomorrow"], true},
			"registered": {kinds["event.registered"], false}} {
			if c.n.ID == 0 || c.n.ReadAt.IsZero() != !c.read {
				t.Errorf("demo notice %s: %+v", name, c.n)
			}
		}
		if len(ns) != 4 {
			t.Errorf("%d demo notices, want 4", len(ns))
		}
		if n, _ := env.Services.Notify.Unread(ctx, u.ID); n != 2 {
			t.Errorf("%d unread, want 2", n)
		}
		// The reminder job finds the due milestone already told.
		if _, err := env.Services.Notify.Remind(ctx, env.Services.Followup.Time()); err != nil {
			t.Fatal(err)
		}
		again, _ := env.Services.Notify.Inbox(ctx, u.ID, 0, 50)
		count := 0
		for _, n := range again {
			if n.Kind == due.Kind && n.Key == due.Key {
				count++
			}
		}
		if count != 1 {
			t.Errorf("the due milestone's notice %d times after the reminder job", count)
		}
		// Seeding again adds nothing.
		before := len(again)
		env.SeedDemo()
		if again, _ := env.Services.Notify.Inbox(ctx, u.ID, 0, 50); len(again) != before {
			t.Errorf("seeding again: %d notices, was %d", len(again), before)
		}
		// The home shows them, in English and in Korean.
		c := env.Client()
		if res, _ := c.Login(u.Email, demo.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatal("demo focal point's login")
		}
		_, en := c.Get("/home?lang=en")
		_, ko := c.Get("/home?lang=ko")
		if !strings.Contains(en, "Your place is confirmed") || !strings.Contains(ko, "참가가 확정되었습니다") {
			t.Errorf("the home's inbox panel lacks the demo notices")
		}
	})
}
