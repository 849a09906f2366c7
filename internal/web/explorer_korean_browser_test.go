package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citylens/citylens/internal/browsertest"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/storetest"
)

// TestKoreanMethodologyInBrowser: the Korean methodology page, every
// collapsed list opened, has no sentence of the English catalogue left
// (each English message's fixed text, between its placeholders, is looked
// for in the page's text as Chromium renders it), and says its rules,
// steps and audit flags in Korean.
func TestKoreanMethodologyInBrowser(t *testing.T) {
	ctx := browsertest.New(t, 120*time.Second)
	env := demoEnv(t, storetest.OpenSQLite(t))
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"/methodology", "/rankings", "/"} {
		t.Run(page, func(t *testing.T) {
			if _, err := chromedp.Run(ctx, chromedp.Navigate(env.URL(page+"?lang=ko"))); err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.Evaluate[string](
				`document.querySelectorAll('details').forEach(d => d.open = true); document.body.innerText`))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(text, "요약") && page == "/methodology" {
				t.Errorf("the Korean methodology page has no summary heading")
			}
			placeholder := regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*\d*(?:\.\d+)?[vdsfgqxXeE%]`)
			checked := 0
			for _, key := range cat.Keys() {
				en := cat.T(i18n.English, key)
				if cat.T(i18n.Korean, key) == en {
					continue // the same in both (a code, a symbol)
				}
				for _, frag := range placeholder.Split(en, -1) {
					frag = strings.TrimSpace(frag)
					// A sentence's words: at least three words of letters.
					if len(strings.Fields(frag)) < 3 || len(frag) < 16 {
						continue
					}
					checked++
					if strings.Contains(text, frag) {
						t.Errorf("English left on the Korean page %s (%s): %q", page, key, frag)
					}
				}
			}
			if checked < 500 {
				t.Fatalf("only %d English fragments checked: the test checks little", checked)
			}
			if page == "/methodology" {
				for _, ko := range []string{"동순위", "순위 변동은 두 판 모두에서", "결측값", "상위 항목"} {
					if !strings.Contains(text, ko) {
						t.Errorf("the Korean methodology page lacks %q", ko)
					}
				}
			}
		})
	}
}
