package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/diagnostic"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/storetest"
	"github.com/citylens/citylens/internal/web/webtest"
)

func TestConfigFlagsThenEnvironment(t *testing.T) {
	env := map[string]string{
		"CITYLENS_ADDR": "0.0.0.0:9000", "CITYLENS_DATA": "/srv/citylens", "CITYLENS_WORKERS": "4",
		"CITYLENS_DEMO": "true", "CITYLENS_SMTP_HOST": "smtp.example.org", "CITYLENS_SMTP_FROM": "noreply@example.org",
		"CITYLENS_EXPLORER_CACHE_MB": "64",
	}
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		want    platformConfig
		wantErr string
	}{
		{"defaults", nil, nil, platformConfig{Addr: "127.0.0.1:8080", DataDir: "citylens-data", BaseURL: "http://127.0.0.1:8080",
			Workers: 2, JobLease: 30 * time.Second, ExplorerCacheMB: 448, FairUseAnonymous: 120, FairUseToken: 1200}, ""},
		{"environment", nil, env, platformConfig{Addr: "0.0.0.0:9000", DataDir: "/srv/citylens", BaseURL: "http://0.0.0.0:9000",
			Workers: 4, JobLease: 30 * time.Second, Demo: true, ExplorerCacheMB: 64, FairUseAnonymous: 120, FairUseToken: 1200}, ""},
		{"flags win", []string{"--addr", "127.0.0.1:7000", "--workers", "1", "--demo=false", "--explorer-cache-mb", "1024", "--fair-use-anonymous", "5000"}, env,
			platformConfig{Addr: "127.0.0.1:7000", DataDir: "/srv/citylens", BaseURL: "http://127.0.0.1:7000", Workers: 1, JobLease: 30 * time.Second,
				ExplorerCacheMB: 1024, FairUseAnonymous: 5000, FairUseToken: 1200}, ""},
		{"postgres", []string{"--database-url", "postgres://db/citylens"}, nil, platformConfig{Addr: "127.0.0.1:8080", DataDir: "citylens-data",
			DatabaseURL: "postgres://db/citylens", BaseURL: "http://127.0.0.1:8080", Workers: 2, JobLease: 30 * time.Second, ExplorerCacheMB: 448, FairUseAnonymous: 120, FairUseToken: 1200}, ""},
		{"bad values", []string{"--addr", "nohost", "--database-url", "mysql://x"}, map[string]string{"CITYLENS_WORKERS": "many", "CITYLENS_JOB_LEASE": "soon"}, platformConfig{},
			`CITYLENS_WORKERS="many" is not a number; CITYLENS_JOB_LEASE="soon" is not a duration; addr "nohost" is not host:port; database URL must start with postgres://`},
		{"bad explorer cache", nil, map[string]string{"CITYLENS_EXPLORER_CACHE_MB": "lots"}, platformConfig{}, `CITYLENS_EXPLORER_CACHE_MB="lots" is not a number`},
		{"negative explorer cache", []string{"--explorer-cache-mb", "-5"}, nil, platformConfig{}, `explorer cache -5 MiB is outside 1..1048576`},
		{"no fair use", []string{"--fair-use-token", "-1"}, nil, platformConfig{}, `fair-use limits 120 and -1 requests a minute: give at least 1`},
		{"bad smtp", []string{"--smtp-host", "smtp.example.org"}, nil, platformConfig{}, `from address "" is not an e-mail address`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c platformConfig
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			bindServeFlags(fs, &c)
			set, err := parseFlags(fs, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			err = c.fromEnv(set, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.SMTP = mail.SMTPConfig{} // compared in package mail
			if d := cmp.Diff(tc.want, c); d != "" {
				t.Errorf("config (-want +got):\n%s", d)
			}
		})
	}
}

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUserAddImportAndBackupCommands(t *testing.T) {
	data := t.TempDir()
	code, out, errOut := runCmd(t, "user", "add", "--data", data, "--email", "Chief@Example.org", "--role", "admin")
	if code != 0 || !strings.Contains(out, "added chief@example.org (Secretariat admin)") || !strings.Contains(out, "password: ") {
		t.Fatalf("user add = %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "user", "add", "--data", data, "--email", "chief@example.org", "--role", "admin")
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate user add = %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "user", "add", "--data", data, "--email", "f@example.org", "--role", "focal_point", "--city", "jp-osaka")
	if code != 1 || !strings.Contains(errOut, `city: city "jp-osaka" not found`) {
		t.Errorf("focal point of a missing city = %d %q", code, errOut)
	}
	bad := filepath.Join("..", "..", "testdata", "members", "members_bad.csv")
	code, _, errOut = runCmd(t, "import", "members", "--data", data, bad)
	if code != 1 || !strings.Contains(errOut, "row 3, column latitude: 95 is outside -90..90") || !strings.Contains(errOut, "row 5, column code") {
		t.Errorf("bad import = %d %q", code, errOut)
	}
	// Offices come from the demo seed or an admin; here, from the store.
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(data, "citylens.db"))
	if err != nil {
		t.Fatal(err)
	}
	svc := &members.Service{Store: db, Audit: db, Now: time.Now}
	for _, o := range members.DemoOffices {
		if err := svc.SaveOffice(ctx, auditlog.System("test"), o); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	valid := filepath.Join("..", "..", "testdata", "members", "members_valid.csv")
	for _, want := range []string{"3 created, 0 updated, 0 unchanged", "0 created, 0 updated, 3 unchanged"} {
		code, out, errOut = runCmd(t, "import", "members", "--data", data, valid)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("import = %d %q %q, want %q", code, out, errOut, want)
		}
	}
	code, out, errOut = runCmd(t, "user", "add", "--data", data, "--email", "f@example.org", "--role", "focal_point", "--city", "jp-osaka")
	if code != 0 {
		t.Errorf("focal point add = %d %q %q", code, out, errOut)
	}

	backup := filepath.Join(t.TempDir(), "backup.db")
	code, out, errOut = runCmd(t, "backup", "--data", data, backup)
	if code != 0 {
		t.Fatalf("backup = %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCmd(t, "backup", "--data", data, backup)
	if code != 1 || !strings.Contains(errOut, "already exists") {
		t.Errorf("backup over an existing file = %d %q", code, errOut)
	}
	// Restore as docs/platform.md says: the backup becomes citylens.db of a
	// new data directory.
	restored := t.TempDir()
	copyFile(t, backup, filepath.Join(restored, "citylens.db"))
	code, out, errOut = runCmd(t, "migrate", "--data", restored)
	if code != 0 || !strings.Contains(out, "sqlite database is up to date") {
		t.Fatalf("migrate restored = %d %q %q", code, out, errOut)
	}
	rdb, err := sqlite.Open(ctx, filepath.Join(restored, "citylens.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if c, err := rdb.City(ctx, "jp-osaka"); err != nil || c.LocalName != "大阪" {
		t.Errorf("restored city = %+v, %v", c, err)
	}
	if u, err := rdb.UserByEmail(ctx, "f@example.org"); err != nil || u.Role != accounts.RoleFocal {
		t.Errorf("restored user = %+v, %v", u, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// jobStore is what the kill test reads and writes directly.
type jobStore interface {
	jobs.Store
	auditlog.Store
	Close() error
}

// TestJobSurvivesKill9 runs the real binary, kills it with SIGKILL in the
// middle of a job, and checks that the job left no partial result and that
// the next server takes it over once its lease expires and completes it once.
func TestJobSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the citylens binary")
	}
	bin := webtest.BuildBinary(t)
	for _, dbName := range []string{"sqlite", "postgres"} {
		t.Run(dbName, func(t *testing.T) {
			ctx := context.Background()
			var env []string
			var store jobStore
			data := ""
			if dbName == "postgres" {
				url := storetest.PostgresURL(t)
				env = []string{"CITYLENS_DATABASE_URL=" + url}
				// Migrate first so the test can enqueue before the server starts.
				db, err := postgres.Open(ctx, url)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				store = db
			} else {
				data = t.TempDir()
				env = []string{"CITYLENS_DATA=" + data}
				db, err := sqlite.Open(ctx, filepath.Join(data, "citylens.db"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				store = db
			}
			defer store.Close()
			job, err := jobs.Enqueue(ctx, store, time.Now(), diagnostic.Sleep,
				diagnostic.SleepPayload{Steps: 30, StepMS: 100, Label: "kill drill"}, 3)
			if err != nil {
				t.Fatal(err)
			}
			args := []string{"--diagnostic-jobs", "--job-lease", "2s", "--workers", "1"}
			first := webtest.StartServe(t, bin, env, args...)
			waitJob(t, store, job.ID, 20*time.Second, func(j jobs.Job) bool { return j.State == jobs.StateRunning && j.Progress > 0.1 })
			first.Kill9()

			j, err := store.Job(ctx, job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != jobs.StateRunning || j.Attempts != 1 || j.Progress >= 1 {
				t.Fatalf("job after kill -9 = %+v, want running (lease held by the dead server) at attempt 1", j)
			}
			if n := doneEntries(t, store, job.ID); n != 0 {
				t.Fatalf("killed job left %d result entries, want 0", n)
			}

			second := webtest.StartServe(t, bin, env, args...)
			j = waitJob(t, store, job.ID, 40*time.Second, func(j jobs.Job) bool { return j.State != jobs.StateRunning && j.State != jobs.StateQueued })
			if j.State != jobs.StateDone || j.Attempts != 2 || j.Progress != 1 {
				t.Fatalf("job after restart = %+v, want done at attempt 2", j)
			}
			if n := doneEntries(t, store, job.ID); n != 1 {
				t.Fatalf("job recorded its result %d times, want once", n)
			}
			res, err := http.Get(second.URL("/metrics"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.Contains(string(b), `citylens_jobs{state="done"} 1`) {
				t.Errorf("metrics do not count the done job:\n%s", b)
			}
			if data != "" {
				// An online backup while the server runs, restored into a new
				// data directory, holds the finished job.
				backup := filepath.Join(t.TempDir(), "online.db")
				if code, out, errOut := runCmd(t, "backup", "--data", data, backup); code != 0 {
					t.Fatalf("online backup = %d %q %q", code, out, errOut)
				}
				restored := t.TempDir()
				copyFile(t, backup, filepath.Join(restored, "citylens.db"))
				third := webtest.StartServe(t, bin, []string{"CITYLENS_DATA=" + restored})
				res, err := http.Get(third.URL("/metrics"))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				if !strings.Contains(string(b), `citylens_jobs{state="done"} 1`) {
					t.Errorf("restored backup lacks the done job:\n%s", b)
				}
			}
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			defer cancel()
			if err := second.Stop(sctx); err != nil {
				t.Errorf("graceful stop on SIGTERM: %v\n%s", err, second.Log())
			}
			if !strings.Contains(second.Log(), `"msg":"stopped"`) {
				t.Errorf("no clean stop in the log:\n%s", second.Log())
			}
		})
	}
}

func waitJob(t *testing.T, s jobs.Store, id int64, within time.Duration, ok func(jobs.Job) bool) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(within)
	var j jobs.Job
	for time.Now().Before(deadline) {
		var err error
		j, err = s.Job(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(j) {
			return j
		}
		time.Sleep(50 * time.Millisecond)
	}
	b, _ := json.Marshal(j)
	t.Fatalf("job %d not in the expected state within %s: %s", id, within, b)
	return j
}

func doneEntries(t *testing.T, s auditlog.Store, id int64) int {
	t.Helper()
	es, err := s.ListAudit(context.Background(), auditlog.Filter{Action: "diagnostic.done", EntityType: "job", EntityID: strconv.FormatInt(id, 10)})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}
