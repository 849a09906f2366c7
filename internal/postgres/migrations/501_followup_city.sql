-- A city's studies on its home (followup.CityStudies): the studies a city
-- is a partner city of, by the partner's city code.
CREATE INDEX followup_partners_city ON followup_partners (city_code) WHERE kind = 'city';
