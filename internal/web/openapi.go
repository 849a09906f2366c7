package web

import (
	"net/http"
	"strconv"
	"strings"
)

// The OpenAPI 3.1 document of /api/v1, built from the operations of the
// core and of every area (AreaAPI): Server.APIOperations. A test checks it
// against the route table and the real handlers: every operation is a
// registered route answering the documented status with the documented
// top-level fields, and every API route is documented.

// APIOperation describes one API route.
type APIOperation struct {
	Method, Path string // Path in OpenAPI form: /api/v1/releases/{hash}
	ID, Tag      string
	Summary      string
	Query        []APIParam
	// Body names the request body schema ("" for none); BodySchema is that
	// schema (JSON Schema), listed once in the document's components.
	Body       string
	BodySchema map[string]any
	// PathParams describe path parameters whose name does not say enough.
	PathParams map[string]string
	// Status is the success status; Fields the success body's top-level fields.
	Status int
	Fields []string
	// Auth: needs a signed-in caller (bearer token); Public operations need none.
	Auth bool
	// Errors are the documented error statuses besides those every
	// operation may answer (400, 500).
	Errors []int
}

// APIParam is a query parameter.
type APIParam struct {
	Name, Type, Description string
	Array                   bool
}

// coreAPIOperations are the API operations the core serves itself.
var coreAPIOperations = []APIOperation{
	{Method: "GET", Path: "/api/v1/openapi.json", ID: "openapi", Tag: "meta", Summary: "This document", Status: 200, Fields: []string{"openapi", "info", "paths", "components"}},
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

// OpenAPIDocument builds the OpenAPI 3.1 document of ops
// (Server.APIOperations). A body schema named twice is listed once, as
// the first operation naming it gives it.
func OpenAPIDocument(ops []APIOperation) map[string]any {
	paths := map[string]any{}
	schemas := map[string]any{"Error": errorSchema}
	for _, op := range ops {
		if _, seen := schemas[op.Body]; op.Body != "" && op.BodySchema != nil && !seen {
			schemas[op.Body] = op.BodySchema
		}
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
			if p.Array {
				schema = map[string]any{"type": "array", "items": map[string]any{"type": p.Type}}
			}
			params = append(params, map[string]any{"name": p.Name, "in": "query", "required": false, "description": p.Description, "schema": schema})
		}
		props := map[string]any{}
		for _, f := range op.Fields {
			props[f] = map[string]any{}
		}
		ok := map[string]any{"type": "object"}
		if len(op.Fields) > 0 {
			ok["properties"], ok["required"] = props, op.Fields
		}
		responses := map[string]any{
			strconv.Itoa(op.Status): map[string]any{"description": "success", "content": map[string]any{"application/json": map[string]any{"schema": ok}}},
			"400":                   map[string]any{"$ref": "#/components/responses/Error"},
			"500":                   map[string]any{"$ref": "#/components/responses/Error"},
		}
		for _, st := range op.Errors {
			responses[strconv.Itoa(st)] = map[string]any{"$ref": "#/components/responses/Error"}
		}
		o := map[string]any{"operationId": op.ID, "tags": []string{op.Tag}, "summary": op.Summary, "responses": responses}
		if len(params) > 0 {
			o["parameters"] = params
		}
		if op.Body != "" {
			o["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + op.Body}}}}
		}
		if op.Auth {
			o["security"] = []any{map[string]any{"bearer": []string{}}}
		} else {
			o["security"] = []any{}
		}
		item[strings.ToLower(op.Method)] = o
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "CityLens API", "version": "1",
			"description": "Published releases of the Smart Cities Index (rankings with uncertainty bands, city profiles, what-if, compare, indicators, methodology, downloads), the member directory and the data call (a city's values, pushed from its own systems). Reads of public data need no token; other calls need Authorization: Bearer <API token>. Errors are {\"error\": {status, code, message, problems}}."},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"responses": map[string]any{"Error": map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{
				"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}},
			"schemas": schemas,
		},
	}
}

// errorSchema is the body of every error (APIError).
var errorSchema = map[string]any{"type": "object", "required": []string{"error"}, "properties": map[string]any{"error": map[string]any{
	"type": "object", "required": []string{"status", "code", "message"}, "properties": map[string]any{
		"status": map[string]any{"type": "integer"}, "code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
		"problems": map[string]any{"type": "array", "items": problemSchema}}}}}

// problemSchema is one problem of a refused request: a row and column of an
// imported file, or an entry and field of a JSON batch.
var problemSchema = map[string]any{"type": "object", "required": []string{"reason"}, "properties": map[string]any{
	"row":       map[string]any{"type": "integer", "description": "line of an imported file"},
	"column":    map[string]any{"type": "string", "description": "column of an imported file"},
	"entry":     map[string]any{"type": "integer", "description": "index of the entry in a JSON batch, from 0"},
	"indicator": map[string]any{"type": "string", "description": "the entry's indicator code"},
	"field":     map[string]any{"type": "string", "description": "the entry's field"},
	"reason":    map[string]any{"type": "string"},
}}

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
	writeJSON(w, http.StatusOK, OpenAPIDocument(s.APIOperations()))
	return nil
}
