/*
id = "zelfredzaamheid"
volgorde = 2
naam = "Zelfredzaamheid"
omschrijving = "Aandeel bewoners dat zich goed redt zonder hulp van anderen."
definitie = """
100 × som(gewicht waar zelfredzaam >= 4) / som(gewicht waar zelfredzaam beantwoord), over de \
antwoorden uit de bewonersenquête met veldwerk_datum in W(P) = [P min 1 jaar, P): van P min \
1 jaar tot en met de dag vóór P. n is het ongewogen aantal antwoorden. 95%-interval: Wilson \
op n_eff = (som gewicht)² / som(gewicht²)."""
richting = "hoger_is_beter"
eenheid = "%"
decimalen = 1
soort = "enquete"
bronnen = ["bewonersenquete"]
factor = 100.0
uitsplitsingen = []

[onderdrukking]
min_n = 30

[corridor]
max_verslechtering = 2.0
marge_tot = 2017-01-01
herstel_op = 2019-01-01
reden = "Minder maatwerkvoorzieningen kan tijdelijk als minder zelfredzaamheid worden ervaren."
*/
select p.peildatum, b.wijkcode, b.gewicht, b.zelfredzaam >= 4 as is_positief
from stg_bewonersenquete b
join wm_peildata p
  on b.veldwerk_datum >= p.venster_begin and b.veldwerk_datum < p.peildatum
where b.zelfredzaam is not null
