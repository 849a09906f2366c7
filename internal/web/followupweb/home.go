package followupweb

import (
	"context"
	"time"

	"github.com/citylens/citylens/internal/followup"
)

// HomeStudy is one study on a city's home: its status, its milestones
// done of all, and those not done by due date.
type HomeStudy struct {
	Study  *followup.Study
	Status string
	Done   int
	Total  int
	Late   int
	Due    []HomeMilestone // the first not done, in plan order
}

// HomeMilestone is a milestone not done with its status at now.
type HomeMilestone struct {
	followup.Milestone
	Status string
}

// HomeStudies are the panel's data: the studies a city hosts or is a
// partner city of, or nil (hiding the panel) when there are none.
type HomeStudies struct {
	Studies []HomeStudy
	Late    int // milestones late over all the studies
}

// homeDueShown is how many milestones not done the home lists per study.
const homeDueShown = 3

// CityStudies reads the home panel of city's studies at now (nil, not a
// typed nil, when the city has none). Winners' studies are a handful a
// year, so every edition's are read and the city's kept.
func CityStudies(ctx context.Context, st followup.Store, city string, now time.Time) (any, error) {
	all, err := st.FollowupStudies(ctx, "")
	if err != nil {
		return nil, err
	}
	var out HomeStudies
	for _, s := range all {
		if !cityIn(s, city) {
			continue
		}
		hs := HomeStudy{Study: s, Status: followup.StudyStatus(s, now), Total: len(s.Milestones)}
		for _, m := range s.Milestones {
			status := followup.MilestoneStatus(m, now)
			switch status {
			case followup.StatusDone:
				hs.Done++
				continue
			case followup.StatusLate:
				hs.Late++
			}
			if len(hs.Due) < homeDueShown {
				hs.Due = append(hs.Due, HomeMilestone{Milestone: m, Status: status})
			}
		}
		out.Late += hs.Late
		out.Studies = append(out.Studies, hs)
	}
	if len(out.Studies) == 0 {
		return nil, nil
	}
	return &out, nil
}

func cityIn(s *followup.Study, city string) bool {
	if city == "" {
		return false
	}
	if s.HostCity == city {
		return true
	}
	for _, p := range s.Partners {
		if p.CityCode == city {
			return true
		}
	}
	return false
}
