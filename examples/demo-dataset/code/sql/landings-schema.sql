-- SPDX-License-Identifier: BSD-2-Clause
-- Copyright (c) 2024 The Harbour Tools authors
--
-- Schema of the digitised landing book of the Kelmouth Fishermen's Cooperative.

CREATE TABLE boat (
    boat_id      TEXT PRIMARY KEY,          -- registration mark, e.g. 'KL 17'
    name         TEXT NOT NULL,
    length_m     NUMERIC(4, 1) CHECK (length_m > 0),
    member_since DATE
);

CREATE TABLE landing (
    landing_id   BIGSERIAL PRIMARY KEY,
    boat_id      TEXT NOT NULL REFERENCES boat (boat_id),
    landed_on    DATE NOT NULL,
    species      TEXT NOT NULL,
    weight_kg    NUMERIC(7, 1) NOT NULL CHECK (weight_kg >= 0),
    price_per_kg NUMERIC(6, 2),
    entered_by   TEXT
);

CREATE INDEX landing_by_day ON landing (landed_on, species);

-- Monthly totals by species, used by the annual report.
CREATE VIEW monthly_landings AS
SELECT date_trunc('month', landed_on) AS month,
       species,
       sum(weight_kg) AS weight_kg,
       sum(weight_kg * price_per_kg) AS value
FROM landing
GROUP BY 1, 2;
