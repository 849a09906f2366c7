package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
)

// Pagination of the API's lists: ?limit= (bounded) and ?cursor= (opaque:
// the next_cursor of the page before). A page's body names the next
// page's cursor (next_cursor, null on the last page) and its Link header
// points at it (rel="next"). Cursors are positions in a list whose order
// is fixed (a release never changes; the directory is ordered by code), so
// a client that follows them reads each item once.

// PageLimits are a list's default and largest page sizes.
type PageLimits struct{ Default, Max int }

// PageParams are the OpenAPI parameters of a paginated list.
func PageParams(l PageLimits) []APIParam {
	return []APIParam{
		{Name: "limit", Type: "integer", Description: "items per page (default " + itoa(int64(l.Default)) + ", at most " + itoa(int64(l.Max)) + ")",
			Minimum: Min(1), Maximum: Min(float64(l.Max)), Default: l.Default},
		{Name: "cursor", Type: "string", Description: "the next_cursor of the previous page; absent: the first page"},
	}
}

// PageQuery reads ?limit= and ?cursor= (an offset into the list).
func PageQuery(q url.Values, l PageLimits) (offset, limit int, err error) {
	limit = l.Default
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > l.Max {
			return 0, 0, citylens.E(citylens.EINVALID, "error.page_limit", v, l.Max)
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		offset, err = decodeCursor(v)
		if err != nil {
			return 0, 0, err
		}
	}
	return offset, limit, nil
}

// Cursor is the opaque cursor of a list position.
func Cursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(offset)))
}

func decodeCursor(v string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err == nil {
		if s, ok := strings.CutPrefix(string(b), "o:"); ok {
			if n, err := strconv.Atoi(s); err == nil && n >= 0 {
				return n, nil
			}
		}
	}
	return 0, citylens.E(citylens.EINVALID, "error.page_cursor", v)
}

// PageOf is items[offset:offset+limit] and the next page's cursor (nil
// when this page ends the list); it sets r's response's Link header.
func PageOf[T any](w http.ResponseWriter, r *http.Request, items []T, offset, limit int) ([]T, *string) {
	if offset > len(items) {
		offset = len(items)
	}
	end := min(len(items), offset+limit)
	page := items[offset:end:end]
	if page == nil {
		page = []T{}
	}
	if end >= len(items) {
		return page, nil
	}
	next := Cursor(end)
	q := r.URL.Query()
	q.Set("cursor", next)
	w.Header().Add("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	return page, &next
}
