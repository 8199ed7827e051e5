-- Staging layer of the warehouse: typed, normalised rows that passed the gate.
-- The contract between etl/ + expectations/ (which fill it) and indicators/ (which read it).
-- One table per source (stg_<bron>) plus the reference area table. Codes upper-case, trimmed;
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

CREATE TABLE IF NOT EXISTS stg_bevolking (
    peildatum      DATE NOT NULL,
    wijkcode       VARCHAR NOT NULL,
    inwoners       BIGINT NOT NULL,
    inwoners_0_17  BIGINT NOT NULL,
    huishoudens    BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS stg_bewonersenquete (
    respondent_id      VARCHAR NOT NULL,
    veldwerk_datum     DATE NOT NULL,
    wijkcode           VARCHAR NOT NULL,
    gewicht            DOUBLE NOT NULL,
    zelfredzaam        INTEGER,   -- 1..5, NULL = no answer
    vrijwilligerswerk  INTEGER,   -- 0/1, NULL = no answer
    mantelzorg         INTEGER    -- 0/1, NULL = no answer
);

CREATE TABLE IF NOT EXISTS stg_clientervaring (
    respondent_id   VARCHAR NOT NULL,
    veldwerk_datum  DATE NOT NULL,
    wijkcode        VARCHAR NOT NULL,
    wet             VARCHAR NOT NULL,  -- wmo | jeugdwet
    gewicht         DOUBLE NOT NULL,
    tevreden        INTEGER            -- 1..5, NULL = no answer
);

CREATE TABLE IF NOT EXISTS stg_ondersteuning (
    traject_id       VARCHAR NOT NULL,
    persoon_id       VARCHAR NOT NULL,
    huishouden_id    VARCHAR NOT NULL,
    wijkcode         VARCHAR NOT NULL,
    geboortejaar     INTEGER NOT NULL,
    voorziening      VARCHAR NOT NULL,
    soort            VARCHAR NOT NULL,  -- basis | specialistisch
    kader            VARCHAR NOT NULL,  -- vrijwillig | gedwongen
    aanbieder        VARCHAR,
    professional_id  VARCHAR NOT NULL,
    begindatum       DATE NOT NULL,
    einddatum        DATE                -- NULL = still running
);

CREATE TABLE IF NOT EXISTS stg_bijstand (
    uitkering_id  VARCHAR NOT NULL,
    persoon_id    VARCHAR NOT NULL,
    wijkcode      VARCHAR NOT NULL,
    begindatum    DATE NOT NULL,
    einddatum     DATE
);

CREATE TABLE IF NOT EXISTS stg_participatie (
    activiteit_id  VARCHAR NOT NULL,
    persoon_id     VARCHAR NOT NULL,
    activiteit     VARCHAR NOT NULL,  -- vrijwilligerswerk | re_integratie | tegenprestatie | deeltijdwerk | opleiding | mantelzorg
    begindatum     DATE NOT NULL,
    einddatum      DATE
);
