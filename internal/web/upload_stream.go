package web

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"github.com/citylens/citylens"
)

// Bounds of the fields read before a streamed upload's first file.
const (
	maxStreamFields     = 32
	maxStreamFieldBytes = 16 << 10
)

// Upload is the multipart body of a StreamsUpload route, positioned at its
// first file: the fields before it are in r.PostForm.
type Upload struct {
	mr      *multipart.Reader
	pending *multipart.Part
	done    bool
}

type uploadKey struct{}

// UploadOf is the streamed body of a StreamsUpload route (nil otherwise).
func UploadOf(r *http.Request) *Upload {
	u, _ := r.Context().Value(uploadKey{}).(*Upload)
	return u
}

// NextFile is the next file part of the body, nil at its end. Fields after
// the first file are skipped (bounded by the route's body limit).
func (u *Upload) NextFile() (*multipart.Part, error) {
	if u.pending != nil {
		p := u.pending
		u.pending = nil
		return p, nil
	}
	for !u.done {
		p, err := u.mr.NextPart()
		if errors.Is(err, io.EOF) {
			u.done = true
			break
		}
		if err != nil {
			return nil, formError(err)
		}
		if p.FileName() != "" {
			return p, nil
		}
	}
	return nil, nil
}

// openUpload reads a multipart body's fields up to its first file into
// r.PostForm and r.Form, bounded in count and size, and keeps the rest
// unread for the handler.
func openUpload(r *http.Request) (*http.Request, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return r, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return r, formError(err)
	}
	u := &Upload{mr: mr}
	form := url.Values{}
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			u.done = true
			break
		}
		if err != nil {
			return r, formError(err)
		}
		if p.FileName() != "" {
			u.pending = p
			break
		}
		if n >= maxStreamFields {
			return r, worded(citylens.EINVALID, "error.form_unreadable", "too many fields")
		}
		b, err := io.ReadAll(io.LimitReader(p, maxStreamFieldBytes+1))
		if err != nil {
			return r, formError(err)
		}
		if len(b) > maxStreamFieldBytes {
			return r, worded(citylens.EINVALID, "error.form_unreadable", "field "+p.FormName()+" is too long")
		}
		form.Add(p.FormName(), string(b))
	}
	r.PostForm = form
	all := url.Values{}
	for k, v := range r.URL.Query() {
		all[k] = append(all[k], v...)
	}
	for k, v := range form {
		all[k] = append(all[k], v...)
	}
	r.Form = all
	return r.WithContext(context.WithValue(r.Context(), uploadKey{}, u)), nil
}

// AttachmentHeaders sets the headers of a stored file served for download
// (a prize attachment, an evidence file, a training file): the type it was
// sniffed as when stored, its length, an attachment disposition with its
// name, nosniff and no caching (every download is access-checked).
func AttachmentHeaders(w http.ResponseWriter, name, typ string, size int64) {
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Length", strconv.FormatInt(size, 10))
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, no-store")
}
