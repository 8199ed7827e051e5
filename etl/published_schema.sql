-- The published monitor: aggregates only, suppression applied. The contract between the
-- pipeline (indicators/ computes the tables, etl/publish.py writes them atomically) and
-- dashboard/ (reads them read-only). No person-level column may ever appear here: publishing
-- refuses any table or column not declared in this file (etl/publish.py, allowlist).

-- One row per (indicator, peildatum, niveau, gebiedcode): the publication contract of
-- indicators.md plus what the dashboard needs precomputed.
CREATE TABLE indicator_values (
    indicator           VARCHAR NOT NULL,
    peildatum           DATE NOT NULL,
    niveau              VARCHAR NOT NULL,   -- wijk | gebied | gemeente
    gebiedcode          VARCHAR NOT NULL,   -- WK001401 | GB001402 | GM0014
    gebiedsnaam         VARCHAR NOT NULL,
    waarde              DOUBLE,             -- NULL when onderdrukt (and teller..index_nulmeting too)
    teller              DOUBLE,
    noemer              DOUBLE,
    n                   BIGINT,             -- survey: unweighted responses; register: NULL
    ci_laag             DOUBLE,             -- survey: Wilson 95% on n_eff; register: NULL
    ci_hoog             DOUBLE,
    onderdrukt          BOOLEAN NOT NULL,
    verschil_nulmeting  DOUBLE,
    index_nulmeting     DOUBLE,
    significant         BOOLEAN,            -- survey: change vs nulmeting significant (5%); register: NULL
    status              VARCHAR NOT NULL,   -- verbeterd | gelijk gebleven | binnen marge | buiten marge | onvoldoende gegevens
    marge_grens         DOUBLE,             -- worst value still inside the corridor on this peildatum
    streefwaarde        DOUBLE,             -- target for this peildatum, if one is set
    verschil_vorige     DOUBLE,             -- change since the previous peildatum (same area), NULL if unknown
    -- Why a figure is absent. onderdrukking: NULL | 'primair' (below the threshold of indicators.md)
    -- | 'aanvullend' (complementary suppression), only when onderdrukt. reden: NULL, or for a figure
    -- with incomplete inputs (onderdrukt = false, status 'onvoldoende gegevens', no figures) the
    -- Dutch reason, from the fixed vocabulary of indicators/compute.py (REDEN_*).
    onderdrukking       VARCHAR,
    reden               VARCHAR,
    PRIMARY KEY (indicator, peildatum, niveau, gebiedcode)
);

-- Breakdowns (e.g. tevredenheid by wet), same suppression rules; n is NULL for a suppressed
-- category (the number of clients of one wet in one wijk is itself a small count), also when it is
-- empty (an empty category beside the area's published n would give the other category away).
CREATE TABLE indicator_breakdown (
    indicator    VARCHAR NOT NULL,
    peildatum    DATE NOT NULL,
    niveau       VARCHAR NOT NULL,
    gebiedcode   VARCHAR NOT NULL,
    uitsplitsing VARCHAR NOT NULL,   -- e.g. 'wet'
    categorie    VARCHAR NOT NULL,   -- e.g. 'wmo' | 'jeugdwet'
    waarde       DOUBLE,
    teller       DOUBLE,
    noemer       DOUBLE,
    n            BIGINT,
    ci_laag      DOUBLE,
    ci_hoog      DOUBLE,
    onderdrukt   BOOLEAN NOT NULL,
    onderdrukking VARCHAR,           -- as indicator_values
    reden        VARCHAR             -- as indicator_values (the reason of the area's own figure)
);

-- The registry, as published: one row per indicator, in display order.
CREATE TABLE indicators (
    indicator     VARCHAR PRIMARY KEY,
    volgorde      INTEGER NOT NULL,
    naam          VARCHAR NOT NULL,   -- Dutch UI name
    omschrijving  VARCHAR NOT NULL,   -- one or two Dutch sentences
    definitie     VARCHAR NOT NULL,   -- the exact computation, in Dutch
    richting      VARCHAR NOT NULL,   -- hoger_is_beter | lager_is_beter
    eenheid       VARCHAR NOT NULL,   -- '%' | 'ratio' | 'per 1.000 inwoners' | 'per 1.000 jeugdigen (0-17)'
    decimalen     INTEGER NOT NULL,   -- digits shown after the comma
    soort         VARCHAR NOT NULL,   -- enquete | register
    bronnen       VARCHAR NOT NULL,   -- comma-separated source names
    onderdrukking VARCHAR NOT NULL    -- the suppression rule, in Dutch
);

CREATE TABLE corridor (
    indicator           VARCHAR PRIMARY KEY,
    max_verslechtering  DOUBLE NOT NULL,  -- D, in the indicator's unit
    marge_tot           DATE NOT NULL,    -- D holds until this date
    herstel_op          DATE NOT NULL,    -- then narrows linearly to 0 by this date
    reden               VARCHAR NOT NULL
);

CREATE TABLE streefwaarden (
    indicator     VARCHAR NOT NULL,
    peildatum     DATE NOT NULL,
    streefwaarde  DOUBLE NOT NULL
);

CREATE TABLE peildata (
    peildatum     DATE PRIMARY KEY,
    is_nulmeting  BOOLEAN NOT NULL
);

-- Every area of every level; bovenliggend = the enclosing area's code.
CREATE TABLE areas (
    niveau        VARCHAR NOT NULL,   -- wijk | gebied | gemeente
    gebiedcode    VARCHAR NOT NULL,
    gebiedsnaam   VARCHAR NOT NULL,
    bovenliggend  VARCHAR,            -- wijk -> gebied, gebied -> gemeente, gemeente -> NULL
    geldig_van    DATE NOT NULL,
    geldig_tot    DATE,
    in_gemeente_sinds DATE            -- joined the gemeente on this date (Haren, Ten Boer: 2019-01-01); figures of
                                      -- earlier peildata are recomputed to today's borders. NULL: always part of it
);

CREATE TABLE geometry (
    wijkcode  VARCHAR PRIMARY KEY,
    wijknaam  VARCHAR NOT NULL,
    geojson   VARCHAR NOT NULL         -- the GeoJSON geometry object of the wijk (WGS84)
);

-- Data quality of the run that produced this file.
CREATE TABLE dq_sources (
    bron                  VARCHAR PRIMARY KEY,
    laatste_lading        TIMESTAMP,
    bestanden             INTEGER NOT NULL,
    bestanden_afgewezen   INTEGER NOT NULL,
    rijen_geleverd        BIGINT NOT NULL,
    rijen_geaccepteerd    BIGINT NOT NULL,
    rijen_quarantaine     BIGINT NOT NULL,
    waarschuwingen        BIGINT NOT NULL,
    recentste_datum       DATE,               -- freshness: latest peildatum/veldwerk/begindatum in the data
    status                VARCHAR NOT NULL    -- in orde | waarschuwing | fout
);

CREATE TABLE dq_rules (
    bron     VARCHAR NOT NULL,
    kolom    VARCHAR,
    regel    VARCHAR NOT NULL,   -- Dutch description of the rule
    ernst    VARCHAR NOT NULL,   -- fout (row quarantined) | waarschuwing (row kept)
    aantal   BIGINT NOT NULL
);

CREATE TABLE dq_files (
    bron        VARCHAR NOT NULL,
    bestand     VARCHAR NOT NULL,
    rijen       BIGINT,
    status      VARCHAR NOT NULL,   -- geaccepteerd | afgewezen | vorige versie behouden
    reden       VARCHAR,
    geladen_op  TIMESTAMP
);

-- The causes of figures with incomplete inputs (indicators.md "Incomplete inputs"): per indicator
-- and peildatum, a source without accepted data covering the period (wijkcode NULL), or a wijk with
-- data in the registers but no bevolking row (bron 'bevolking', wijkcode set; its gebied and the
-- gemeente are incomplete too). reden: the same Dutch text as indicator_values.reden.
CREATE TABLE dq_incomplete (
    indicator  VARCHAR NOT NULL,
    peildatum  DATE NOT NULL,
    bron       VARCHAR NOT NULL,
    wijkcode   VARCHAR,
    reden      VARCHAR NOT NULL
);

-- Population per area and peildatum, as delivered in bevolking: the context of the figures (Wijkprofiel).
-- Counts of inhabitants, as CBS publishes them per wijk; a gebied or the gemeente is NULL on a peildatum
-- when one of its wijken has no bevolking row then (never a sum over the wijken that happen to be there).
CREATE TABLE bevolking (
    peildatum      DATE NOT NULL,
    niveau         VARCHAR NOT NULL,   -- wijk | gebied | gemeente
    gebiedcode     VARCHAR NOT NULL,
    inwoners       BIGINT,
    inwoners_0_17  BIGINT,
    huishoudens    BIGINT,
    PRIMARY KEY (peildatum, niveau, gebiedcode)
);

CREATE TABLE meta (
    sleutel  VARCHAR PRIMARY KEY,   -- gepubliceerd_op, nulmeting, bron_geometrie, versie, ...
    waarde   VARCHAR NOT NULL
);
