-- wm_peildata: one row per peildatum P (every peildatum of stg_bevolking on or after the nulmeting).
--   peildatum         DATE     P
--   venster_begin     DATE     P minus one year, so the window W(P) = [venster_begin, peildatum)
--   vorige_peildatum  DATE     the peildatum before P (NULL for the first)
--   is_nulmeting      BOOLEAN  P is the nulmeting
--   nulmeting         DATE     the nulmeting (the variable `nulmeting`: SET VARIABLE nulmeting = DATE '2015-01-01')
with peildata as (
    select distinct peildatum from stg_bevolking where peildatum >= getvariable('nulmeting')
)
select
    peildatum,
    (peildatum - interval 1 year)::date as venster_begin,
    lag(peildatum) over (order by peildatum) as vorige_peildatum,
    peildatum = getvariable('nulmeting') as is_nulmeting,
    getvariable('nulmeting')::date as nulmeting
from peildata
