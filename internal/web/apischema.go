package web

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"
)

// The schemas of the OpenAPI document are made from the Go types the
// handlers write (APIOperation.Response, .Request): a property for each
// JSON field, its type, null where a pointer may be nil, required unless
// the field is omitempty. What a type cannot say (what a field means, its
// unit, its allowed values and range) is in the areas' SchemaDocs. The
// live-response test validates every route's answers against the
// document, so the two cannot drift.

// FieldDoc documents one property of a schema (or, under the key of a
// type alone, the type).
type FieldDoc struct {
	Description string
	Enum        []any
	Minimum     *float64
	Maximum     *float64
	// Nullable marks a slice or map field that may be null (a nil slice);
	// pointers are nullable anyway.
	Nullable bool
	// Format is a JSON Schema format (date-time, uri...).
	Format string
	// Example is an example value.
	Example any
}

// SchemaDocs documents the properties of response and request types, by
// "<package>.<Type>.<json name>" (a type itself by "<package>.<Type>"),
// e.g. "release.RankingRow.score".
type SchemaDocs map[string]FieldDoc

// AreaSchemaDocs is an AreaAPI whose types' properties are documented.
type AreaSchemaDocs interface {
	APISchemaDocs() SchemaDocs
}

// Range is a FieldDoc's bounds: Range(0, 100).
func Range(lo, hi float64) (*float64, *float64) { return &lo, &hi }

// Min is a lower bound.
func Min(v float64) *float64 { return &v }

// Enum lists allowed string values.
func Enum(vs ...string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

var (
	timeType    = reflect.TypeFor[time.Time]()
	rawJSONType = reflect.TypeFor[json.RawMessage]()
)

// schemaBuilder makes the components' schemas of Go types.
type schemaBuilder struct {
	docs  SchemaDocs
	defs  map[string]any
	names map[reflect.Type]string
	taken map[string]reflect.Type
	// undocumented lists the properties without a description.
	undocumented map[string]bool
}

func newSchemaBuilder(docs SchemaDocs) *schemaBuilder {
	return &schemaBuilder{docs: docs, defs: map[string]any{}, names: map[reflect.Type]string{}, taken: map[string]reflect.Type{},
		undocumented: map[string]bool{}}
}

// jsonAs: types with their own MarshalJSON, by typeKey, and the type
// they write.
var jsonAs = map[string]reflect.Type{}

// RegisterJSONAs records that values of type T marshal as values of type
// As (T has its own MarshalJSON), for the OpenAPI schemas.
func RegisterJSONAs[T, As any]() {
	jsonAs[typeKey(reflect.TypeFor[T]())] = reflect.TypeFor[As]()
}

func typeKey(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndex(pkg, "/"); i >= 0 {
		pkg = pkg[i+1:]
	}
	return pkg + "." + t.Name()
}

// componentName is the schema name of a named type: its Go name (first
// letter upper case), qualified by its package if two packages use it.
func (b *schemaBuilder) componentName(t reflect.Type) string {
	if n, ok := b.names[t]; ok {
		return n
	}
	n := []rune(t.Name())
	n[0] = unicode.ToUpper(n[0])
	name := string(n)
	name = strings.TrimPrefix(name, "Api") // apiCallValue → CallValue
	if other, ok := b.taken[name]; ok && other != t {
		pkg := typeKey(t)
		pkg = pkg[:strings.Index(pkg, ".")]
		name = strings.ToUpper(pkg[:1]) + pkg[1:] + name
	}
	b.taken[name], b.names[t] = t, name
	return name
}

// ref is a reference to t's schema, made (once) in the components.
func (b *schemaBuilder) ref(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" || t.Kind() != reflect.Struct || t == timeType {
		return b.schema(t)
	}
	if as, ok := jsonAs[typeKey(t)]; ok {
		return b.schema(as)
	}
	name := b.componentName(t)
	if _, done := b.defs[name]; !done {
		b.defs[name] = nil // being built: a recursive type refers to itself
		b.defs[name] = b.structSchema(t)
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// schema is the schema of t (structs by reference).
func (b *schemaBuilder) schema(t reflect.Type) map[string]any {
	if t == rawJSONType {
		return map[string]any{}
	}
	if as, ok := jsonAs[typeKey(t)]; ok && t.Name() != "" {
		return b.schema(as)
	}
	switch t.Kind() {
	case reflect.Pointer:
		return b.schema(t.Elem())
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "contentEncoding": "base64"}
		}
		return map[string]any{"type": "array", "items": b.ref(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": b.ref(t.Elem())}
	case reflect.Struct:
		if t == timeType {
			return map[string]any{"type": "string", "format": "date-time"}
		}
		if t.Name() != "" {
			return b.ref(t)
		}
		return b.structSchema(t)
	case reflect.Interface:
		return map[string]any{}
	}
	panic("web: no JSON schema for " + t.String())
}

// structSchema lists a struct's JSON fields (embedded structs' fields
// inline, as encoding/json writes them).
func (b *schemaBuilder) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	b.addFields(t, t, props, &required)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		sort.Strings(required)
		s["required"] = required
	}
	if t.Name() != "" {
		if d, ok := b.docs[typeKey(t)]; ok && d.Description != "" {
			s["description"] = d.Description
		}
	}
	return s
}

func (b *schemaBuilder) addFields(owner, t reflect.Type, props map[string]any, required *[]string) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				b.addFields(ft, ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		omit := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		s := b.schema(f.Type)
		doc, ok := b.docs[typeKey(owner)+"."+name]
		if !ok || doc.Description == "" {
			b.undocumented[typeKey(owner)+"."+name] = true
		}
		nullable := f.Type.Kind() == reflect.Pointer || doc.Nullable ||
			f.Type.Kind() == reflect.Interface || f.Type == rawJSONType
		if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() != reflect.Uint8 && !omit && !doc.Nullable {
			// A nil slice is written as null: the handlers give an empty one.
			nullable = false
		}
		if nullable {
			s = orNull(s)
		}
		if doc.Description != "" {
			s = withKeyword(s, "description", doc.Description)
		}
		if doc.Enum != nil {
			enum := doc.Enum
			if nullable {
				enum = append(append([]any(nil), enum...), nil)
			}
			s = withKeyword(s, "enum", enum)
		}
		if doc.Minimum != nil {
			s = withKeyword(s, "minimum", *doc.Minimum)
		}
		if doc.Maximum != nil {
			s = withKeyword(s, "maximum", *doc.Maximum)
		}
		if doc.Format != "" {
			s = withKeyword(s, "format", doc.Format)
		}
		if doc.Example != nil {
			s = withKeyword(s, "examples", []any{doc.Example})
		}
		props[name] = s
		if !omit {
			*required = append(*required, name)
		}
	}
}

// orNull lets a schema's value be null too.
func orNull(s map[string]any) map[string]any {
	if typ, ok := s["type"].(string); ok {
		out := copySchema(s)
		out["type"] = []string{typ, "null"}
		return out
	}
	if len(s) == 0 {
		return s
	}
	return map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
}

// withKeyword adds a keyword; beside a $ref (no siblings wanted by some
// tools) it wraps the reference in allOf.
func withKeyword(s map[string]any, k string, v any) map[string]any {
	if _, isRef := s["$ref"]; isRef && k != "description" {
		return s
	}
	out := copySchema(s)
	if k == "minimum" || k == "maximum" {
		if items, ok := out["items"].(map[string]any); ok && out["type"] != nil && !isNumeric(out["type"]) {
			out["items"] = withKeyword(items, k, v) // bounds of an array's numbers
			return out
		}
	}
	if k == "enum" {
		if items, ok := out["items"].(map[string]any); ok && isType(out["type"], "array") {
			enum := v.([]any)
			if len(enum) > 0 && enum[len(enum)-1] == nil {
				enum = enum[:len(enum)-1]
			}
			out["items"] = withKeyword(items, k, enum)
			return out
		}
	}
	out[k] = v
	return out
}

func isType(t any, want string) bool {
	switch t := t.(type) {
	case string:
		return t == want
	case []string:
		for _, x := range t {
			if x == want {
				return true
			}
		}
	}
	return false
}

func isNumeric(t any) bool { return isType(t, "number") || isType(t, "integer") }

func copySchema(s map[string]any) map[string]any {
	out := make(map[string]any, len(s)+1)
	for k, v := range s {
		out[k] = v
	}
	return out
}

// UndocumentedProperties lists the properties of ops' schemas that docs
// do not describe, sorted.
func UndocumentedProperties(ops []APIOperation, docs SchemaDocs) []string {
	b := newSchemaBuilder(docs)
	b.ref(reflect.TypeFor[ProblemDocument]())
	for _, op := range ops {
		if op.Response != nil {
			if _, isDoc := op.Response.(OpenAPIResponse); !isDoc {
				b.ref(reflect.TypeOf(op.Response))
			}
		}
		if op.Request != nil {
			b.ref(reflect.TypeOf(op.Request))
		}
	}
	var out []string
	for k := range b.undocumented {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
