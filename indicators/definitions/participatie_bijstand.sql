/*
id = "participatie_bijstand"
volgorde = 4
naam = "Bijstandsgerechtigden die meedoen"
omschrijving = "Aandeel bijstandsgerechtigden met minstens één participatieactiviteit in het afgelopen jaar."
definitie = """
Noemer: verschillende personen met een bijstandsuitkering actief op P: begindatum <= P en \
(einddatum leeg of einddatum >= P). Teller: die van hen met minstens één \
participatieactiviteit die W(P) = [P min 1 jaar, P) overlapt (begindatum < P en (einddatum \
leeg of einddatum >= P min 1 jaar)). Waarde = 100 × teller / noemer. De wijk van een persoon \
op P is de wijkcode van zijn op P actieve uitkering met de laatste begindatum; bij gelijke \
begindatum het grootste uitkering_id (tekstvolgorde). Voor gebied en gemeente telt ieder \
persoon één keer."""
richting = "hoger_is_beter"
eenheid = "%"
decimalen = 1
soort = "register"
bronnen = ["bijstand", "participatie"]
factor = 100.0
uitsplitsingen = []

[onderdrukking]
min_noemer = 10
min_teller = 5

[corridor]
max_verslechtering = 5.0
marge_tot = 2016-01-01
herstel_op = 2018-01-01
reden = "De Participatiewet (2015) vraagt een opbouw van tegenprestatie en re-integratieplekken."
*/
with personen as (
    -- one row per person on bijstand on P, in the wijk of the latest benefit
    select p.peildatum, b.persoon_id,
           arg_max(b.wijkcode, struct_pack(b.begindatum, b.uitkering_id)) as wijkcode
    from stg_bijstand b
    join wm_peildata p
      on b.begindatum <= p.peildatum
     and coalesce(b.einddatum, date '9999-12-31') >= p.peildatum
    group by p.peildatum, b.persoon_id
),
meedoen as (
    -- persons with an activity overlapping W(P)
    select distinct p.peildatum, a.persoon_id
    from stg_participatie a
    join wm_peildata p
      on a.begindatum < p.peildatum
     and coalesce(a.einddatum, date '9999-12-31') >= p.venster_begin
)
select r.peildatum, r.wijkcode,
       case when m.persoon_id is null then 0.0 else 1.0 end as teller,
       1.0 as noemer
from personen r
left join meedoen m on m.peildatum = r.peildatum and m.persoon_id = r.persoon_id
