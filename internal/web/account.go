package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/accounts"
)

func (s *Server) registerAccountRoutes(mux *http.ServeMux) {
	s.page(mux, "GET /login", AccessPublic, s.loginForm)
	s.page(mux, "POST /login", AccessPublic, s.login)
	s.page(mux, "POST /logout", AccessSignedIn, s.logout)
	s.page(mux, "GET /password/forgot", AccessPublic, s.forgotForm)
	s.page(mux, "POST /password/forgot", AccessPublic, s.forgot)
	s.page(mux, "GET /password/reset", AccessPublic, s.oneTimeForm(accounts.PurposeReset))
	s.page(mux, "POST /password/reset", AccessPublic, s.oneTimeSubmit(accounts.PurposeReset))
	s.page(mux, "GET /invitations/accept", AccessPublic, s.oneTimeForm(accounts.PurposeInvite))
	s.page(mux, "POST /invitations/accept", AccessPublic, s.oneTimeSubmit(accounts.PurposeInvite))
	s.page(mux, "GET /account/tokens", AccessSignedIn, s.tokensPage)
	s.page(mux, "POST /account/tokens", AccessSignedIn, s.createToken)
	s.page(mux, "POST /account/tokens/{id}/revoke", AccessSignedIn, s.revokeToken)
}

type loginData struct {
	Email, Next, Error string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "login.html", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	email, password := r.PostFormValue("email"), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	if strings.TrimSpace(email) == "" || password == "" {
		return s.renderStatus(w, r, http.StatusBadRequest, "login.html",
			loginData{Email: email, Next: next, Error: s.tr(r, "login.error.missing")})
	}
	u, err := s.accounts.Authenticate(r.Context(), email, password, remoteIP(r))
	if err != nil {
		status := statusOf(err)
		if status >= 500 {
			return err
		}
		if e := citylens.AsError(err); e != nil && e.RetryAfter > 0 {
			w.Header().Set("Retry-After", retryAfter(e.RetryAfter))
		}
		return s.renderStatus(w, r, status, "login.html", loginData{Email: email, Next: next, Error: s.messageOf(readerLang(r), err)})
	}
	// Rotate: end the session this browser had, then start a fresh one.
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.accounts.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	token, _, err := s.accounts.StartSession(r.Context(), u, remoteIP(r))
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, token)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.accounts.EndSession(r.Context(), c.Value); err != nil {
			return err
		}
	}
	s.clearCookie(w, r, sessionCookie)
	s.redirectFlash(w, r, "/", "flash.signed_out")
	return nil
}

func (s *Server) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, r, "forgot.html", map[string]any{"Sent": false})
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" {
		return worded(citylens.EINVALID, "error.forgot_email")
	}
	if err := s.accounts.RequestPasswordReset(r.Context(), email, remoteIP(r)); err != nil {
		return err
	}
	return s.render(w, r, "forgot.html", map[string]any{"Sent": true, "Email": email})
}

type oneTimeData struct {
	Purpose, Token, Email, Error string
}

func (s *Server) oneTimeForm(purpose string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token := r.URL.Query().Get("token")
		u, err := s.accounts.CheckOneTimeToken(r.Context(), token, purpose)
		if err != nil {
			return err
		}
		return s.render(w, r, "onetime.html", oneTimeData{Purpose: purpose, Token: token, Email: u.Email})
	}
}

func (s *Server) oneTimeSubmit(purpose string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, password := r.PostFormValue("token"), r.PostFormValue("password")
		if password != r.PostFormValue("password_again") {
			return s.renderStatus(w, r, http.StatusBadRequest, "onetime.html",
				oneTimeData{Purpose: purpose, Token: token, Error: s.tr(r, "onetime.error.differ")})
		}
		_, revoked, err := s.accounts.CompleteOneTimeTokenRevoking(r.Context(), token, purpose, password, r.PostFormValue("name"), remoteIP(r))
		if err != nil {
			if statusOf(err) == http.StatusBadRequest {
				return s.renderStatus(w, r, http.StatusBadRequest, "onetime.html",
					oneTimeData{Purpose: purpose, Token: token, Error: s.messageOf(readerLang(r), err)})
			}
			return err
		}
		if revoked > 0 {
			// Whoever knew the old password may have made them: say so.
			s.redirectFlash(w, r, "/login", "flash.password_set_tokens_revoked", revoked)
			return nil
		}
		s.redirectFlash(w, r, "/login", "flash.password_set")
		return nil
	}
}

type tokensData struct {
	Tokens   []accounts.APIToken
	NewToken string
	NewName  string
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.store.ListAPITokens(r.Context(), viewer(r).User.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, "tokens.html", tokensData{Tokens: ts})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	v := viewer(r)
	plain, t, err := s.accounts.CreateAPIToken(r.Context(), actor(r), v.User, r.PostFormValue("name"), r.PostFormValue("scope"))
	if err != nil {
		return err
	}
	ts, err := s.store.ListAPITokens(r.Context(), v.User.ID)
	if err != nil {
		return err
	}
	// The plain token is shown this once; only its hash is stored.
	return s.render(w, r, "tokens.html", tokensData{Tokens: ts, NewToken: plain, NewName: t.Name})
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return worded(citylens.EINVALID, "error.token_id", r.PathValue("id"))
	}
	if err := s.accounts.RevokeAPIToken(r.Context(), actor(r), viewer(r).User, id); err != nil {
		return err
	}
	s.redirectFlash(w, r, "/account/tokens", "flash.token_revoked")
	return nil
}
