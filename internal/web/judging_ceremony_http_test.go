package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/judging"
	mail "github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The ceremony over HTTP on SQLite and PostgreSQL: the administrator
// invites the finalists; the applicant reads the invitation — ceremony
// and slot at their times in Seoul, "finalist" and never the grade
// decided under embargo, in English and Korean — and confirms who
// attends, bad input refused naming the rule; nobody else reads it; the
// programme is public in the edition's time zone.
func TestCeremonyHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		_, apps := judgingSetup(t, env)
		svc := env.Services.Judging
		admin := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
		fin := apps[1]
		for _, d := range []*judging.Decision{
			{Edition: "2026", App: fin.ID, Kind: judging.DecisionFinalist},
			{Edition: "2026", App: fin.ID, Kind: judging.DecisionWinner, Grade: "gold"},
		} {
			if err := svc.Decide(ctx, admin, d); err != nil {
				t.Fatal(err)
			}
		}
		r := &judging.Round{Edition: "2026", Kind: judging.RoundFinalist, K: 1, Rubric: judging.DefaultRubric(), Closes: prizeT0.AddDate(0, 3, 0)}
		if err := svc.OpenRound(ctx, admin, r); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Assign(ctx, admin, r.ID); err != nil {
			t.Fatal(err)
		}
		seoul, _ := time.LoadLocation("Asia/Seoul")
		if err := svc.ScheduleSlot(ctx, admin, &judging.Slot{Round: r.ID, App: fin.ID, Starts: time.Date(2026, 10, 29, 14, 30, 0, 0, seoul),
			Minutes: 25, Room: "Hall 2"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetProgramme(ctx, admin, "2026", []judging.ProgrammeItem{
			{Starts: time.Date(2026, 10, 30, 12, 0, 0, 0, seoul), Minutes: 20, Title: "Welcome", TitleKO: "환영사", Place: "Grand Hall"},
			{Starts: time.Date(2026, 10, 30, 12, 20, 0, 0, seoul), Minutes: 60, Title: "Awards", TitleKO: "시상", Place: "Grand Hall"},
		}); err != nil {
			t.Fatal(err)
		}
		ac := env.ClientAs(webtest.Admin)
		ac.Get("/judging")
		if res, body := ac.PostForm("/admin/judging/2026/invite", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", res.StatusCode, body)
		}
		if res, _ := env.ClientAs(webtest.Judge).PostForm("/admin/judging/2026/invite", nil); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a judge invited: %d", res.StatusCode)
		}

		page := fmt.Sprintf("/prize/invitations/%d", fin.ID)
		pc := env.ClientAs(webtest.Applicant)
		res, body := pc.Get(page + "?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "is a finalist of the Seoul Smart City Prize") ||
			!strings.Contains(body, `<dd id="ceremony-time">2026-10-30 12:00 (Asia/Seoul)</dd>`) ||
			!strings.Contains(body, "2026-10-29 14:30 (Asia/Seoul) · 25 minutes · Hall 2") || !strings.Contains(body, "not answered yet") {
			t.Fatalf("invitation: %d\n%s", res.StatusCode, body)
		}
		for _, leak := range []string{"Gold", "gold", "Winner", "금상"} {
			if strings.Contains(body, leak) {
				t.Fatalf("the invitation leaks %q under embargo", leak)
			}
		}
		res, body = pc.Get(page + "?lang=ko")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "최종 후보로 선정되었습니다") || strings.Contains(body, "금상") ||
			strings.Contains(body, "is a finalist") || !strings.Contains(body, "<td>12:20</td><td>시상</td>") {
			t.Fatalf("Korean invitation: %d\n%s", res.StatusCode, body)
		}
		pc.Get(page + "?lang=en")
		// Nobody else reads it; an application not invited is not found.
		for _, role := range []string{webtest.Judge, webtest.Focal} {
			if res, body := env.ClientAs(role).Get(page); res.StatusCode != http.StatusNotFound || strings.Contains(body, fin.Title) {
				t.Fatalf("%s read the invitation: %d", role, res.StatusCode)
			}
		}
		if res, _ := pc.Get(fmt.Sprintf("/prize/invitations/%d", apps[2].ID)); res.StatusCode != http.StatusNotFound {
			t.Fatalf("an application not invited: %d", res.StatusCode)
		}
		pc.Get(page)
		many := strings.Repeat("Someone\n", judging.MaxAttendees+1)
		res, body = pc.PostForm(page, url.Values{"attend": {"yes"}, "attendees": {many}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at most 10 people attend per finalist") {
			t.Fatalf("too many attendees: %d\n%s", res.StatusCode, body)
		}
		res, body = pc.PostForm(page, url.Values{"attend": {"yes"}, "attendees": {"Mette Hansen\r\nLars Berg\r\n"}, "travel": {"Visa letter, please."}})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d\n%s", res.StatusCode, body)
		}
		in, err := svc.Invitation(ctx, admin, fin.ID)
		if err != nil || in.Status != judging.InviteConfirmed || strings.Join(in.Attendees, "|") != "Mette Hansen|Lars Berg" || in.Travel != "Visa letter, please." {
			t.Fatalf("stored answer %+v %v", in, err)
		}
		if _, body := pc.Get(page); !strings.Contains(body, `<dd id="status">attending</dd>`) {
			t.Fatalf("answered invitation:\n%s", body)
		}
		// The invitation e-mail says finalist, never the grade.
		mails, err := s.(mail.OutboxStore).ListOutbox(ctx, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, m := range mails {
			if m.To == fin.Email && strings.Contains(m.Subject, "you are a finalist") {
				got++
				if strings.Contains(m.Body, "Gold") || strings.Contains(m.Body, "gold") || !strings.Contains(m.Body, "2026-10-29 14:30 (Asia/Seoul), 25 minutes, Hall 2") {
					t.Fatalf("invitation e-mail: %q", m.Body)
				}
			}
		}
		if got != 1 {
			t.Fatalf("%d invitation e-mails", got)
		}
		// The public programme, in Seoul time.
		res, body = env.ClientAs(webtest.Anonymous).Get("/prize/editions/2026/programme?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "<td>12:00</td><td>Welcome</td><td>Grand Hall</td>") ||
			strings.Contains(body, fin.Title) {
			t.Fatalf("programme: %d\n%s", res.StatusCode, body)
		}
	})
}

// The ceremony's API for the committee, on SQLite and PostgreSQL: slots
// scheduled, a clash refused (409) naming the slot and its Seoul time,
// a judge refused (403); the programme replaced, out of order refused
// naming the item; the invitations' answers.
func TestCeremonyAPI(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		_, apps := judgingSetup(t, env)
		svc := env.Services.Judging
		admin := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
		for _, a := range apps[1:] {
			if err := svc.Decide(ctx, admin, &judging.Decision{Edition: "2026", App: a.ID, Kind: judging.DecisionFinalist}); err != nil {
				t.Fatal(err)
			}
		}
		r := &judging.Round{Edition: "2026", Kind: judging.RoundFinalist, K: 2, Rubric: judging.DefaultRubric(), Closes: prizeT0.AddDate(0, 3, 0)}
		if err := svc.OpenRound(ctx, admin, r); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Assign(ctx, admin, r.ID); err != nil {
			t.Fatal(err)
		}
		c := env.Client()
		at, jt := env.APIToken(webtest.Admin, "write"), env.APIToken(webtest.Judge, "write")
		slots := fmt.Sprintf("/api/v1/judging/rounds/%d/slots", r.ID)
		body1 := fmt.Sprintf(`{"application":%d,"starts":"2026-10-29T01:00:00Z","minutes":30,"room":"Hall 2"}`, apps[1].ID)
		if res, body := c.API("POST", slots, jt, body1); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a judge scheduled: %d %s", res.StatusCode, body)
		}
		res, body := c.API("POST", slots, at, body1)
		var first judging.Slot
		decodeAPI(t, body, &first)
		if res.StatusCode != http.StatusCreated || first.ID == 0 || first.Minutes != 30 || !first.Starts.Equal(time.Date(2026, 10, 29, 1, 0, 0, 0, time.UTC)) {
			t.Fatalf("schedule: %d %s", res.StatusCode, body)
		}
		// Both judges judge both finalists: an overlap in another room clashes.
		res, body = c.API("POST", slots, at, fmt.Sprintf(`{"application":%d,"starts":"2026-10-29T01:20:00Z","minutes":30,"room":"Hall 3"}`, apps[2].ID))
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, fmt.Sprintf("slot %d (2026-10-29 10:00–10:30)", first.ID)) ||
			!strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("clash: %d %s", res.StatusCode, body)
		}
		if res, body := c.API("POST", slots, at, fmt.Sprintf(`{"application":%d,"starts":"2026-10-29T01:30:00Z","minutes":30,"room":"Hall 3"}`, apps[2].ID)); res.StatusCode != http.StatusCreated {
			t.Fatalf("back to back: %d %s", res.StatusCode, body)
		}
		_, body = c.API("GET", slots, at, "")
		var list struct {
			Slots []judging.Slot `json:"slots"`
		}
		decodeAPI(t, body, &list)
		if len(list.Slots) != 2 || list.Slots[0].App != apps[1].ID || list.Slots[1].App != apps[2].ID {
			t.Fatalf("slots %s", body)
		}
		prog := "/api/v1/judging/editions/2026/programme"
		bad := `{"items":[{"starts":"2026-10-30T03:00:00Z","minutes":20,"title":"Welcome","title_ko":"환영사"},{"starts":"2026-10-30T02:00:00Z","minutes":20,"title":"Awards","title_ko":"시상"}]}`
		res, body = c.API("PUT", prog, at, bad)
		if res.StatusCode/100 != 4 || !strings.Contains(body, `"items[1].starts"`) {
			t.Fatalf("programme out of order: %d %s", res.StatusCode, body)
		}
		if res, _ := c.API("PUT", prog, jt, bad); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a judge set the programme: %d", res.StatusCode)
		}
		good := strings.Replace(bad, "2026-10-30T02:00:00Z", "2026-10-30T03:20:00Z", 1)
		res, body = c.API("PUT", prog, at, good)
		var items struct {
			Items []judging.ProgrammeItem `json:"items"`
		}
		decodeAPI(t, body, &items)
		if res.StatusCode != http.StatusOK || len(items.Items) != 2 || items.Items[1].Position != 2 || items.Items[1].TitleKO != "시상" {
			t.Fatalf("programme: %d %s", res.StatusCode, body)
		}
		if _, err := svc.InviteFinalists(ctx, admin, "2026"); err != nil {
			t.Fatal(err)
		}
		res, body = c.API("GET", "/api/v1/judging/editions/2026/invitations", at, "")
		var invs struct {
			Invitations []judging.Invitation `json:"invitations"`
		}
		decodeAPI(t, body, &invs)
		if res.StatusCode != http.StatusOK || len(invs.Invitations) != 2 || invs.Invitations[0].Status != judging.InviteSent || invs.Invitations[0].Lang != "en" {
			t.Fatalf("invitations: %d %s", res.StatusCode, body)
		}
		if res, _ := c.API("GET", "/api/v1/judging/editions/2026/invitations", jt, ""); res.StatusCode != http.StatusForbidden {
			t.Fatalf("a judge read the invitations: %d", res.StatusCode)
		}
	})
}
