// Package indexspec reads CityLens's native index spec: a JSON document that
// names the framework, the data and every pipeline choice of an index.
//
// The spec is strict: an unknown or repeated field is an error naming the
// field and its line and column, so a typo never silently falls back to a
// default. Method fields are engine.Method's JSON fields; parts left out keep
// engine.DefaultMethod()'s values (min-max 0-100, arithmetic means).
package indexspec

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/engine"
	"github.com/citylens/citylens/internal/indexfile"
)

// Spec is the document as written.
type Spec struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Framework   FrameworkSource `json:"framework"`
	Data        DataSource      `json:"data"`
	Method      engine.Method   `json:"method"`
	// Uncertainty is read by the uncertainty and sensitivity commands.
	Uncertainty json.RawMessage `json:"uncertainty,omitempty"`
}

// FrameworkSource names the file that declares the indicator framework.
type FrameworkSource struct {
	// COINrMeta is a file in COINr's iMeta layout (Level, iCode, iName,
	// Direction, Weight, Unit, Target, Denominator, Parent, Type).
	COINrMeta string `json:"coinr_meta"`
}

// DataSource names the data: either COINrData, or Long with optional Units and Year.
type DataSource struct {
	// COINrData is a file in COINr's iData layout (uCode, uName, groups, denominators, indicators).
	COINrData string `json:"coinr_data,omitempty"`
	// Long is a file in the long layout: unit,indicator,year,value.
	Long string `json:"long,omitempty"`
	// Units is the long layout's units file: uCode, uName, group columns.
	Units string `json:"units,omitempty"`
	// Year picks the values of one year; 0 takes each unit and indicator's latest year with a value.
	Year int `json:"year,omitempty"`
}

// Index is a spec with its framework and data loaded.
type Index struct {
	Spec      *Spec
	Framework *engine.Framework
	Data      *engine.Data
	Method    engine.Method
	// Path is the spec file as given to Load.
	Path string
	// Meta is the framework file's declarations (groups, denominators).
	Meta *indexfile.Meta
}

// Load reads the spec at path and the files it names (relative to the spec's
// folder), and checks the method against the framework and data.
func Load(path string) (*Index, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fileError(path, err)
	}
	s, err := Parse(path, b)
	if err != nil {
		return nil, err
	}
	return Resolve(path, s)
}

// Resolve loads the files that s names, relative to the folder of path, and
// validates s's method against them.
func Resolve(path string, s *Spec) (*Index, error) {
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, filepath.FromSlash(p))
	}
	metaPath := rel(s.Framework.COINrMeta)
	mf, err := os.Open(metaPath)
	if err != nil {
		return nil, fileError(path+": framework.coinr_meta", err)
	}
	defer mf.Close()
	meta, err := indexfile.ReadMeta(metaPath, mf)
	if err != nil {
		return nil, err
	}
	var data *engine.Data
	if s.Data.COINrData != "" {
		dataPath := rel(s.Data.COINrData)
		df, err := os.Open(dataPath)
		if err != nil {
			return nil, fileError(path+": data.coinr_data", err)
		}
		defer df.Close()
		if data, err = indexfile.ReadData(dataPath, df, meta); err != nil {
			return nil, err
		}
	} else {
		var units *indexfile.Units
		if s.Data.Units != "" {
			unitsPath := rel(s.Data.Units)
			uf, err := os.Open(unitsPath)
			if err != nil {
				return nil, fileError(path+": data.units", err)
			}
			defer uf.Close()
			if units, err = indexfile.ReadUnits(unitsPath, uf); err != nil {
				return nil, err
			}
		}
		longPath := rel(s.Data.Long)
		lf, err := os.Open(longPath)
		if err != nil {
			return nil, fileError(path+": data.long", err)
		}
		defer lf.Close()
		if data, err = indexfile.ReadLong(longPath, lf, meta, units, s.Data.Year); err != nil {
			return nil, err
		}
	}
	if err := data.Validate(); err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: %s", path, citylens.ErrorMessage(err))
	}
	if err := s.Method.Validate(meta.Framework, data); err != nil {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: %s", path, citylens.ErrorMessage(err))
	}
	return &Index{Spec: s, Framework: meta.Framework, Data: data, Method: s.Method, Path: path, Meta: meta}, nil
}

// Build runs the index's pipeline. Errors name the spec file.
func (ix *Index) Build(ctx context.Context) (*engine.Result, error) {
	r, err := engine.Build(ctx, ix.Framework, ix.Data, ix.Method)
	if err != nil {
		if code := citylens.ErrorCode(err); code != citylens.EINTERNAL {
			return nil, citylens.Errorf(code, "%s: %s", ix.Path, citylens.ErrorMessage(err))
		}
		return nil, err
	}
	return r, nil
}

func fileError(what string, err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return citylens.Errorf(citylens.ENOTFOUND, "%s: %v", what, err)
	}
	return citylens.Errorf(citylens.EINVALID, "%s: %v", what, err)
}

// Parse reads a spec document. name is used in error messages. It checks the
// document's shape (fields, types, sources) but not the method against a
// framework: Resolve does that once the files are read.
func Parse(name string, b []byte) (*Spec, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, citylens.Errorf(citylens.EINVALID, "%s: empty file: a spec is a JSON object", name)
	}
	if err := checkFields(name, b, reflect.TypeOf(Spec{})); err != nil {
		return nil, err
	}
	s := &Spec{Method: engine.DefaultMethod()}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(s); err != nil {
		return nil, decodeError(name, b, err)
	}
	if s.Name == "" {
		s.Name = strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	}
	bad := func(format string, args ...any) error {
		return citylens.Errorf(citylens.EINVALID, "%s: "+format, append([]any{name}, args...)...)
	}
	if s.Framework.COINrMeta == "" {
		return nil, bad(`framework: missing: name the framework file, e.g. "framework": {"coinr_meta": "iMeta.csv"}`)
	}
	switch d := s.Data; {
	case d.COINrData == "" && d.Long == "":
		return nil, bad(`data: missing: name the data, e.g. "data": {"coinr_data": "iData.csv"} or {"long": "values.csv", "units": "units.csv"}`)
	case d.COINrData != "" && d.Long != "":
		return nil, bad("data: give coinr_data or long, not both")
	case d.COINrData != "" && (d.Units != "" || d.Year != 0):
		return nil, bad("data: units and year go with the long layout, not with coinr_data")
	case d.Year < 0:
		return nil, bad("data.year: must be positive, got %d", d.Year)
	}
	return s, nil
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int64) (line, col int) {
	if off < 0 {
		off = 0
	}
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	before := b[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func decodeError(name string, b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		l, c := position(b, se.Offset)
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: %s", name, l, c, strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		l, c := position(b, te.Offset)
		field := te.Field
		if field == "" {
			field = "the spec"
		}
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: %s: a %s cannot be read as %s", name, l, c, field, te.Value, describeType(te.Type))
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		l, c := position(b, int64(len(b)))
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: unexpected end of file", name, l, c)
	}
	return citylens.Errorf(citylens.EINVALID, "%s: %s", name, strings.TrimPrefix(err.Error(), "json: "))
}

func describeType(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Struct:
		return "an object"
	case reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "a list"
	}
	return t.String()
}

var rawMessageType = reflect.TypeOf(json.RawMessage(nil))

// checkFields walks the document token by token against t's JSON fields, so
// that an unknown or repeated field is reported with its path, line and
// column (encoding/json names neither). Type mismatches are left to the decoder.
func checkFields(name string, b []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	w := &walker{name: name, b: b, dec: dec}
	tok, err := dec.Token()
	if err != nil {
		return w.tokenError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		l, c := position(b, w.start(0))
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: a spec is a JSON object ({...})", name, l, c)
	}
	if err := w.object(t, ""); err != nil {
		return err
	}
	after := w.start(dec.InputOffset())
	if _, err := dec.Token(); err != io.EOF {
		l, c := position(b, after)
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: unexpected data after the spec's closing brace", name, l, c)
	}
	return nil
}

type walker struct {
	name string
	b    []byte
	dec  *json.Decoder
}

// start skips separators from off to the next token's first byte.
func (w *walker) start(off int64) int64 {
	for off < int64(len(w.b)) {
		switch w.b[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (w *walker) tokenError(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		l, c := position(w.b, se.Offset)
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: %s", w.name, l, c, strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		l, c := position(w.b, int64(len(w.b)))
		return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: unexpected end of file", w.name, l, c)
	}
	return citylens.Errorf(citylens.EINVALID, "%s: %s", w.name, strings.TrimPrefix(err.Error(), "json: "))
}

// value walks one value whose type should be t (nil: anything goes).
func (w *walker) value(t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType {
		t = nil
	}
	tok, err := w.dec.Token()
	if err != nil {
		return w.tokenError(err)
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return nil // a scalar: the decoder checks its type
	}
	switch d {
	case '{':
		return w.object(t, path)
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for i := 0; w.dec.More(); i++ {
			if err := w.value(elem, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		if _, err := w.dec.Token(); err != nil {
			return w.tokenError(err)
		}
	}
	return nil
}

// object walks the members of an object whose '{' has been read.
func (w *walker) object(t reflect.Type, path string) error {
	var fields map[string]reflect.Type
	isStruct := t != nil && t.Kind() == reflect.Struct
	isMap := t != nil && t.Kind() == reflect.Map
	if isStruct {
		fields = jsonFields(t)
	}
	seen := map[string]bool{}
	for w.dec.More() {
		keyStart := w.start(w.dec.InputOffset())
		tok, err := w.dec.Token()
		if err != nil {
			return w.tokenError(err)
		}
		key, _ := tok.(string)
		full := key
		if path != "" {
			full = path + "." + key
		}
		here := func() (int, int) { return position(w.b, keyStart) }
		if seen[key] {
			l, c := here()
			return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: field %q appears twice", w.name, l, c, full)
		}
		seen[key] = true
		var vt reflect.Type
		switch {
		case isStruct:
			ft, ok := fields[key]
			if !ok {
				l, c := here()
				return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: unknown field %q%s", w.name, l, c, full, suggest(key, fields))
			}
			vt = ft
		case isMap:
			if k := t.Key().Kind(); k >= reflect.Int && k <= reflect.Int64 {
				if _, err := strconv.Atoi(key); err != nil {
					l, c := here()
					return citylens.Errorf(citylens.EINVALID, "%s: line %d, column %d: %s: key %q must be a whole number", w.name, l, c, path, key)
				}
			}
			vt = t.Elem()
		}
		if err := w.value(vt, full); err != nil {
			return err
		}
	}
	if _, err := w.dec.Token(); err != nil {
		return w.tokenError(err)
	}
	return nil
}

// jsonFields maps the JSON names of t's exported fields to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("json"); ok {
			n, _, _ := strings.Cut(tag, ",")
			if n == "-" {
				continue
			}
			if n != "" {
				name = n
			}
		}
		out[name] = f.Type
	}
	return out
}

func suggest(key string, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		if strings.EqualFold(n, key) {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return " (known fields: " + strings.Join(names, ", ") + ")"
}
