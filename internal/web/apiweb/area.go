// Package apiweb is the platform's JSON API under /api/v1: the member
// directory (regions, offices, cities, a city's entry), the caller's
// account, the audit log and an entity's history, and background jobs.
// Its operations are in the OpenAPI document the core serves.
package apiweb

import (
	"context"

	"github.com/citylens/citylens/internal/auditlog"
	"github.com/citylens/citylens/internal/jobs"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// Store is what the platform API reads.
type Store interface {
	members.Store
	auditlog.Store
	Job(ctx context.Context, id int64) (jobs.Job, error)
}

// Area is the platform API. A city's entry changes through the members
// service.
type Area struct {
	store   Store
	members *members.Service
}

// New is the platform API on store and the members service.
func New(store Store, mem *members.Service) *Area { return &Area{store: store, members: mem} }

// Register adds the API's routes.
func (a *Area) Register(s *web.Server) {
	a.registerAPIRoutes(s)
}

// APIOperations describe the API's routes in the OpenAPI document.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/regions", ID: "listRegions", Tag: "members", Summary: "World regions", Status: 200, Fields: []string{"regions"}},
		{Method: "GET", Path: "/api/v1/offices", ID: "listOffices", Tag: "members", Summary: "Regional offices", Status: 200, Fields: []string{"offices"}},
		{Method: "GET", Path: "/api/v1/cities", ID: "listCities", Tag: "members", Summary: "Member cities", Query: []web.APIParam{
			{Name: "region", Type: "string", Description: "region code"}, {Name: "country", Type: "string", Description: "country code"},
			{Name: "status", Type: "string", Description: "member or candidate"}, {Name: "q", Type: "string", Description: "name search"}},
			Status: 200, Fields: []string{"cities"}},
		{Method: "GET", Path: "/api/v1/cities/{code}", ID: "getCity", Tag: "members", Summary: "A member city", Status: 200, Fields: []string{"code", "name", "country", "region", "latitude", "longitude", "population"}, Errors: []int{404}},
		{Method: "PUT", Path: "/api/v1/cities/{code}", ID: "putCity", Tag: "members", Summary: "Change a city's directory entry (admins; regional officers and focal points within their scope)", Body: "City", BodySchema: citySchema, Status: 200, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "GET", Path: "/api/v1/me", ID: "me", Tag: "accounts", Summary: "The caller's account", Status: 200, Auth: true, Errors: []int{401}},
		{Method: "GET", Path: "/api/v1/audit", ID: "listAudit", Tag: "accounts", Summary: "The audit log (admins)", Status: 200, Auth: true, Errors: []int{401, 403}},
		{Method: "GET", Path: "/api/v1/history/{entity_type}/{entity_id}", ID: "history", Tag: "accounts", Summary: "An entity's audit history", Status: 200, Auth: true, Errors: []int{401, 403}},
		{Method: "GET", Path: "/api/v1/jobs/{id}", ID: "getJob", Tag: "jobs", Summary: "A background job's state and progress (admins)", Status: 200, Auth: true, Errors: []int{401, 403, 404}},
	}
}

// citySchema is a PUT's city.
var citySchema = map[string]any{"type": "object", "description": "a member city (see GET /api/v1/cities/{code})"}
