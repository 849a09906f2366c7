package web

import (
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// The OpenAPI 3.1 document of /api/v1, built from the operations of the
// core and of every area (AreaAPI): Server.APIOperations. Response and
// request schemas are made from the Go types the handlers write and read
// (apischema.go), documented by the areas' SchemaDocs. Tests check it
// against the route table and validate the real handlers' answers against
// it with a JSON Schema 2020-12 validator.

// APIOperation describes one API route.
type APIOperation struct {
	Method, Path string // Path in OpenAPI form: /api/v1/releases/{hash}
	ID, Tag      string
	Summary      string
	// Description says more than the summary: rules, limits, caching.
	Description string
	Query       []APIParam
	// Request is a value of the Go type the handler reads from the body
	// (nil: no body); Body and BodySchema instead name and give a
	// hand-written schema (a body the Go type cannot say, e.g. numbers or
	// strings).
	Request    any
	Body       string
	BodySchema map[string]any
	// PathParams describe path parameters whose name does not say enough.
	PathParams map[string]string
	// Status is the success status; Response a value of the Go type of its
	// body.
	Status   int
	Response any
	// Auth: needs a signed-in caller (bearer token); Public operations need none.
	Auth bool
	// Errors are the documented error statuses besides those every
	// operation may answer (400, 429, 500).
	Errors []int
	// Immutable: under a release's hash the answer never changes (cached
	// for good); under "latest" it is revalidated.
	Immutable bool
}

// APIParam is a query parameter.
type APIParam struct {
	Name, Type, Description string
	Array                   bool
	Minimum, Maximum        *float64
	Default                 any
	Enum                    []any
}

// apiTags describe the document's tags, in order.
var apiTags = []struct{ Name, Description string }{
	{"releases", "Published releases of the Smart Cities Index: rankings with uncertainty bands, city profiles, what-if, comparisons, indicators, methodology and downloads. A release never changes: under its hash every answer is cached for good."},
	{"members", "The network's member directory: world regions, regional offices and member cities."},
	{"datacall", "A city's values in an edition's data call, read and pushed by its statistics office with the form's checks, audit and workflow."},
	{"accounts", "The caller's account, the audit log and an entity's history."},
	{"jobs", "Background jobs (index computations, uncertainty analyses, imports)."},
	{"meta", "This document."},
}

// OpenAPIResponse is the type of the document (any JSON object).
type OpenAPIResponse map[string]any

// coreAPIOperations are the API operations the core serves itself.
var coreAPIOperations = []APIOperation{
	{Method: "GET", Path: "/api/v1/openapi.json", ID: "openapi", Tag: "meta", Summary: "This document",
		Description: "The OpenAPI 3.1 description of every /api/v1 operation, generated from the same table the server routes by.",
		Status:      200, Response: OpenAPIResponse{}},
}

// APIOperations lists every /api/v1 operation: the core's and each area's.
func (s *Server) APIOperations() []APIOperation {
	ops := append([]APIOperation(nil), coreAPIOperations...)
	for _, a := range s.areas {
		if aa, ok := a.(AreaAPI); ok {
			ops = append(ops, aa.APIOperations()...)
		}
	}
	return ops
}

// APISchemaDocs merges the areas' schema documentation.
func (s *Server) APISchemaDocs() SchemaDocs {
	docs := SchemaDocs{}
	for k, v := range coreSchemaDocs {
		docs[k] = v
	}
	for _, a := range s.areas {
		if ad, ok := a.(AreaSchemaDocs); ok {
			for k, v := range ad.APISchemaDocs() {
				docs[k] = v
			}
		}
	}
	return docs
}

// OpenAPI is the server's OpenAPI document.
func (s *Server) OpenAPI() map[string]any {
	doc := OpenAPIDocument(s.APIOperations(), s.APISchemaDocs())
	doc["info"].(map[string]any)["contact"].(map[string]any)["url"] = strings.TrimRight(s.cfg.BaseURL, "/") + "/"
	return doc
}

// OpenAPIDocument builds the OpenAPI 3.1 document of ops
// (Server.APIOperations) with docs describing their types' properties.
func OpenAPIDocument(ops []APIOperation, docs SchemaDocs) map[string]any {
	b := newSchemaBuilder(docs)
	paths := map[string]any{}
	schemas := b.defs
	b.ref(reflect.TypeFor[ProblemDocument]())
	for _, op := range ops {
		item, _ := paths[op.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[op.Path] = item
		}
		var params []any
		for _, name := range pathParams(op.Path) {
			desc := name
			if d, ok := op.PathParams[name]; ok {
				desc = d
			}
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "description": desc, "schema": map[string]any{"type": "string"}})
		}
		for _, p := range op.Query {
			schema := map[string]any{"type": p.Type}
			if p.Minimum != nil {
				schema["minimum"] = *p.Minimum
			}
			if p.Maximum != nil {
				schema["maximum"] = *p.Maximum
			}
			if p.Default != nil {
				schema["default"] = p.Default
			}
			if p.Enum != nil {
				schema["enum"] = p.Enum
			}
			if p.Array {
				schema = map[string]any{"type": "array", "items": schema}
			}
			params = append(params, map[string]any{"name": p.Name, "in": "query", "required": false, "description": p.Description, "schema": schema})
		}
		var ok map[string]any
		switch resp := op.Response.(type) {
		case nil:
			ok = map[string]any{"type": "object"}
		case OpenAPIResponse:
			ok = map[string]any{"type": "object", "description": "an OpenAPI 3.1 document"}
		default:
			ok = b.ref(reflect.TypeOf(resp))
		}
		success := map[string]any{"description": strings.ToLower(op.Summary[:1]) + op.Summary[1:],
			"content": map[string]any{"application/json": map[string]any{"schema": ok}}}
		if op.Method == http.MethodGet {
			success["headers"] = map[string]any{
				"ETag":          map[string]any{"$ref": "#/components/headers/ETag"},
				"Cache-Control": map[string]any{"$ref": "#/components/headers/Cache-Control"},
			}
		}
		if !op.Auth {
			h, _ := success["headers"].(map[string]any)
			if h == nil {
				h = map[string]any{}
				success["headers"] = h
			}
			h["RateLimit"] = map[string]any{"$ref": "#/components/headers/RateLimit"}
			h["RateLimit-Policy"] = map[string]any{"$ref": "#/components/headers/RateLimit-Policy"}
		}
		responses := map[string]any{
			strconv.Itoa(op.Status): success,
			"400":                   map[string]any{"$ref": "#/components/responses/Problem"},
			"429":                   map[string]any{"$ref": "#/components/responses/TooManyRequests"},
			"500":                   map[string]any{"$ref": "#/components/responses/Problem"},
		}
		if op.Method == http.MethodGet {
			responses["304"] = map[string]any{"$ref": "#/components/responses/NotModified"}
		}
		for _, st := range op.Errors {
			responses[strconv.Itoa(st)] = map[string]any{"$ref": "#/components/responses/Problem"}
		}
		desc := op.Description
		if desc == "" {
			desc = op.Summary + "."
		}
		if op.Immutable {
			desc += " Under a release's hash the answer never changes: it is sent with a strong ETag and `Cache-Control: public, max-age=31536000, immutable`; under `latest` it may be cached for a minute and is then revalidated (If-None-Match answers 304)."
		}
		o := map[string]any{"operationId": op.ID, "tags": []string{op.Tag}, "summary": op.Summary, "description": desc, "responses": responses}
		if len(params) > 0 {
			o["parameters"] = params
		}
		switch {
		case op.Request != nil:
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": b.ref(reflect.TypeOf(op.Request))}}}
		case op.Body != "":
			if _, seen := schemas[op.Body]; !seen && op.BodySchema != nil {
				schemas[op.Body] = op.BodySchema
			}
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + op.Body}}}}
		}
		if op.Auth {
			o["security"] = []any{map[string]any{"bearer": []string{}}}
		} else {
			o["security"] = []any{map[string]any{}, map[string]any{"bearer": []string{}}}
		}
		item[strings.ToLower(op.Method)] = o
	}
	tags := []any{}
	for _, t := range apiTags {
		tags = append(tags, map[string]any{"name": t.Name, "description": t.Description})
	}
	problem := map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/ProblemDocument"}}}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "CityLens API", "version": "1",
			"description": apiDescription,
			"contact":     map[string]any{"name": "The network's secretariat (CityLens)", "url": "http://localhost/"},
			// The published data's licence; a release names its own in its data package.
			"license": map[string]any{"name": "Creative Commons Attribution 4.0 (published data; each release names its own in its data package)", "identifier": "CC-BY-4.0"},
		},
		"servers": []any{map[string]any{"url": "/", "description": "this server"}},
		"tags":    tags,
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer",
				"description": "An API token made at /account/tokens: read scope for GET, write scope otherwise. A token also raises the fair-use limit."}},
			"headers": apiHeaders,
			"responses": map[string]any{
				"Problem": map[string]any{"description": "an error, as an RFC 9457 problem document", "content": problem},
				"TooManyRequests": map[string]any{"description": "over the fair-use limit: wait Retry-After seconds", "content": problem,
					"headers": map[string]any{"Retry-After": map[string]any{"$ref": "#/components/headers/Retry-After"},
						"RateLimit": map[string]any{"$ref": "#/components/headers/RateLimit"}, "RateLimit-Policy": map[string]any{"$ref": "#/components/headers/RateLimit-Policy"}}},
				"NotModified": map[string]any{"description": "not modified: the ETag given in If-None-Match is still current"},
			},
			"schemas": schemas,
		},
	}
}

const apiDescription = "The API of CityLens, the platform of a network of smart cities: published releases of the Smart Cities Index (rankings with 5–95 % uncertainty bands, city profiles, what-if, compare, indicators, methodology, downloads), the member directory and the data call (a city's values, pushed from its own systems).\n\n" +
	"**Access.** Reads of public data need no token; other calls need `Authorization: Bearer <API token>`.\n\n" +
	"**Errors** are RFC 9457 problem documents (`application/problem+json`): `type`, `title`, `status`, `detail`, with `code` (invalid, not_found, conflict, unauthorized, forbidden, too_large, unsupported_media_type, rate_limited, internal) and `problems` (each row, entry or field at fault).\n\n" +
	"**Pagination.** Lists take `limit` and `cursor`; a page names the next page's cursor in `next_cursor` (null on the last page) and in a `Link: <…>; rel=\"next\"` header.\n\n" +
	"**Caching.** Every GET answer has a strong ETag; `If-None-Match` answers 304. Answers under a release's hash are `public, max-age=31536000, immutable`; under `latest` and the directory `public, max-age=60, must-revalidate`; with a token `private, no-cache`. Answers are compressed (br, gzip) when asked.\n\n" +
	"**Fair use.** Clients without a token may make " + "120" + " requests a minute per address; a token raises this to 1,200 a minute. Every answer carries `RateLimit` and `RateLimit-Policy` headers (IETF draft); over the limit the answer is 429 with `Retry-After`."

// apiHeaders are the response headers the document names.
var apiHeaders = map[string]any{
	"ETag":          map[string]any{"description": "a strong validator of the body; send it back in If-None-Match", "schema": map[string]any{"type": "string"}},
	"Cache-Control": map[string]any{"description": "`public, max-age=31536000, immutable` under a release's hash; `public, max-age=60, must-revalidate` under `latest` and for the directory; `private, no-cache` for a caller with a token", "schema": map[string]any{"type": "string"}},
	"RateLimit":     map[string]any{"description": "the caller's remaining quota: `\"default\";r=<requests left>;t=<seconds until the window resets>`", "schema": map[string]any{"type": "string"}},
	"RateLimit-Policy": map[string]any{"description": "the fair-use policy: `\"default\";q=<requests>;w=60` (per address without a token, per token with one)",
		"schema": map[string]any{"type": "string"}},
	"Retry-After": map[string]any{"description": "seconds to wait before trying again", "schema": map[string]any{"type": "integer", "minimum": 1}},
}

// pathParams lists the {names} of an OpenAPI path, in order.
func pathParams(p string) []string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// Pattern is the operation's ServeMux pattern.
func (op APIOperation) Pattern() string { return op.Method + " " + op.Path }

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, s.OpenAPI())
	return nil
}
