package web

import "net/http"

// registerRoutes builds the core's part of the route table (public
// endpoints, sign-in and account pages, the OpenAPI document). Every route
// goes through s.page (HTML) or s.api (JSON under /api/v1) with an Access
// rule; the areas add theirs through Server.Page and Server.API (area.go);
// the authorisation matrix test fails for a route it has no expectation for.
func (s *Server) registerRoutes(mux *http.ServeMux) {
	s.registerPublicRoutes(mux)
	s.registerAccountRoutes(mux)
	s.api(mux, "GET /api/v1/openapi.json", AccessPublic, s.apiOpenAPI)
	// Not a route: what answers an API path no route matches.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		mux.Handle(m+" /api/", http.HandlerFunc(s.apiNotFound))
	}
}
