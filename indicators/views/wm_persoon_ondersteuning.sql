-- wm_persoon_ondersteuning: one row per (peildatum, persoon_id) with an ondersteuning trajectory active on P.
--   peildatum              DATE     P
--   persoon_id             VARCHAR  the person
--   wijkcode               VARCHAR  where the person lives on P: the wijkcode of the active trajectory with the
--                                   latest begindatum, over ALL active trajectories; on a tie the largest
--                                   traject_id in text order (indicators.md; decision of issue 4)
--   heeft_specialistisch   BOOLEAN  at least one active trajectory with soort = 'specialistisch'
--   heeft_gedwongen_jeugd  BOOLEAN  at least one active trajectory with kader = 'gedwongen' while the person is
--                                   a youth on P (geboortejaar >= year(P) - 17)
-- Active on P: begindatum <= P and (einddatum empty or einddatum >= P); coalesce lets DuckDB use a range join.
select
    p.peildatum, o.persoon_id,
    arg_max(o.wijkcode, struct_pack(o.begindatum, o.traject_id)) as wijkcode,
    bool_or(o.soort = 'specialistisch') as heeft_specialistisch,
    bool_or(o.kader = 'gedwongen' and o.geboortejaar >= year(p.peildatum) - 17) as heeft_gedwongen_jeugd
from stg_ondersteuning o
join wm_peildata p
  on o.begindatum <= p.peildatum
 and coalesce(o.einddatum, date '9999-12-31') >= p.peildatum
-- only trajectories that can be active on some peildatum (fewer rows into the range join when few peildata are computed)
where o.begindatum <= (select max(peildatum) from wm_peildata)
  and coalesce(o.einddatum, date '9999-12-31') >= (select min(peildatum) from wm_peildata)
group by p.peildatum, o.persoon_id
