/*
# Worked example of a municipality's own indicator (docs/internals.md "Add an indicator").
# Copy it to data/config/indicatoren/bijstand_per_1000.sql and it is computed, published, exported,
# shown on every dashboard page and in the council report. Everything up to the closing star-slash
# is TOML; everything after it is the DuckDB query.

id = "bijstand_per_1000"            # = the file name without .sql; lower case, digits and _
volgorde = 9                         # optional: place in every list (files without one come last, by id)
naam = "Bijstandsgerechtigden per 1.000 inwoners"
omschrijving = "Personen met een bijstandsuitkering per 1.000 inwoners."
definitie = """
Teller: verschillende personen met een bijstandsuitkering actief op P: begindatum <= P en \
(einddatum leeg of einddatum >= P). Noemer: inwoners op P (bevolking). Waarde = 1000 × teller / \
noemer. De wijk van een persoon op P is de wijkcode van zijn op P actieve uitkering met de laatste \
begindatum; bij gelijke begindatum het grootste uitkering_id (tekstvolgorde). Voor gebied en \
gemeente telt ieder persoon één keer; de noemer is de som van de wijken."""
richting = "lager_is_beter"          # or "hoger_is_beter"
eenheid = "per 1.000 inwoners"       # shown after the value; "%" gives percentage points for differences
decimalen = 1
soort = "register"                   # "register": rows with teller and noemer; "enquete": weighted responses
bronnen = ["bijstand", "bevolking"]  # sources of the contract it is built on (no accepted data: "onvoldoende gegevens")
factor = 1000.0                      # waarde = factor × som(teller) / som(noemer)
uitsplitsingen = []                  # optional: extra columns of the query to break the figure down by

[onderdrukking]                      # register: min_noemer (and optionally min_teller); enquete: min_n
min_noemer = 10
min_teller = 5

[corridor]                           # default corridor; monitor.toml may override it
max_verslechtering = 5.0
marge_tot = 2016-01-01
herstel_op = 2018-01-01
reden = "De Participatiewet (2015) brengt eerst meer mensen met een uitkering in beeld."
*/
-- Row shape of a register indicator: peildatum, wijkcode, teller, noemer (summed per wijk, gebied and
-- gemeente; a person is one row, so counted once per area). Inputs: stg_bijstand, wm_peildata, wm_inwoners.
with uitkeringen_actief_op_p as (
    select p.peildatum, b.persoon_id, b.uitkering_id, b.begindatum, b.wijkcode
    from stg_bijstand b
    join wm_peildata p
      on b.begindatum <= p.peildatum
     and coalesce(b.einddatum, date '9999-12-31') >= p.peildatum
),

personen as (
    -- one row per person on P, in the wijk of the latest benefit (tie: the largest uitkering_id)
    select peildatum, persoon_id, arg_max(wijkcode, struct_pack(begindatum, uitkering_id)) as wijkcode
    from uitkeringen_actief_op_p
    group by peildatum, persoon_id
)

select peildatum, wijkcode, 1.0 as teller, 0.0 as noemer from personen
union all
select peildatum, wijkcode, 0.0 as teller, inwoners::double as noemer from wm_inwoners
