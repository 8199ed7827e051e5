/*
id = "specialistische_ondersteuning"
volgorde = 6
naam = "Gebruik individuele specialistische ondersteuning"
omschrijving = "Personen met specialistische ondersteuning per 1.000 inwoners."
definitie = """
Teller: verschillende personen met een traject met soort = specialistisch dat actief op P: \
begindatum <= P en (einddatum leeg of einddatum >= P). Noemer: inwoners op P (bevolking). \
Waarde = 1000 × teller / noemer. De wijk van een persoon (huishouden) op P is de wijkcode \
van zijn op P actieve traject met de laatste begindatum, over al zijn actieve trajecten \
(ongeacht soort of kader); bij gelijke begindatum het grootste traject_id (tekstvolgorde). \
Voor gebied en gemeente telt ieder persoon één keer; de noemer is de som van de wijken."""
richting = "lager_is_beter"
eenheid = "per 1.000 inwoners"
decimalen = 1
soort = "register"
bronnen = ["ondersteuning", "bevolking"]
factor = 1000.0
uitsplitsingen = []

[onderdrukking]
min_noemer = 10
min_teller = 5

[corridor]
max_verslechtering = 5.0
marge_tot = 2016-01-01
herstel_op = 2018-01-01
reden = "Lopende indicaties uit de AWBZ en jeugdzorg lopen pas na het overgangsrecht af."
*/
select peildatum, wijkcode, 1.0 as teller, 0.0 as noemer
from wm_persoon_ondersteuning
where heeft_specialistisch
union all
select peildatum, wijkcode, 0.0 as teller, inwoners::double as noemer from wm_inwoners
