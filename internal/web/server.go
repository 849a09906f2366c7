// Package web is CityLens's HTTP layer: server-rendered pages (html/template,
// embedded assets, no CDN) and the JSON API under /api/v1, on net/http's
// ServeMux. Every route is registered through Server.page or Server.api
// with an access rule, so the route table (Server.Routes) is complete and
// the authorisation matrix test can walk it.
//
// Feature modules (catalogue, data call, survey, prize...) plug in through
// features.go: their store interface, routes and demo data. Their
// services' job kinds are registered by internal/app.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/mail"
	"github.com/citylens/citylens/internal/members"
)

// Store is what the web core needs from the database: accounts and their
// sessions and tokens, the audit log, the job queue, the mail outbox and
// the database's health. The areas declare their own narrow interfaces, and
// internal/app the union the binary's one store offers (app.Store).
type Store interface {
	members.Store
	accounts.Store
	accounts.ThrottleStore
	ServerSecret(ctx context.Context, name string) (string, error)
	auditlog.Store
	jobs.Store
	mail.OutboxStore
	Ready(ctx context.Context) error
	Dialect() string
}

// Config is what a Server needs; cmd/citylens builds it from flags.
type Config struct {
	Store  Store
	Logger *slog.Logger
	Mail   mail.Sender // nil: the outbox
	Queue  *jobs.Queue // nil: a queue is made (jobs then run only if someone calls Run)
	// BaseURL prefixes links in e-mails; empty: http://localhost.
	BaseURL string
	// SecureCookies marks cookies Secure even when TLS ends at a proxy.
	SecureCookies bool
	// Demo shows the "demo data" banner on every page.
	Demo bool
	// MaxBodyBytes bounds request bodies (default 1 MiB); routes may raise it.
	MaxBodyBytes int64
	// DiagnosticJobs has app.RegisterJobs register the diagnostic.sleep job
	// kind (tests, drills).
	DiagnosticJobs bool
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
	// Throttle is the sign-in and password-reset policy; default
	// accounts.DefaultThrottle.
	Throttle *accounts.ThrottlePolicy
	// Argon2 parameters; default accounts.DefaultArgon2.
	Argon2 *accounts.Argon2Params
	// Accounts is the account service sign-in and sessions go through;
	// nil: built from Store with the settings above.
	Accounts *accounts.Service
	// MaxUploads bounds the uploads the server reads at once (default
	// 2 × GOMAXPROCS, at least 4); MaxUploadsPerUser one user's (default
	// 2). Beyond them an upload is answered 429 before its body is read.
	MaxUploads, MaxUploadsPerUser int
	// ExplorerCacheBytes bounds the memory of the explorer's rendered
	// pages and whole responses; 0: the default (448 MiB).
	ExplorerCacheBytes int64
	// FairUse bounds the API and download requests of a client a minute;
	// zero fields: the defaults (FairUseDefaults).
	FairUse FairUse
}

// Server is the HTTP application.
type Server struct {
	store    Store
	log      *slog.Logger
	now      func() time.Time
	cfg      Config
	accounts *accounts.Service
	queue    *jobs.Queue
	mail     mail.Sender
	pages    map[string]*template.Template
	cat      *i18n.Catalog // the message catalogues (render.go)
	routes   []Route
	metrics  *metrics
	handler  http.Handler
	mux      *http.ServeMux
	areas    []Area
	encoded  encodedCache
	limiter  *rateLimiter
	secret   []byte // HMAC key of anonymous CSRF tokens and flash messages (hardening.go)
	uploads  *uploadSlots
}

// WithDefaults is cfg with every setting it leaves unset filled in: what
// New runs on, and what internal/app builds the services with.
func (cfg Config) WithDefaults() Config {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxUploads <= 0 {
		cfg.MaxUploads = max(4, 2*runtime.GOMAXPROCS(0))
	}
	if cfg.MaxUploadsPerUser <= 0 {
		cfg.MaxUploadsPerUser = 2
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://localhost"
	}
	if cfg.Mail == nil {
		cfg.Mail = mail.Outbox{Store: cfg.Store, Now: cfg.Now}
	}
	if cfg.Queue == nil {
		cfg.Queue = jobs.NewQueue(cfg.Store, jobs.Options{Logger: cfg.Logger, Now: cfg.Now})
	}
	if cfg.Accounts == nil {
		params := accounts.DefaultArgon2
		if cfg.Argon2 != nil {
			params = *cfg.Argon2
		}
		cfg.Accounts = &accounts.Service{Store: cfg.Store, Audit: cfg.Store, Scopes: cfg.Store, Mail: cfg.Mail,
			Hasher: accounts.NewHasher(params), Throttle: cfg.Store, Policy: cfg.Throttle, Now: cfg.Now, BaseURL: cfg.BaseURL}
	}
	return cfg
}

// New builds a server with its areas and its route table.
func New(cfg Config, areas ...Area) (*Server, error) {
	if cfg.Store == nil {
		return nil, citylens.Errorf(citylens.EINVALID, "web: a store is required")
	}
	cfg = cfg.WithDefaults()
	s := &Server{store: cfg.Store, log: cfg.Logger, now: cfg.Now, cfg: cfg, queue: cfg.Queue, mail: cfg.Mail, metrics: newMetrics(),
		accounts: cfg.Accounts, encoded: encodedCache{maxBytes: 64 << 20}, limiter: newRateLimiter(cfg.FairUse, cfg.Now),
		uploads: &uploadSlots{max: cfg.MaxUploads, maxUser: cfg.MaxUploadsPerUser, perUser: map[int64]int{}}}
	if err := s.loadSecret(); err != nil {
		return nil, err
	}
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	pages, err := parsePages(cat, areas)
	if err != nil {
		return nil, err
	}
	s.cat, s.pages, s.areas = cat, pages, areas
	mux := http.NewServeMux()
	s.mux = mux
	s.registerRoutes(mux)
	for _, a := range areas {
		a.Register(s)
	}
	s.handler = withRequestID(s.withCommonHeaders(http.NewCrossOriginProtection().Handler(mux)))
	return s, nil
}

// Handler is the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Queue is the job queue (cmd/citylens runs its workers).
func (s *Server) Queue() *jobs.Queue { return s.queue }

// Accounts is the account service (commands use it for `user add`).
func (s *Server) Accounts() *accounts.Service { return s.accounts }

// Routes is the route table, sorted by pattern: every route with its access rule.
func (s *Server) Routes() []Route {
	rs := append([]Route(nil), s.routes...)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Pattern < rs[j].Pattern })
	return rs
}
