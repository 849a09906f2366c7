package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

// TestPrizeCountryCityPicker checks the form's country/city picker over
// HTTP, without script: a labelled select of every country named in the
// page's language (English, Korean) and a city input with a list of the
// member cities by code; an unknown country is refused naming the field,
// and what was typed stays selected; a member city of another country is
// refused; a member city chosen by its code links the city's profile; a
// city that is not a member is kept by its name.
func TestPrizeCountryCityPicker(t *testing.T) {
	env, _ := prizeEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	a, c := prizeApplicant(t, env, "picker@seoul.example")
	app := "/prize/applications/" + strconv.FormatInt(a.ID, 10)

	_, body := c.Get(app + "?lang=en")
	for _, want := range []string{
		`<label for="in-place-country">Country</label>`,
		`<select id="in-place-country" name="f.place">`,
		`<option value="KOR" selected>Korea, Republic of</option>`,
		`<option value="EST">Estonia</option>`,
		`<label for="in-place-city">City</label>`,
		`list="member-cities"`,
		`aria-describedby="help-place-city"`,
		`<datalist id="member-cities">`,
		`<option value="` + webtest.CityX + `">Seoul, Korea, Republic of</option>`,
		`<option value="` + webtest.CityY + `">Lyon, France</option>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("English form lacks %s", want)
		}
	}
	// Countries by name: Estonia before France before Korea.
	if i, j, k := strings.Index(body, `value="EST"`), strings.Index(body, `value="FRA"`), strings.Index(body, `value="KOR"`); !(i < j && j < k) {
		t.Errorf("countries not by name: EST %d, FRA %d, KOR %d", i, j, k)
	}
	_, body = c.Get(app + "?lang=ko")
	for _, want := range []string{`<label for="in-place-country">국가</label>`, `<option value="KOR" selected>대한민국</option>`,
		`<option value="EST">에스토니아</option>`, `<option value="` + webtest.CityX + `">Seoul, 대한민국</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("Korean form lacks %s", want)
		}
	}
	// Korean names in Korean order: 대한민국 (ㄷ) before 에스토니아 (ㅇ).
	if i, j := strings.Index(body, `value="KOR"`), strings.Index(body, `value="EST"`); i > j {
		t.Errorf("Korean countries not by Korean name: KOR %d, EST %d", i, j)
	}
	c.Get(app + "?lang=en")

	save := func(place ...string) (*http.Response, string) {
		form := completeAnswers("Night buses")
		form["f.place"] = place
		form["csrf"] = []string{c.CSRF}
		return c.PostForm(app, form)
	}
	// An unknown country: refused naming the field, kept as typed.
	res, body := save("XYZ", "Somewhere")
	expectStatus(t, "an unknown country", res, body, http.StatusBadRequest)
	if !strings.Contains(body, `href="#field-place">Country and city of the project</a>: &#34;XYZ&#34; is not a country code`) {
		t.Errorf("the unknown country's refusal does not name the field: %.3000s", body)
	}
	if !strings.Contains(body, `<option value="XYZ" selected>XYZ</option>`) || !strings.Contains(body, `value="Somewhere"`) {
		t.Errorf("what was typed is not kept")
	}
	// A member city of another country.
	res, body = save("FRA", webtest.CityX)
	expectStatus(t, "a member city of another country", res, body, http.StatusBadRequest)
	if !strings.Contains(body, "Seoul is a member city of Korea, Republic of, not of France") {
		t.Errorf("the city's refusal lacks the reason: %.3000s", regexp.MustCompile(`(?s)<div class="error".*?</div>`).FindString(body))
	}
	if v, _ := env.Services.Prize.Load(ctx, whoOf(t, env, "picker@seoul.example"), a.ID); v.App.Country != "KOR" {
		t.Errorf("a refused save changed the application: %+v", v.App)
	}
	// A member city by its code: linked.
	res, body = save("KOR", webtest.CityX)
	expectStatus(t, "a member city", res, body, http.StatusSeeOther)
	v, err := env.Services.Prize.Load(ctx, whoOf(t, env, "picker@seoul.example"), a.ID)
	if err != nil || v.App.CityCode != webtest.CityX || v.App.CityName != "Seoul" || v.App.Country != "KOR" {
		t.Fatalf("member city: %+v %v", v.App, err)
	}
	_, body = c.Get(app)
	if !strings.Contains(body, `href="/members/`+webtest.CityX+`"`) {
		t.Errorf("the application does not link the member city's profile")
	}
	// A city that is not a member: its name.
	res, body = save("EST", "Tartu")
	expectStatus(t, "a city that is not a member", res, body, http.StatusSeeOther)
	v, _ = env.Services.Prize.Load(ctx, whoOf(t, env, "picker@seoul.example"), a.ID)
	if v.App.CityCode != "" || v.App.CityName != "Tartu" || v.App.Country != "EST" {
		t.Errorf("free city: %+v", v.App)
	}
}

// whoOf is the prize's view of the account of email.
func whoOf(t *testing.T, env *webtest.Env, email string) prize.Who {
	t.Helper()
	u, err := env.Store.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return prize.Who{UserID: u.ID, Email: u.Email, Role: u.Role}
}
