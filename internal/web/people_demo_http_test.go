package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/events"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/training"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The demo: a training cohort of the 2025 winners' teams with attendance
// (the last participant missed half the sessions), certificates for the
// others that the public page verifies, feedback; the 2025 ceremony
// linked to its edition; the 2026 General Assembly open for registration.
func TestPeopleDemo(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	env.SeedDemo()
	ctx := context.Background()
	cs, err := env.Store.Cohorts(ctx)
	if err != nil || len(cs) != 1 || cs[0].Edition != "2025" || !cs[0].Demo {
		t.Fatalf("demo cohorts %v %+v", err, cs)
	}
	view, err := env.Services.Training.Get(ctx, training.Viewer{Admin: true}, cs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Progress) < 2 || len(view.Sessions) != 4 || view.Feedback.Count != len(view.Progress) {
		t.Fatalf("demo cohort: %d participants, %d sessions, %d feedback", len(view.Progress), len(view.Sessions), view.Feedback.Count)
	}
	certified := 0
	for i, p := range view.Progress {
		last := i == len(view.Progress)-1
		if p.Complete == last || (p.Cert != nil) == last {
			t.Errorf("participant %d: complete %v, certificate %v", i, p.Complete, p.Cert != nil)
		}
		if p.Cert != nil {
			certified++
		}
	}
	cert := view.Progress[0].Cert
	res, body := env.Client().Get("/training/verify?" + url.Values{"number": {cert.Number}, "hash": {cert.Hash}}.Encode())
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Human-centred smart city development (demo)") {
		t.Errorf("a demo certificate does not verify: %d", res.StatusCode)
	}
	es, err := env.Services.Events.List(ctx, 10, 0)
	if err != nil || len(es) != 2 {
		t.Fatalf("demo events %v %d", err, len(es))
	}
	var ga, ceremony *events.Event
	for _, e := range es {
		switch e.Kind {
		case events.KindCeremony:
			ceremony = e
			if e.Edition != "2025" || e.Open {
				t.Errorf("ceremony %+v", e)
			}
		case events.KindAssembly:
			ga = e
		}
	}
	if ga == nil || !ga.Open {
		t.Fatalf("no open General Assembly: %+v", ga)
	}
	// The 2025 ceremony shows the secretariat the six finalists invited
	// (one confirmed with two people, one declined), the public no finalist.
	if ceremony == nil {
		t.Fatal("no demo ceremony")
	}
	cpage := "/events/" + strconv.FormatInt(ceremony.ID, 10) + "?lang=en"
	_, body = env.ClientAs(webtest.Admin).Get(cpage)
	for _, want := range []string{`<dd id="finalists-confirmed">1</dd>`, `<dd id="finalists-declined">1</dd>`, `<dd id="finalists-noanswer">4</dd>`,
		`<dd id="finalists-people">2</dd>`, "Project lead (demo); Deputy mayor (demo)", `href="/prize/editions/2025/winners"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the demo ceremony's page for the secretariat lacks %q:\n%s", want, body)
		}
	}
	if _, body = env.Client().Get(cpage); strings.Contains(body, "event-finalists") || strings.Contains(body, "Project lead (demo)") ||
		!strings.Contains(body, `href="/prize/editions/2025/winners"`) {
		t.Errorf("the demo ceremony's public page:\n%s", body)
	}
	// A focal point registers for the Assembly.
	focal := env.ClientAs(webtest.Focal)
	_, body = focal.Get("/events")
	m := regexp.MustCompile(`href="(/events/\d+)">General Assembly`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the events page does not list the Assembly:\n%s", body)
	}
	res, _ = focal.PostForm(m[1]+"/register", nil)
	if _, body = focal.Get(res.Header.Get("Location")); !strings.Contains(body, "You are registered: your place is confirmed.") {
		t.Errorf("registration for the demo Assembly:\n%s", body)
	}
	// In Korean: the kind, the state and the action.
	if _, body = focal.Get(m[1] + "?lang=ko"); !strings.Contains(body, "총회") || !strings.Contains(body, "참가가 확정되었습니다.") ||
		!strings.Contains(body, "등록 취소") || strings.Contains(body, "Cancel my registration") {
		t.Errorf("the Korean event page:\n%s", body)
	}
	res, body = env.Client().Get("/training/verify?" + url.Values{"number": {cert.Number}, "hash": {cert.Hash}, "lang": {"ko"}}.Encode())
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "유효한 수료증입니다.") || !strings.Contains(body, "소지자") {
		t.Errorf("the Korean verification page: %d\n%s", res.StatusCode, body)
	}
}
