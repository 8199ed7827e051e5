/*
id = "professionals_per_huishouden"
volgorde = 5
naam = "Beroepskrachten per huishouden"
omschrijving = "Gemiddeld aantal verschillende beroepskrachten per huishouden met ondersteuning."
definitie = """
Noemer: verschillende huishoudens met minstens één ondersteuningstraject actief op P: \
begindatum <= P en (einddatum leeg of einddatum >= P). Teller: som over die huishoudens van \
het aantal verschillende professional_id van hun op P actieve trajecten. Waarde = teller / \
noemer. De wijk van een persoon (huishouden) op P is de wijkcode van zijn op P actieve \
traject met de laatste begindatum, over al zijn actieve trajecten (ongeacht soort of kader); \
bij gelijke begindatum het grootste traject_id (tekstvolgorde). Voor gebied en gemeente telt \
ieder huishouden één keer."""
richting = "lager_is_beter"
eenheid = "ratio"
decimalen = 2
soort = "register"
bronnen = ["ondersteuning"]
factor = 1.0
uitsplitsingen = []

[onderdrukking]
min_noemer = 10

[corridor]
max_verslechtering = 0.2
marge_tot = 2016-01-01
herstel_op = 2018-01-01
reden = "Overdracht van oude naar nieuwe aanbieders geeft in de transitie tijdelijk dubbele hulpverleners."
*/
select peildatum, wijkcode, professionals::double as teller, 1.0 as noemer
from wm_huishouden_ondersteuning
