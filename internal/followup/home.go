package followup

import (
	"context"
	"time"
)

// HomeStudy is one study on a city's home: its status, its milestones
// done of all, and those not done by due date.
type HomeStudy struct {
	Study  *Study
	Status string
	Done   int
	Total  int
	Late   int
	Due    []HomeMilestone // the first not done, in plan order
}

// HomeMilestone is a milestone not done with its status at now.
type HomeMilestone struct {
	Milestone
	Status string
}

// HomeStudies are a city's home panel: the studies the city hosts or is a
// partner city of.
type HomeStudies struct {
	Studies []HomeStudy
	Late    int // milestones late over all the studies
}

// HomeDueShown is how many milestones not done the home lists per study.
const HomeDueShown = 3

// CityStore reads the studies of one city.
type CityStore interface {
	// FollowupCityStudies are the studies city hosts or is a partner city
	// of, complete, by ID.
	FollowupCityStudies(ctx context.Context, city string) ([]*Study, error)
}

// CityStudies reads the home panel of city's studies at now: nil (not a
// typed nil, so the panel hides) when the city has none or city is "".
func CityStudies(ctx context.Context, st CityStore, city string, now time.Time) (any, error) {
	if city == "" {
		return nil, nil
	}
	studies, err := st.FollowupCityStudies(ctx, city)
	if err != nil {
		return nil, err
	}
	var out HomeStudies
	for _, s := range studies {
		hs := HomeStudy{Study: s, Status: StudyStatus(s, now), Total: len(s.Milestones)}
		for _, m := range s.Milestones {
			status := MilestoneStatus(m, now)
			switch status {
			case StatusDone:
				hs.Done++
				continue
			case StatusLate:
				hs.Late++
			}
			if len(hs.Due) < HomeDueShown {
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
