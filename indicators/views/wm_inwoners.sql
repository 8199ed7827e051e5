-- wm_inwoners: one row per (peildatum, wijkcode) of stg_bevolking on a peildatum of wm_peildata.
--   peildatum      DATE     P
--   wijkcode       VARCHAR  the wijk
--   inwoners       BIGINT   inhabitants on P
--   inwoners_0_17  BIGINT   inhabitants aged 0-17 on P
select b.peildatum, b.wijkcode, b.inwoners, b.inwoners_0_17
from stg_bevolking b
join wm_peildata p using (peildatum)
