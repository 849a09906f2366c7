package jobs

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/citylens/citylens"
)

// A failed job's error is stored as text (the error column). A keyed
// *citylens.Error (one a domain package or the engine words by catalogue
// key, such as an engine error naming an indicator) is stored as JSON,
//
//	{"code":"invalid","key":"engine.normalise.no_values","args":["EC-1"],"message":"normalise: indicator \"EC-1\": no values"}
//
// with its arguments as strings, numbers and, for an argument worded by key
// itself, objects ({"phrase":key,"args":[…],"text":English} for a
// citylens.Phrase, the same form as above for an error), so that a page
// words it in its reader's language (Job.Err). Any other error is stored as
// its message, an internal one as its whole text, for the operators.

// storedError is the JSON form of a keyed error.
type storedError struct {
	Code    string            `json:"code"`
	Key     string            `json:"key"`
	Args    []json.RawMessage `json:"args,omitempty"`
	Message string            `json:"message"`
}

// storedPhrase is the JSON form of a citylens.Phrase argument.
type storedPhrase struct {
	Phrase string            `json:"phrase"`
	Args   []json.RawMessage `json:"args,omitempty"`
	Text   string            `json:"text"`
}

// errorText is the text stored for a failed job's error.
func errorText(err error) string {
	if e := citylens.AsError(err); e != nil && e.Key != "" && e.Code != citylens.EINTERNAL {
		if b, jerr := json.Marshal(toStored(e)); jerr == nil {
			return string(b)
		}
	}
	if citylens.ErrorCode(err) == citylens.EINTERNAL {
		return err.Error()
	}
	return citylens.ErrorMessage(err)
}

func toStored(e *citylens.Error) storedError {
	return storedError{Code: e.Code, Key: e.Key, Args: encodeArgs(e.Args), Message: e.Error()}
}

func encodeArgs(args []any) []json.RawMessage {
	if len(args) == 0 {
		return nil
	}
	out := make([]json.RawMessage, len(args))
	for i, a := range args {
		out[i] = encodeArg(a)
	}
	return out
}

// encodeArg writes an argument so that decodeArg gives back one that
// formats the same: a float keeps a decimal point, so that it comes back a
// float.
func encodeArg(a any) json.RawMessage {
	var v any
	switch x := a.(type) {
	case string, bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		v = x
	case float32:
		return encodeArg(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			v = fmt.Sprint(x)
			break
		}
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return json.RawMessage(s)
	case citylens.Phrase:
		v = storedPhrase{Phrase: x.Key, Args: encodeArgs(x.Args), Text: x.English}
	case *citylens.Error:
		v = toStored(x)
	default:
		v = fmt.Sprint(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprint(a))
	}
	return b
}

func decodeArgs(raw []json.RawMessage) []any {
	if len(raw) == 0 {
		return nil
	}
	out := make([]any, len(raw))
	for i, r := range raw {
		out[i] = decodeArg(r)
	}
	return out
}

func decodeArg(r json.RawMessage) any {
	s := strings.TrimSpace(string(r))
	switch {
	case s == "":
		return ""
	case s[0] == '"':
		var v string
		json.Unmarshal(r, &v)
		return v
	case s == "true" || s == "false":
		return s == "true"
	case s[0] == '{':
		var probe map[string]json.RawMessage
		json.Unmarshal(r, &probe)
		if _, ok := probe["phrase"]; ok {
			var p storedPhrase
			json.Unmarshal(r, &p)
			return citylens.Phrase{Key: p.Phrase, Args: decodeArgs(p.Args), English: p.Text}
		}
		var e storedError
		json.Unmarshal(r, &e)
		return fromStored(e)
	case strings.ContainsAny(s, ".eE"):
		f, _ := strconv.ParseFloat(s, 64)
		return f
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

func fromStored(e storedError) *citylens.Error {
	return &citylens.Error{Code: e.Code, Key: e.Key, Args: decodeArgs(e.Args), Message: e.Message}
}

// Err is the job's error, nil when it has none: a keyed error as its
// handler returned it (code, message key and arguments, English message),
// which a page words in its reader's language; an error stored as text
// comes back as an EINTERNAL error with that text as its message, shown
// to the secretariat only (others read that something went wrong).
func (j Job) Err() *citylens.Error {
	if j.Error == "" {
		return nil
	}
	if strings.HasPrefix(j.Error, `{"code":`) {
		var e storedError
		if json.Unmarshal([]byte(j.Error), &e) == nil && e.Key != "" {
			return fromStored(e)
		}
	}
	return &citylens.Error{Code: citylens.EINTERNAL, Message: j.Error}
}

// ErrorText is the job's error in English ("" when it has none): a keyed
// error's English message, or the stored text.
func (j Job) ErrorText() string {
	if e := j.Err(); e != nil {
		return e.Message
	}
	return ""
}
