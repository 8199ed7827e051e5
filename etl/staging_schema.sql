-- Staging layer of the warehouse: typed, normalised rows that passed the gate.
-- The contract between etl/ + expectations/ (which fill it) and indicators/ (which read it).
-- The reference area table is declared here; the stg_<bron> tables are derived from the source
-- contract (etl/contract.py staging_ddl, created by etl/staging.py). Codes upper-case, trimmed;
-- text enums lower-case; empty cells NULL.

CREATE TABLE IF NOT EXISTS ref_gebieden (
    wijkcode      VARCHAR NOT NULL,   -- WK001400
    wijknaam      VARCHAR NOT NULL,
    gebiedcode    VARCHAR NOT NULL,   -- GB001401
    gebiedsnaam   VARCHAR NOT NULL,
    gemeentecode  VARCHAR NOT NULL,   -- GM0014
    gemeentenaam  VARCHAR NOT NULL,
    geldig_van    DATE NOT NULL,      -- the row holds for peildata geldig_van <= P
    geldig_tot    DATE,               -- ... and P < geldig_tot (NULL: still valid)
    in_gemeente_sinds DATE            -- the wijk joined the gemeente on this date (merger); figures of
                                      -- earlier peildata are recomputed for it; NULL: always part of it
);
-- Warehouses made before in_gemeente_sinds existed get the column here.
ALTER TABLE ref_gebieden ADD COLUMN IF NOT EXISTS in_gemeente_sinds DATE;
