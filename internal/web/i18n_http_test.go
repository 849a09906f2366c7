package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/citylens/citylens/internal/storetest"
)

// missingKey is how a page shows a message key the catalogues lack.
var missingKey = regexp.MustCompile(`\[[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-]+)+\]`)

// hangul reports whether s has Korean letters.
func hangul(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.Is(unicode.Hangul, r) }) >= 0
}

// TestPagesInEnglishAndKorean renders a sample of the platform's pages
// (sign-in, the member directory, an error page, a focal point's data call,
// admin pages, a refusal) in Korean, chosen by Accept-Language and by
// ?lang=, and in English: each shows its own language's words, no missing
// key, and the English pages no Korean beyond the language switch.
func TestPagesInEnglishAndKorean(t *testing.T) {
	storetest.ForEachStore(t, func(t *testing.T, s storetest.Store) {
		env := newCallEnv(t, s)
		anon, focal, admin := env.browser(""), env.browser("seoul@test"), env.browser("admin@test")
		required := strconv.Itoa(len(env.ed.Indicators()))
		pages := []struct {
			who    *browser
			path   string
			status int
			en, ko []string
		}{
			{anon, "/login", 200, []string{"<h1>Sign in</h1>", "Forgot your password?", "Member cities"},
				[]string{"<h1>로그인</h1>", "비밀번호를 잊으셨나요?", "회원 도시", "본문으로 건너뛰기"}},
			{anon, "/members", 200, []string{"<h1>Member cities</h1>", "Population", ">member<"},
				[]string{"<h1>회원 도시</h1>", "인구", ">회원<", "거르기"}},
			{anon, "/members/nowhere", 404, []string{"Not Found", "Back to the home page"},
				[]string{"찾을 수 없음", "홈으로 돌아가기"}},
			{focal, "/datacall/2026/cities/kr-seoul", 200,
				[]string{"0 of " + required + " required values", "Save values", "<strong>draft</strong>", "Download the XLSX template", "City focal point"},
				[]string{"필수 값 " + required + "개 중 0개", "값 저장", "<strong>작성 중</strong>", "XLSX 양식 다운로드", "도시 담당관", "기준 연도"}},
			{focal, "/admin/users", 403, []string{"your role (City focal point) may not do this"},
				[]string{"현재 역할(도시 담당관)로는 이 작업을 할 수 없습니다", "접근 거부"}},
			{admin, "/admin/users", 200, []string{"Invite a user", "Secretariat admin", "Send invitation", "Audit log"},
				[]string{"사용자 초대", "사무국 관리자", "초대 보내기", "감사 로그"}},
			{admin, "/admin/editions/2026", 200, []string{"Compute from accepted values", "Coverage board", "(the data call is open)"},
				[]string{"승인된 값으로 계산", "수집 현황판", "(데이터 수집 진행 중)"}},
			{admin, "/catalogue/EC-P-EM-1C", 200, []string{"lower is better", "Valid range", "0 to 100"},
				[]string{"낮을수록 좋음", "유효 범위", "0 ~ 100"}},
		}
		get := func(b *browser, path, acceptLanguage string) (*http.Response, string) {
			t.Helper()
			req, err := http.NewRequest(http.MethodGet, env.ts.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if acceptLanguage != "" {
				req.Header.Set("Accept-Language", acceptLanguage)
			}
			return b.do(req)
		}
		forgetLang := func(b *browser) {
			u, _ := url.Parse(env.ts.URL)
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: "", Path: "/", MaxAge: -1}})
		}
		check := func(what string, res *http.Response, body string, status int, lang string, want, unwanted []string) {
			t.Helper()
			if res.StatusCode != status {
				t.Fatalf("%s: status %d, want %d\n%.1500s", what, res.StatusCode, status, body)
			}
			if got := res.Header.Get("Content-Language"); got != lang {
				t.Errorf("%s: Content-Language %q, want %q", what, got, lang)
			}
			if !strings.Contains(body, `<html lang="`+lang+`">`) {
				t.Errorf("%s: <html lang> is not %q", what, lang)
			}
			if m := missingKey.FindString(body); m != "" {
				t.Errorf("%s: a message key shows instead of its text: %s", what, m)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s: lacks %q", what, w)
				}
			}
			for _, w := range unwanted {
				if strings.Contains(body, w) {
					t.Errorf("%s: still shows %q", what, w)
				}
			}
			if lang == "en" && hangul(strings.ReplaceAll(body, "한국어", "")) {
				i := strings.IndexFunc(strings.ReplaceAll(body, "한국어", ""), func(r rune) bool { return unicode.Is(unicode.Hangul, r) })
				t.Errorf("%s: English page shows Korean: …%.80s", what, strings.ReplaceAll(body, "한국어", "")[max(0, i-40):])
			}
		}
		for _, p := range pages {
			sep := "?"
			if strings.Contains(p.path, "?") {
				sep = "&"
			}
			forgetLang(p.who)
			res, body := get(p.who, p.path, "ko-KR,ko;q=0.9,en;q=0.5")
			check(p.path+" (Accept-Language: ko)", res, body, p.status, "ko", p.ko, p.en)
			res, body = get(p.who, p.path, "")
			check(p.path+" (no preference)", res, body, p.status, "en", p.en, p.ko)
			res, body = get(p.who, p.path+sep+"lang=ko", "en")
			check(p.path+" (?lang=ko)", res, body, p.status, "ko", p.ko, p.en)
			// The switch sticks: the cookie beats the browser's language.
			res, body = get(p.who, p.path, "en")
			check(p.path+" (after ?lang=ko)", res, body, p.status, "ko", p.ko, p.en)
			res, body = get(p.who, p.path+sep+"lang=en", "ko")
			check(p.path+" (?lang=en)", res, body, p.status, "en", p.en, p.ko)
			forgetLang(p.who)
		}

		// Texts made in Go follow the reader too: a form error and a flash message.
		forgetLang(anon)
		req, _ := http.NewRequest(http.MethodPost, env.ts.URL+"/login", strings.NewReader(url.Values{"csrf": {anon.csrf}, "email": {""}, "password": {""}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "ko")
		res, body := anon.do(req)
		check("empty login (ko)", res, body, http.StatusBadRequest, "ko", []string{"이메일과 비밀번호를 입력하세요."}, []string{"Enter your e-mail and password."})
		forgetLang(focal)
		form := url.Values{"csrf": {focal.csrf}, "v_EC-P-EM-1C": {"50.5"}, "src_EC-P-EM-1C": {"KOSTAT"}, "yr_EC-P-EM-1C": {"2025"}}
		req, _ = http.NewRequest(http.MethodPost, env.ts.URL+"/datacall/2026/cities/kr-seoul/values", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "ko")
		res, body = focal.do(req)
		if got := flash(res); res.StatusCode != http.StatusSeeOther || got != "저장했습니다: 값 1개 변경, 0개 변경 없음." {
			t.Errorf("saving a value in Korean: %d, flash %q\n%.500s", res.StatusCode, got, body)
		}
		res, body = get(focal, "/datacall/2026/cities/kr-seoul/history/EC-P-EM-1C", "ko")
		check("value history (ko)", res, body, 200, "ko", []string{"50.5 %; 출처: KOSTAT (2025)", "Unemployment Rate 변경 이력"}, []string{"source:"})
		res, body = get(focal, "/datacall/2026/cities/kr-seoul/history/EC-P-EM-1C", "en")
		check("value history (en)", res, body, 200, "en", []string{"50.5 %; source: KOSTAT (2025)"}, nil)
		req, _ = http.NewRequest(http.MethodPost, env.ts.URL+"/logout", strings.NewReader(url.Values{"csrf": {focal.csrf}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "ko")
		res, _ = focal.do(req)
		if got := flash(res); res.StatusCode != http.StatusSeeOther || got != "로그아웃되었습니다." {
			t.Errorf("sign-out in Korean: %d, flash %q", res.StatusCode, got)
		}
	})
}
