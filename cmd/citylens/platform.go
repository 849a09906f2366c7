package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/app"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/demo"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/postgres"
	"github.com/citylens/citylens/internal/sqlite"
	"github.com/citylens/citylens/internal/sqlstore"
	"github.com/citylens/citylens/internal/web"
	"github.com/citylens/citylens/internal/web/explorerweb"
)

// platformConfig is the platform's configuration: flags first, then the
// environment for flags left unset, validated once.
type platformConfig struct {
	Addr           string
	DataDir        string
	DatabaseURL    string
	BaseURL        string
	SecureCookies  bool
	Demo           bool
	StripDemo      bool
	Workers        int
	JobLease       time.Duration
	DiagnosticJobs bool
	SMTP           mail.SMTPConfig
	// ExplorerCacheMB bounds the memory of the explorer's rendered pages
	// and responses, in MiB.
	ExplorerCacheMB int
	// FairUseAnonymous and FairUseToken are the API and download requests
	// a minute of a client without and with a token.
	FairUseAnonymous, FairUseToken int
}

// bindPlatformFlags declares the database flags every platform command shares.
func bindDatabaseFlags(fs *flag.FlagSet, c *platformConfig) {
	fs.StringVar(&c.DataDir, "data", "", "data directory (env CITYLENS_DATA, default ./citylens-data)")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "postgres://... to use PostgreSQL instead of SQLite (env CITYLENS_DATABASE_URL)")
}

func bindServeFlags(fs *flag.FlagSet, c *platformConfig) {
	bindDatabaseFlags(fs, c)
	fs.StringVar(&c.Addr, "addr", "", "listen address (env CITYLENS_ADDR, default 127.0.0.1:8080)")
	fs.StringVar(&c.BaseURL, "base-url", "", "public URL for links in e-mails (env CITYLENS_BASE_URL, default http://ADDR)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure (TLS ends at a proxy) (env CITYLENS_SECURE_COOKIES)")
	fs.BoolVar(&c.Demo, "demo", false, "seed the demo network and show the demo banner (env CITYLENS_DEMO)")
	fs.BoolVar(&c.StripDemo, "strip-demo", false, "without --demo, disable the demo accounts of a database once seeded with --demo (env CITYLENS_STRIP_DEMO)")
	fs.IntVar(&c.Workers, "workers", 0, "background job workers (env CITYLENS_WORKERS, default 2)")
	fs.DurationVar(&c.JobLease, "job-lease", 0, "job lease; a dead server's job is retried after it (env CITYLENS_JOB_LEASE, default 30s)")
	fs.BoolVar(&c.DiagnosticJobs, "diagnostic-jobs", false, "register the diagnostic.sleep job kind (recovery drills, tests)")
	fs.StringVar(&c.SMTP.Host, "smtp-host", "", "SMTP relay host; unset keeps mail in the admin outbox (env CITYLENS_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", 0, "SMTP port (env CITYLENS_SMTP_PORT, default 587)")
	fs.StringVar(&c.SMTP.Username, "smtp-username", "", "SMTP user (env CITYLENS_SMTP_USERNAME)")
	fs.StringVar(&c.SMTP.From, "smtp-from", "", "From address (env CITYLENS_SMTP_FROM)")
	fs.IntVar(&c.ExplorerCacheMB, "explorer-cache-mb", 0,
		"memory for the explorer's rendered pages and responses, in MiB (env CITYLENS_EXPLORER_CACHE_MB, default 448)")
	fs.IntVar(&c.FairUseAnonymous, "fair-use-anonymous", 0,
		"API and download requests a minute per address without a token (env CITYLENS_FAIR_USE_ANONYMOUS, default 120)")
	fs.IntVar(&c.FairUseToken, "fair-use-token", 0,
		"API and download requests a minute per account with a token (env CITYLENS_FAIR_USE_TOKEN, default 1200)")
}

// fromEnv fills what the flags left unset from the environment (getenv),
// applies defaults and validates.
func (c *platformConfig) fromEnv(set map[string]bool, getenv func(string) string) error {
	str := func(flagName, env string, dst *string, def string) {
		if !set[flagName] {
			if v := getenv(env); v != "" {
				*dst = v
			}
		}
		if *dst == "" {
			*dst = def
		}
	}
	var errs []string
	boolean := func(flagName, env string, dst *bool) {
		if v := getenv(env); !set[flagName] && v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q is not true or false", env, v))
			}
			*dst = b
		}
	}
	integer := func(flagName, env string, dst *int, def int) {
		if v := getenv(env); !set[flagName] && v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q is not a number", env, v))
			}
			*dst = n
		}
		if *dst == 0 {
			*dst = def
		}
	}
	str("addr", "CITYLENS_ADDR", &c.Addr, "127.0.0.1:8080")
	str("data", "CITYLENS_DATA", &c.DataDir, "citylens-data")
	str("database-url", "CITYLENS_DATABASE_URL", &c.DatabaseURL, "")
	str("base-url", "CITYLENS_BASE_URL", &c.BaseURL, "http://"+c.Addr)
	boolean("secure-cookies", "CITYLENS_SECURE_COOKIES", &c.SecureCookies)
	boolean("demo", "CITYLENS_DEMO", &c.Demo)
	boolean("strip-demo", "CITYLENS_STRIP_DEMO", &c.StripDemo)
	integer("workers", "CITYLENS_WORKERS", &c.Workers, 2)
	if v := getenv("CITYLENS_JOB_LEASE"); !set["job-lease"] && v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("CITYLENS_JOB_LEASE=%q is not a duration", v))
		}
		c.JobLease = d
	}
	if c.JobLease == 0 {
		c.JobLease = 30 * time.Second
	}
	str("smtp-host", "CITYLENS_SMTP_HOST", &c.SMTP.Host, "")
	integer("smtp-port", "CITYLENS_SMTP_PORT", &c.SMTP.Port, 587)
	str("smtp-username", "CITYLENS_SMTP_USERNAME", &c.SMTP.Username, "")
	str("smtp-from", "CITYLENS_SMTP_FROM", &c.SMTP.From, "")
	c.SMTP.Password = getenv("CITYLENS_SMTP_PASSWORD") // never a flag: it would show in ps
	integer("explorer-cache-mb", "CITYLENS_EXPLORER_CACHE_MB", &c.ExplorerCacheMB, explorerweb.DefaultCacheBytes>>20)
	integer("fair-use-anonymous", "CITYLENS_FAIR_USE_ANONYMOUS", &c.FairUseAnonymous, web.FairUseDefaults.Anonymous)
	integer("fair-use-token", "CITYLENS_FAIR_USE_TOKEN", &c.FairUseToken, web.FairUseDefaults.Token)
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Sprintf("addr %q is not host:port", c.Addr))
	}
	if c.DatabaseURL != "" && !isPostgresURL(c.DatabaseURL) {
		errs = append(errs, "database URL must start with postgres:// or postgresql:// (SQLite is the default: use --data)")
	}
	if c.Workers < 0 || c.Workers > 64 {
		errs = append(errs, fmt.Sprintf("workers %d is outside 0..64", c.Workers))
	}
	if c.JobLease < time.Second {
		errs = append(errs, fmt.Sprintf("job lease %s is under a second", c.JobLease))
	}
	if c.FairUseAnonymous < 1 || c.FairUseToken < 1 {
		errs = append(errs, fmt.Sprintf("fair-use limits %d and %d requests a minute: give at least 1", c.FairUseAnonymous, c.FairUseToken))
	}
	if c.ExplorerCacheMB < 1 || c.ExplorerCacheMB > 1<<20 {
		errs = append(errs, fmt.Sprintf("explorer cache %d MiB is outside 1..%d", c.ExplorerCacheMB, 1<<20))
	}
	if err := c.SMTP.Validate(); err != nil {
		errs = append(errs, citylens.ErrorMessage(err))
	}
	if len(errs) > 0 {
		return usagef("configuration: %s", strings.Join(errs, "; "))
	}
	return nil
}

func isPostgresURL(u string) bool {
	return strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://")
}

// platformStore is the database the platform runs on.
type platformStore interface {
	app.Store
	Migrate(ctx context.Context) ([]string, error)
	Close() error
}

// openStore opens and migrates SQLite (in the data dir) or PostgreSQL.
func openStore(ctx context.Context, c *platformConfig, log *slog.Logger) (platformStore, error) {
	var db platformStore
	if c.DatabaseURL != "" {
		pg, err := postgres.Open(ctx, c.DatabaseURL)
		if err != nil {
			return nil, err
		}
		db = pg
	} else {
		path := filepath.Join(c.DataDir, "citylens.db")
		sq, err := sqlite.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		sq.SetLogger(log)
		db = sq
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "database", db.Dialect(), "migrations", applied)
	}
	return db, nil
}

// fileSweeper is a store that keeps files' bytes in a directory.
type fileSweeper interface {
	CollectFiles(ctx context.Context, now time.Time, grace time.Duration) (sqlstore.Sweep, error)
}

// sweepFiles collects the store's unreferenced files at once and then
// every interval, leaving those younger than an hour (uploads under way,
// and a backup's window; see sqlite's Backup).
func sweepFiles(ctx context.Context, db platformStore, interval time.Duration, log *slog.Logger) {
	fs, ok := db.(fileSweeper)
	if !ok {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		sw, err := fs.CollectFiles(ctx, time.Now(), time.Hour)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("file sweep", "err", err)
		case sw.Removed > 0 || sw.Temporary > 0:
			log.Info("file sweep", "removed", sw.Removed, "temporary", sw.Temporary, "kept", sw.Kept)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// parseFlags parses args, reporting which flags were set.
func parseFlags(fs *flag.FlagSet, args []string) (map[string]bool, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set, nil
}

func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c platformConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindServeFlags(fs, &c)
	set, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve: unexpected argument %q", fs.Arg(0))
	}
	if err := c.fromEnv(set, os.Getenv); err != nil {
		return err
	}
	log := newLogger(stderr)
	db, err := openStore(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()

	host, _ := os.Hostname()
	queue := jobs.NewQueue(db, jobs.Options{Owner: fmt.Sprintf("%s:%d", host, os.Getpid()), Lease: c.JobLease, Logger: log})
	var sender mail.Sender
	if c.SMTP.Host != "" {
		// Through the outbox: a relay that is down never fails a request.
		sender = mail.Relay{Store: db, SMTP: mail.SMTP{Config: c.SMTP}, Now: time.Now, Retries: 3}
	}
	a, err := app.New(web.Config{Store: db, Logger: log, Mail: sender, Queue: queue, BaseURL: c.BaseURL,
		SecureCookies: c.SecureCookies, Demo: c.Demo, DiagnosticJobs: c.DiagnosticJobs, ExplorerCacheBytes: int64(c.ExplorerCacheMB) << 20,
		FairUse: web.FairUse{Anonymous: c.FairUseAnonymous, Token: c.FairUseToken}})
	if err != nil {
		return err
	}
	if c.Demo {
		sv := a.Services
		res, err := demo.Seed(ctx, demo.Services{Store: db, Members: sv.Members, Accounts: sv.Accounts, Catalogue: sv.Catalogue,
			DataCall: sv.DataCall, Publication: sv.Publication, Survey: sv.Survey, Prize: sv.Prize, Judging: sv.Judging,
			Training: sv.Training, Events: sv.Events, Followup: sv.Followup, Matching: sv.Matching, Notify: sv.Notify, Log: log,
			Exchange: sv.Exchange, Partnerships: sv.Partnerships})
		if err != nil {
			return err
		}
		log.Info("demo network seeded", "cities_created", res.Members.Created, "cities_unchanged", res.Members.Unchanged)
		for _, a := range res.Accounts {
			log.Info("demo account", "email", a.Email, "password", demo.Password, "role", a.Role, "scope", a.Scope)
		}
	} else if err := productionChecks(ctx, db, &c, log); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return citylens.Errorf(citylens.EINVALID, "serve: cannot listen on %s: %v", c.Addr, err)
	}
	httpSrv := &http.Server{Handler: a.Server.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 5 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	workersDone := make(chan struct{})
	go func() {
		defer close(workersDone)
		queue.Run(workCtx, c.Workers)
	}()
	// Reminders and digests: every replica ticks, one enqueues each run.
	go a.Services.Notify.Schedule(workCtx, db, fmt.Sprintf("%s:%d", host, os.Getpid()), time.Minute, log)
	// Attachments kept beside a SQLite database: the files no row refers to
	// (a crash between an upload and its transaction, deleted attachments).
	go sweepFiles(workCtx, db, time.Hour, log)
	// The library's search index, loaded now rather than by the first
	// search (seconds for 100,000 cases); readiness does not wait for it,
	// and a search meanwhile waits for this load instead of making its own.
	go func() {
		start := time.Now()
		if err := a.Services.Exchange.Warm(workCtx); err != nil {
			log.Warn("library index not warmed; the first search loads it", "err", err)
			return
		}
		log.Info("library index warmed", "seconds", time.Since(start).Seconds())
	}()
	serveErr := make(chan error, 1)
	go func() { serveErr <- httpSrv.Serve(ln) }()
	log.Info("serving", "addr", ln.Addr().String(), "database", db.Dialect(), "demo", c.Demo, "workers", c.Workers, "job_kinds", queue.Kinds())

	select {
	case err := <-serveErr:
		stopWork()
		<-workersDone
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = httpSrv.Shutdown(shutdownCtx)
	stopWork()
	<-workersDone
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// productionChecks runs at a start without --demo: demo accounts, whose
// password is published, are refused (or disabled with --strip-demo, and
// logged), and a database without an admin says how to create one.
func productionChecks(ctx context.Context, db platformStore, c *platformConfig, log *slog.Logger) error {
	active, err := demo.ActiveAccounts(ctx, db)
	if err != nil {
		return err
	}
	if len(active) > 0 {
		if !c.StripDemo {
			emails := make([]string, len(active))
			for i, u := range active {
				emails[i] = u.Email
			}
			return citylens.Errorf(citylens.EINVALID, "serve: this database was seeded with --demo and its demo accounts (%s) still sign in with the published demo password: "+
				"start with --demo to serve the demo, or with --strip-demo to disable those accounts and serve it without them", strings.Join(emails, ", "))
		}
		stripped, err := demo.Strip(ctx, db, time.Now())
		if err != nil {
			return err
		}
		log.Warn("demo accounts disabled (--strip-demo): they can no longer sign in", "accounts", stripped)
	}
	ok, err := demo.HasAdmin(ctx, db)
	if err != nil {
		return err
	}
	if !ok {
		where := "--data " + c.DataDir
		if c.DatabaseURL != "" {
			where = "--database-url \"$CITYLENS_DATABASE_URL\""
		}
		log.Warn("no admin account: nobody can sign in to run the platform; create the first one with: citylens user add --email you@example.org --role admin " + where +
			" (it prints a generated password; --password-stdin reads one)")
	}
	return nil
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c platformConfig
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindDatabaseFlags(fs, &c)
	set, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := c.fromEnv(set, os.Getenv); err != nil {
		return err
	}
	db, err := openStore(ctx, &c, newLogger(io.Discard))
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "%s database is up to date\n", db.Dialect())
	return nil
}

// platformServices opens the store and builds the domain services for
// commands that use them (user add, import): the same services as serve's,
// with no web server.
func platformServices(ctx context.Context, c *platformConfig) (platformStore, *app.Services, error) {
	db, err := openStore(ctx, c, newLogger(io.Discard))
	if err != nil {
		return nil, nil, err
	}
	return db, app.NewServices(db, web.Config{Logger: newLogger(io.Discard), BaseURL: c.BaseURL}), nil
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("user: usage: citylens user add --email E --role R [--city CODE|--region CODE] [--name N] [--password-stdin]")
	}
	var c platformConfig
	var email, role, city, region, name string
	var passwordStdin bool
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindDatabaseFlags(fs, &c)
	fs.StringVar(&email, "email", "", "e-mail address (required)")
	fs.StringVar(&role, "role", "", "admin, regional_officer, focal_point, judge or partner (required)")
	fs.StringVar(&city, "city", "", "city code (focal points)")
	fs.StringVar(&region, "region", "", "region code (regional officers): AF, AS, EU, LA, NA, OC")
	fs.StringVar(&name, "name", "", "display name")
	fs.BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input; otherwise one is generated and printed")
	set, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if email == "" || role == "" {
		return usagef("user add: --email and --role are required")
	}
	if err := c.fromEnv(set, os.Getenv); err != nil {
		return err
	}
	password := ""
	generated := false
	if passwordStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		password = strings.TrimRight(line, "\r\n")
	} else {
		password = accounts.NewToken()[:20]
		generated = true
	}
	db, sv, err := platformServices(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := sv.Accounts.AddUser(ctx, auditlog.System("citylens user add"),
		accounts.User{Email: email, Name: name, Role: accounts.Role(role), CityCode: city, RegionCode: region}, password)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "added %s (%s)\n", u.Email, u.Role.Label())
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", password)
	}
	return nil
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "members" {
		return usagef("import: usage: citylens import members FILE.csv")
	}
	var c platformConfig
	fs := flag.NewFlagSet("import members", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindDatabaseFlags(fs, &c)
	set, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("import members: name one CSV file")
	}
	if err := c.fromEnv(set, os.Getenv); err != nil {
		return err
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return citylens.Errorf(citylens.EINVALID, "import members: %v", err)
	}
	defer f.Close()
	db, sv, err := platformServices(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := sv.Members.ImportCSV(ctx, auditlog.System("citylens import members"), f)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "imported %s: %d created, %d updated, %d unchanged\n", fs.Arg(0), res.Created, res.Updated, res.Unchanged)
	return nil
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c platformConfig
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindDatabaseFlags(fs, &c)
	set, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("backup: usage: citylens backup [--data DIR] FILE")
	}
	if err := c.fromEnv(set, os.Getenv); err != nil {
		return err
	}
	if c.DatabaseURL != "" {
		return citylens.Errorf(citylens.EINVALID, "backup: on PostgreSQL use pg_dump (see docs/platform.md)")
	}
	path := filepath.Join(c.DataDir, "citylens.db")
	if _, err := os.Stat(path); err != nil {
		return citylens.Errorf(citylens.ENOTFOUND, "backup: no database at %s", path)
	}
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backed up %s to %s (attachments in %s)\n", path, fs.Arg(0), sqlite.FilesDir(fs.Arg(0)))
	return nil
}
