package datacallweb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/datacall"
	"github.com/citylens/citylens/internal/i18n"
	"github.com/citylens/citylens/internal/members"
	"github.com/citylens/citylens/internal/web"
)

// The data call's JSON API: a city's statistics office pushes values from
// its own systems instead of filling in the form. Same access rules, same
// checks, same audit and same workflow as the pages (datacall.go): the
// handlers go through the same service calls.

// maxValuesBody bounds a values batch. The checks allow 4,500 characters
// of source, note and comment per value: about 100 indicators of them,
// escaped non-Latin text at up to 6 bytes a character, fit.
const maxValuesBody = 4 << 20

// registerAPI adds the data call's JSON API routes (described in the
// OpenAPI document: APIOperations).
func (a *Area) registerAPI(s *web.Server) {
	s.API("GET /api/v1/datacall/{edition}/cities/{city}", web.AccessCityEditors, a.apiDataCallCity)
	s.API("PUT /api/v1/datacall/{edition}/cities/{city}/values", web.AccessCityEditors, a.apiDataCallPutValues,
		web.WithMaxBody(maxValuesBody))
	s.API("POST /api/v1/datacall/{edition}/cities/{city}/submit", web.AccessCityEditors, a.apiDataCallSubmit)
}

// APIOperations are the data call's operations of the OpenAPI document.
func (a *Area) APIOperations() []web.APIOperation {
	return []web.APIOperation{
		{Method: "GET", Path: "/api/v1/datacall/{edition}/cities/{city}", ID: "getDataCallCity", Tag: "datacall", PathParams: dataCallPathParams, Summary: "A city's submission in an edition's data call: state, reviewer's comment, whether the caller may edit or submit, and every indicator of the edition with unit, valid range, required, last edition's value and the current value with its provenance (focal points: their city; regional officers: their region's; admins: all)", Status: 200, Response: apiCallSubmission{}, Auth: true, Errors: []int{401, 403, 404}},
		{Method: "PUT", Path: "/api/v1/datacall/{edition}/cities/{city}/values", ID: "putDataCallValues", Tag: "datacall", PathParams: dataCallPathParams, Summary: "Save a batch of a city's values with their provenance, all or nothing, with the checks, audit and workflow of the data-call form: any invalid entry answers 422 listing every problem by entry index, indicator and field, and saves nothing; entries equal to the stored values change nothing. Only a draft or returned submission can be changed, by its focal point while the call is open, by admins at any time (409 otherwise)", Body: "DataCallValues", BodySchema: dataCallValuesSchema, Status: 200, Response: apiValuesResult{}, Auth: true, Errors: []int{401, 403, 404, 409, 413, 415, 422}},
		{Method: "POST", Path: "/api/v1/datacall/{edition}/cities/{city}/submit", ID: "submitDataCall", Tag: "datacall", PathParams: dataCallPathParams, Summary: "Submit a city's values for review, as the page's button does: every required value must be there (400 otherwise); a draft or returned submission only (409 otherwise)", Status: 200, Response: apiCallSubmission{}, Auth: true, Errors: []int{401, 403, 404, 409}},
	}
}

// APISchemaDocs document the data call's API types.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	return web.SchemaDocs{
		"datacallweb.apiCallSubmission":                {Description: "A city's submission in an edition's data call."},
		"datacallweb.apiCallSubmission.edition":        {Description: "the edition and its call's window"},
		"datacallweb.apiCallSubmission.city":           {Description: "the city"},
		"datacallweb.apiCallSubmission.state":          {Description: "the submission's state in the review workflow", Enum: web.Enum("draft", "submitted", "returned", "accepted")},
		"datacallweb.apiCallSubmission.review_comment": {Description: "the reviewer's overall comment when returned"},
		"datacallweb.apiCallSubmission.updated_at":     {Description: "when the state last changed; null while never changed"},
		"datacallweb.apiCallSubmission.updated_by":     {Description: "who changed it (e-mail)"},
		"datacallweb.apiCallSubmission.can_edit":       {Description: "the caller may change values now"},
		"datacallweb.apiCallSubmission.can_submit":     {Description: "the caller may submit now"},
		"datacallweb.apiCallSubmission.entered":        {Description: "required indicators with a value", Minimum: web.Min(0)},
		"datacallweb.apiCallSubmission.required":       {Description: "required indicators", Minimum: web.Min(0)},
		"datacallweb.apiCallSubmission.indicators":     {Description: "every indicator of the edition, in framework order"},
		"datacallweb.apiValuesResult":                  {Description: "A saved batch: what changed, then the submission as GET answers it."},
		"datacallweb.apiValuesResult.changed":          {Description: "entries that changed a stored value", Minimum: web.Min(0)},
		"datacallweb.apiValuesResult.unchanged":        {Description: "entries equal to the stored values (nothing written)", Minimum: web.Min(0)},
		"datacallweb.apiCallEdition":                   {Description: "An edition as a data-call client needs it."},
		"datacallweb.apiCallEdition.code":              {Description: "the edition's code, e.g. 2026"},
		"datacallweb.apiCallEdition.name":              {Description: "the edition's name"},
		"datacallweb.apiCallEdition.reference_year":    {Description: "the year the data describe at the latest"},
		"datacallweb.apiCallEdition.previous_edition":  {Description: "the edition before (its values are last_value)"},
		"datacallweb.apiCallEdition.status":            {Description: "the edition's status (draft, open, closed, published)"},
		"datacallweb.apiCallEdition.opens":             {Description: "when the data call opens"},
		"datacallweb.apiCallEdition.closes":            {Description: "when the data call closes"},
		"datacallweb.apiCallEdition.call_open":         {Description: "the call is open now"},
		"datacallweb.apiCallEdition.jump_threshold":    {Description: "a change from last edition's value above this share (0.5 = 50 %) needs a comment", Minimum: web.Min(0)},
		"datacallweb.apiCallCity":                      {Description: "The submitting city."},
		"datacallweb.apiCallCity.code":                 {Description: "the city's code"},
		"datacallweb.apiCallCity.name":                 {Description: "the city's name"},
		"datacallweb.apiCallCity.region":               {Description: "its world region"},
		"datacallweb.apiCallIndicator":                 {Description: "One indicator of a city's submission."},
		"datacallweb.apiCallIndicator.code":            {Description: "the indicator's code, e.g. EC-P-EM-1C"},
		"datacallweb.apiCallIndicator.name":            {Description: "the indicator's name"},
		"datacallweb.apiCallIndicator.unit":            {Description: "the unit its values are in, e.g. %"},
		"datacallweb.apiCallIndicator.min":             {Description: "the valid range's lower end, in the unit (null: none)"},
		"datacallweb.apiCallIndicator.max":             {Description: "the valid range's upper end, in the unit (null: none)"},
		"datacallweb.apiCallIndicator.valid_range":     {Description: "the valid range in words"},
		"datacallweb.apiCallIndicator.required":        {Description: "a value is needed to submit"},
		"datacallweb.apiCallIndicator.last_value":      {Description: "last edition's value, in the unit (null: none)"},
		"datacallweb.apiCallIndicator.current":         {Description: "the stored value with its provenance (null: none)"},
		"datacallweb.apiCallValue":                     {Description: "A stored value with its provenance, named as a PUT's entry."},
		"datacallweb.apiCallValue.value":               {Description: "the value, in the indicator's unit"},
		"datacallweb.apiCallValue.source":              {Description: "where the value comes from"},
		"datacallweb.apiCallValue.year":                {Description: "the year the data describe"},
		"datacallweb.apiCallValue.note":                {Description: "method note"},
		"datacallweb.apiCallValue.estimated":           {Description: "the value is an estimate"},
		"datacallweb.apiCallValue.comment":             {Description: "the city's explanation"},
		"datacallweb.apiCallValue.review_comment":      {Description: "the reviewer's comment on this value"},
		"datacallweb.apiCallValue.updated_at":          {Description: "when it was saved"},
		"datacallweb.apiCallValue.updated_by":          {Description: "who saved it (e-mail)"},
	}
}

// dataCallPathParams document the data call's path parameters.
var dataCallPathParams = map[string]string{"edition": "an edition's code, e.g. 2026", "city": "a member city's code, e.g. kr-seoul"}

// dataCallValuesSchema is a PUT's batch of a city's values.
var dataCallValuesSchema = map[string]any{"type": "object", "required": []string{"values"}, "additionalProperties": false, "properties": map[string]any{
	"values": map[string]any{"type": "array", "minItems": 1, "description": "one entry per indicator; indicators left out keep their values",
		"items": map[string]any{"type": "object", "required": []string{"indicator", "value", "source", "year"}, "additionalProperties": false, "properties": map[string]any{
			"indicator": map[string]any{"type": "string", "description": "the indicator's code, e.g. EC-P-EM-1C"},
			"value":     map[string]any{"type": "number", "description": "in the indicator's unit, within its valid range; a stored value cannot be cleared (null is refused)"},
			"unit":      map[string]any{"type": "string", "description": "optional: if given, must be the indicator's unit (a guard against values in another unit)"},
			"source":    map[string]any{"type": "string", "maxLength": 500, "description": "where the value comes from"},
			"year":      map[string]any{"type": "integer", "description": "the year the data describe: at most the edition's reference year, at most 10 years before it"},
			"note":      map[string]any{"type": "string", "maxLength": 2000, "description": "method note"},
			"estimated": map[string]any{"type": "boolean", "description": "the value is an estimate"},
			"comment":   map[string]any{"type": "string", "maxLength": 2000, "description": "the city's explanation; required when the value changes from last edition's by more than the edition's jump threshold"},
		}}}}}

// apiCallEdition is the edition as a data-call client needs it.
type apiCallEdition struct {
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	ReferenceYear   int       `json:"reference_year"`
	PreviousEdition string    `json:"previous_edition,omitempty"`
	Status          string    `json:"status"`
	Opens           time.Time `json:"opens"`
	Closes          time.Time `json:"closes"`
	CallOpen        bool      `json:"call_open"`
	JumpThreshold   float64   `json:"jump_threshold"`
}

type apiCallCity struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Region string `json:"region"`
}

// apiCallIndicator is one indicator of a city's submission.
type apiCallIndicator struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	Unit       string   `json:"unit"`
	Min        *float64 `json:"min"`
	Max        *float64 `json:"max"`
	ValidRange string   `json:"valid_range"`
	Required   bool     `json:"required"`
	LastValue  *float64 `json:"last_value"` // last edition's, null if none
	// Current is the stored value, null if none.
	Current *apiCallValue `json:"current"`
}

// apiCallValue is a stored value with its provenance; its fields are named
// as in a PUT's entries, so a client can send back what it read.
type apiCallValue struct {
	Value         float64   `json:"value"`
	Source        string    `json:"source"`
	Year          int       `json:"year"`
	Note          string    `json:"note"`
	Estimated     bool      `json:"estimated"`
	Comment       string    `json:"comment"`
	ReviewComment string    `json:"review_comment"`
	UpdatedAt     time.Time `json:"updated_at"`
	UpdatedBy     string    `json:"updated_by"`
}

// apiCallSubmission is a city's submission in an edition: GET's body, and
// the body of a PUT and a submit after them.
type apiCallSubmission struct {
	Edition apiCallEdition `json:"edition"`
	City    apiCallCity    `json:"city"`
	State   string         `json:"state"`
	// ReviewComment is the reviewer's overall comment when returned.
	ReviewComment string             `json:"review_comment"`
	UpdatedAt     *time.Time         `json:"updated_at"` // the submission's state; null while never changed
	UpdatedBy     string             `json:"updated_by"`
	CanEdit       bool               `json:"can_edit"`
	CanSubmit     bool               `json:"can_submit"`
	Entered       int                `json:"entered"`  // required indicators with a value
	Required      int                `json:"required"` // required indicators
	Indicators    []apiCallIndicator `json:"indicators"`
}

// apiSubmission builds a city's submission from the same data as its page.
func (a *Area) apiSubmission(r *http.Request, call *datacall.Call, c members.City) (*apiCallSubmission, error) {
	d, err := a.cityPage(r, call, c, nil, nil)
	if err != nil {
		return nil, err
	}
	e := call.Edition
	out := &apiCallSubmission{
		Edition: apiCallEdition{Code: e.Code, Name: e.Name, ReferenceYear: e.ReferenceYear, PreviousEdition: e.PreviousEdition,
			Status: e.Status, Opens: e.Opens, Closes: e.Closes, CallOpen: d.CallOpen, JumpThreshold: e.JumpThreshold},
		City:  apiCallCity{Code: c.Code, Name: c.Name, Region: c.RegionCode},
		State: d.Sub.State, ReviewComment: d.Sub.Comment, UpdatedBy: d.Sub.UpdatedBy,
		CanEdit: d.CanEdit, CanSubmit: d.CanSubmit, Entered: d.Entered, Required: d.Required,
		Indicators: make([]apiCallIndicator, 0, len(d.Rows)),
	}
	if !d.Sub.UpdatedAt.IsZero() {
		at := d.Sub.UpdatedAt
		out.UpdatedAt = &at
	}
	for _, row := range d.Rows {
		ind := apiCallIndicator{Code: row.Ind.Code, Name: row.Ind.Name, Unit: row.Ind.Unit, Min: row.Ind.Min, Max: row.Ind.Max,
			ValidRange: row.Ind.RangeText(), Required: !row.Optional}
		if row.Last != "" { // the page's text of the number, which 'g' -1 keeps exact
			if l, err := strconv.ParseFloat(row.Last, 64); err == nil {
				ind.LastValue = &l
			}
		}
		if row.Has {
			v := row.Value
			ind.Current = &apiCallValue{Value: v.Value, Source: v.Source, Year: v.DataYear, Note: v.MethodNote, Estimated: v.Estimated,
				Comment: v.Comment, ReviewComment: v.ReviewComment, UpdatedAt: v.UpdatedAt, UpdatedBy: v.UpdatedBy}
		}
		out.Indicators = append(out.Indicators, ind)
	}
	return out, nil
}

func (a *Area) apiDataCallCity(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	sub, err := a.apiSubmission(r, call, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, sub)
	return nil
}

// apiValueEntry is one entry of a PUT's batch. Pointers tell a field left
// out (or null) from a zero.
type apiValueEntry struct {
	Indicator string   `json:"indicator"`
	Value     *float64 `json:"value"`
	// Unit, if given, must be the indicator's (a guard against a client
	// sending a value in another unit); left out, the indicator's is meant.
	Unit      *string `json:"unit"`
	Source    string  `json:"source"`
	Year      *int    `json:"year"`
	Note      string  `json:"note"`
	Estimated bool    `json:"estimated"`
	Comment   string  `json:"comment"`
}

// apiValuesResult is a PUT's answer: what changed, then the submission.
type apiValuesResult struct {
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"`
	*apiCallSubmission
}

// apiDataCallPutValues saves a batch of a city's values, all or nothing,
// through the form's code path (datacall.Service.ImportCall): the same
// checks, the same audit entries, the same workflow and call-window rules.
// Entries equal to the stored values change nothing, so a batch sent twice
// writes once.
func (a *Area) apiDataCallPutValues(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	if err := mayEdit(r, c); err != nil {
		return err
	}
	batch, err := decodeValuesBatch(r)
	if err != nil {
		return err
	}
	entries := make([]datacall.Entry, len(batch))
	for i, in := range batch {
		entries[i] = valueEntry(i, c.Code, call, in)
	}
	res, err := a.svc.ImportCall(r.Context(), dataCallActor(r), call, []datacall.CityRef{cityRef(c)}, entries)
	if ps := checksRefused(err); ps != nil {
		return a.batchProblems(batch, ps)
	}
	if err != nil {
		return err
	}
	sub, err := a.apiSubmission(r, call, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, apiValuesResult{Changed: res.Changed, Unchanged: res.Unchanged, apiCallSubmission: sub})
	return nil
}

// valueEntry turns entry i of a batch into the entry the form would make.
// Its row is the entry's index, which the checks' errors carry back. An
// entry is never blank (estimated is always said), so an entry without a
// value is refused rather than skipped.
func valueEntry(i int, city string, call *datacall.Call, in apiValueEntry) datacall.Entry {
	code := strings.TrimSpace(in.Indicator)
	en := datacall.Entry{Row: i, City: city, Indicator: in.Indicator, Unit: call.Catalogue[code].Unit,
		Source: in.Source, MethodNote: in.Note, Estimated: "no", Comment: in.Comment}
	if in.Value != nil {
		en.Value = strconv.FormatFloat(*in.Value, 'g', -1, 64)
	}
	if in.Unit != nil {
		en.Unit = *in.Unit
	}
	if in.Year != nil {
		en.DataYear = strconv.Itoa(*in.Year)
	}
	if in.Estimated {
		en.Estimated = "yes"
	}
	return en
}

// apiFields names the checks' columns as a batch's entries name them.
var apiFields = map[string]string{
	datacall.ColCity: "city", datacall.ColIndicator: "indicator", datacall.ColValue: "value", datacall.ColUnit: "unit",
	datacall.ColSource: "source", datacall.ColDataYear: "year", datacall.ColMethodNote: "note",
	datacall.ColEstimated: "estimated", datacall.ColComment: "comment",
}

// batchProblems is the 422 of a batch the checks refused: every problem,
// by entry index, indicator and field, with its message key; Reason and the
// summary are English, as the API answers. The checks number entries by
// row, which here is the entry's index: a second value for a city and
// indicator says which entry has the first, and a value left out of an
// entry is worded for a batch.
func (a *Area) batchProblems(batch []apiValueEntry, errs []citylens.Problem) error {
	ps := make([]citylens.Problem, len(errs))
	for i, fe := range errs {
		entry := fe.Row
		field := apiFields[fe.Column]
		if field == "" {
			field = fe.Column
		}
		p := citylens.Problem{Entry: &entry, Indicator: fe.Indicator, Field: field, Reason: fe.Reason, Key: fe.Key, Args: fe.Args}
		first, dup := datacall.FirstRow(fe)
		switch {
		case field == "value" && entry >= 0 && entry < len(batch) && batch[entry].Value == nil:
			p.Key, p.Args = "dc.problem.value_cleared", nil
		case dup:
			p.Key, p.Args = "dc.problem.duplicate_entry", []any{first}
		}
		if p.Key != fe.Key {
			p.Reason = a.s.Catalog().T(i18n.English, p.Key, p.Args...)
		}
		ps[i] = p
	}
	return &citylens.Error{Code: citylens.EINVALID, Status: http.StatusUnprocessableEntity, Message: problemsMessage(len(batch), ps), Problems: ps}
}

// problemsMessage sums problems up in one line: the count, then the first few.
func problemsMessage(entries int, ps []citylens.Problem) string {
	const show = 5
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s in the batch of %d %s; nothing was saved", len(ps), plural(len(ps), "problem", "problems"),
		entries, plural(entries, "entry", "entries"))
	for i, p := range ps {
		if i == show {
			fmt.Fprintf(&b, "; and %d more", len(ps)-show)
			break
		}
		b.WriteString("; ")
		switch {
		case p.Entry != nil && p.Field != "":
			fmt.Fprintf(&b, "values[%d].%s", *p.Entry, p.Field)
		case p.Entry != nil:
			fmt.Fprintf(&b, "values[%d]", *p.Entry)
		default:
			b.WriteString(p.Field)
		}
		if p.Indicator != "" {
			fmt.Fprintf(&b, " (%s)", p.Indicator)
		}
		b.WriteString(": " + p.Reason)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// decodeValuesBatch reads {"values": [...]} strictly: malformed JSON is a
// 400 naming the line and column, a field of the wrong type or unknown a
// 400 naming the entry and field, with every entry's problem at once.
func decodeValuesBatch(r *http.Request) ([]apiValueEntry, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, web.FormError(err)
		}
		return nil, citylens.E(citylens.EINVALID, "error.dc_body_unreadable", err.Error())
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, citylens.E(citylens.EINVALID, "error.dc_body_empty")
	}
	if err := web.CheckJSONText(body); err != nil {
		return nil, err
	}
	var top struct {
		Values *[]json.RawMessage `json:"values"`
	}
	if err := strictJSON(body, &top); err != nil {
		return nil, citylens.E(citylens.EINVALID, "error.json_unreadable", jsonProblem(body, err))
	}
	if top.Values == nil {
		return nil, citylens.E(citylens.EINVALID, "error.dc_values_missing")
	}
	if len(*top.Values) == 0 {
		return nil, citylens.E(citylens.EINVALID, "error.dc_batch_empty")
	}
	out := make([]apiValueEntry, len(*top.Values))
	var ps []citylens.Problem
	for i, raw := range *top.Values {
		if err := strictJSON(raw, &out[i]); err != nil {
			entry := i
			field, reason := entryProblem(err)
			ps = append(ps, citylens.Problem{Entry: &entry, Field: field, Reason: reason})
		}
	}
	if len(ps) > 0 {
		return nil, citylens.E(citylens.EINVALID, "error.json_unreadable", problemsMessage(len(out), ps)).WithProblems(ps...)
	}
	return out, nil
}

// strictJSON decodes one JSON value, refusing unknown fields and anything
// after the value.
func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	end := dec.InputOffset()
	if _, err := dec.Token(); err != io.EOF {
		rest := data[end:]
		return &trailingDataError{offset: end + int64(len(rest)-len(bytes.TrimLeft(rest, " \t\r\n")))}
	}
	return nil
}

// trailingDataError is data after a JSON value (a second object, a stray bracket).
type trailingDataError struct{ offset int64 }

func (e *trailingDataError) Error() string { return "unexpected data after the JSON value" }

// jsonProblem describes a decoding error of data for people: where (line
// and column, or field) and what.
func jsonProblem(data []byte, err error) string {
	var se *json.SyntaxError
	var td *trailingDataError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		line, col := position(data, se.Offset-1) // Offset counts the offending byte
		return fmt.Sprintf("line %d, column %d: %s", line, col, se.Error())
	case errors.As(err, &td):
		line, col := position(data, td.offset)
		return fmt.Sprintf("line %d, column %d: %s", line, col, td.Error())
	case errors.As(err, &te):
		if te.Field == "" {
			return fmt.Sprintf(`expected an object {"values": [...]}, got a JSON %s`, te.Value)
		}
		return fmt.Sprintf("%s: expected %s, got a JSON %s", te.Field, jsonKind(te.Type.Kind().String()), te.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := position(data, int64(len(data)))
		return fmt.Sprintf("line %d, column %d: the JSON ends too soon", line, col)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return "unknown field " + f + ` (the body is {"values": [...]})`
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// entryProblem is the field and reason of an entry's decoding error.
func entryProblem(err error) (field, reason string) {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return "", "expected an object, got a JSON " + te.Value
		}
		return te.Field, fmt.Sprintf("expected %s, got a JSON %s", jsonKind(te.Type.Kind().String()), te.Value)
	}
	if f, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return strings.Trim(f, `"`), "unknown field (the fields are indicator, value, unit, source, year, note, estimated, comment)"
	}
	return "", strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind names a Go kind as JSON calls it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "string":
		return "a string"
	case kind == "bool":
		return "true or false"
	case kind == "slice":
		return "an array"
	case kind == "struct", kind == "map":
		return "an object"
	}
	return kind
}

// position is the line and column (from 1, in bytes) of offset in data.
func position(data []byte, offset int64) (line, col int) {
	offset = min(max(offset, 0), int64(len(data)))
	before := data[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(offset) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// apiDataCallSubmit submits a city's values for review, as the page's
// button does: every required value must be there.
func (a *Area) apiDataCallSubmit(w http.ResponseWriter, r *http.Request) error {
	call, c, err := a.callCity(r)
	if err != nil {
		return err
	}
	if _, err := a.svc.Transition(r.Context(), dataCallActor(r), call.Edition.Code, cityRef(c), datacall.ActionSubmit, "", nil); err != nil {
		return err
	}
	sub, err := a.apiSubmission(r, call, c)
	if err != nil {
		return err
	}
	web.WriteJSON(w, http.StatusOK, sub)
	return nil
}
