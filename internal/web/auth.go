package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
	"github.com/citylens/citylens/internal/auditlog"
)

const (
	sessionCookie  = "citylens_session"
	anonCSRFCookie = "citylens_csrf"
)

// Viewer is who is making a request: a user (through a session or an API
// token) or nobody.
type Viewer struct {
	User    accounts.User
	Session *accounts.Session
	Token   *accounts.APIToken
}

// SignedIn reports whether the viewer is a user.
func (v Viewer) SignedIn() bool { return v.User.ID != 0 }

// IsAdmin reports whether the viewer is a secretariat admin.
func (v Viewer) IsAdmin() bool { return v.SignedIn() && v.User.Role == accounts.RoleAdmin }

type viewerKey struct{}

// viewer returns the request's viewer.
func viewer(r *http.Request) Viewer {
	v, _ := r.Context().Value(viewerKey{}).(Viewer)
	return v
}

// actor is the viewer as the audit log records it.
func actor(r *http.Request) auditlog.Actor {
	v := viewer(r)
	return auditlog.Actor{UserID: v.User.ID, Email: v.User.Email, RemoteAddr: remoteIP(r)}
}

// remoteIP is the client address (the direct peer: a proxy in front must be
// trusted to set it, which CityLens does not assume).
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// authenticate finds the viewer: API routes read a bearer token (and never
// cookies, so they need no CSRF token); pages read the session cookie. A
// stale cookie is cleared and the request continues anonymously.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, rt Route) (Viewer, error) {
	ctx := r.Context()
	if rt.API {
		h := r.Header.Get("Authorization")
		if h == "" {
			return Viewer{}, nil
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return Viewer{}, citylens.Errorf(citylens.EUNAUTHORIZED, "Authorization must be \"Bearer <API token>\"")
		}
		u, t, err := s.accounts.AuthenticateAPIToken(ctx, strings.TrimSpace(token))
		if err != nil {
			return Viewer{}, err
		}
		return Viewer{User: u, Token: &t}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return Viewer{}, nil
	}
	u, sess, err := s.accounts.SessionUser(ctx, c.Value)
	switch citylens.ErrorCode(err) {
	case "":
		return Viewer{User: u, Session: &sess}, nil
	case citylens.ENOTFOUND, citylens.EUNAUTHORIZED:
		s.clearCookie(w, r, sessionCookie)
		return Viewer{}, nil
	}
	return Viewer{}, err
}

func (s *Server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookies }

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: int(accounts.SessionLifetime.Seconds())})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// csrfToken is the token a page's forms carry: the session's, or for an
// anonymous visitor the anonymous CSRF cookie's (set here if missing).
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	v := viewer(r)
	if v.Session != nil {
		return v.Session.CSRFToken
	}
	if c, err := r.Cookie(anonCSRFCookie); err == nil && s.validAnonCSRF(c.Value) {
		return c.Value
	}
	t := s.newAnonCSRF()
	http.SetCookie(w, &http.Cookie{Name: anonCSRFCookie, Value: t, Path: "/", HttpOnly: true, Secure: s.secure(r),
		SameSite: http.SameSiteLaxMode})
	return t
}

// canEditCity reports whether the viewer may change a city: admins any,
// regional officers their region's, focal points their own.
func canEditCity(v Viewer, cityCode, cityRegion string) bool {
	switch v.User.Role {
	case accounts.RoleAdmin:
		return true
	case accounts.RoleRegional:
		return v.User.RegionCode == cityRegion
	case accounts.RoleFocal:
		return v.User.CityCode == cityCode
	}
	return false
}

func itoa[T ~int | ~int64](n T) string { return strconv.FormatInt(int64(n), 10) }
