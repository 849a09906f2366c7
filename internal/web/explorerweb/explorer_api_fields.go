package explorerweb

import "github.com/citylens/citylens/internal/web"

// releaseDocs describe every property of the release types the explorer
// API answers with (a test fails for a property without a description).
var releaseDocs = docsOf(map[string]map[string]string{
	"explorerweb.ReleasesResponse": {"": "The published releases.", "releases": "every published release, newest first", "latest": "the hash `latest` stands for: the newest release of the network's index"},
	"explorerweb.ReleaseItem":      {"summary": "the release's headline summary", "latest": "this is the latest release", "network": "a release of the network's own index (not an example)"},
	"explorerweb.ReleaseResponse":  {"": "A release.", "record": "the release's record", "summary": "its headline summary", "changes": "the change log against the release it corrects (empty for a first release)", "files": "its files"},
	"explorerweb.FileLink":         {"": "One file of a release.", "name": "file name", "url": "where to download it (immutable)", "media_type": "its media type"},
	"explorerweb.RankingsResponse": {"": "A page of a release's ranking.", "release": "the release's hash", "edition": "the edition's code", "query": "the filters, sort and page as applied",
		"total": "cities matching the filters (on every page)", "rows": "the ranked cities of this page", "unranked": "the release's cities not ranked (too little data), whatever the filters"},
	"explorerweb.CityProfileResponse": {"": "A city's profile in a release and its trend.", "release": "the release's hash", "edition": "the edition's code", "profile": "the city's profile", "trend": "the city's result in each edition of the network, oldest first"},
	"explorerweb.WhatIfResponse":      {"": "A what-if's result.", "release": "the release's hash (unchanged)", "result": "the recomputed result beside the published one"},
	"explorerweb.CompareResponse":     {"": "Cities side by side.", "release": "the release's hash", "cities": "the cities, in the order asked"},
	"explorerweb.IndicatorResponse":   {"": "An indicator in a release.", "release": "the release's hash", "indicator": "the indicator's view"},
	"explorerweb.MethodologyResponse": {"": "A release's methodology.", "release": "the release's hash", "methodology": "how the index was built"},
	"explorerweb.DownloadsResponse":   {"": "A release's files.", "release": "the release's hash", "files": "its files", "datapackage": "its Frictionless data package (datapackage.json)"},

	"release.Record": {"": "A stored release.", "id": "the release's id in this database", "edition": "the edition's code, e.g. 2026", "hash": "content hash of method, data and engine version (SHA-256, hexadecimal)",
		"state": "published (the API shows no other)", "corrects": "hash of the release of the same edition it corrects", "draft_id": "the data call's draft it was published from",
		"title": "the release's title", "demo": "synthetic demonstration data", "cities": "cities in the release", "change_note": "the secretariat's words for a correction",
		"changes": "the computed change log of a correction", "created_by": "who computed it (e-mail)", "created_at": "when it was computed", "published_by": "who published it (e-mail)", "published_at": "when it was published"},
	"release.Summary": {"": "A release's headline summary.", "hash": "the release's hash", "edition": "the edition's code", "engine_version": "version of the index engine that computed it",
		"published_at": "when it was published", "corrects": "hash of the release it corrects", "previous": "hash of the previous edition's release (change is against it)",
		"previous_edition": "the previous edition's code", "index": "code of the index (the framework's root)", "index_name": "name of the index", "pillars": "codes of the pillars, in framework order",
		"cities": "cities in the release", "ranked": "cities ranked", "indicators": "indicators in the framework", "licence": "the licence of the release's data", "attribution": "the sources to credit"},
	"release.Licence": {"": "A licence.", "name": "SPDX identifier, e.g. CC-BY-4.0", "title": "its title", "path": "URL of its text"},
	"release.Change": {"": "One entry of a correction's change log.", "kind": "what changed: value, provenance, score, rank, stage, rating, framework, method, config or cities",
		"city": "the city concerned", "code": "the indicator or aggregate concerned", "old": "before, as text", "new": "after, as text"},
	"release.RankingQuery": {"": "The filters, sort and page of a ranking.", "region": "world region filter", "peer_group": "peer group filter", "population_class": "population class filter",
		"stage": "development stage filter", "sort": "sort key: rank, name, score, change or a pillar code", "reverse": "the sort's natural order reversed",
		"offset": "rows skipped", "limit": "rows asked for (0: all)"},
	"release.RankingRow": {"": "One ranked city.", "rank": "rank in the release (1 is best); tied cities share the tie group, not the rank", "city": "the city",
		"population_class": "population class", "score": "index score, in points of the release's scale (higher is better)", "score_band": "5–95 % interval of the score under the uncertainty analysis",
		"rank_band": "5–95 % interval of the rank under the uncertainty analysis", "tie_group": "cities whose rank bands overlap share a tie group",
		"tied_with": "codes of up to 10 cities of the tie group nearest in rank", "tie_size": "cities in the tie group, this one included", "tie_from": "best rank the tie group spans",
		"tie_to": "worst rank the tie group spans", "stage": "development stage", "rating": "rating within the city's peer group (e.g. AAA..D)",
		"prev_rank": "rank in the previous edition (absent: not ranked then)", "change": "previous rank minus this rank: positive moved up (absent without a previous rank)", "pillars": "the pillars' results, in framework order",
		"new": "ranked now but not in the previous edition's release (its change is new, not a number)"},
	"release.RankingPillar": {"": "A ranked city's result on one pillar.", "code": "the pillar's code", "score": "pillar score, in points (0 when missing)", "missing": "no score on this pillar",
		"rank": "rank on the pillar", "stage": "development stage on the pillar"},
	"release.UnrankedCity": {"": "A city of the release not ranked.", "city": "the city", "data_availability": "share of indicators with a value, 0 to 1 (below the release's threshold)"},
	"release.City": {"": "A city as a release knows it.", "code": "the city's code", "name": "name in English", "country": "ISO 3166-1 code", "region": "world region",
		"population": "inhabitants (absent: unknown)", "lat": "latitude, degrees north", "lon": "longitude, degrees east", "peer_group": "the group its rating is relative to"},
	"release.Band": {"": "A 5–95 % interval with its median (of ranks or of scores), null when not computed.", "q5": "5th percentile", "median": "median", "q95": "95th percentile"},
	"release.PillarScore": {"": "A city's score, rank and stage on one pillar.", "code": "the pillar's code", "score": "pillar score, in points (null: missing)", "rank": "rank on the pillar",
		"stage": "development stage on the pillar", "band": "5–95 % interval of the pillar score"},
	"release.PillarProfile": {"": "A city's standing on one pillar with what to chart it against.", "name": "the pillar's name",
		"peer_median": "median score of the ranked cities of the city's peer group (or of the network: see peer_set)", "peer_set": "what peer_median is over: peer_group or network",
		"network_best": "highest score of any ranked city", "best_city": "that city's code"},
	"release.Standing": {"": "Where a city stands on one indicator within its comparison set.", "indicator": "the indicator's code", "name": "its name",
		"score": "normalised score (higher is better whatever the indicator's direction)", "percentile": "mid-rank position in the comparison set, 0 (lowest) to 1 (highest)",
		"against": "the comparison set: peer_group or network", "set_size": "cities in the comparison set"},
	"release.Neighbour": {"": "A city near another in normalised indicator space.", "city": "the city", "distance": "distance in normalised indicator space (smaller is nearer)",
		"common": "indicators both cities have", "rank": "its rank", "score": "its index score, in points", "gaps": "twins: its scores minus the city's, index first, then pillars",
		"stage": "its development stage", "rank_band": "its 5–95 % rank interval", "context": "twins: what they share (peer_group, population_class)"},
	"release.Gap": {"": "The difference of one score between two cities.", "code": "the index's or a pillar's code", "gap": "difference in points (null: one of them missing)"},
	"release.Value": {"": "One indicator value of a city with its provenance.", "indicator": "the indicator's code", "name": "its name", "unit": "unit of the value", "pillar": "the pillar it belongs to",
		"value": "the submitted value, in the unit (null: missing)", "imputed": "the pipeline filled the missing value", "imputed_value": "the value filled in, in the unit",
		"source": "where the value comes from", "data_year": "year the value describes", "estimated": "the value is an estimate", "score": "normalised score (ranked cities)", "rank": "rank on the indicator",
		"imputed_method": "how a missing value was filled: mean, median, group_mean or group_median", "imputed_group": "the group whose figure filled it",
		"imputed_stage": "what was filled: raw (the value) or normalised (the score)"},
	"release.Profile": {"": "Everything a city's page shows.", "city": "the city", "population_class": "population class", "ranked": "the city is ranked",
		"data_availability": "share of indicators with a value, 0 to 1", "rank": "rank (ranked cities)", "score": "index score, in points (null: not ranked)",
		"score_band": "5–95 % interval of the score", "rank_band": "5–95 % interval of the rank", "tie_group": "tie group (as a ranking row's)", "tied_with": "codes of cities tied with it",
		"tie_size": "cities in the tie group", "tie_from": "best rank the tie group spans", "tie_to": "worst rank the tie group spans", "stage": "development stage", "rating": "rating within its peer group",
		"prev_rank": "rank in the previous edition", "change": "previous rank minus this rank (positive: moved up)", "new": "ranked now, not in the previous edition", "pillars": "standing on each pillar",
		"strengths": "indicators where it stands highest in its comparison set", "weaknesses": "indicators where it stands lowest", "peers": "nearest cities of its peer group",
		"twins": "nearest cities anywhere in the network (aspirational twins)", "values": "its indicator values with provenance"},
	"release.CompareRow": {"": "One city of a comparison.", "city": "the city", "ranked": "the city is ranked", "rank": "its rank", "score": "index score, in points (null: not ranked)",
		"score_band": "5–95 % interval of the score", "rank_band": "5–95 % interval of the rank", "stage": "development stage", "rating": "rating within its peer group", "pillars": "pillar results"},
	"release.TrendPoint": {"": "A city's result in one release.", "edition": "the edition's code", "hash": "the release's hash", "published_at": "when it was published", "ranked": "the city was ranked",
		"rank": "its rank then", "score": "its index score then, in points", "rank_band": "its 5–95 % rank interval then", "stage": "its stage then", "rating": "its rating then", "cities": "cities ranked in that release"},
	"release.WhatIfResult": {"": "A city's result recomputed with changed values, beside the published one.", "city": "the city's code", "values": "the values changed",
		"was_ranked": "the city is ranked in the release", "ranked": "the city would be ranked", "old_score": "published index score, in points", "score": "recomputed index score, in points",
		"old_rank": "published rank", "rank": "recomputed rank", "old_stage": "published stage", "stage": "recomputed stage", "old_rating": "published rating", "rating": "recomputed rating",
		"pillars": "each pillar before and after", "cities": "cities ranked in the recomputed index", "full_rebuild": "the whole index was recomputed (a change that moves the normalisation)"},
	"release.WhatIfValue":  {"": "One changed value.", "indicator": "the indicator's code", "old": "the release's value, in the indicator's unit (null: missing)", "new": "the value tried, in the indicator's unit"},
	"release.WhatIfPillar": {"": "A pillar before and after a what-if.", "code": "the pillar's code", "old_score": "published score, in points", "score": "recomputed score, in points", "old_rank": "published rank", "rank": "recomputed rank", "old_stage": "published stage", "stage": "recomputed stage"},
	"release.IndicatorView": {"": "An indicator in a release.", "code": "the indicator's code", "name": "its name", "unit": "unit of its values", "definition": "what it measures",
		"direction": "+1: higher is better; -1: lower is better", "parent": "code of its parent aggregate", "pillar": "code of its pillar", "weight": "weight as used, relative to its siblings",
		"effective_weight": "its share of the index, 0 to 1", "target": "target value, in the unit", "goalposts": "goalposts of the bounded normalisation, in the unit",
		"valid_min": "lowest valid value, in the unit", "valid_max": "highest valid value, in the unit", "crosswalk": "where it comes from in the standards (U4SSC, ISO, SDG)",
		"normalisation": "how its values are normalised, in words", "treatment": "outlier treatment, in words", "coverage": "how many cities have a value",
		"distribution": "distribution of its values over the cities", "top": "cities with the best values", "bottom": "cities with the worst values"},
	"release.Coverage":      {"": "How many cities have a value.", "cities": "cities of the release", "with_value": "cities with their own value", "imputed": "missing values the pipeline filled", "share": "with_value / cities, 0 to 1"},
	"release.Distribution":  {"": "Distribution of an indicator's values (in its unit); the statistics are 0 when n is 0.", "n": "values", "min": "smallest", "q1": "first quartile (R's type 7)", "median": "median", "q3": "third quartile", "max": "largest", "mean": "mean", "bins": "histogram bins"},
	"release.Bin":           {"": "One histogram bin.", "from": "lower edge, in the unit", "to": "upper edge, in the unit", "count": "values in the bin"},
	"release.IndicatorCity": {"": "A city's value of an indicator.", "city": "the city's code", "name": "its name", "value": "its value, in the unit", "score": "normalised score", "rank": "rank on the indicator"},
	"release.Methodology": {"": "How a release was built.", "summary": "the release's headline summary", "tree": "the framework, depth first from the index, with effective weights",
		"steps": "every pipeline choice in words", "treatment": "indicators whose outliers were treated", "warnings": "warnings of the computation", "audit": "flags of the statistical audit",
		"uncertainty": "the uncertainty analysis", "sobol": "Sobol sensitivity indices", "stages": "development stages by index score", "pillar_stages": "development stages by pillar score, by pillar code",
		"ratings": "how ratings are given", "peer_group": "the rule that gave the cities their peer groups"},
	"release.FrameworkNode": {"": "One node of the framework.", "code": "its code", "name": "its name", "kind": "indicator or aggregate", "parent": "its parent's code", "level": "depth: 1 for indicators, up to the index",
		"weight": "weight relative to its siblings", "effective_weight": "share of the index, 0 to 1", "direction": "indicators: +1 higher is better, -1 lower is better", "unit": "indicators: unit", "children": "codes of its children",
		"depth": "place in the tree as written: 0 for the index, 1 for pillars, and so on", "scored": "false for an indicator shown but not scored (weight 0 or contextual)"},
	"release.MethodStep": {"": "One pipeline choice.", "step": "the pipeline step (denominate, impute, screen, treat, normalise, weight, aggregate...)", "text": "the choice in words"},
	"release.TreatNote":  {"": "An indicator whose outliers were treated.", "indicator": "the indicator's code", "winsorised": "points clipped", "logged": "replaced by its logarithm"},
	"release.AuditFlag":  {"": "A flag of the statistical audit.", "kind": "skew_kurtosis, weak, negative, redundant or low_alpha", "codes": "the indicators or aggregates concerned", "text": "the flag in words"},
	"release.UncertaintyInfo": {"": "The uncertainty analysis.", "n": "Monte Carlo replications", "seed": "random seed (same seed, same bands)", "failed": "replications that failed", "failures": "failures by reason",
		"inputs": "the uncertain inputs", "sa_n": "base samples of the sensitivity analysis", "sa_runs": "its replications", "sa_failed": "its failed replications"},
	"release.FailureCount": {"": "Failed replications of one reason.", "reason": "why they failed", "count": "how many"},
	"release.SobolIndex": {"": "A Sobol sensitivity index of an output to an input.", "output": "the output (index or pillar code)", "input": "the uncertain input", "s1": "first-order index, 0 to 1",
		"st": "total-order index, 0 to 1", "s1_lo": "lower end of s1's confidence interval", "s1_hi": "upper end of s1's", "st_lo": "lower end of st's", "st_hi": "upper end of st's"},
	"release.Stage":   {"": "A development stage.", "name": "its name", "from": "lowest score of the stage, in points"},
	"release.Ratings": {"": "How ratings are given.", "scale": "the ratings, best first", "rule": "range (by score range) or quantile (by position in the peer group)", "min_group": "fewest ranked cities a peer group needs for its cities to be rated"},
	"release.DataPackage": {"": "A Frictionless data package.", "profile": "the package profile", "name": "the package name", "title": "its title", "version": "the release hash", "hash": "the release hash",
		"created": "when the release was published (RFC 3339)", "licenses": "licences of the data", "attribution": "the sources to credit", "sources": "the data's sources", "resources": "its files"},
	"release.PackageSource": {"": "A source of the data.", "title": "its name"},
	"release.Resource": {"": "One file of the data package.", "name": "resource name", "path": "file path, relative to the package", "profile": "resource profile", "format": "file format",
		"mediatype": "media type", "encoding": "character encoding", "description": "what it holds", "sheet": "XLSX resources: the sheet", "schema": "its table schema"},
	"release.Schema": {"": "A table schema.", "fields": "the columns", "primaryKey": "the columns that identify a row"},
	"release.Field":  {"": "One column of a table.", "name": "column name", "type": "string, integer, number or boolean", "description": "what it holds", "unit": "unit of its values"},
	"catalogue.Crosswalk": {"": "Where an indicator stands in the standards.", "u4ssc": "U4SSC KPI code, e.g. EC: ICT: ICT: 1C", "u4ssc_tier": "U4SSC tier: core or advanced", "dimension": "U4SSC dimension",
		"subdimension": "U4SSC sub-dimension", "category": "U4SSC category", "iso37120": "ISO 37120 clause", "iso37122": "ISO 37122 clause", "iso37123": "ISO 37123 clause",
		"sdg_goals": "Sustainable Development Goals (1–17)", "sdg_targets": "SDG targets, e.g. 11.6", "pillar": "ESG pillar: E, S or G"},
	"engine.Goalposts": {"": "Goalposts of a bounded normalisation, in the indicator's unit.", "low": "value normalised to the scale's bottom", "high": "value normalised to the scale's top",
		"scale": "the normalisation's scale for this indicator (absent: the method's)", "truncate": "values beyond the goalposts are clipped to them (absent: the method's rule)"},
})

// ranges and enums beyond descriptions.
var releaseBounds = map[string]web.FieldDoc{
	"release.RankingRow.rank":                {Minimum: web.Min(1)},
	"release.RankingPillar.score":            {Nullable: true}, // null when missing (a pillar without a value)
	"release.RankingRow.tie_size":            {Minimum: web.Min(1)},
	"release.UnrankedCity.data_availability": {Minimum: web.Min(0), Maximum: web.Min(1)},
	"release.Profile.data_availability":      {Minimum: web.Min(0), Maximum: web.Min(1)},
	"release.Standing.percentile":            {Minimum: web.Min(0), Maximum: web.Min(1)},
	"release.Coverage.share":                 {Minimum: web.Min(0), Maximum: web.Min(1)},
	"release.FrameworkNode.effective_weight": {Minimum: web.Min(0), Maximum: web.Min(1)},
	"release.IndicatorView.effective_weight": {Minimum: web.Min(0), Maximum: web.Min(1)},
	"release.IndicatorView.direction":        {Enum: []any{-1, 1}},
	"release.FrameworkNode.kind":             {Enum: web.Enum("indicator", "aggregate")},
	"release.Standing.against":               {Enum: web.Enum("peer_group", "network")},
	"release.PillarProfile.peer_set":         {Enum: web.Enum("peer_group", "network")},
	"release.Ratings.rule":                   {Enum: web.Enum("range", "quantile")},
	"release.RankingRow.population_class":    {Enum: popClasses},
	"release.Profile.population_class":       {Enum: popClasses},
	"release.City.region":                    {Enum: web.Enum("AF", "AS", "EU", "LA", "NA", "OC")},
	"release.AuditFlag.kind":                 {Enum: web.Enum("skew_kurtosis", "weak", "negative", "redundant", "low_alpha")},
	"catalogue.Crosswalk.pillar":             {Enum: web.Enum("E", "S", "G")},
	"release.Record.state":                   {Enum: web.Enum("published")},
}

// docsOf flattens type → field → description into SchemaDocs ("" is the
// type itself), with releaseBounds.
func docsOf(types map[string]map[string]string) web.SchemaDocs {
	out := web.SchemaDocs{}
	for typ, fields := range types {
		for f, d := range fields {
			key := typ
			if f != "" {
				key += "." + f
			}
			out[key] = web.FieldDoc{Description: d}
		}
	}
	for k, b := range releaseBounds {
		d := out[k]
		d.Minimum, d.Maximum, d.Enum, d.Nullable = b.Minimum, b.Maximum, b.Enum, b.Nullable
		out[k] = d
	}
	return out
}
