-- Value counts of the data call, kept by the data-call service as values
-- are added and submissions accepted or reopened, so the coverage board and
-- the review queue of 1,000 cities x 300 indicators read a few thousand rows
-- instead of counting 300,000 values on every view. RecountValues rebuilds
-- them from datacall_values.
CREATE TABLE datacall_city_counts (
	edition    TEXT NOT NULL,
	city       TEXT NOT NULL,
	n_values   INTEGER NOT NULL DEFAULT 0,
	n_optional INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (edition, city)
);

CREATE TABLE datacall_indicator_counts (
	edition    TEXT NOT NULL,
	region     TEXT NOT NULL,
	indicator  TEXT NOT NULL,
	n_cities   INTEGER NOT NULL DEFAULT 0,
	n_accepted INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (edition, region, indicator)
);
