package web_test

import (
	"context"
	"html"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/exchange"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// The demo's matching round: completed (closed), with accepted pairs,
// Nairobi's declined one and the partner the re-run proposed it instead;
// Busan's page shows its partner with the need that drove the pair; a
// second seeding adds no round.
func TestMatchingDemo(t *testing.T) {
	env := webtest.New(t, storetest.OpenSQLite(t))
	env.SeedDemo()
	ctx := context.Background()
	rs, err := env.Services.Matching.Rounds(ctx, exchange.Viewer{})
	if err != nil || len(rs) != 1 || !rs[0].Demo || rs[0].State != exchange.RoundClosed || rs[0].Runs != 2 {
		t.Fatalf("demo rounds %v %+v", err, rs)
	}
	rv, err := env.Services.Matching.Round(ctx, exchange.Viewer{Member: true}, rs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]int{}
	busan := ""
	for _, s := range rv.Suggestions {
		status[s.Status()]++
		if s.Status() == exchange.AnswerDeclined && s.Learner != "ke-nairobi" {
			t.Errorf("a declined pair other than Nairobi's: %+v", s)
		}
		if s.Learner == "kr-busan" && s.Status() == exchange.AnswerAccepted {
			busan = s.Mentor
		}
		if len(s.Reasons) == 0 {
			t.Errorf("a suggestion without its explanation: %+v", s)
		}
	}
	if status[exchange.AnswerDeclined] != 1 || status[exchange.AnswerAccepted] < 3 || status["pending"] != 0 || busan == "" {
		t.Fatalf("demo pairs by status %v (Busan's partner %q)", status, busan)
	}
	res, body := env.Client().Get("/exchange/cities/kr-busan")
	body = html.UnescapeString(body)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-partner="`+busan+`"`) || !strings.Contains(body, "Busan needs ") {
		t.Errorf("Busan's page lacks its partner and the need behind it:\n%s", body)
	}
	res, body = env.Client().Get("/exchange/rounds/" + strconv.FormatInt(rs[0].ID, 10))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `data-status="declined"`) {
		t.Errorf("the demo round's page: %d", res.StatusCode)
	}
	env.SeedDemo()
	if rs, _ = env.Services.Matching.Rounds(ctx, exchange.Viewer{}); len(rs) != 1 {
		t.Errorf("seeding twice made %d rounds", len(rs))
	}
}
