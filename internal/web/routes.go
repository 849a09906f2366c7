package web

import "net/http"

// registerRoutes builds the route table. Every route goes through s.page
// (HTML) or s.api (JSON under /api/v1) with an Access rule; the
// authorisation matrix test fails for a route it has no expectation for.
//
// Extension point: feature modules register their routes from their own
// file through registerFeatureRoutes (features.go), e.g.
//
//	func (s *Server) registerDataCallRoutes(mux *http.ServeMux) {
//		s.page(mux, "GET /datacall/{edition}/{city}", AccessCityEditors, s.dataCallForm)
//		s.api(mux, "PUT /api/v1/datacall/{edition}/{city}/values", AccessCityEditors, s.apiPutValues)
//	}
func (s *Server) registerRoutes(mux *http.ServeMux) {
	s.registerPublicRoutes(mux)
	s.registerAccountRoutes(mux)
	s.api(mux, "GET /api/v1/openapi.json", AccessPublic, s.apiOpenAPI)
	s.registerFeatureRoutes(mux)
}
