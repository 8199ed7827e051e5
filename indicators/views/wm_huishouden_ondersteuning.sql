-- wm_huishouden_ondersteuning: one row per (peildatum, huishouden_id) with an ondersteuning trajectory active on P.
--   peildatum      DATE     P
--   huishouden_id  VARCHAR  the household
--   wijkcode       VARCHAR  where the household lives on P (same rule as wm_persoon_ondersteuning)
--   professionals  BIGINT   the number of distinct professional_id of its trajectories active on P
select
    p.peildatum, o.huishouden_id,
    arg_max(o.wijkcode, struct_pack(o.begindatum, o.traject_id)) as wijkcode,
    count(distinct o.professional_id) as professionals
from stg_ondersteuning o
join wm_peildata p
  on o.begindatum <= p.peildatum
 and coalesce(o.einddatum, date '9999-12-31') >= p.peildatum
-- only trajectories that can be active on some peildatum (fewer rows into the range join when few peildata are computed)
where o.begindatum <= (select max(peildatum) from wm_peildata)
  and coalesce(o.einddatum, date '9999-12-31') >= (select min(peildatum) from wm_peildata)
group by p.peildatum, o.huishouden_id
