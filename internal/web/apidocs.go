package web

// coreSchemaDocs document the core's types: the problem document and the
// platform types the core knows (members, accounts, audit log, jobs).
var coreSchemaDocs = SchemaDocs{
	"web.ProblemDocument":            {Description: "An error, as an RFC 9457 problem document with CityLens's extension members."},
	"web.ProblemDocument.type":       {Description: "a URI naming the kind of problem: urn:citylens:problem:<code>", Format: "uri"},
	"web.ProblemDocument.title":      {Description: "the HTTP status's text, e.g. Not Found"},
	"web.ProblemDocument.status":     {Description: "the HTTP status", Minimum: Min(400)},
	"web.ProblemDocument.detail":     {Description: "what went wrong, in English"},
	"web.ProblemDocument.instance":   {Description: "the path of the request that failed"},
	"web.ProblemDocument.code":       {Description: "the error code", Enum: errorCodes},
	"web.ProblemDocument.request_id": {Description: "an internal error's request id: quote it to the operators (their log has the cause)"},
	"web.ProblemDocument.problems":   {Description: "every row, entry or field at fault"},
	"web.ProblemDocument.error":      {Description: "the same error in the shape answered before problem documents (deprecated: read the members above)"},
	"web.APIErrorDetail":             {Description: "An error in the API's earlier shape."},
	"web.APIErrorDetail.status":      {Description: "the HTTP status"},
	"web.APIErrorDetail.code":        {Description: "the error code", Enum: errorCodes},
	"web.APIErrorDetail.message":     {Description: "what went wrong, in English"},
	"web.APIErrorDetail.request_id":  {Description: "an internal error's request id"},
	"web.APIErrorDetail.problems":    {Description: "every row, entry or field at fault"},
	"citylens.Problem":               {Description: "One problem of a refused request: a row and column of an imported file, or an entry and field of a JSON batch, and why."},
	"citylens.Problem.row":           {Description: "line of an imported file, from 1", Minimum: Min(1)},
	"citylens.Problem.column":        {Description: "column of an imported file"},
	"citylens.Problem.entry":         {Description: "index of the entry in a JSON batch, from 0", Minimum: Min(0)},
	"citylens.Problem.city":          {Description: "the city code at fault"},
	"citylens.Problem.indicator":     {Description: "the indicator code at fault"},
	"citylens.Problem.field":         {Description: "the field at fault"},
	"citylens.Problem.reason":        {Description: "why, in English"},
	"web.Paginated.next_cursor":      {Description: "the cursor of the next page (pass it as ?cursor=); null on the last page"},
}

// errorCodes are the codes of citylens.Error, as the API writes them.
var errorCodes = Enum("invalid", "not_found", "conflict", "unauthorized", "forbidden", "too_large", "unsupported_media_type", "rate_limited", "canceled", "internal")

// Paginated is the cursor of a page of a list: embed it in a list's
// response.
type Paginated struct {
	// NextCursor is the next page's cursor (null: this page ends the list).
	NextCursor *string `json:"next_cursor"`
}
