package events

import "github.com/citylens/citylens"

func citylensProblems(err error) []string {
	var out []string
	if ce := citylens.AsError(err); ce != nil {
		for _, p := range ce.Problems {
			out = append(out, p.Field)
		}
	}
	return out
}
