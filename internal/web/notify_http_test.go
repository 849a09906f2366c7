package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/notify"
	"github.com/citylens/citylens/internal/release"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

func init() {
	// Notifications: a person's own inbox and settings; the unsubscribe
	// link is public (a bad token is 400 for everyone); the home is the
	// focal point's.
	featureMatrix["GET /inbox"] = []probe{{Path: "/inbox", Allow: signedIn}}
	featureMatrix["POST /inbox/read"] = []probe{{Path: "/inbox/read", Body: "all=1", Allow: signedIn}}
	featureMatrix["GET /notifications/preferences"] = []probe{{Path: "/notifications/preferences", Allow: signedIn}}
	featureMatrix["POST /notifications/preferences"] = []probe{{Path: "/notifications/preferences", Body: "lang=en", Allow: signedIn}}
	featureMatrix["GET /notifications/unsubscribe"] = []probe{{Path: "/notifications/unsubscribe?t=bad.token", Allow: everyone}}
	featureMatrix["POST /notifications/unsubscribe"] = []probe{{Path: "/notifications/unsubscribe?t=bad.token", Allow: everyone}}
	featureMatrix["GET /home"] = []probe{{Path: "/home", Allow: only(webtest.Focal)}}
}

// clock is a settable clock for a test server.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// notifyEnv is a test server with the demo network on a settable clock.
func notifyEnv(t testing.TB, s storetest.Store) (*webtest.Env, *clock) {
	clk := &clock{t: time.Now().UTC()}
	env := webtest.New(t, s, func(c *web.Config) { c.Now = clk.Now })
	env.SeedDemo()
	return env, clk
}

// outboxTo lists the outbox's messages to one address, oldest first.
func outboxTo(t *testing.T, env *webtest.Env, to string) []mail.Message {
	t.Helper()
	all, err := env.Store.ListOutbox(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []mail.Message
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].To == to {
			out = append(out, all[i])
		}
	}
	return out
}

// callMails are the data-call reminders and digests among ms.
func callMails(ms []mail.Message) []mail.Message {
	var out []mail.Message
	for _, m := range ms {
		// A closing reminder or digest that links to the data call (a study
		// milestone's "마감" does not).
		closing := strings.Contains(m.Subject, "마감") || strings.Contains(m.Subject, "closes") || strings.Contains(m.Subject, "처리할 일")
		if closing && strings.Contains(m.Body, "/datacall/") {
			out = append(out, m)
		}
	}
	return out
}

func header(m mail.Message, name string) string {
	for _, h := range m.Headers {
		if k, v, ok := strings.Cut(h, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

func TestNotifyDataCallClosing(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clk := notifyEnv(t, s)
		ctx := context.Background()
		sv := env.Services.Notify
		ed, err := env.Store.Edition(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		focal := env.Users[webtest.Focal]

		// The focal point reads Korean and wants e-mail at once.
		fc := env.ClientAs(webtest.Focal)
		resp, body := fc.PostForm("/notifications/preferences", url.Values{"lang": {"ko"}, "mode.datacall.closing": {"immediate"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("saving preferences: %d %s", resp.StatusCode, body)
		}
		// An unknown mode is refused, naming the kind, and changes nothing.
		resp, body = fc.PostForm("/notifications/preferences", url.Values{"lang": {"ko"}, "mode.datacall.closing": {"hourly"}})
		if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "hourly") {
			t.Fatalf("a bad mode: %d", resp.StatusCode)
		}

		// Six days before the call closes: the 7-day reminder, once.
		clk.Set(ed.Closes.Add(-6 * 24 * time.Hour))
		r, err := sv.Remind(ctx, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if r.Created == 0 {
			t.Fatalf("no notice created: %+v", r)
		}
		if r2, err := sv.Remind(ctx, clk.Now().Add(time.Hour)); err != nil || r2.Created != 0 {
			t.Fatalf("a second run created %d notices (%v), want 0", r2.Created, err)
		}
		ms := callMails(outboxTo(t, env, focal.Email))
		if len(ms) != 1 {
			t.Fatalf("%d e-mails to the focal point, want 1: %+v", len(ms), ms)
		}
		m := ms[0]
		if !strings.Contains(m.Subject, "7일 후 마감") || !strings.Contains(m.Body, "아직 값을 제출하지 않았습니다") {
			t.Errorf("the e-mail is not in Korean: %q\n%s", m.Subject, m.Body)
		}
		if !strings.Contains(m.Body, "/datacall/2026/cities/"+webtest.CityX) {
			t.Errorf("the e-mail lacks the link to the city's data call:\n%s", m.Body)
		}
		unsub := strings.Trim(header(m, "List-Unsubscribe"), "<>")
		if !strings.HasPrefix(unsub, "http://citylens.test/notifications/unsubscribe?t=") || header(m, "List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Fatalf("RFC 8058 headers: %q", m.Headers)
		}
		// The demo's Seoul focal point (English, by default) has it too, in English.
		dm := callMails(outboxTo(t, env, "focal.seoul@demo.citylens"))
		if len(dm) != 1 || !strings.Contains(dm[0].Subject, "closes in 7 days") {
			t.Errorf("the demo focal point's e-mail: %+v", dm)
		}
		// Cities that submitted are not reminded: Busan's focal point,
		// if any, submitted or was accepted in the demo; no reminder goes
		// to a reviewer.
		if n := len(callMails(outboxTo(t, env, env.Users[webtest.Regional].Email))); n != 0 {
			t.Errorf("the regional officer got %d closing reminders", n)
		}

		// The inbox, in Korean, with the unread count in the navigation
		// (signed in again: the clock moved past the first session).
		fc = env.ClientAs(webtest.Focal)
		unread, err := sv.Unread(ctx, focal.ID)
		if err != nil || unread == 0 {
			t.Fatalf("unread: %d, %v", unread, err)
		}
		_, body = fc.Get("/inbox?lang=ko")
		if !strings.Contains(body, "7일 후 마감") || !strings.Contains(body, fmt.Sprintf(`<span class="nav-count">%d</span>`, unread)) {
			t.Errorf("the inbox lacks the notice or the unread count:\n%s", body)
		}
		resp, _ = fc.PostForm("/inbox/read", url.Values{"all": {"1"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("mark read: %d", resp.StatusCode)
		}
		if n, _ := sv.Unread(ctx, focal.ID); n != 0 {
			t.Errorf("%d unread after marking all read", n)
		}

		// The focal point switches to the daily digest: the 1-day reminder
		// waits for it, then comes once, in Korean.
		fc = env.ClientAs(webtest.Focal)
		resp, _ = fc.PostForm("/notifications/preferences", url.Values{"lang": {"ko"}, "mode.datacall.closing": {"digest"}})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("switching to the digest: %d", resp.StatusCode)
		}
		clk.Set(ed.Closes.Add(-12 * time.Hour))
		if _, err := sv.Remind(ctx, clk.Now()); err != nil {
			t.Fatal(err)
		}
		if n := len(callMails(outboxTo(t, env, focal.Email))); n != 1 {
			t.Fatalf("%d e-mails before the digest, want still 1", n)
		}
		d, err := sv.Digest(ctx, clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if d.Mailed == 0 {
			t.Fatalf("digest mailed nothing: %+v", d)
		}
		ms = callMails(outboxTo(t, env, focal.Email))
		if len(ms) != 2 || !strings.Contains(ms[1].Subject, "처리할 일 1건") || !strings.Contains(ms[1].Body, "내일 마감") {
			t.Fatalf("the digest: %+v", ms)
		}
		if d2, _ := sv.Digest(ctx, clk.Now().Add(time.Hour)); d2.Notices != 0 {
			t.Errorf("a second digest took %d notices", d2.Notices)
		}

		// Unsubscribe without signing in. A tampered token and a token
		// re-signed for another kind are refused; the real one switches
		// only its own person and kind to the inbox.
		anon := env.Client()
		u, _ := url.Parse(unsub)
		token := u.Query().Get("t")
		_, sig, _ := strings.Cut(token, ".")
		forged := payloadFor(focal.ID, "review.waiting") + "." + sig
		for name, tok := range map[string]string{"tampered": token[:len(token)-2] + "xx", "another kind": forged, "empty": ""} {
			resp, _ := anon.Send(http.MethodPost, "/notifications/unsubscribe?t="+url.QueryEscape(tok), "application/x-www-form-urlencoded",
				strings.NewReader("List-Unsubscribe=One-Click"))
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("%s token: %d, want 400", name, resp.StatusCode)
			}
		}
		resp, body = anon.Get(u.RequestURI())
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "unsub-form") {
			t.Fatalf("unsubscribe page: %d", resp.StatusCode)
		}
		if p, _ := sv.Preferences(ctx, focal.ID); modeIn(p, notify.KindDataCallClosing) != notify.ModeDigest {
			t.Fatal("showing the unsubscribe page changed the preference")
		}
		resp, body = anon.Send(http.MethodPost, u.RequestURI(), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, "unsub-done") {
			t.Fatalf("one-click unsubscribe: %d %s", resp.StatusCode, body)
		}
		p, _ := sv.Preferences(ctx, focal.ID)
		if modeIn(p, notify.KindDataCallClosing) != notify.ModeInbox || modeIn(p, notify.KindReviewWaiting) != notify.DefaultMode {
			t.Errorf("after unsubscribing: %+v", p)
		}
		other, _ := sv.Preferences(ctx, env.Users[webtest.Regional].ID)
		if modeIn(other, notify.KindDataCallClosing) != notify.DefaultMode {
			t.Errorf("another person's preference changed: %+v", other)
		}
	})
}

// rankedCities lists a release's ranked cities, best first.
func rankedCities(t *testing.T, rel *release.Release) []string {
	t.Helper()
	rows, err := rel.Rankings(release.RankingQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.City.Code)
	}
	return out
}

func payloadFor(user int64, kind string) string {
	tok := (&notify.Service{Secret: []byte("not the server's")}).UnsubscribeToken(user, []string{kind})
	p, _, _ := strings.Cut(tok, ".")
	return p
}

func modeIn(p notify.Preferences, kind string) notify.Mode {
	for _, k := range p.Kinds {
		if k.Kind == kind {
			return k.Mode
		}
	}
	return ""
}

// TestNotifyTwoServersOnce runs the reminder job on two app instances on
// the same database at once: each notice, and its e-mail, exactly once.
func TestNotifyTwoServersOnce(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clk := notifyEnv(t, s)
		ctx := context.Background()
		ed, err := env.Store.Edition(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		clk.Set(ed.Closes.Add(-3 * 24 * time.Hour))
		second, err := app.New(web.Config{Store: env.Store, Now: clk.Now, BaseURL: "http://citylens.test", Queue: jobs.NewQueue(env.Store, jobs.Options{Owner: "second"})})
		if err != nil {
			t.Fatal(err)
		}
		svcs := []*notify.Service{env.Services.Notify, second.Services.Notify}
		for round := 0; round < 3; round++ {
			var wg sync.WaitGroup
			errs := make([]error, len(svcs))
			for i, sv := range svcs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = sv.Remind(ctx, clk.Now())
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		all, err := env.Store.ListOutbox(ctx, 1000)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]int{}
		for _, m := range all {
			seen[m.To+"\x00"+m.Subject]++
		}
		if len(all) == 0 {
			t.Fatal("no reminder was sent")
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%q sent %d times", k, n)
			}
		}
		// Review reminders went to the admin and the Asian regional
		// officer, once per submission waiting.
		subs := waitingSubmissions(t, env)
		for _, role := range []string{webtest.Admin, webtest.Regional} {
			got := 0
			for _, m := range outboxTo(t, env, env.Users[role].Email) {
				if strings.Contains(m.Subject, "waiting for your review") {
					got++
				}
			}
			want := subs[role]
			if got != want {
				t.Errorf("%s got %d review reminders, want %d", role, got, want)
			}
		}
		// Both servers ticking: one job enqueued per slot.
		var wg sync.WaitGroup
		for i, sv := range svcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := sv.Tick(ctx, env.Store, fmt.Sprint("replica", i), clk.Now().Add(48*time.Hour)); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		js, err := env.Store.ListJobs(ctx, jobs.Filter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, j := range js {
			kinds[j.Kind]++
		}
		wantDigest := 0
		if clk.Now().Add(48*time.Hour).UTC().Hour() >= notify.DigestHour {
			wantDigest = 1
		}
		if kinds[notify.JobRemind] != 1 || kinds[notify.JobDigest] != wantDigest {
			t.Errorf("jobs enqueued by two ticking servers: %v", kinds)
		}
	})
}

// waitingSubmissions counts, per fixture reviewer role, the submissions
// waiting for review that they see (the admin all, the regional officer
// those of region A).
func waitingSubmissions(t *testing.T, env *webtest.Env) map[string]int {
	t.Helper()
	ctx := context.Background()
	rows, err := env.Store.ReviewsWaiting(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cities := map[string]string{}
	out := map[string]int{}
	for _, r := range rows {
		if r.UserID != env.Users[webtest.Admin].ID {
			continue
		}
		out[webtest.Admin]++
		c, err := env.Store.City(ctx, r.City)
		if err != nil {
			t.Fatal(err)
		}
		cities[r.City] = c.RegionCode
		if c.RegionCode == webtest.RegionA {
			out[webtest.Regional]++
		}
	}
	if out[webtest.Admin] == 0 {
		t.Fatal("the demo has no submission waiting for review")
	}
	return out
}

// TestCityHomeNumbers checks the focal point's dashboard against the
// data call and the release, in English and Korean.
func TestCityHomeNumbers(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, _ := notifyEnv(t, s)
		ctx := context.Background()
		call, err := env.Services.DataCall.LoadCall(ctx, "2026")
		if err != nil {
			t.Fatal(err)
		}
		city, err := env.Store.City(ctx, webtest.CityX)
		if err != nil {
			t.Fatal(err)
		}
		// Seoul enters every required value but the last three and two
		// optional ones, submits, and the reviewer returns two values.
		var required, optional []string
		for _, n := range call.Edition.Indicators() {
			if n.Optional {
				optional = append(optional, n.Code)
			} else {
				required = append(required, n.Code)
			}
		}
		enter := append(append([]string{}, required[:len(required)-3]...), optional[:min(2, len(optional))]...)
		var entries []datacall.Entry
		for _, code := range enter {
			ind := call.Catalogue[code]
			entries = append(entries, datacall.Entry{Row: len(entries) + 2, City: city.Code, Indicator: code, Unit: ind.Unit,
				Value: strconv.FormatFloat(demo.Value(ind, city, 2025), 'f', -1, 64), Source: "Seoul statistics", DataYear: "2025"})
		}
		admin := datacall.Actor{Role: datacall.RoleAdmin, Email: "admin@test.citylens"}
		ref := datacall.CityRef{Code: city.Code, Region: city.RegionCode}
		if _, err := env.Services.DataCall.Import(ctx, admin, "2026", []datacall.CityRef{ref}, entries); err != nil {
			t.Fatal(err)
		}
		// A city that lacks required values cannot submit; the admin
		// returns the draft's values through a submit of all but... so
		// fill the last three, submit, return two, then remove nothing.
		if _, err := env.Services.DataCall.Transition(ctx, admin, "2026", ref, datacall.ActionSubmit, "", nil); citylens.ErrorCode(err) != citylens.EINVALID {
			t.Fatalf("submitting an incomplete call: %v", err)
		}
		var rest []datacall.Entry
		for _, code := range required[len(required)-3:] {
			ind := call.Catalogue[code]
			rest = append(rest, datacall.Entry{Row: len(rest) + 2, City: city.Code, Indicator: code, Unit: ind.Unit,
				Value: strconv.FormatFloat(demo.Value(ind, city, 2025), 'f', -1, 64), Source: "Seoul statistics", DataYear: "2025"})
		}
		if _, err := env.Services.DataCall.Import(ctx, admin, "2026", []datacall.CityRef{ref}, rest); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Services.DataCall.Transition(ctx, admin, "2026", ref, datacall.ActionSubmit, "", nil); err != nil {
			t.Fatal(err)
		}
		comments := map[string]string{required[0]: "Source year is wrong", required[1]: "Unit looks off"}
		if _, err := env.Services.DataCall.Transition(ctx, admin, "2026", ref, datacall.ActionReturn, "Please check two values", comments); err != nil {
			t.Fatal(err)
		}

		fc := env.ClientAs(webtest.Focal)
		resp, body := fc.Get("/home?lang=en")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/home: %d", resp.StatusCode)
		}
		want := map[string]string{
			`id="home-dc-state" data-state="returned"`: "state",
			fmt.Sprintf(`data-entered="%d" data-required="%d">%d of %d<`, len(required), len(required), len(required), len(required)): "entered",
			fmt.Sprintf(`id="home-dc-optional">%d<`, min(2, len(optional))):                                                           "optional",
			`id="home-dc-returned">2<`: "returned",
		}
		for frag, what := range want {
			if !strings.Contains(body, frag) {
				t.Errorf("%s: the home lacks %q", what, frag)
			}
		}
		// The index result: the newest edition's latest release.
		rec, err := env.Services.Publication.Latest(ctx, "2026")
		if citylens.ErrorCode(err) == citylens.ENOTFOUND {
			rec, err = env.Services.Publication.Latest(ctx, "2025")
		}
		if err != nil {
			t.Fatal(err)
		}
		rel, err := env.Services.Publication.Load(ctx, rec.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, "/releases/"+rec.Hash+"/cities/"+webtest.CityX) {
			t.Errorf("the home does not show release %s", rec.Hash)
		}
		p, err := rel.Profile(webtest.CityX)
		switch {
		case citylens.ErrorCode(err) == citylens.ENOTFOUND:
			if !strings.Contains(body, `id="home-results-missing"`) {
				t.Error("the city is missing from the release but the home does not say so")
			}
		case err != nil:
			t.Fatal(err)
		case !p.Ranked:
			if !strings.Contains(body, `id="home-results-unranked"`) {
				t.Error("the city is unranked but the home does not say so")
			}
		default:
			frag := fmt.Sprintf(`data-rank="%d">%d of %d<`, p.Rank, p.Rank, rel.Summary().Ranked)
			if !strings.Contains(body, frag) {
				t.Errorf("the home lacks the rank %q", frag)
			}
			if !strings.Contains(body, `id="home-stage">`+p.Stage+`<`) && p.Stage != "" {
				t.Errorf("the home lacks the stage %q", p.Stage)
			}
			if sc := fmt.Sprintf(`id="home-score">%s<`, release.FormatNumber(*p.Score)); !strings.Contains(body, sc) {
				t.Errorf("the home lacks the score %q", sc)
			}
			if b := fmt.Sprintf(`id="home-score-band">%s–%s<`, release.FormatNumber(*p.ScoreBand.Q5), release.FormatNumber(*p.ScoreBand.Q95)); !strings.Contains(body, b) {
				t.Errorf("the home lacks the score band %q", b)
			}
		}
		// A ranked city's home: a focal point of a city ranked in the
		// release sees its rank, score, bands and stage.
		var ranked string
		for _, row := range rankedCities(t, rel) {
			if row != webtest.CityX {
				ranked = row
				break
			}
		}
		if ranked == "" {
			t.Fatal("no ranked city in the release")
		}
		if _, err := env.Services.Accounts.AddUser(ctx, auditlog.System("test"), accounts.User{Email: "focal.ranked@test.citylens",
			Role: accounts.RoleFocal, CityCode: ranked}, webtest.Password); err != nil {
			t.Fatal(err)
		}
		rc := env.Client()
		if res, _ := rc.Login("focal.ranked@test.citylens", webtest.Password); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d", res.StatusCode)
		}
		_, rbody := rc.Get("/home?lang=en")
		rp, err := rel.Profile(ranked)
		if err != nil || !rp.Ranked {
			t.Fatalf("profile of %s: %v", ranked, err)
		}
		for what, frag := range map[string]string{
			"rank":       fmt.Sprintf(`data-rank="%d">%d of %d<`, rp.Rank, rp.Rank, rel.Summary().Ranked),
			"score":      fmt.Sprintf(`id="home-score">%s<`, release.FormatNumber(*rp.Score)),
			"score band": fmt.Sprintf(`id="home-score-band">%s–%s<`, release.FormatNumber(*rp.ScoreBand.Q5), release.FormatNumber(*rp.ScoreBand.Q95)),
			"stage":      `id="home-stage">` + rp.Stage + `<`,
		} {
			if !strings.Contains(rbody, frag) {
				t.Errorf("%s's home lacks the %s %q", ranked, what, frag)
			}
		}

		// Korean: no English left in the panels' headings.
		_, ko := fc.Get("/home?lang=ko")
		for _, s := range []string{"데이터 요청", "지수 결과", "상 신청", "알림함", "수정 요청된 값"} {
			if !strings.Contains(ko, s) {
				t.Errorf("the Korean home lacks %q", s)
			}
		}
		for _, s := range []string{"Data call", "Index results", "Prize applications", "Values returned"} {
			if strings.Contains(ko, s) {
				t.Errorf("the Korean home shows English %q", s)
			}
		}
		// Only focal points have a home.
		if resp, _ := env.ClientAs(webtest.Judge).Get("/home"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a judge's /home: %d, want 403", resp.StatusCode)
		}
	})
}
