package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

func init() {
	featureMatrix["GET /offices"] = []probe{{Path: "/offices", Allow: everyone}}
	featureMatrix["GET /offices/{code}"] = []probe{{Path: "/offices/office-asia", Allow: everyone}}
	// The regional officer's region is A (Asia): Europe's dashboard is
	// the secretariat's alone.
	featureMatrix["GET /offices/{code}/dashboard"] = []probe{
		{Path: "/offices/office-asia/dashboard", Allow: only(webtest.Admin, webtest.Regional)},
		{Path: "/offices/office-europe/dashboard", Allow: only(webtest.Admin)},
	}
}

// Regional offices over HTTP on SQLite and PostgreSQL: the public page of
// the Asia office lists its two cities and only the public partnership of
// them; its dashboard, for the secretariat and Asia's regional officer
// (not Europe's dashboard, not a focal point, a judge or a visitor),
// counts the cities, the data call's states (both cities still entering values), the prize application from
// Seoul (not Lyon's), the partnerships (members-only too) and the event
// with Seoul's delegate registered, each figure the right one.
func TestRegionalOfficesHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := webtest.New(t, s)
		featureMatrixSetup(t, env) // an open data-call edition and a prize edition, 2026
		ctx := context.Background()
		sys := auditlog.System("test")
		admin := exchange.Viewer{Member: true, Admin: true}
		for _, p := range []*exchange.Partnership{
			{CityA: webtest.CityX, CityB: webtest.CityXB, Title: "Seoul–Busan ports", StartDate: "2025-01-01", Visibility: exchange.Public},
			{CityA: webtest.CityXB, Partner: webtest.PartnerOrg, Title: "Busan data lab", StartDate: "2025-02-01", Visibility: exchange.Members},
			{CityA: webtest.CityY, Partner: webtest.PartnerOrg, Title: "Lyon mobility", StartDate: "2025-03-01", Visibility: exchange.Public},
		} {
			if err := env.Services.Partnerships.Create(ctx, admin, sys, p); err != nil {
				t.Fatal(err)
			}
		}
		applicant := env.Users[webtest.Applicant]
		for _, c := range []struct{ code, name, state string }{{webtest.CityX, "Seoul", prize.StateSubmitted},
			{webtest.CityY, "Lyon", prize.StateSubmitted}, {webtest.CityXB, "Busan", prize.StateDraft}} {
			a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
				ApplicantType: prize.TypeCorporation, Organisation: "Org", Country: "KOR", CityCode: c.code, CityName: c.name,
				Title: c.name + " project", Stage: "pilot", State: c.state, Answers: prize.Answers{"title": {c.name + " project"}}}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Date(2026, 10, 14, 0, 30, 0, 0, time.UTC)
		ev := &events.Event{Kind: "study_visit", Title: "Asia smart ports workshop", Place: "Busan", TimeZone: "Asia/Seoul", Start: start,
			End: start.Add(8 * time.Hour), Capacity: 50, Open: true, Languages: []string{"en"}, CreatedAt: start}
		other := &events.Event{Kind: "study_visit", Title: "Lyon heat workshop", Place: "Lyon", TimeZone: "Europe/Paris", Start: start,
			End: start.Add(8 * time.Hour), Capacity: 50, Open: true, Languages: []string{"en"}, CreatedAt: start}
		for _, e := range []*events.Event{ev, other} {
			if err := env.Store.CreateEvent(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := env.Store.PutRegistration(ctx, &events.Registration{EventID: ev.ID, UserID: env.Users[webtest.Focal].ID,
			CityCode: webtest.CityX, State: events.StateRegistered, UpdatedAt: start}); err != nil {
			t.Fatal(err)
		}

		visitor := env.Client()
		res, body := visitor.Get("/offices/office-asia?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Cities served (2)") || !strings.Contains(body, "Seoul–Busan ports") ||
			strings.Contains(body, "Busan data lab") || strings.Contains(body, "Lyon mobility") || strings.Contains(body, "Open the dashboard") {
			t.Errorf("the Asia office's public page: %d\n%s", res.StatusCode, body)
		}
		if res, _ := visitor.Get("/offices/office-nowhere"); res.StatusCode != http.StatusNotFound {
			t.Errorf("unknown office: %d", res.StatusCode)
		}
		for role, want := range map[string]int{webtest.Admin: 200, webtest.Regional: 200, webtest.Focal: 403, webtest.Judge: 403, webtest.Partner: 403} {
			res, _ := env.ClientAs(role).Get("/offices/office-asia/dashboard")
			if res.StatusCode != want {
				t.Errorf("Asia's dashboard as %s: %d, want %d", role, res.StatusCode, want)
			}
		}
		if res, _ := env.ClientAs(webtest.Regional).Get("/offices/office-europe/dashboard"); res.StatusCode != http.StatusForbidden {
			t.Errorf("Asia's officer opened Europe's dashboard: %d", res.StatusCode)
		}
		if res, _ := visitor.Get("/offices/office-asia/dashboard"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("a visitor on a dashboard: %d, want a redirect to sign in", res.StatusCode)
		}
		_, body = env.ClientAs(webtest.Regional).Get("/offices/office-asia/dashboard?lang=en")
		for _, want := range []string{`id="office-city-count">2<`, `id="office-application-count">1<`, `id="office-partnership-count">2<`,
			`id="office-event-count">1<`, `id="office-study-count">0<`, "Seoul project", "Busan data lab", "Asia smart ports workshop",
			"1 registered", `<span data-state="draft">being entered: 2</span>`} {
			if !strings.Contains(body, want) {
				t.Errorf("Asia's dashboard lacks %q", want)
			}
		}
		for _, not := range []string{"Lyon project", "Busan project", "Lyon mobility", "Lyon heat workshop"} {
			if strings.Contains(body, not) {
				t.Errorf("Asia's dashboard shows %q", not)
			}
		}
		_, body = env.ClientAs(webtest.Admin).Get("/offices/office-asia/dashboard?lang=ko")
		for _, want := range []string{"대시보드: Asia Office", "스마트시티상 신청", "입력 중: 2", "Seoul–Busan ports"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Korean dashboard lacks %q", want)
			}
		}
	})
}
