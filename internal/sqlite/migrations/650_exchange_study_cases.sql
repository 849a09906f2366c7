-- A feasibility study (followup_studies) becomes a case of the practice
-- library, kept in step with it: one case per study.
ALTER TABLE exchange_cases ADD COLUMN study_id INTEGER REFERENCES followup_studies (id);
CREATE UNIQUE INDEX exchange_cases_study ON exchange_cases (study_id);
