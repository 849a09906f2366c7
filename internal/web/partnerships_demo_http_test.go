package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The demo's knowledge exchange on both databases: about 300 practices
// labelled demo, the partnerships (Rotterdam–Busan and Seoul–Dublin among
// them) on the explorer's map and table in English and Korean, Busan's
// partnerships on its profile, the members-only ones nowhere for a
// visitor, and seeding again adds nothing.
func TestPartnershipsDemoHTTP(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := demoEnv(t, s)
		visitor, admin := env.Client(), env.ClientAs(webtest.Admin)
		total := regexp.MustCompile(`id="exchange-total"[^>]*>[^0-9]*([0-9,]+)`)
		_, body := admin.Get("/exchange?lang=en")
		m := total.FindStringSubmatch(body)
		if m == nil || m[1] != "300" {
			t.Errorf("the demo library holds %v practices for the secretariat, want 300", m)
		}
		_, body = visitor.Get("/partnerships?lang=en")
		for _, want := range []string{"Rotterdam–Busan: shared mobility and smart ports", "Seoul–Dublin: digital twins and open data",
			"8 public partnerships; 7 lines between cities on the map, joining 13 cities.", "Smart Grid Institute", "Demo"} {
			if !strings.Contains(body, want) {
				t.Errorf("the map page lacks %q", want)
			}
		}
		for _, hidden := range []string{"Barcelona–Lisbon", "Abuja–Dakar"} {
			if strings.Contains(body, hidden) {
				t.Errorf("a visitor sees the members-only %q on the map page", hidden)
			}
		}
		if got := strings.Count(body, `class="pl s-`); got != 7 {
			t.Errorf("%d lines on the map, want 7", got)
		}
		for st, n := range map[string]int{"active": 3, "completed": 2, "lapsed": 1, "proposed": 1} {
			if got := strings.Count(body, `class="pl s-`+st+`"`); got != n {
				t.Errorf("%d %s lines, want %d", got, st, n)
			}
		}
		_, body = visitor.Get("/partnerships?lang=ko")
		for _, want := range []string{"로테르담–부산: 공유 모빌리티와 스마트 항만", "서울–더블린", "부산", "진행 중", "완료", "중단"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Korean map page lacks %q", want)
			}
		}
		res, body := visitor.Get("/cities/kr-busan?lang=en")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("Busan's profile: %d", res.StatusCode)
		}
		sec := body[strings.Index(body, `id="city-partnerships"`):]
		sec = sec[:strings.Index(sec, "</section>")]
		if strings.Count(sec, "<tr data-partnership=") != 2 || !strings.Contains(sec, "Rotterdam") || !strings.Contains(sec, "Smart Grid Institute") {
			t.Errorf("Busan's partnerships on its profile:\n%s", sec)
		}
		if _, body = visitor.Get("/cities/es-barcelona?lang=en"); strings.Contains(body, "Barcelona–Lisbon") {
			t.Error("a members-only partnership on Barcelona's profile")
		}
		env.SeedDemo()
		if _, body = admin.Get("/exchange/partnerships?lang=en"); !strings.Contains(body, "10 partnerships") {
			t.Errorf("after seeding again the secretariat lists not 10 partnerships")
		}
	})
}
