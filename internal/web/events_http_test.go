package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

var eventPath = regexp.MustCompile(`^/events/(\d+)(?:$|\?)`)

// Network events over HTTP on SQLite and PostgreSQL: bad input is refused
// naming its fields and creates nothing; eight delegates register at
// once for a General Assembly of two places (exactly two get places, six
// wait, never over capacity); a cancellation gives the place to the first
// person waiting and records their confirmation; the event's and a
// person's .ics feeds parse back (strictly) with the right UTC times, the
// person's feed without signing in and only with its token.
func TestEventsRegistrationHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		admin := env.ClientAs(webtest.Admin)

		bad := url.Values{"kind": {"general_assembly"}, "title": {"General Assembly 2026"}, "place": {"Seoul City Hall"},
			"time_zone": {"Mars/Olympus"}, "start": {"2026-10-14T09:30"}, "end": {"2026-10-14 17:00"}, "capacity": {"0"}, "open": {"1"}}
		res, body := admin.PostForm("/admin/events", bad)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "time_zone") || !strings.Contains(body, "capacity") ||
			!strings.Contains(body, "end: not a date and time") || strings.Contains(body, "end: required") {
			t.Fatalf("bad event: %d, want 400 naming time_zone, end and capacity:\n%s", res.StatusCode, body)
		}
		if _, body = admin.Get("/events"); !strings.Contains(body, "No events yet.") {
			t.Fatalf("a refused event was created:\n%s", body)
		}
		good := url.Values{"kind": {"general_assembly"}, "title": {"General Assembly 2026, Seoul; day 1"}, "place": {"Seoul City Hall"},
			"agenda": {"Opening\nReports of the regions"}, "languages": {"en, ko"}, "time_zone": {"Asia/Seoul"},
			"start": {"2026-10-14T09:30"}, "end": {"2026-10-14T17:00"}, "capacity": {"2"}, "open": {"1"}}
		res, body = admin.PostForm("/admin/events", good)
		m := eventPath.FindStringSubmatch(res.Header.Get("Location"))
		if res.StatusCode != http.StatusSeeOther || m == nil {
			t.Fatalf("event not created: %d %q %s", res.StatusCode, res.Header.Get("Location"), body)
		}
		path := "/events/" + m[1]
		var id int64
		fmt.Sscan(m[1], &id)

		// Eight delegates (regional officers) register at the same time.
		const n = 8
		clients := make([]*webtest.Client, n)
		users := make([]accounts.User, n)
		for i := range clients {
			u, err := env.Services.Accounts.AddUser(ctx, auditlog.System("test"), accounts.User{Email: fmt.Sprintf("delegate%d@test.citylens", i),
				Name: fmt.Sprintf("Delegate %d", i), Role: accounts.RoleRegional, RegionCode: webtest.RegionA}, webtest.Password)
			if err != nil {
				t.Fatal(err)
			}
			users[i] = u
			c := env.ClientFrom(fmt.Sprintf("127.0.1.%d", i+1))
			if res, body := c.Login(u.Email, webtest.Password); res.StatusCode != http.StatusSeeOther {
				t.Fatalf("login: %d %s", res.StatusCode, body)
			}
			c.Get("/events")
			clients[i] = c
		}
		var wg sync.WaitGroup
		statuses := make([]int, n)
		start := make(chan struct{}) // all at once
		for i, c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, _ := c.PostForm(path+"/register", nil)
				statuses[i] = res.StatusCode
			}()
		}
		close(start)
		wg.Wait()
		for i, st := range statuses {
			if st != http.StatusSeeOther {
				t.Errorf("registration %d: status %d", i, st)
			}
		}
		regs, err := env.Services.Events.Registrations(ctx, events.Viewer{Admin: true}, id)
		if err != nil {
			t.Fatal(err)
		}
		var placed, waiting []events.Registration
		for _, r := range regs {
			switch r.State {
			case events.StateRegistered:
				placed = append(placed, r)
			case events.StateWaiting:
				waiting = append(waiting, r)
			}
		}
		if len(placed) != 2 || len(waiting) != 6 {
			t.Fatalf("%d places and %d waiting after 8 concurrent registrations for 2 places, want 2 and 6", len(placed), len(waiting))
		}
		// A registration again changes nothing.
		clientOf := map[int64]*webtest.Client{}
		for i, u := range users {
			clientOf[u.ID] = clients[i]
		}
		res, _ = clientOf[waiting[0].UserID].PostForm(path+"/register", nil)
		_, body = clientOf[waiting[0].UserID].Get(res.Header.Get("Location"))
		if !strings.Contains(body, "You are on the waiting list.") {
			t.Errorf("the first waiting person's page does not say so:\n%s", body)
		}
		// A cancellation promotes the first person waiting, only them.
		res, body = clientOf[placed[1].UserID].PostForm(path+"/cancel", nil)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("cancel: %d %s", res.StatusCode, body)
		}
		regs, _ = env.Services.Events.Registrations(ctx, events.Viewer{Admin: true}, id)
		state := map[int64]string{}
		count := map[string]int{}
		for _, r := range regs {
			state[r.UserID] = r.State
			count[r.State]++
		}
		if state[waiting[0].UserID] != events.StateRegistered || state[waiting[1].UserID] != events.StateWaiting ||
			state[placed[1].UserID] != events.StateCancelled || count[events.StateRegistered] != 2 || count[events.StateWaiting] != 5 {
			t.Errorf("after a cancellation: %v (counts %v), want the first waiting (%d) promoted", state, count, waiting[0].UserID)
		}
		notices, err := events.Confirmations(ctx, env.Store, time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		var confirmed []int64
		for _, nt := range notices {
			if nt.Kind != events.NoticeRegistered || nt.Ref != m[1] {
				t.Errorf("notice %+v", nt)
			}
			confirmed = append(confirmed, nt.UserID)
		}
		want := []int64{placed[0].UserID, placed[1].UserID, waiting[0].UserID}
		sort.Slice(confirmed, func(i, j int) bool { return confirmed[i] < confirmed[j] })
		sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
		if fmt.Sprint(confirmed) != fmt.Sprint(want) {
			t.Errorf("confirmations for %v, want %v", confirmed, want)
		}
		// The secretariat's page lists places and the waiting list in order.
		_, body = admin.Get(path)
		if i, j := strings.Index(body, waiting[1].Name), strings.Index(body, waiting[2].Name); i < 0 || j < i {
			t.Errorf("waiting list not in order on the admin page")
		}

		// The event's feed, parsed back strictly.
		anon := env.Client()
		res, body = anon.Get(path + "/calendar.ics")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
			t.Fatalf("event feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		evs, err := events.ParseICS(body)
		if err != nil || len(evs) != 1 {
			t.Fatalf("event feed does not parse: %v (%d events)\n%s", err, len(evs), body)
		}
		e := evs[0]
		if e["UID"] != "event-"+m[1]+"@citylens" || e["DTSTART"] != "20261014T003000Z" || e["DTEND"] != "20261014T080000Z" ||
			e["SUMMARY"] != "General Assembly 2026, Seoul; day 1" || e["DESCRIPTION"] != "Opening\nReports of the regions" {
			t.Errorf("event feed: %v", e)
		}
		// A person's feed, found on their events page, without signing in.
		_, body = clientOf[waiting[0].UserID].Get("/events")
		fm := regexp.MustCompile(`href="(/events/feed/\d+/[0-9a-f]+\.ics)"`).FindStringSubmatch(body)
		if fm == nil {
			t.Fatalf("no personal feed link:\n%s", body)
		}
		res, body = anon.Get(fm[1])
		if evs, err = events.ParseICS(body); res.StatusCode != http.StatusOK || err != nil || len(evs) != 1 || evs[0]["UID"] != e["UID"] || evs[0]["DTSTART"] != "20261014T003000Z" {
			t.Errorf("personal feed: %d %v %v\n%s", res.StatusCode, err, evs, body)
		}
		forged := strings.Replace(fm[1], "/feed/"+fmt.Sprint(waiting[0].UserID)+"/", "/feed/"+fmt.Sprint(placed[0].UserID)+"/", 1)
		if res, _ = anon.Get(forged); res.StatusCode != http.StatusNotFound {
			t.Errorf("another person's feed with this token: %d, want 404", res.StatusCode)
		}
		// The cancelled person's feed no longer lists the event.
		tok := env.Services.Events.FeedToken(placed[1].UserID)
		_, body = anon.Get(fmt.Sprintf("/events/feed/%d/%s.ics", placed[1].UserID, tok))
		if evs, err = events.ParseICS(body); err != nil || len(evs) != 0 {
			t.Errorf("cancelled person's feed: %v %v", err, evs)
		}
	})
}
