package surveyweb

import (
	"github.com/citylens/citylens/internal/survey"
	"github.com/citylens/citylens/internal/web"
)

// surveyMean is how a survey.Mean is written (its MarshalJSON: NaN
// figures as null), for the OpenAPI document.
type surveyMean struct {
	N    int      `json:"n"`
	NEff float64  `json:"n_eff"`
	Mean *float64 `json:"mean"`
	SE   *float64 `json:"se"`
}

func init() { web.RegisterJSONAs[survey.Mean, surveyMean]() }

// APISchemaDocs document the survey API's types.
func (a *Area) APISchemaDocs() web.SchemaDocs {
	d := func(s string) web.FieldDoc { return web.FieldDoc{Description: s} }
	return web.SchemaDocs{
		"survey.Results":                        d("An edition's residents' survey figures."),
		"survey.Results.edition":                d("the edition's code"),
		"survey.Results.instrument_version":     d("version of the questionnaire answered"),
		"survey.Results.computed_at":            d("when the figures were computed"),
		"survey.Results.computed_by":            d("not shown publicly (always absent)"),
		"survey.Results.cities":                 d("each surveyed city's figures"),
		"survey.CityResult":                     d("A city's survey figures."),
		"survey.CityResult.city":                d("the city's code"),
		"survey.CityResult.wave":                d("the survey wave"),
		"survey.CityResult.responses":           d("responses received"),
		"survey.CityResult.excluded":            d("responses left out (incomplete or invalid)"),
		"survey.CityResult.design":              d("the weights' design figures"),
		"survey.CityResult.iterations":          d("raking iterations until the weights converged"),
		"survey.CityResult.trimmed":             d("the weight trimming cap used (absent: none)"),
		"survey.CityResult.items":               d("each question's figures"),
		"survey.CityResult.groups":              d("area, pillar, cell and overall scores"),
		"survey.CityResult.priorities":          d("shares of residents choosing each priority"),
		"survey.Design":                         d("Design figures of a city's weights."),
		"survey.Design.n":                       d("valid responses"),
		"survey.Design.weight_sum":              d("sum of the weights"),
		"survey.Design.deff":                    d("design effect of the weighting: n·Σw²/(Σw)²"),
		"survey.Design.n_eff":                   d("effective sample size: (Σw)²/Σw²"),
		"survey.ItemResult":                     d("One question's figures."),
		"survey.ItemResult.item":                d("the question's code"),
		"survey.ItemResult.agree":               d("weighted share of favourable answers, 0 to 1"),
		"survey.ItemResult.score":               d("weighted score, 0 to 100"),
		"survey.GroupResult":                    d("A score over a group of questions."),
		"survey.GroupResult.kind":               {Description: "what the group is", Enum: web.Enum("area", "pillar", "cell", "overall")},
		"survey.GroupResult.area":               d("the area (kinds area and cell)"),
		"survey.GroupResult.pillar":             d("the pillar (kinds pillar and cell)"),
		"survey.GroupResult.score":              d("weighted score, 0 to 100"),
		"survey.PriorityResult":                 d("A priority residents chose."),
		"survey.PriorityResult.choice":          d("the priority's code"),
		"survey.PriorityResult.share":           d("weighted share of residents choosing it, 0 to 1"),
		"surveyweb.indexValuesResponse":         d("The people-centric pillar's values of an edition."),
		"surveyweb.indexValuesResponse.edition": d("the edition's code"),
		"surveyweb.indexValuesResponse.values":  d("one value per city and area × pillar; figures on too few responses are left out"),
		"survey.IndexValue":                     d("A survey figure entering the index as an indicator value."),
		"survey.IndexValue.city":                d("the city's code"),
		"survey.IndexValue.indicator":           d("the indicator: PC-<AREA>-S (structures) or PC-<AREA>-T (technology)"),
		"survey.IndexValue.value":               d("the score, 0 to 100, pooled over the waves"),
		"survey.IndexValue.se":                  d("its standard error"),
		"survey.IndexValue.n_eff":               d("the pooled effective sample size"),
		"survey.IndexValue.n":                   d("valid responses of the edition's wave"),
		"survey.IndexValue.waves":               d("the waves pooled, latest first"),
		"survey.IndexValue.shares":              d("each wave's weight, summing to 1"),
		"survey.IndexValue.source":              d("the provenance shown with the value: waves, n, effective n and margin of error"),
		"surveyweb.surveyMean":                  d("A weighted estimate with its standard error."),
		"surveyweb.surveyMean.n":                d("answers behind it"),
		"surveyweb.surveyMean.n_eff":            d("effective sample size"),
		"surveyweb.surveyMean.mean":             d("the estimate (null: no one answered)"),
		"surveyweb.surveyMean.se":               d("its standard error (null with fewer than two answers)"),
	}
}
