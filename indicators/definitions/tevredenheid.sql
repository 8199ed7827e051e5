/*
id = "tevredenheid"
volgorde = 1
naam = "Tevredenheid over de ondersteuning"
omschrijving = "Aandeel cliënten (Wmo en Jeugdwet) dat tevreden is over de ondersteuning die zij krijgen."
definitie = """
100 × som(gewicht waar tevreden >= 4) / som(gewicht waar tevreden beantwoord), over de \
antwoorden uit het cliëntervaringsonderzoek (Wmo en Jeugdwet samen) met veldwerk_datum in \
W(P) = [P min 1 jaar, P): van P min 1 jaar tot en met de dag vóór P. n is het ongewogen \
aantal antwoorden. 95%-interval: Wilson op de effectieve steekproefomvang n_eff = (som \
gewicht)² / som(gewicht²). De wijk is die van het antwoord."""
richting = "hoger_is_beter"
eenheid = "%"
decimalen = 1
soort = "enquete"
bronnen = ["clientervaring"]
factor = 100.0
uitsplitsingen = ["wet"]

[onderdrukking]
min_n = 30

[corridor]
max_verslechtering = 3.0
marge_tot = 2017-01-01
herstel_op = 2019-01-01
reden = "Wisseling van aanbieders bij de decentralisaties van 2015 drukt de tevredenheid twee jaar."
*/
select p.peildatum, c.wijkcode, c.gewicht, c.tevreden >= 4 as is_positief, c.wet
from stg_clientervaring c
join wm_peildata p
  on c.veldwerk_datum >= p.venster_begin and c.veldwerk_datum < p.peildatum
where c.tevreden is not null
