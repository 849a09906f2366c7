package survey

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/citylens/citylens"
)

// Response sources.
const (
	SourceWeb   = "web"
	SourcePaper = "paper" // uploaded by a field team (paper or tablet)
)

// Quality flags.
const (
	FlagSpeeder      = "speeder"       // under half the city's median time
	FlagStraightLine = "straight_line" // the same answer to every rating item
	FlagAttention    = "attention"     // the attention item answered otherwise than asked
	FlagImpossible   = "impossible"    // strongly agreeing with two contradicting statements
)

// ExcludeAt is how many flags exclude a response.
const ExcludeAt = 2

// Response is one resident's answers. It holds no identifier of the
// person: no IP address, no cookie, no free text.
type Response struct {
	ID         int64             `json:"id"`
	Edition    string            `json:"edition"` // the survey (its wave)
	City       string            `json:"city"`
	Lang       string            `json:"lang"`
	Version    int               `json:"version"` // of the instrument answered
	Answers    map[string]string `json:"answers"` // item → choice code (scaled and weighting items)
	Priorities []string          `json:"priorities,omitempty"`
	Seconds    float64           `json:"seconds,omitempty"` // time taken (0: unknown, e.g. paper)
	Source     string            `json:"source"`
	Submitted  time.Time         `json:"submitted"`
	Flags      []string          `json:"flags,omitempty"`
	Excluded   bool              `json:"excluded"`
	// Override: the secretariat's decision against the flags ("include"
	// or "exclude"), with its reason and who took it.
	Override       string `json:"override,omitempty"`
	OverrideReason string `json:"override_reason,omitempty"`
	OverrideBy     string `json:"override_by,omitempty"`
}

// Valid says the response counts in the estimates.
func (r *Response) Valid() bool {
	switch r.Override {
	case "include":
		return true
	case "exclude":
		return false
	}
	return !r.Excluded
}

// ParseAnswers reads a response's answers from form-like values (item code
// → values): every scaled or weighting item's answer must be one of its
// choices, a required item answered, priorities at most Max distinct known
// choices; a value for an unknown item is refused. Every problem names its
// field; nothing is kept on a refusal.
func (in *Instrument) ParseAnswers(values map[string][]string) (map[string]string, []string, error) {
	var ps []citylens.Problem
	add := func(field, key, reason string, args ...any) {
		ps = append(ps, citylens.Problem{Field: field, Reason: reason, Key: key, Args: args})
	}
	answers := map[string]string{}
	var picks []string
	for _, it := range in.Items {
		vals := values[it.Code]
		l, _ := in.ListOf(it.List)
		if it.Kind == KindPriorities {
			if len(vals) > it.Max {
				add(it.Code, "survey.problem.too_many_picks", fmt.Sprintf("at most %d choices", it.Max), it.Max)
				continue
			}
			seen := map[string]bool{}
			for _, v := range vals {
				if !hasChoice(l, v) {
					add(it.Code, "survey.problem.choice", "unknown choice "+strconv.Quote(v), v)
					continue
				}
				if !seen[v] {
					picks = append(picks, v)
				}
				seen[v] = true
			}
			continue
		}
		if len(vals) > 1 {
			add(it.Code, "survey.problem.one_answer", "one answer only")
			continue
		}
		v := ""
		if len(vals) == 1 {
			v = vals[0]
		}
		if v == "" || (it.Scaled() && v == NoAnswer) {
			if it.Required {
				add(it.Code, "survey.problem.required", "an answer is required")
			}
			continue
		}
		if !hasChoice(l, v) {
			add(it.Code, "survey.problem.choice", "unknown choice "+strconv.Quote(v), v)
			continue
		}
		answers[it.Code] = v
	}
	known := map[string]bool{}
	for _, it := range in.Items {
		known[it.Code] = true
	}
	for _, k := range sortedKeys(values) {
		if !known[k] {
			add(k, "survey.problem.unknown_item", "no such question")
		}
	}
	if len(ps) > 0 {
		return nil, nil, &citylens.Error{Code: citylens.EINVALID, Key: "survey.error.response", Message: "the response is not valid", Problems: ps}
	}
	return answers, picks, nil
}

func hasChoice(l List, code string) bool {
	return slices.ContainsFunc(l.Choices, func(c Choice) bool { return c.Code == code })
}

// Rating is the answer to a scaled item as a number 1..5 (false: no
// answer, not available).
func Rating(answers map[string]string, code string) (float64, bool) {
	v, ok := answers[code]
	if !ok || len(v) != 1 || v[0] < '1' || v[0] > '5' {
		return 0, false
	}
	return float64(v[0] - '0'), true
}

// Flag computes the quality flags of one city's responses of a wave (in
// place) and marks excluded those with ExcludeAt flags or more. Speeders
// are judged against the median time of the responses whose time is known.
func (in *Instrument) Flag(rs []Response) {
	p := in.plan()
	in.flag(rs, p, p.dense(rs, nil))
}

// flag is Flag over rs's answers as p's dense matrix mat.
func (in *Instrument) flag(rs []Response, p *plan, mat []float64) {
	var times []float64
	for _, r := range rs {
		if r.Seconds > 0 {
			times = append(times, r.Seconds)
		}
	}
	median := math.NaN()
	if len(times) > 0 {
		sort.Float64s(times)
		m := len(times) / 2
		median = times[m]
		if len(times)%2 == 0 {
			median = (times[m-1] + times[m]) / 2
		}
	}
	k := len(p.codes)
	for i := range rs {
		r := &rs[i]
		row := mat[i*k : (i+1)*k]
		var flags []string
		if r.Seconds > 0 && !math.IsNaN(median) && r.Seconds < median/2 {
			flags = append(flags, FlagSpeeder)
		}
		first, same, answered := 0.0, true, 0
		for _, c := range p.ratings {
			v := row[c]
			if math.IsNaN(v) {
				continue
			}
			if answered == 0 {
				first = v
			} else if v != first {
				same = false
			}
			answered++
		}
		if answered >= 5 && same {
			flags = append(flags, FlagStraightLine)
		}
		for _, a := range p.attention {
			if v := row[a.c]; !math.IsNaN(v) && int(v) != a.want {
				flags = append(flags, FlagAttention)
			}
		}
		impossible := false
		for _, o := range p.opposes {
			if row[o.a] == 5 && row[o.b] == 5 {
				impossible = true
			}
		}
		if impossible {
			flags = append(flags, FlagImpossible)
		}
		r.Flags = flags
		r.Excluded = len(flags) >= ExcludeAt
	}
}
