package web

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/citylens/citylens"
	"github.com/citylens/citylens/internal/catalogue"
)

func TestEditionReleaseConfig(t *testing.T) {
	tests := []struct {
		name       string
		raw        string
		wantErr    string
		wantStages []string
	}{
		{"none: the defaults", "", "", nil},
		{"own stages", `{"stages": [{"name": "Low", "from": 0}, {"name": "High", "from": 60}]}`, "", []string{"Low", "High"}},
		{"misspelt field", `{"stagez": []}`, `unknown field "stagez"`, nil},
		{"stages out of order", `{"stages": [{"name": "A", "from": 50}, {"name": "B", "from": 40}]}`, `stage "B" must start above stage "A"`, nil},
		{"not JSON", `stages: 3`, "release configuration", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &catalogue.Edition{Code: "2026", Release: json.RawMessage(tc.raw)}
			c, err := editionReleaseConfig(e)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || citylens.ErrorCode(err) != citylens.EINVALID || !strings.Contains(err.Error(), "2026") {
					t.Fatalf("error %v, want an invalid-input error naming the edition and %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range c.Stages {
				got = append(got, s.Name)
			}
			if strings.Join(got, ",") != strings.Join(tc.wantStages, ",") {
				t.Errorf("stages %v, want %v", got, tc.wantStages)
			}
		})
	}
}
