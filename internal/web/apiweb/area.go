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
	page := web.PageParams(directoryPage)
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/regions", ID: "listRegions", Tag: "members", Summary: "World regions", Description: "The network's world regions, by code.", Query: page, Status: 200, Response: RegionsResponse{}},
		{Method: "GET", Path: "/api/v1/offices", ID: "listOffices", Tag: "members", Summary: "Regional offices", Description: "The network's regional offices, each serving one region.", Query: page, Status: 200, Response: OfficesResponse{}},
		{Method: "GET", Path: "/api/v1/cities", ID: "listCities", Tag: "members", Summary: "Member cities", Description: "The directory's cities, ordered by code, filtered by region, country, status and a name search, a page at a time.", Query: append([]web.APIParam{
			{Name: "region", Type: "string", Description: "only cities of this world region", Enum: regionCodes}, {Name: "country", Type: "string", Description: "only cities of this country (ISO 3166-1 code, upper case)"},
			{Name: "status", Type: "string", Description: "only cities of this membership status", Enum: statuses}, {Name: "q", Type: "string", Description: "a part of the city's name or local name"}}, page...),
			Status: 200, Response: CitiesResponse{}},
		{Method: "GET", Path: "/api/v1/cities/{code}", ID: "getCity", Tag: "members", PathParams: cityPathParams, Summary: "A member city", Description: "A city's directory entry.", Status: 200, Response: members.City{}, Errors: []int{404}},
		{Method: "PUT", Path: "/api/v1/cities/{code}", ID: "putCity", Tag: "members", PathParams: cityPathParams, Summary: "Change a city's directory entry",
			Description: "Replaces a city's editable fields. Admins change every field; regional officers (their region's cities) and focal points (their own city) change name, local name, coordinates and population only (the others are kept). The answer is the entry as saved. Needs a write token.",
			Request:     members.City{}, Status: 200, Response: members.City{}, Auth: true, Errors: []int{401, 403, 404, 415}},
		{Method: "GET", Path: "/api/v1/me", ID: "me", Tag: "accounts", Summary: "The caller's account", Description: "The account of the token's owner and the token's scope.", Status: 200, Response: MeResponse{}, Auth: true, Errors: []int{401}},
		{Method: "GET", Path: "/api/v1/audit", ID: "listAudit", Tag: "accounts", Summary: "The audit log (admins)", Description: "Every recorded change, newest first, filtered by actor, action, entity and dates.", Query: append([]web.APIParam{
			{Name: "actor", Type: "string", Description: "the actor's e-mail"}, {Name: "action", Type: "string", Description: "an action, e.g. city.update"},
			{Name: "entity_type", Type: "string", Description: "an entity type, e.g. city"}, {Name: "entity_id", Type: "string", Description: "an entity's id or code"},
			{Name: "since", Type: "string", Description: "from this day (YYYY-MM-DD)"}, {Name: "until", Type: "string", Description: "to this day, inclusive (YYYY-MM-DD)"}}, web.PageParams(auditPage)...),
			Status: 200, Response: AuditResponse{}, Auth: true, Errors: []int{401, 403}},
		{Method: "GET", Path: "/api/v1/history/{entity_type}/{entity_id}", ID: "history", Tag: "accounts", Summary: "An entity's audit history", Description: "The changes of one entity, newest first (the latest 1,000). Admins read any entity; regional officers and focal points the cities they may edit.",
			PathParams: map[string]string{"entity_type": "an entity type, e.g. city", "entity_id": "the entity's id or code, e.g. kr-seoul"}, Query: web.PageParams(auditPage),
			Status: 200, Response: HistoryResponse{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "GET", Path: "/api/v1/jobs/{id}", ID: "getJob", Tag: "jobs", Summary: "A background job (admins)", Description: "A background job's state, progress and error.", PathParams: map[string]string{"id": "the job's id"}, Status: 200, Response: jobs.Job{}, Auth: true, Errors: []int{401, 403, 404}},
	}
}

var (
	regionCodes    = web.Enum("AF", "AS", "EU", "LA", "NA", "OC")
	statuses       = web.Enum(members.Statuses...)
	cityPathParams = map[string]string{"code": "a member city's code, e.g. kr-seoul"}
)

// APISchemaDocs document the platform API's types.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	return web.SchemaDocs{
		"members.Region":                     {Description: "A world region of the network."},
		"members.Region.code":                {Description: "the region's code", Enum: regionCodes},
		"members.Region.name":                {Description: "the region's name"},
		"members.Office":                     {Description: "A regional office of the network, serving one region."},
		"members.Office.code":                {Description: "the office's code"},
		"members.Office.name":                {Description: "the office's name"},
		"members.Office.region":              {Description: "the region it serves", Enum: regionCodes},
		"members.Office.host_city":           {Description: "the code of the city that hosts it"},
		"members.City":                       {Description: "A city of the network's directory."},
		"members.City.code":                  {Description: "stable, URL-safe code: country, then name, e.g. kr-seoul"},
		"members.City.name":                  {Description: "name in English"},
		"members.City.local_name":            {Description: "name in the city's language (empty if none given)"},
		"members.City.country":               {Description: "ISO 3166-1 alpha-2 or alpha-3 code, upper case"},
		"members.City.region":                {Description: "world region", Enum: regionCodes},
		"members.City.office":                {Description: "code of the regional office serving the city; empty when none"},
		"members.City.latitude":              {Description: "degrees north (WGS 84)", Minimum: web.Min(-90), Maximum: web.Min(90)},
		"members.City.longitude":             {Description: "degrees east (WGS 84)", Minimum: web.Min(-180), Maximum: web.Min(180)},
		"members.City.population":            {Description: "inhabitants (0: unknown)", Minimum: web.Min(0)},
		"members.City.status":                {Description: "membership status", Enum: statuses},
		"members.City.member_since":          {Description: "date the city joined (YYYY-MM-DD), empty if unknown"},
		"members.City.names":                 {Description: "the city's names in the platform's languages beside its official name"},
		"members.CityNames":                  {Description: "A city's names per language (absent: the official name)."},
		"members.CityNames.en":               {Description: "a common English name where the official one is local (Cairo for Al-Qahirah)"},
		"members.CityNames.ko":               {Description: "its Korean name"},
		"apiweb.RegionsResponse":             {Description: "A page of the world regions."},
		"apiweb.RegionsResponse.regions":     {Description: "the regions of this page, by code"},
		"apiweb.OfficesResponse":             {Description: "A page of the regional offices."},
		"apiweb.OfficesResponse.offices":     {Description: "the offices of this page"},
		"apiweb.CitiesResponse":              {Description: "A page of the directory's cities."},
		"apiweb.CitiesResponse.cities":       {Description: "the cities of this page, by code"},
		"apiweb.CitiesResponse.total":        {Description: "cities matching the filters, on every page", Minimum: web.Min(0)},
		"apiweb.MeResponse":                  {Description: "The caller's account."},
		"apiweb.MeResponse.user":             {Description: "the token's owner"},
		"apiweb.MeResponse.token_scope":      {Description: "the token's scope", Enum: web.Enum("read", "write")},
		"apiweb.AuditResponse":               {Description: "A page of the audit log, newest first."},
		"apiweb.AuditResponse.entries":       {Description: "the entries of this page"},
		"apiweb.HistoryResponse":             {Description: "A page of an entity's history, newest first."},
		"apiweb.HistoryResponse.entity_type": {Description: "the entity's type"},
		"apiweb.HistoryResponse.entity_id":   {Description: "the entity's id or code"},
		"apiweb.HistoryResponse.entries":     {Description: "the changes of this page"},
		"accounts.User":                      {Description: "An account of the platform."},
		"accounts.User.id":                   {Description: "the account's id"},
		"accounts.User.email":                {Description: "e-mail address, lower case", Format: "email"},
		"accounts.User.name":                 {Description: "the person's name"},
		"accounts.User.role":                 {Description: "role", Enum: web.Enum("admin", "regional_officer", "focal_point", "judge", "partner")},
		"accounts.User.region":               {Description: "a regional officer's region"},
		"accounts.User.city":                 {Description: "a focal point's city code"},
		"accounts.User.status":               {Description: "account status (active, disabled)"},
		"accounts.User.created_at":           {Description: "when the account was made"},
		"auditlog.Entry":                     {Description: "One recorded change."},
		"auditlog.Entry.id":                  {Description: "the entry's id; larger is newer"},
		"auditlog.Entry.at":                  {Description: "when the change was made"},
		"auditlog.Entry.actor_id":            {Description: "the account that made it (0: the system)"},
		"auditlog.Entry.actor_email":         {Description: "that account's e-mail"},
		"auditlog.Entry.action":              {Description: "what was done, e.g. city.update, user.role"},
		"auditlog.Entry.entity_type":         {Description: "the changed entity's type, e.g. city"},
		"auditlog.Entry.entity_id":           {Description: "the changed entity's id or code"},
		"auditlog.Entry.before":              {Description: "the entity before the change (null when created)"},
		"auditlog.Entry.after":               {Description: "the entity after the change (null when deleted)"},
		"auditlog.Entry.remote_addr":         {Description: "the address the request came from"},
		"jobs.Job":                           {Description: "A background job."},
		"jobs.Job.id":                        {Description: "the job's id"},
		"jobs.Job.kind":                      {Description: "what the job does, e.g. datacall.compute"},
		"jobs.Job.payload":                   {Description: "the job's input, as its kind defines it"},
		"jobs.Job.state":                     {Description: "where the job is", Enum: web.Enum("queued", "running", "done", "failed", "canceled")},
		"jobs.Job.progress":                  {Description: "share done, 0 to 1", Minimum: web.Min(0), Maximum: web.Min(1)},
		"jobs.Job.message":                   {Description: "the step under way, in English"},
		"jobs.Job.error":                     {Description: "why it failed, in English"},
		"jobs.Job.attempts":                  {Description: "runs so far", Minimum: web.Min(0)},
		"jobs.Job.max_attempts":              {Description: "runs allowed before it fails for good", Minimum: web.Min(1)},
		"jobs.Job.lease_owner":               {Description: "the replica running it"},
		"jobs.Job.lease_expires_at":          {Description: "when another replica may take it over"},
		"jobs.Job.cancel_requested":          {Description: "a cancellation was asked for"},
		"jobs.Job.created_at":                {Description: "when it was queued"},
		"jobs.Job.started_at":                {Description: "when it last started (zero time: not yet)"},
		"jobs.Job.finished_at":               {Description: "when it finished (zero time: not yet)"},
	}
}
