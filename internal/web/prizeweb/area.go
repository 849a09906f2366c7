// Package prizeweb is the Seoul Smart City Prize's part of the web layer:
// the public call and past editions, applicants' sign-up, profile and
// applications (form with autosave, attachments, endorsement requests,
// submission, receipt, withdrawal), focal points' and officials'
// endorsements, and the secretariat's board, settings and screening, with
// the JSON API beside them. Handlers call the prize service
// (internal/prize) and nothing else writes.
package prizeweb

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/judging"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/prize"
	"github.com/citylens/citylens/internal/web"
)

// Store is what the prize's pages read besides the service: member cities
// (the city pickers, a linked city's development stage).
type Store interface {
	City(ctx context.Context, code string) (members.City, error)
	ListCities(ctx context.Context, f members.CityFilter) ([]members.City, error)
}

// Area is the prize's web area.
type Area struct {
	store   Store
	svc     *prize.Service
	s       *web.Server
	winners WinnersFunc
}

// WinnersFunc lists an announced edition's awards for the past editions
// page; ok is false before the announcement (judging.Service's
// AnnouncedWinners).
type WinnersFunc func(ctx context.Context, edition string) (ws []judging.Winner, ok bool, err error)

// WithWinners has the past editions page list each announced edition's
// winners.
func (a *Area) WithWinners(f WinnersFunc) *Area { a.winners = f; return a }

var (
	_ web.AreaTemplates = (*Area)(nil)
	_ web.AreaNav       = (*Area)(nil)
	_ web.AreaAPI       = (*Area)(nil)
	_ web.AreaFuncs     = (*Area)(nil)
)

// New is the prize's area.
func New(store Store, svc *prize.Service) *Area { return &Area{store: store, svc: svc} }

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed assets
var assetFiles embed.FS

// Access rules of the prize's routes.
var (
	// AccessApplicants: prize applicants and city focal points (for
	// their city's government) apply; admins read every application.
	AccessApplicants = web.Access{Name: "prize-applicants", Roles: []accounts.Role{accounts.RoleApplicant, accounts.RoleFocal, accounts.RoleAdmin}, Scoped: true}
	// AccessApplicationReaders: an application's applicant, the
	// secretariat and the focal point asked to endorse it (the handler
	// checks which).
	AccessApplicationReaders = web.Access{Name: "prize-readers", Roles: []accounts.Role{accounts.RoleApplicant, accounts.RoleFocal, accounts.RoleAdmin}, Scoped: true}
	AccessFocal              = web.Access{Name: "focal-points", Roles: []accounts.Role{accounts.RoleFocal}, Scoped: true}
)

// Register adds the prize's routes.
func (a *Area) Register(s *web.Server) {
	a.s = s
	s.Page("GET /prize", web.AccessPublic, a.callPage)
	s.Page("GET /prize/editions", web.AccessPublic, a.editionsPage)
	s.Page("GET /prize/assets/{file}", web.AccessPublic, a.asset)
	s.Page("GET /prize/register", web.AccessPublic, a.registerPage)
	s.Page("POST /prize/register", web.AccessPublic, a.register)
	s.Page("GET /prize/endorse", web.AccessPublic, a.endorseTokenPage)
	s.Page("POST /prize/endorse", web.AccessPublic, a.endorseToken)

	s.Page("GET /prize/my", AccessApplicants, a.myPage)
	s.Page("POST /prize/profile", AccessApplicants, a.saveProfile)
	s.Page("POST /prize/editions/{edition}/applications", AccessApplicants, a.createApplication)
	s.Page("GET /prize/applications/{id}", AccessApplicationReaders, a.applicationPage)
	s.Page("POST /prize/applications/{id}", AccessApplicants, a.saveApplication)
	s.Page("POST /prize/applications/{id}/autosave", AccessApplicants, a.autosave)
	s.Page("POST /prize/applications/{id}/submit", AccessApplicants, a.submit)
	s.Page("POST /prize/applications/{id}/withdraw", AccessApplicants, a.withdraw)
	s.Page("GET /prize/applications/{id}/receipt", AccessApplicants, a.receipt)
	s.Page("POST /prize/applications/{id}/files", AccessApplicants, a.upload, web.WithMaxBody(prize.MaxAttachmentBytes+1<<20), web.StreamsUpload())
	s.Page("POST /prize/files/{file}/delete", AccessApplicants, a.deleteFile)
	s.Page("GET /prize/files/{file}", AccessApplicationReaders, a.download)
	s.Page("POST /prize/applications/{id}/endorsement", AccessApplicants, a.requestEndorsement)
	s.Page("GET /prize/endorsements", AccessFocal, a.endorsementsPage)
	s.Page("POST /prize/endorsements/{id}", AccessFocal, a.endorse)

	s.Page("GET /admin/prize", web.AccessAdmin, a.adminEditions)
	s.Page("POST /admin/prize", web.AccessAdmin, a.adminCreateEdition)
	s.Page("GET /admin/prize/{edition}", web.AccessAdmin, a.adminBoard)
	s.Page("GET /admin/prize/{edition}/export.csv", web.AccessAdmin, a.exportCSV)
	s.Page("GET /admin/prize/{edition}/export.xlsx", web.AccessAdmin, a.exportXLSX)
	s.Page("GET /admin/prize/{edition}/settings", web.AccessAdmin, a.adminSettings)
	s.Page("POST /admin/prize/{edition}/settings", web.AccessAdmin, a.adminSaveSettings)
	s.Page("POST /admin/prize/{edition}/eligibility", web.AccessAdmin, a.adminSaveEligibility)
	s.Page("POST /admin/prize/{edition}/form", web.AccessAdmin, a.adminSaveForm)
	s.Page("GET /admin/prize/{edition}/form-editor", web.AccessAdmin, a.adminFormEditor)
	s.Page("POST /admin/prize/{edition}/form-editor", web.AccessAdmin, a.adminSaveFormEditor)
	s.Page("POST /prize/applications/{id}/screen", web.AccessAdmin, a.screen)
	a.registerAPI(s)
}

// Templates are the prize's pages (prize_*.html).
func (a *Area) Templates() fs.FS { return templateFiles }

// Nav links the call for everyone, and each role's own prize page.
func (a *Area) Nav(v web.Viewer) []web.NavLink {
	links := []web.NavLink{{Href: "/prize", Label: "nav.prize"}}
	switch v.User.Role {
	case accounts.RoleApplicant:
		links = append(links, web.NavLink{Href: "/prize/my", Label: "nav.prize_my"})
	case accounts.RoleFocal:
		links = append(links, web.NavLink{Href: "/prize/my", Label: "nav.prize_my"}, web.NavLink{Href: "/prize/endorsements", Label: "nav.prize_endorsements"})
	case accounts.RoleAdmin:
		links = append(links, web.NavLink{Href: "/admin/prize", Label: "nav.prize_admin"})
	}
	return links
}

// TemplateFuncs are the prize pages' helpers: a text in the page's
// language (English or Korean field of a record), a time in an edition's
// time zone worded in the page's language.
func (a *Area) TemplateFuncs() template.FuncMap {
	return template.FuncMap{
		"tx": func(lang, en, ko string) string {
			if lang == string(i18n.Korean) && ko != "" {
				return ko
			}
			return en
		},
		"when":    when,
		"day":     day,
		"has":     func(vals []string, v string) bool { return contains(vals, v) },
		"idx":     func(vals []string, i int) string { return at(vals, i) },
		"mib":     func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) },
		"joinStr": strings.Join,
		"list":    func(s ...string) []string { return s },
		"sorted":  prize.Sorted,
		// knownCountry reports whether a country field's value is a
		// country (else the picker shows it as typed, to be corrected).
		"knownCountry": prize.KnownCountry,
		"ferr": func(fe *formErrors, field string) string {
			if fe == nil {
				return ""
			}
			return fe.Fields[field]
		},
		// fieldLabel is a form field's label in the page's language
		// (the key itself for a field the form does not have).
		"fieldLabel": func(f *prize.Form, key, lang string) string {
			if fd, ok := f.Field(key); ok {
				if lang == string(i18n.Korean) {
					return fd.LabelKO
				}
				return fd.Label
			}
			return key
		},
		// optLabel is an answer as the record shows it: a choice by its
		// option's label.
		"optLabel": func(fd prize.Field, v, lang string) string {
			for _, o := range fd.Options {
				if o.Value == v {
					if lang == string(i18n.Korean) {
						return o.LabelKO
					}
					return o.Label
				}
			}
			return v
		},
	}
}

// when is t in the time zone tz, in the page's language, with the zone
// named: "30 June 2026, 18:00 (Asia/Seoul)" or "2026년 6월 30일 18:00 (Asia/Seoul)".
func when(lang string, t time.Time, tz string) string {
	if t.IsZero() {
		return "—"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc, tz = time.UTC, "UTC"
	}
	t = t.In(loc)
	if lang == string(i18n.Korean) {
		return fmt.Sprintf("%d년 %d월 %d일 %02d:%02d (%s)", t.Year(), int(t.Month()), t.Day(), t.Hour(), t.Minute(), tz)
	}
	return t.Format("2 January 2006, 15:04") + " (" + tz + ")"
}

// day is t's date in the zone tz, in the page's language.
func day(lang string, t time.Time, tz string) string {
	if t.IsZero() {
		return "—"
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		loc = time.UTC
	}
	t = t.In(loc)
	if lang == string(i18n.Korean) {
		return fmt.Sprintf("%d년 %d월 %d일", t.Year(), int(t.Month()), t.Day())
	}
	return t.Format("2 January 2006")
}

func contains(vals []string, v string) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}

func at(vals []string, i int) string {
	if i < len(vals) {
		return vals[i]
	}
	return ""
}

// who is the viewer as the prize's rules see them.
func who(r *http.Request) prize.Who {
	v := web.ViewerOf(r)
	act := web.ActorOf(r)
	return prize.Who{UserID: v.User.ID, Email: v.User.Email, Role: v.User.Role, City: v.User.CityCode, RemoteAddr: act.RemoteAddr}
}

// asset serves the prize's script and style (the pages' content security
// policy takes scripts from the site only).
func (a *Area) asset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	b, err := assetFiles.ReadFile("assets/" + name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return nil
	}
	switch {
	case strings.HasSuffix(name, ".js"):
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	case strings.HasSuffix(name, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, err = w.Write(b)
	return err
}
