package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/webtest"
)

// BenchmarkPrizeBoard renders the secretariat's board (counts by track,
// stage, region, country and type, duplicate detection, the list) over
// 2,000 submitted applications on SQLite, over HTTP. The target:
// at most 50 ms.
func BenchmarkPrizeBoard(b *testing.B) {
	env, _ := prizeEnv(b, storetest.OpenSQLite(b))
	ctx := context.Background()
	tracks := []string{prize.TrackTech, prize.TrackHuman, prize.TrackSpecial}
	countries := []string{"KOR", "FRA", "DNK", "NZL", "BRA", "KEN", "IND", "USA"}
	err := env.Store.InTx(ctx, func(ctx context.Context) error {
		var u accounts.User
		for i := 0; i < 2000; i++ {
			if i%prize.MaxApplicationsPerAccount == 0 { // 100 accounts, 20 applications each
				var err error
				if u, err = env.Store.CreateUser(ctx, accounts.User{Email: fmt.Sprintf("a%d@bench.example", i), Role: accounts.RoleApplicant,
					Status: accounts.StatusActive, CreatedAt: prizeT0}); err != nil {
					return err
				}
			}
			a := &prize.Application{Edition: "2026", Track: tracks[i%3], UserID: u.ID, Email: u.Email, ApplicantType: prize.ApplicantTypes[i%4],
				Organisation: fmt.Sprintf("Organisation %d", i%700), Country: countries[i%len(countries)], CityName: "City",
				Title: benchText(i, 7), Stage: prize.Stages[i%5],
				Answers: prize.Answers{"title": {"t"}, "summary": {benchText(i*31+7, 60)}},
				State:   prize.StateSubmitted, CreatedAt: prizeT0, UpdatedAt: prizeT0, SubmittedAt: prizeT0}
			if err := env.Store.CreatePrizeApplication(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	admin := env.ClientAs(webtest.Admin)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, body := admin.Get("/admin/prize/2026")
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "2000 applications submitted") {
			b.Fatalf("board: %d, %.3000s", res.StatusCode, body)
		}
	}
}

// benchText is n words of a synthetic text, different for each seed.
func benchText(seed, n int) string {
	words := []string{"smart", "city", "mobility", "inclusion", "elderly", "youth", "digital", "sensor", "platform", "residents",
		"energy", "housing", "safety", "open", "data", "service", "district", "heat", "flood", "bus", "library", "school", "health",
		"migrants", "budget", "participation", "culture", "air", "water", "waste", "map", "app", "kiosk", "volunteer", "training"}
	var b []string
	x := uint32(seed)*2654435761 + 12345
	for i := 0; i < n; i++ {
		x = x*1664525 + 1013904223
		w := int(x>>8) % 3000 // a vocabulary of 3,000 words: the 35 above and made-up ones
		if w < len(words) {
			b = append(b, words[w])
		} else {
			b = append(b, fmt.Sprintf("w%d", w))
		}
	}
	return strings.Join(b, " ")
}

// BenchmarkPrizeSubmissions submits applications with a 5 MB PDF each
// over HTTP on SQLite, from 8 clients at once: each operation is one
// upload and one submission of a complete draft. It reports submissions
// per second, the 99th percentile of an operation and the heap after.
// The target: 50 submissions a second, p99 at most 300 ms.
func BenchmarkPrizeSubmissions(b *testing.B) {
	// Upload slots for the 8 clients (several share an account).
	env, _ := prizeEnv(b, storetest.OpenSQLite(b), func(c *web.Config) { c.MaxUploads, c.MaxUploadsPerUser = 16, 8 })
	ctx := context.Background()
	svc := env.Services.Prize
	// 5 MB of PDF body; each upload starts with its own header line, so
	// every file is distinct and kept under its own name (no upload is
	// spared by the store's keeping files by content).
	file := bytes.Repeat([]byte("0123456789abcdef"), 5<<20/16)
	// Drafts of up to 20 applicant accounts each (the per-account limit),
	// submitted by 8 concurrent clients.
	const clients = 8
	type job struct {
		c  *webtest.Client
		id int64
	}
	jobs := make(chan job, b.N)
	form := completeAnswers("Bench project")
	ans := prize.AnswersFromForm(prize.DefaultForm(), form)
	var c *webtest.Client
	var who prize.Who
	for i := 0; i < b.N; i++ {
		if i%prize.MaxApplicationsPerAccount == 0 {
			email := fmt.Sprintf("bench%d@acme.example", i)
			usr, err := env.Services.Accounts.AddUser(ctx, auditlogSystem, accounts.User{Email: email, Role: accounts.RoleApplicant}, webtest.Password)
			if err != nil {
				b.Fatal(err)
			}
			who = prize.Who{UserID: usr.ID, Email: email, Role: usr.Role}
			if err := svc.SaveProfile(ctx, who, prize.Profile{Type: prize.TypeLocalGov, Organisation: fmt.Sprintf("City %d", i), Country: "KOR", CityName: "Seoul"}); err != nil {
				b.Fatal(err)
			}
			c = env.Client()
			c.Login(email, webtest.Password)
			c.Get("/prize/my")
		}
		a, err := svc.CreateApplication(ctx, who, "2026", prize.TrackTech)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SaveDraft(ctx, who, a.ID, ans, nil); err != nil {
			b.Fatal(err)
		}
		jobs <- job{c, a.ID}
	}
	close(jobs)
	var mu sync.Mutex
	var lat []time.Duration
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range jobs {
				w, id := jb, jb.id
				t0 := time.Now()
				path := fmt.Sprintf("/prize/applications/%d", id)
				// The body streams from the shared file: no copy on the
				// client's side, so the bytes allocated are the server's.
				var head bytes.Buffer
				mw := multipart.NewWriter(&head)
				mw.WriteField("csrf", w.c.CSRF)
				mw.WriteField("field", "evidence")
				mw.CreateFormFile("file", "evidence.pdf")
				tail := "\r\n--" + mw.Boundary() + "--\r\n"
				req, _ := http.NewRequest(http.MethodPost, w.c.Env.URL(path+"/files"),
					io.MultiReader(&head, strings.NewReader(fmt.Sprintf("%%PDF-1.4\n%% upload %d\n", id)), bytes.NewReader(file), strings.NewReader(tail)))
				req.Header.Set("Content-Type", mw.FormDataContentType())
				res, err := w.c.HTTP.Do(req)
				if err != nil || res.StatusCode != http.StatusSeeOther {
					b.Errorf("upload: %v %v", err, res)
					return
				}
				res.Body.Close()
				form := url.Values{"csrf": {w.c.CSRF}}
				for k, v := range completeAnswers("Bench project") {
					form[k] = v
				}
				res, err = w.c.HTTP.PostForm(w.c.Env.URL(path+"/submit"), form)
				if err != nil || res.StatusCode != http.StatusSeeOther {
					b.Errorf("submit: %v %v", err, res)
					return
				}
				res.Body.Close()
				mu.Lock()
				lat = append(lat, time.Since(t0))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	// CPU of the process (server and clients) per submission, user and
	// system: the figure that holds on a loaded machine.
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/submission")
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "submissions/s")
		b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	// Bytes allocated per submission (an upload of 5 MB and a submission),
	// client and server together: a buffered upload would show the file's
	// size here; a streamed one a few hundred KB.
	b.ReportMetric(float64(ms.TotalAlloc-before.TotalAlloc)/float64(b.N)/(1<<10), "alloc-KB/submission")
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
}

var auditlogSystem = auditlog.System("bench")
