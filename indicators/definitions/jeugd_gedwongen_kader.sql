/*
id = "jeugd_gedwongen_kader"
volgorde = 8
naam = "Jeugd in het gedwongen kader"
omschrijving = "Jeugdigen met jeugdbescherming of jeugdreclassering per 1.000 jeugdigen (0-17)."
definitie = """
Teller: verschillende personen met geboortejaar >= jaar(P) − 17 en een traject met kader = \
gedwongen dat actief op P: begindatum <= P en (einddatum leeg of einddatum >= P). Noemer: \
inwoners van 0-17 jaar op P (bevolking). Waarde = 1000 × teller / noemer. De wijk van een \
persoon (huishouden) op P is de wijkcode van zijn op P actieve traject met de laatste \
begindatum, over al zijn actieve trajecten (ongeacht soort of kader); bij gelijke begindatum \
het grootste traject_id (tekstvolgorde). Voor gebied en gemeente telt ieder persoon één \
keer; de noemer is de som van de wijken."""
richting = "lager_is_beter"
eenheid = "per 1.000 jeugdigen (0-17)"
decimalen = 1
soort = "register"
bronnen = ["ondersteuning", "bevolking"]
factor = 1000.0
uitsplitsingen = []

[onderdrukking]
min_noemer = 10
min_teller = 5

[corridor]
max_verslechtering = 1.0
marge_tot = 2016-01-01
herstel_op = 2018-01-01
reden = "Nieuwe toegang tot jeugdbescherming via wijkteams kan eerst meer maatregelen zichtbaar maken."
*/
select peildatum, wijkcode, 1.0 as teller, 0.0 as noemer
from wm_persoon_ondersteuning
where heeft_gedwongen_jeugd
union all
select peildatum, wijkcode, 0.0 as teller, inwoners_0_17::double as noemer from wm_inwoners
