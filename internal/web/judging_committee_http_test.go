package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// committeeEnv is the judging setup with three finalists (the first
// conflicted with the fixture judge), a finalist round of two judges per
// finalist among the fixture judge, the partner and a committee chair,
// and a client signed in as that chair.
func committeeEnv(t *testing.T, s storetest.Store) (*webtest.Env, *testClock, []*prize.Application, *judging.Round, *webtest.Client) {
	t.Helper()
	env, clock := prizeEnv(t, s)
	ctx := context.Background()
	_, apps := judgingSetup(t, env)
	svc := env.Services.Judging
	admin := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
	u, err := env.Services.Accounts.AddUser(ctx, auditlog.System("test"), accounts.User{Email: "chair@test.citylens", Name: "Chair",
		Role: accounts.RoleJudge}, webtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.InviteJudge(ctx, admin, &judging.Judge{Edition: "2026", UserID: u.ID, Name: "Committee Chair", Email: u.Email,
		Role: judging.RoleChair, Organisation: "Global Cities Forum", CityName: "Geneva", Country: "CHE", Languages: []string{"en"}, Load: 5}); err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
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
	chair := env.Client()
	if res, body := chair.Login(u.Email, webtest.Password); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("chair login: %d %s", res.StatusCode, body)
	}
	chair.Get("/judging")
	return env, clock, apps, r, chair
}

// The committee's ceremony pages over HTTP on SQLite and PostgreSQL: the
// chair schedules, moves and deletes presentation slots in Seoul time (a
// clash refused naming the slot and its time, what was typed kept), sets
// the programme in English and Korean (an item at fault named by its
// number), reads the attendance answers with their counts and as CSV;
// judges outside the committee, partners and applicants are refused.
func TestCeremonyCommitteePages(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _, apps, r, chair := committeeEnv(t, s)
		ctx := context.Background()
		svc := env.Services.Judging
		admin := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
		slots := fmt.Sprintf("/judging/rounds/%d/slots", r.ID)

		// Who may not: judges outside the committee, partners, applicants,
		// focal points (403); visitors are sent to sign in.
		for _, role := range []string{webtest.Judge, webtest.Partner, webtest.Applicant, webtest.Focal, webtest.Anonymous} {
			c := env.ClientAs(role)
			for _, p := range []string{slots, "/judging/editions/2026/programme", "/judging/editions/2026/attendance", "/judging/editions/2026/attendance.csv"} {
				res, body := c.Get(p)
				if res.StatusCode != http.StatusForbidden && !(role == webtest.Anonymous && res.StatusCode == http.StatusSeeOther) {
					t.Fatalf("%s GET %s: %d", role, p, res.StatusCode)
				}
				if strings.Contains(body, apps[1].Title) {
					t.Fatalf("%s read a finalist's title on %s", role, p)
				}
			}
			for _, p := range []string{slots, slots + "/1/delete", "/judging/editions/2026/programme"} {
				res, _ := c.PostForm(p, url.Values{"app": {fmt.Sprint(apps[1].ID)}, "starts": {"2026-10-29T10:00"}, "ends": {"2026-10-29T10:30"}, "room": {"Hall 2"}})
				if res.StatusCode != http.StatusForbidden && !(role == webtest.Anonymous && res.StatusCode == http.StatusUnauthorized) {
					t.Fatalf("%s POST %s: %d", role, p, res.StatusCode)
				}
			}
		}
		if got, err := svc.Slots(ctx, admin, r.ID); err != nil || len(got) != 0 {
			t.Fatalf("a refused caller scheduled: %v %v", got, err)
		}

		// The slots page: the finalists with their judges; none scheduled.
		res, body := chair.Get(slots + "?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "No slot is scheduled yet.") ||
			!strings.Contains(body, fmt.Sprintf(`<option value="%d">%s — Judges: `, apps[1].ID, apps[1].Title)) ||
			!strings.Contains(body, "Times are in the edition&#39;s time zone, Asia/Seoul.") {
			t.Fatalf("slots page: %d\n%s", res.StatusCode, body)
		}
		form := func(app int64, starts, ends, room string) url.Values {
			return url.Values{"app": {fmt.Sprint(app)}, "starts": {starts}, "ends": {ends}, "room": {room}}
		}
		if res, body := chair.PostForm(slots, form(apps[1].ID, "2026-10-29T10:00", "2026-10-29T10:30", "Hall 2")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("schedule: %d\n%s", res.StatusCode, body)
		}
		got, err := svc.Slots(ctx, admin, r.ID)
		if err != nil || len(got) != 1 || !got[0].Starts.Equal(time.Date(2026, 10, 29, 1, 0, 0, 0, time.UTC)) || got[0].Minutes != 30 || got[0].Room != "Hall 2" {
			t.Fatalf("stored slot %+v %v", got, err)
		}
		first := got[0]
		res, body = chair.Get(slots + "?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`<tr data-slot="%d"><td>%d</td><td>%s</td>`, first.ID, first.ID, apps[1].Title)) ||
			!strings.Contains(body, "<td>2026-10-29 10:00–10:30</td><td>Hall 2</td>") {
			t.Fatalf("slot listed:\n%s", body)
		}
		// A clash in the same room: 409 naming the slot and its Seoul time,
		// the form keeps what was typed; nothing saved.
		res, body = chair.PostForm(slots, form(apps[2].ID, "2026-10-29T10:15", "2026-10-29T10:45", "Hall 2"))
		want := fmt.Sprintf("The slot clashes with slot %d (2026-10-29 10:00–10:30) in the same room.", first.ID)
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, want) || !strings.Contains(body, `value="2026-10-29T10:15"`) ||
			!strings.Contains(body, `value="2026-10-29T10:45"`) || !strings.Contains(body, fmt.Sprintf(`<option value="%d" selected>`, apps[2].ID)) {
			t.Fatalf("clash: %d\n%s", res.StatusCode, body)
		}
		// In Korean, the same refusal in Korean.
		res, body = chair.PostForm(slots+"?lang=ko", form(apps[2].ID, "2026-10-29T10:15", "2026-10-29T10:45", "Hall 2"))
		if res.StatusCode != http.StatusConflict || !strings.Contains(body, "발표 일정") || strings.Contains(body, "The slot clashes") {
			t.Fatalf("Korean clash: %d\n%s", res.StatusCode, body)
		}
		chair.Get(slots + "?lang=en")
		// Bad input: an end before the start, a time that is no time.
		res, body = chair.PostForm(slots, form(apps[2].ID, "2026-10-29T12:00", "2026-10-29T11:00", "Hall 3"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "the duration must be between 5 and 240 minutes") {
			t.Fatalf("end before start: %d\n%s", res.StatusCode, body)
		}
		res, body = chair.PostForm(slots, form(apps[2].ID, "tomorrow", "2026-10-29T11:00", "Hall 3"))
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "is not a date and time (YYYY-MM-DDTHH:MM)") ||
			!strings.Contains(body, `value="tomorrow"`) {
			t.Fatalf("bad time: %d\n%s", res.StatusCode, body)
		}
		if got, _ := svc.Slots(ctx, admin, r.ID); len(got) != 1 {
			t.Fatalf("%d slots after refusals", len(got))
		}
		// Back to back in the same room is fine; then edit (move) and delete.
		if res, body := chair.PostForm(slots, form(apps[2].ID, "2026-10-29T10:30", "2026-10-29T11:00", "Hall 2")); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("back to back: %d\n%s", res.StatusCode, body)
		}
		res, body = chair.Get(fmt.Sprintf("%s?edit=%d", slots, first.ID))
		if res.StatusCode != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`name="id" value="%d"`, first.ID)) || !strings.Contains(body, `value="2026-10-29T10:00"`) {
			t.Fatalf("edit form:\n%s", body)
		}
		move := form(apps[1].ID, "2026-10-29T14:00", "2026-10-29T14:25", "Hall 2")
		move.Set("id", fmt.Sprint(first.ID))
		if res, body := chair.PostForm(slots, move); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("move: %d\n%s", res.StatusCode, body)
		}
		got, _ = svc.Slots(ctx, admin, r.ID)
		if len(got) != 2 || got[1].ID != first.ID || !got[1].Starts.Equal(time.Date(2026, 10, 29, 5, 0, 0, 0, time.UTC)) || got[1].Minutes != 25 {
			t.Fatalf("moved slots %+v", got)
		}
		if res, _ := chair.PostForm(fmt.Sprintf("%s/%d/delete", slots, first.ID), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		if res, _ := chair.PostForm(fmt.Sprintf("%s/%d/delete", slots, first.ID), nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("delete twice: %d", res.StatusCode)
		}
		if got, _ = svc.Slots(ctx, admin, r.ID); len(got) != 1 || got[0].App != apps[2].ID {
			t.Fatalf("after the delete %+v", got)
		}

		// The programme editor: rows in order with English and Korean
		// titles; an item at fault is named by its number, what was typed kept.
		prog := "/judging/editions/2026/programme"
		if res, body := chair.Get(prog + "?lang=en"); res.StatusCode != http.StatusOK || strings.Count(body, `name="title_ko"`) != 3 {
			t.Fatalf("empty programme editor: %d\n%s", res.StatusCode, body)
		}
		rows := url.Values{
			"starts":   {"2026-10-30T12:20", "2026-10-30T12:00", ""},
			"minutes":  {"60", "20", ""},
			"title":    {"Awards", "Welcome", ""},
			"title_ko": {"시상", "", ""},
			"place":    {"Grand Hall", "Grand Hall", ""},
		}
		res, body = chair.PostForm(prog, rows)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Item 2: an item needs a title in English and Korean") ||
			!strings.Contains(body, "Item 2: an item starts before the one above it") || !strings.Contains(body, `value="Welcome"`) {
			t.Fatalf("bad programme: %d\n%s", res.StatusCode, body)
		}
		if items, _ := svc.Programme(ctx, "2026"); len(items) != 0 {
			t.Fatalf("a refused programme was saved: %+v", items)
		}
		rows = url.Values{
			"starts":   {"2026-10-30T12:00", "", "2026-10-30T12:20"},
			"minutes":  {"20", "", "60"},
			"title":    {"Welcome", "", "Awards"},
			"title_ko": {"환영사", "", "시상"},
			"place":    {"Grand Hall", "", "Grand Hall"},
		}
		if res, body := chair.PostForm(prog, rows); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("programme: %d\n%s", res.StatusCode, body)
		}
		items, err := svc.Programme(ctx, "2026")
		if err != nil || len(items) != 2 || items[1].TitleKO != "시상" || !items[0].Starts.Equal(time.Date(2026, 10, 30, 3, 0, 0, 0, time.UTC)) {
			t.Fatalf("saved programme %+v %v", items, err)
		}
		if _, body := env.ClientAs(webtest.Anonymous).Get("/prize/editions/2026/programme?lang=ko"); !strings.Contains(body, "<td>12:20</td><td>시상</td><td>Grand Hall</td>") {
			t.Fatalf("public programme in Korean:\n%s", body)
		}
		if _, body := chair.Get(prog + "?lang=en"); !strings.Contains(body, `value="2026-10-30T12:20"`) || strings.Count(body, `name="title_ko"`) != 5 {
			t.Fatalf("programme editor:\n%s", body)
		}

		// Attendance: three finalists invited; one confirms with two
		// people, one declines, one does not answer.
		if res, body := env.ClientAs(webtest.Admin).PostForm("/admin/judging/2026/invite", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", res.StatusCode, body)
		}
		pc := env.ClientAs(webtest.Applicant)
		pc.Get(fmt.Sprintf("/prize/invitations/%d", apps[1].ID))
		if res, body := pc.PostForm(fmt.Sprintf("/prize/invitations/%d", apps[1].ID), url.Values{"attend": {"yes"},
			"attendees": {"Mette Hansen\nLars Berg"}, "travel": {"Visa letter, please."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", res.StatusCode, body)
		}
		if res, body := pc.PostForm(fmt.Sprintf("/prize/invitations/%d", apps[2].ID), url.Values{"attend": {"no"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("decline: %d %s", res.StatusCode, body)
		}
		res, body = chair.Get("/judging/editions/2026/attendance?lang=en")
		for _, want := range []string{`<dd id="count-confirmed">1</dd>`, `<dd id="count-declined">1</dd>`, `<dd id="count-noanswer">1</dd>`,
			`<dd id="count-people">2</dd>`, "<td>Mette Hansen; Lars Berg</td><td>Visa letter, please.</td>", "<td>not attending</td>"} {
			if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("attendance page lacks %q: %d\n%s", want, res.StatusCode, body)
			}
		}
		res, body = chair.Get("/judging/editions/2026/attendance.csv?lang=en")
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("attendance CSV: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil || len(recs) != 4 || recs[0][0] != "Reference" {
			t.Fatalf("CSV %v %q", err, body)
		}
		byApp := map[string][]string{}
		for _, rec := range recs[1:] {
			byApp[rec[1]] = rec
		}
		if rec := byApp[apps[1].Title]; rec == nil || rec[0] != apps[1].Ref() || rec[4] != "attending" || rec[5] != "2" ||
			rec[6] != "Mette Hansen; Lars Berg" || rec[7] != "Visa letter, please." || rec[8] == "" {
			t.Fatalf("confirmed row %q", rec)
		}
		if rec := byApp[apps[2].Title]; rec == nil || rec[4] != "not attending" || rec[5] != "0" || rec[8] == "" {
			t.Fatalf("declined row %q", rec)
		}
		if rec := byApp[apps[0].Title]; rec == nil || rec[4] != "not answered yet" || rec[8] != "" {
			t.Fatalf("unanswered row %q", rec)
		}
		if _, body := chair.Get("/judging/editions/2026/attendance?lang=ko"); !strings.Contains(body, "참석 답변") || !strings.Contains(body, "불참") {
			t.Fatalf("Korean attendance page:\n%s", body)
		}
		// The work page links the committee's pages for the chair only.
		if _, body := chair.Get("/judging?lang=en"); !strings.Contains(body, slots) || !strings.Contains(body, "/judging/editions/2026/attendance") {
			t.Fatalf("the chair's work page:\n%s", body)
		}
		if _, body := env.ClientAs(webtest.Judge).Get("/judging?lang=en"); strings.Contains(body, slots) || strings.Contains(body, "/attendance") {
			t.Fatalf("a judge's work page links the committee's pages:\n%s", body)
		}
	})
}

// A partner's Special Mention and judging over HTTP on SQLite and
// PostgreSQL: the partner judge sees and scores only the applications of
// its Special Mention track (another track's sheet is refused naming the
// partner's track, on the page and the API); a Special Mention of an
// application of another track is refused naming the track.
func TestPartnerTrackHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := prizeEnv(t, s)
		ctx := context.Background()
		svc := env.Services.Judging
		admin := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
		applicant := env.Users[webtest.Applicant]
		var apps []*prize.Application
		for _, sp := range []struct{ track, title string }{{prize.TrackTech, "Night buses"}, {prize.TrackSpecial, "Open data for rivers"}} {
			a := &prize.Application{Edition: "2026", Track: sp.track, UserID: applicant.ID, Email: applicant.Email,
				ApplicantType: prize.TypeLocalGov, Organisation: "City of Odense", CityName: "Odense", Country: "DNK", Title: sp.title,
				Answers: prize.Answers{"summary": {"A summary."}}, State: prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
			apps = append(apps, a)
		}
		tech, special := apps[0], apps[1]
		p := env.Users[webtest.Partner]
		if err := svc.InviteJudge(ctx, admin, &judging.Judge{Edition: "2026", UserID: p.ID, Name: "Partner", Email: p.Email, Role: judging.RolePartner,
			Organisation: "Urban Data Institute", Country: "NLD", Languages: []string{"en"}, Load: 5, PartnerTrack: prize.TrackSpecial}); err != nil {
			t.Fatal(err)
		}
		r := &judging.Round{Edition: "2026", Kind: judging.RoundScreening, K: 1, Rubric: judging.DefaultRubric(), Closes: prizeT0.AddDate(0, 2, 0)}
		if err := svc.OpenRound(ctx, admin, r); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Assign(ctx, admin, r.ID); err != nil {
			t.Fatal(err)
		}
		pc := env.ClientAs(webtest.Partner)
		res, body := pc.Get("/judging?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, special.Title) || strings.Contains(body, tech.Title) {
			t.Fatalf("the partner's work: %d\n%s", res.StatusCode, body)
		}
		res, body = pc.Get(fmt.Sprintf("/judging/rounds/%d/applications/%d?lang=en", r.ID, tech.ID))
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden || strings.Contains(body, tech.Title) {
			t.Fatalf("the partner opened another track's sheet: %d", res.StatusCode)
		}
		scores := fmt.Sprintf("/api/v1/judging/rounds/%d/applications/%d/scores", r.ID, tech.ID)
		res, body = env.Client().API("PUT", scores, env.APIToken(webtest.Partner, "write"), `{"submit":false,"scores":{"innovation":5}}`)
		if res.StatusCode != http.StatusNotFound && res.StatusCode != http.StatusForbidden || strings.Contains(body, tech.Title) {
			t.Fatalf("the partner scored another track: %d %s", res.StatusCode, body)
		}
		if res, body := pc.Get(fmt.Sprintf("/judging/rounds/%d/applications/%d?lang=en", r.ID, special.ID)); res.StatusCode != http.StatusOK {
			t.Fatalf("the partner's own sheet: %d\n%s", res.StatusCode, body)
		}
		// The Special Mention through the decision form.
		ac := env.ClientAs(webtest.Admin)
		dec := fmt.Sprintf("/judging/rounds/%d/decisions?lang=en", r.ID)
		res, body = ac.PostForm(dec, url.Values{"app": {fmt.Sprint(tech.ID)}, "kind": {judging.DecisionMention}})
		if res.StatusCode != http.StatusBadRequest && res.StatusCode != http.StatusUnprocessableEntity ||
			!strings.Contains(body, "tech-innovacity") || !strings.Contains(body, "not a Special Mention track") {
			t.Fatalf("a mention on a main track: %d\n%s", res.StatusCode, body)
		}
		if res, body := ac.PostForm(dec, url.Values{"app": {fmt.Sprint(special.ID)}, "kind": {judging.DecisionMention}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("a mention in its track: %d\n%s", res.StatusCode, body)
		}
		ds, err := svc.Decisions(ctx, admin, "2026")
		if err != nil || len(ds) != 1 || ds[0].App != special.ID || ds[0].Track != prize.TrackSpecial {
			t.Fatalf("decisions %+v %v", ds, err)
		}
	})
}

// A ceremony event linked to its prize edition, over HTTP on SQLite and
// PostgreSQL: the secretariat links it (an edition that does not exist
// refused naming the field); the committee (the secretariat, the chair)
// sees the finalists invited, their answers and counts beside the
// registrations; nobody else sees a finalist's name on the event page,
// before the announcement or after it (being a finalist is embargoed and
// stays the applicant's own); after it the page links the winners.
func TestCeremonyEventLinkedToEdition(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clock, apps, _, chair := committeeEnv(t, s)
		ctx := context.Background()
		seoul, _ := time.LoadLocation("Asia/Seoul")
		start := time.Date(2026, 10, 30, 12, 0, 0, 0, seoul)
		e := &events.Event{Kind: events.KindCeremony, Title: "Prize ceremony 2026", Place: "Seoul City Hall", Languages: []string{"en", "ko"},
			TimeZone: "Asia/Seoul", Start: start.UTC(), End: start.Add(3 * time.Hour).UTC(), Capacity: 100, Open: true}
		if err := env.Services.Events.Create(ctx, events.Viewer{Admin: true}, auditlog.System("test"), e); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/events/%d", e.ID)
		link := fmt.Sprintf("/admin/events/%d/edition", e.ID)
		ac := env.ClientAs(webtest.Admin)
		if res, body := ac.Get(page + "?lang=en"); res.StatusCode != http.StatusOK || strings.Contains(body, "event-finalists") ||
			!strings.Contains(body, `<option value="2026">2026</option>`) {
			t.Fatalf("unlinked event: %d\n%s", res.StatusCode, body)
		}
		for _, role := range []string{webtest.Focal, webtest.Judge, webtest.Applicant} {
			if res, _ := env.ClientAs(role).PostForm(link, url.Values{"edition": {"2026"}}); res.StatusCode != http.StatusForbidden {
				t.Fatalf("%s linked an event: %d", role, res.StatusCode)
			}
		}
		res, body := ac.PostForm(link+"?lang=en", url.Values{"edition": {"1999"}})
		if res.StatusCode/100 != 4 || !strings.Contains(body, "no prize edition 1999") {
			t.Fatalf("linked to no edition: %d\n%s", res.StatusCode, body)
		}
		if res, body := ac.PostForm(link, url.Values{"edition": {"2026"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("link: %d\n%s", res.StatusCode, body)
		}
		if got, err := env.Services.Events.Get(ctx, e.ID); err != nil || got.Edition != "2026" {
			t.Fatalf("linked event %+v %v", got, err)
		}
		// Invitations and answers, and a delegate's registration.
		if res, body := ac.PostForm("/admin/judging/2026/invite", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("invite: %d %s", res.StatusCode, body)
		}
		pc := env.ClientAs(webtest.Applicant)
		if res, body := pc.PostForm(fmt.Sprintf("/prize/invitations/%d", apps[1].ID), url.Values{"attend": {"yes"},
			"attendees": {"Mette Hansen\nLars Berg"}, "travel": {"Wheelchair access."}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", res.StatusCode, body)
		}
		fc := env.ClientAs(webtest.Focal)
		if res, _ := fc.PostForm(page+"/register", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("register: %d", res.StatusCode)
		}
		res, body = ac.Get(page + "?lang=en")
		for _, want := range []string{`<dd id="finalists-confirmed">1</dd>`, `<dd id="finalists-noanswer">2</dd>`, `<dd id="finalists-declined">0</dd>`,
			`<dd id="finalists-people">2</dd>`, "<td>Mette Hansen; Lars Berg</td><td>Wheelchair access.</td>", apps[0].Title, apps[2].Title,
			`id="event-places"`, env.Users[webtest.Focal].Email, `href="/prize/editions/2026/programme"`} {
			if res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Fatalf("the secretariat's event page lacks %q: %d\n%s", want, res.StatusCode, body)
			}
		}
		if _, body := ac.Get(page + "?lang=ko"); !strings.Contains(body, "시상식에 초대한 최종 후보") || !strings.Contains(body, "<td>참석</td>") {
			t.Fatalf("the Korean event page:\n%s", body)
		}
		// The chair (a judge's account) sees the finalists, not the places.
		if _, body := chair.Get(page + "?lang=en"); !strings.Contains(body, `id="event-finalists"`) || !strings.Contains(body, apps[1].Title) ||
			strings.Contains(body, `id="event-places"`) {
			t.Fatalf("the chair's event page:\n%s", body)
		}
		noFinalists := func(when string) {
			t.Helper()
			for _, role := range []string{webtest.Anonymous, webtest.Focal, webtest.Regional, webtest.Judge, webtest.Partner, webtest.Applicant} {
				res, body := env.ClientAs(role).Get(page + "?lang=en")
				if res.StatusCode != http.StatusOK {
					t.Fatalf("%s: event page %d", role, res.StatusCode)
				}
				for _, a := range apps {
					if strings.Contains(body, a.Title) || strings.Contains(body, a.Ref()) {
						t.Fatalf("%s: the event page names finalist %q %s", role, a.Title, when)
					}
				}
				if strings.Contains(body, "event-finalists") || strings.Contains(body, "Mette Hansen") {
					t.Fatalf("%s: the event page shows the finalists %s", role, when)
				}
				if strings.Contains(body, "/prize/editions/2026/winners") != (when == "after the announcement") {
					t.Fatalf("%s: the winners' link %s", role, when)
				}
			}
		}
		noFinalists("before the announcement")
		clock.Add(prizeT0.AddDate(0, 4, 0).Sub(clock.Now()))
		ac = env.ClientAs(webtest.Admin) // the session of four months ago has ended
		if res, body := ac.PostForm("/admin/judging/2026/announce", nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("announce: %d %s", res.StatusCode, body)
		}
		noFinalists("after the announcement")
	})
}
