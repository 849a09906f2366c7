-- The perception-versus-data mapping of an edition's survey: pairs of a
-- survey item (residents' rating) and a catalogue indicator (the measured
-- value on the same topic), in the secretariat's order. lower_better = 1
-- when a lower value of the indicator is the better one.
CREATE TABLE survey_topics (
	edition      TEXT NOT NULL REFERENCES surveys (edition),
	position     INTEGER NOT NULL,
	item         TEXT NOT NULL,
	indicator    TEXT NOT NULL,
	lower_better INTEGER NOT NULL DEFAULT 0,
	updated_by   TEXT NOT NULL,
	updated_at   BIGINT NOT NULL,
	PRIMARY KEY (edition, item, indicator)
);
