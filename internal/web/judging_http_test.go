package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// An edition judged over HTTP on SQLite and PostgreSQL: a judge's
// detected conflict keeps an application out of every page of theirs,
// scores are refused naming the criterion, the committee decides, and
// the embargo holds — winners page, applicant's pages — until the
// administrator announces at the ceremony; then the winners page is
// public in English and Korean.
func TestJudgingHTTPFlow(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env, clock := prizeEnv(t, s)
		ctx := context.Background()
		r, apps := judgingSetup(t, env)

		jc := env.ClientAs(webtest.Judge)
		_, body := jc.Get("/judging")
		if strings.Contains(body, "Night buses") {
			t.Fatal("the judge's work list shows the conflicted application")
		}
		var mine []int64
		for _, a := range apps[1:] {
			if strings.Contains(body, a.Title) {
				mine = append(mine, a.ID)
			}
		}
		if len(mine) == 0 {
			t.Fatalf("the judge has nothing to score:\n%s", body)
		}
		seoul := fmt.Sprintf("/judging/rounds/%d/applications/%d", r.ID, apps[0].ID)
		if res, body := jc.Get(seoul); res.StatusCode != http.StatusNotFound || strings.Contains(body, "Night buses") {
			t.Fatalf("conflicted application by URL: %d", res.StatusCode)
		}
		if res, _ := jc.PostForm(seoul, url.Values{"action": {"submit"}, "score_value": {"10"}}); res.StatusCode != http.StatusNotFound {
			t.Fatalf("conflicted application scored: %d", res.StatusCode)
		}
		page := fmt.Sprintf("/judging/rounds/%d/applications/%d", r.ID, mine[0])
		form := url.Values{"action": {"submit"}}
		for _, c := range r.Rubric.Criteria {
			form.Set("score_"+c.Code, "8")
		}
		form.Set("score_budget", "11")
		form.Set("comment_value", "Clear value for residents.")
		form.Set("visibility_value", judging.VisibleApplicant)
		res, body := jc.PostForm(page, form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Feasible budget and plan: 11 is outside the scale 1–10") {
			t.Fatalf("off-scale score: %d\n%s", res.StatusCode, body)
		}
		res, body = jc.PostForm(page+"?lang=ko", form)
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "실현 가능한 예산과 계획: 11은(는) 척도 1–10를 벗어납니다") {
			t.Fatalf("off-scale score in Korean: %d\n%s", res.StatusCode, body)
		}
		jc.Get("/judging?lang=en")
		form.Set("score_budget", "6")
		if res, body := jc.PostForm(page, form); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("submit: %d\n%s", res.StatusCode, body)
		}
		if _, body := jc.Get(page); !strings.Contains(body, "Submitted") || !strings.Contains(body, "Clear value for residents.") {
			t.Fatalf("submitted sheet:\n%s", body)
		}
		// A judge outside the committee cannot read the results or decide.
		results := fmt.Sprintf("/judging/rounds/%d/results", r.ID)
		if res, _ := jc.Get(results); res.StatusCode != http.StatusForbidden {
			t.Fatalf("judge read the results: %d", res.StatusCode)
		}
		decide := fmt.Sprintf("/judging/rounds/%d/decisions", r.ID)
		if res, _ := jc.PostForm(decide, url.Values{"app": {fmt.Sprint(mine[0])}, "kind": {"winner"}, "grade": {"gold"}}); res.StatusCode != http.StatusForbidden {
			t.Fatalf("judge decided: %d", res.StatusCode)
		}
		ac := env.ClientAs(webtest.Admin)
		res, body = ac.Get(results)
		// One submitted sheet: 8, 8, 6, 8, 8, 8 weighs to 7.67 raw, and with
		// one score per judge the z-score and adjusted figures fall back to it.
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "Adjusted (judge effects)") || strings.Count(body, "<td>7.67</td>") != 3 {
			t.Fatalf("results page: %d\n%s", res.StatusCode, body)
		}
		if res, _ := ac.PostForm(decide, url.Values{"app": {fmt.Sprint(mine[0])}, "kind": {"winner"}, "grade": {"gold"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("decide: %d", res.StatusCode)
		}
		winnerTitle := ""
		for _, a := range apps {
			if a.ID == mine[0] {
				winnerTitle = a.Title
			}
		}
		// Embargo: visitors, the applicant and judges learn nothing.
		for _, role := range []string{webtest.Anonymous, webtest.Applicant, webtest.Judge, webtest.Partner} {
			c := env.ClientAs(role)
			res, body := c.Get("/prize/editions/2026/winners")
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, winnerTitle) || strings.Contains(body, "Gold") {
				t.Fatalf("%s: winners page under embargo: %d", role, res.StatusCode)
			}
			res, body = c.Get("/prize/editions?lang=en")
			if res.StatusCode != http.StatusOK || strings.Contains(body, winnerTitle) || strings.Contains(body, "Gold") ||
				!strings.Contains(body, "Winners are listed once judging ends.") {
				t.Fatalf("%s: past editions page under embargo: %d\n%s", role, res.StatusCode, body)
			}
		}
		if _, body := env.ClientAs(webtest.Applicant).Get("/prize/my"); strings.Contains(body, "Gold") || strings.Contains(body, "Winner") {
			t.Fatal("the applicant's page shows the decision under embargo")
		}
		announce := "/admin/judging/2026/announce"
		if res, _ := ac.PostForm(announce, nil); res.StatusCode != http.StatusConflict {
			t.Fatalf("announced before the ceremony: %d", res.StatusCode)
		}
		e, _ := env.Store.PrizeEdition(ctx, "2026")
		clock.Set(e.Ceremony)
		ac = env.ClientAs(webtest.Admin) // months later: a new session
		if res, _ := ac.PostForm(announce, nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("announce: %d", res.StatusCode)
		}
		vc := env.ClientAs(webtest.Anonymous)
		res, body = vc.Get("/prize/editions/2026/winners")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, winnerTitle) || !strings.Contains(body, "Winner · Gold") {
			t.Fatalf("winners page after announcement: %d\n%s", res.StatusCode, body)
		}
		res, body = vc.Get("/prize/editions?lang=en")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "<li>Winner · Gold: "+winnerTitle) || strings.Contains(body, "Winners are listed once judging ends.") {
			t.Fatalf("past editions page after announcement: %d\n%s", res.StatusCode, body)
		}
		if _, body := vc.Get("/prize/editions?lang=ko"); !strings.Contains(body, "<li>수상 · 금상: "+winnerTitle) {
			t.Fatalf("Korean past editions page after announcement:\n%s", body)
		}
		res, body = vc.Get("/prize/editions/2026/winners?lang=ko")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "수상 · 금상") || strings.Contains(body, "Gold") || strings.Contains(body, "Winners") {
			t.Fatalf("Korean winners page: %d\n%s", res.StatusCode, body)
		}
	})
}

// judgingSetup puts three submitted applications in edition 2026, invites
// the fixture judge (from Seoul: in conflict with Seoul's application)
// and the fixture partner as judges, detects conflicts, and opens and
// assigns a screening round with one judge per application.
func judgingSetup(t *testing.T, env *webtest.Env) (*judging.Round, []*prize.Application) {
	t.Helper()
	ctx := context.Background()
	svc := env.Services.Judging
	applicant := env.Users[webtest.Applicant]
	type spec struct{ org, city, country, title string }
	var apps []*prize.Application
	for _, sp := range []spec{
		{"Seoul Metropolitan Government", "Seoul", "KOR", "Night buses for shift workers"},
		{"City of Odense", "Odense", "DNK", "Digital help desks"},
		{"Alcaldía de Medellín", "Medellín", "COL", "Hillside cable cars"},
	} {
		a := &prize.Application{Edition: "2026", Track: prize.TrackTech, UserID: applicant.ID, Email: applicant.Email,
			ApplicantType: prize.TypeLocalGov, Organisation: sp.org, CityName: sp.city, Country: sp.country, Title: sp.title,
			Answers: prize.Answers{"summary": {"A summary."}}, State: prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
		if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	admin := judging.Viewer{UserID: env.Users[webtest.Admin].ID, Email: env.Users[webtest.Admin].Email, Admin: true}
	invite := func(u accounts.User, org, city, country string) *judging.Judge {
		j := &judging.Judge{Edition: "2026", UserID: u.ID, Name: u.Email, Email: u.Email, Role: judging.RoleJudge,
			Organisation: org, CityName: city, Country: country, Languages: []string{"en"}, Load: 3}
		if err := svc.InviteJudge(ctx, admin, j); err != nil {
			t.Fatal(err)
		}
		return j
	}
	invite(env.Users[webtest.Judge], "Seoul Digital Foundation", "Seoul", "KOR")
	invite(env.Users[webtest.Partner], "Urban Data Institute", "Amsterdam", "NLD")
	if _, err := svc.DetectConflicts(ctx, admin, "2026"); err != nil {
		t.Fatal(err)
	}
	r := &judging.Round{Edition: "2026", Kind: judging.RoundScreening, K: 1, Rubric: judging.DefaultRubric(), Closes: prizeT0.AddDate(0, 2, 0)}
	if err := svc.OpenRound(ctx, admin, r); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Assign(ctx, admin, r.ID); err != nil {
		t.Fatal(err)
	}

	return r, apps
}

// The demo: 2025 judged and announced with public winners; 2026 in
// judging with a committee, a conflict on Seoul's applications, bids and
// an assigned screening round.
func TestJudgingDemo(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	env.SeedDemo()
	ctx := context.Background()
	res, body := env.ClientAs(webtest.Anonymous).Get("/prize/editions/2025/winners?lang=en")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Winner · Gold") || !strings.Contains(body, "Winner · Silver") ||
		!strings.Contains(body, "Special Mention") {
		t.Fatalf("2025 winners: %d\n%s", res.StatusCode, body)
	}
	if res, _ := env.ClientAs(webtest.Anonymous).Get("/prize/editions/2026/winners"); res.StatusCode != http.StatusNotFound {
		t.Fatalf("2026 winners before its ceremony: %d", res.StatusCode)
	}
	judges, err := env.Store.PrizeJudges(ctx, "2026")
	if err != nil || len(judges) != 5 {
		t.Fatalf("2026 committee: %d %v", len(judges), err)
	}
	cs, _ := env.Store.PrizeConflicts(ctx, "2026")
	if len(cs) == 0 {
		t.Fatal("no conflicts detected in the 2026 demo")
	}
	rounds, _ := env.Store.PrizeRounds(ctx, "2026")
	if len(rounds) != 2 || rounds[0].Kind != judging.RoundScreening || rounds[1].Kind != judging.RoundFinalist {
		t.Fatalf("2026 rounds: %d", len(rounds))
	}
	// The ceremony under way: four finalists with slots that never clash
	// for a judge, invitations sent (one confirmed), the programme.
	ds, _ := env.Store.PrizeDecisions(ctx, "2026")
	finalists := map[int64]bool{}
	for _, d := range ds {
		if d.Kind != judging.DecisionFinalist {
			t.Fatalf("a 2026 decision beyond finalists: %+v", d)
		}
		finalists[d.App] = true
	}
	slots, _ := env.Store.PrizeSlots(ctx, rounds[1].ID)
	invs, _ := env.Store.PrizeInvitations(ctx, "2026")
	prog, _ := env.Store.PrizeProgramme(ctx, "2026")
	if len(finalists) != 4 || len(slots) != 4 || len(invs) != 4 || invs[0].Status == "" || len(prog) != 4 {
		t.Fatalf("2026 ceremony: %d finalists, %d slots, %d invitations, %d programme items", len(finalists), len(slots), len(invs), len(prog))
	}
	confirmed := 0
	for _, in := range invs {
		if in.Status == judging.InviteConfirmed && len(in.Attendees) == 2 {
			confirmed++
		}
	}
	fas, _ := env.Store.PrizeAssignment(ctx, rounds[1].ID)
	judgeOf := map[int64][]int64{}
	for _, a := range fas {
		if a.Assigned {
			judgeOf[a.App] = append(judgeOf[a.App], a.Judge)
		}
	}
	for i := 1; i < len(slots); i++ {
		if slots[i].Starts.Before(slots[i-1].Ends()) {
			t.Fatalf("demo slots overlap: %+v %+v", slots[i-1], slots[i])
		}
	}
	if confirmed != 1 || len(judgeOf) != 4 {
		t.Fatalf("confirmed %d; finalists judged %d", confirmed, len(judgeOf))
	}
	as, _ := env.Store.PrizeAssignment(ctx, rounds[0].ID)
	blocked := judging.Blocked(cs)
	for _, a := range as {
		if a.Assigned && blocked[[2]int64{a.Judge, a.App}] {
			t.Fatalf("demo assignment holds a conflicted pair %+v", a)
		}
	}
	if len(as) == 0 {
		t.Fatal("the 2026 screening round is not assigned")
	}
	bids, _ := env.Store.PrizeBids(ctx, "2026")
	if len(bids) == 0 {
		t.Fatal("no demo bids")
	}
}
