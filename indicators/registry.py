"""The steering indicators: one declarative definition each, the only place they are defined.

Every definition carries a DuckDB query that returns *unit-level rows per peildatum* together with
the wijk the unit belongs to on that peildatum. `indicators.compute` groups those rows by wijk,
gebied and gemeente, so gebied and city figures come from the records, never from wijk figures.

The queries may read `stg_*`, `ref_gebieden`, and the relations the computation provides:
- `wm_peildata(peildatum, venster_begin, vorige_peildatum, is_nulmeting, nulmeting)`: every
  peildatum P with venster_begin = P minus one year, so W(P) = [venster_begin, peildatum);
- the shared building blocks in `BOUWSTENEN` (materialised once, in order, before any indicator).

Row shapes per kind:
- enquete: one row per answered response: `peildatum, wijkcode, gewicht, is_positief` plus one
  column per entry of `uitsplitsingen` (e.g. `wet`);
- register: rows whose sums over an area are teller and noemer: `peildatum, wijkcode, teller, noemer`
  (a person row contributes to teller and/or noemer; a population row contributes inwoners to noemer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

Richting = Literal["hoger_is_beter", "lager_is_beter"]
Soort = Literal["enquete", "register"]


@dataclass(frozen=True)
class Corridor:
    """Allowed temporary deterioration D, held until marge_tot, zero again by herstel_op."""

    max_verslechtering: float
    marge_tot: date
    herstel_op: date
    reden: str


@dataclass(frozen=True)
class Onderdrukking:
    """Suppression thresholds: min_n for surveys; min_noemer and min_teller for registers."""

    min_n: int | None = None
    min_noemer: int | None = None
    min_teller: int | None = None

    def primaire_regel(self) -> str:
        """The primary rule in Dutch."""
        if self.min_n is not None:
            return f"Onderdrukt bij minder dan {self.min_n} respondenten (n < {self.min_n})."
        regels = [f"noemer < {self.min_noemer}"]
        if self.min_teller is not None:
            regels.append(f"0 < teller < {self.min_teller}")
        return "Onderdrukt wanneer " + " of ".join(regels) + "."

    def omschrijving(self) -> str:
        """The whole rule in Dutch, as published: primary plus complementary suppression."""
        return f"{self.primaire_regel()} {AANVULLENDE_ONDERDRUKKING}"


# The complementary rule of indicators/suppression.py, as published with every indicator.
AANVULLENDE_ONDERDRUKKING = (
    "Aanvullend onderdrukt, zodat een onderdrukt cijfer niet uit andere gepubliceerde cijfers kan "
    "worden teruggerekend: is in een gebied (of de gemeente) precies één wijk (of gebied) met "
    "waarnemingen onderdrukt, dan ook de andere wijk (of het andere gebied) met de kleinste noemer; "
    "is een gebied onderdrukt en geen van zijn wijken, dan ook zijn wijk met de kleinste noemer; is "
    "in een uitsplitsing (zoals naar wet) precies één categorie of alleen het totaal onderdrukt, dan "
    "alle categorieën. Dit wordt herhaald tot er niets meer verandert. Tot slot wordt rekenkundig "
    "gecontroleerd dat geen onderdrukt cijfer uit een combinatie van optellingen volgt; zo nodig "
    "wordt nog een cijfer onderdrukt."
)


@dataclass(frozen=True)
class Indicator:
    """One steering indicator: metadata, unit-level query, suppression and corridor defaults."""

    id: str
    naam: str
    omschrijving: str
    definitie: str
    richting: Richting
    eenheid: str
    decimalen: int
    soort: Soort
    bronnen: tuple[str, ...]
    factor: float  # waarde = factor * teller / noemer
    sql: str
    onderdrukking: Onderdrukking
    corridor: Corridor
    uitsplitsingen: tuple[str, ...] = ()

    @property
    def richting_teken(self) -> int:
        """+1 when a higher value is better, -1 when lower is better."""
        return 1 if self.richting == "hoger_is_beter" else -1


ENQUETE_ONDERDRUKKING = Onderdrukking(min_n=30)
REGISTER_ONDERDRUKKING = Onderdrukking(min_noemer=10, min_teller=5)

# The trajectories active on P (coalesce lets DuckDB use a range join instead of a nested loop).
_ACTIEVE_TRAJECTEN = """
    stg_ondersteuning o
    join wm_peildata p
      on o.begindatum <= p.peildatum
     and coalesce(o.einddatum, date '9999-12-31') >= p.peildatum
"""

# Decision (issue 4): residence is a property of the person (household), taken over all of its
# trajectories active on P, so the same person lives in the same wijk for indicators 5-8.
# The latest begindatum wins, on a tie the largest traject_id in text order: arg_max over the pair.
BOUWSTENEN: dict[str, str] = {
    # one row per person with a trajectory active on P: where the person lives and what is counted
    "wm_persoon_ondersteuning": f"""
        select
            p.peildatum, o.persoon_id,
            arg_max(o.wijkcode, struct_pack(o.begindatum, o.traject_id)) as wijkcode,
            bool_or(o.soort = 'specialistisch') as heeft_specialistisch,
            bool_or(o.kader = 'gedwongen' and o.geboortejaar >= year(p.peildatum) - 17)
                as heeft_gedwongen_jeugd
        from {_ACTIEVE_TRAJECTEN}
        group by p.peildatum, o.persoon_id
    """,
    # one row per household with a trajectory active on P: where it lives, its distinct professionals
    "wm_huishouden_ondersteuning": f"""
        select
            p.peildatum, o.huishouden_id,
            arg_max(o.wijkcode, struct_pack(o.begindatum, o.traject_id)) as wijkcode,
            count(distinct o.professional_id) as professionals
        from {_ACTIEVE_TRAJECTEN}
        group by p.peildatum, o.huishouden_id
    """,
    "wm_inwoners": """
        select b.peildatum, b.wijkcode, b.inwoners, b.inwoners_0_17
        from stg_bevolking b
        join wm_peildata p using (peildatum)
    """,
}

_VENSTER = "veldwerk_datum in W(P) = [P min 1 jaar, P): van P min 1 jaar tot en met de dag vóór P"
_ACTIEF = "actief op P: begindatum <= P en (einddatum leeg of einddatum >= P)"
_WOONWIJK = (
    "De wijk van een persoon (huishouden) op P is de wijkcode van zijn op P actieve traject met "
    "de laatste begindatum, over al zijn actieve trajecten (ongeacht soort of kader); bij gelijke "
    "begindatum het grootste traject_id (tekstvolgorde)."
)
_PER_1000_GEBIED = (
    "Voor gebied en gemeente telt ieder persoon één keer; de noemer is de som van de wijken."
)


def _per_1000_sql(voorwaarde: str, inwonerkolom: str) -> str:
    """Persons in support meeting `voorwaarde` (one row each), plus the wijk populations."""
    return f"""
        select peildatum, wijkcode, 1.0 as teller, 0.0 as noemer
        from wm_persoon_ondersteuning
        where {voorwaarde}
        union all
        select peildatum, wijkcode, 0.0 as teller, {inwonerkolom}::double as noemer from wm_inwoners
    """


def _corridor(d: float, marge_tot: str, herstel_op: str, reden: str) -> Corridor:
    """Shorthand for a default corridor with ISO dates."""
    return Corridor(d, date.fromisoformat(marge_tot), date.fromisoformat(herstel_op), reden)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        id="tevredenheid",
        naam="Tevredenheid over de ondersteuning",
        omschrijving="Aandeel cliënten (Wmo en Jeugdwet) dat tevreden is over de ondersteuning die zij krijgen.",
        definitie=(
            "100 × som(gewicht waar tevreden >= 4) / som(gewicht waar tevreden beantwoord), over de "
            f"antwoorden uit het cliëntervaringsonderzoek (Wmo en Jeugdwet samen) met {_VENSTER}. "
            "n is het ongewogen aantal antwoorden. 95%-interval: Wilson op de effectieve "
            "steekproefomvang n_eff = (som gewicht)² / som(gewicht²). De wijk is die van het antwoord."
        ),
        richting="hoger_is_beter",
        eenheid="%",
        decimalen=1,
        soort="enquete",
        bronnen=("clientervaring",),
        factor=100.0,
        sql="""
            select p.peildatum, c.wijkcode, c.gewicht, c.tevreden >= 4 as is_positief, c.wet
            from stg_clientervaring c
            join wm_peildata p
              on c.veldwerk_datum >= p.venster_begin and c.veldwerk_datum < p.peildatum
            where c.tevreden is not null
        """,
        onderdrukking=ENQUETE_ONDERDRUKKING,
        corridor=_corridor(
            3.0, "2017-01-01", "2019-01-01",
            "Wisseling van aanbieders bij de decentralisaties van 2015 drukt de tevredenheid twee jaar.",
        ),
        uitsplitsingen=("wet",),
    ),
    Indicator(
        id="zelfredzaamheid",
        naam="Zelfredzaamheid",
        omschrijving="Aandeel bewoners dat zich goed redt zonder hulp van anderen.",
        definitie=(
            "100 × som(gewicht waar zelfredzaam >= 4) / som(gewicht waar zelfredzaam beantwoord), "
            f"over de antwoorden uit de bewonersenquête met {_VENSTER}. n is het ongewogen aantal "
            "antwoorden. 95%-interval: Wilson op n_eff = (som gewicht)² / som(gewicht²)."
        ),
        richting="hoger_is_beter",
        eenheid="%",
        decimalen=1,
        soort="enquete",
        bronnen=("bewonersenquete",),
        factor=100.0,
        sql="""
            select p.peildatum, b.wijkcode, b.gewicht, b.zelfredzaam >= 4 as is_positief
            from stg_bewonersenquete b
            join wm_peildata p
              on b.veldwerk_datum >= p.venster_begin and b.veldwerk_datum < p.peildatum
            where b.zelfredzaam is not null
        """,
        onderdrukking=ENQUETE_ONDERDRUKKING,
        corridor=_corridor(
            2.0, "2017-01-01", "2019-01-01",
            "Minder maatwerkvoorzieningen kan tijdelijk als minder zelfredzaamheid worden ervaren.",
        ),
    ),
    Indicator(
        id="vrijwillige_inzet",
        naam="Vrijwilligerswerk of mantelzorg",
        omschrijving="Aandeel bewoners dat het afgelopen jaar vrijwilligerswerk deed of mantelzorg gaf.",
        definitie=(
            "100 × som(gewicht waar vrijwilligerswerk = 1 of mantelzorg = 1) / som(gewicht waar beide "
            f"vragen beantwoord), over de antwoorden uit de bewonersenquête met {_VENSTER}. n is het "
            "ongewogen aantal antwoorden. 95%-interval: Wilson op n_eff = (som gewicht)² / som(gewicht²)."
        ),
        richting="hoger_is_beter",
        eenheid="%",
        decimalen=1,
        soort="enquete",
        bronnen=("bewonersenquete",),
        factor=100.0,
        sql="""
            select p.peildatum, b.wijkcode, b.gewicht,
                   (b.vrijwilligerswerk = 1 or b.mantelzorg = 1) as is_positief
            from stg_bewonersenquete b
            join wm_peildata p
              on b.veldwerk_datum >= p.venster_begin and b.veldwerk_datum < p.peildatum
            where b.vrijwilligerswerk is not null and b.mantelzorg is not null
        """,
        onderdrukking=ENQUETE_ONDERDRUKKING,
        corridor=_corridor(
            2.0, "2017-01-01", "2019-01-01",
            "Meer beroep op informele zorg vraagt tijd om vrijwilligers en mantelzorgers te vinden.",
        ),
    ),
    Indicator(
        id="participatie_bijstand",
        naam="Bijstandsgerechtigden die meedoen",
        omschrijving="Aandeel bijstandsgerechtigden met minstens één participatieactiviteit in het afgelopen jaar.",
        definitie=(
            f"Noemer: verschillende personen met een bijstandsuitkering {_ACTIEF}. Teller: die van "
            "hen met minstens één participatieactiviteit die W(P) = [P min 1 jaar, P) overlapt "
            "(begindatum < P en (einddatum leeg of einddatum >= P min 1 jaar)). Waarde = 100 × teller "
            "/ noemer. De wijk van een persoon op P is de wijkcode van zijn op P actieve uitkering met "
            "de laatste begindatum; bij gelijke begindatum het grootste uitkering_id (tekstvolgorde). "
            "Voor gebied en gemeente telt ieder persoon één keer."
        ),
        richting="hoger_is_beter",
        eenheid="%",
        decimalen=1,
        soort="register",
        bronnen=("bijstand", "participatie"),
        factor=100.0,
        sql="""
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
        """,
        onderdrukking=REGISTER_ONDERDRUKKING,
        corridor=_corridor(
            5.0, "2016-01-01", "2018-01-01",
            "De Participatiewet (2015) vraagt een opbouw van tegenprestatie en re-integratieplekken.",
        ),
    ),
    Indicator(
        id="professionals_per_huishouden",
        naam="Beroepskrachten per huishouden",
        omschrijving="Gemiddeld aantal verschillende beroepskrachten per huishouden met ondersteuning.",
        definitie=(
            f"Noemer: verschillende huishoudens met minstens één ondersteuningstraject {_ACTIEF}. "
            "Teller: som over die huishoudens van het aantal verschillende professional_id van hun op P "
            "actieve trajecten. Waarde = teller / noemer. " + _WOONWIJK + " Voor gebied en gemeente "
            "telt ieder huishouden één keer."
        ),
        richting="lager_is_beter",
        eenheid="ratio",
        decimalen=2,
        soort="register",
        bronnen=("ondersteuning",),
        factor=1.0,
        sql="""
            select peildatum, wijkcode, professionals::double as teller, 1.0 as noemer
            from wm_huishouden_ondersteuning
        """,
        onderdrukking=Onderdrukking(min_noemer=10),
        corridor=_corridor(
            0.2, "2016-01-01", "2018-01-01",
            "Overdracht van oude naar nieuwe aanbieders geeft in de transitie tijdelijk dubbele hulpverleners.",
        ),
    ),
    Indicator(
        id="specialistische_ondersteuning",
        naam="Gebruik individuele specialistische ondersteuning",
        omschrijving="Personen met specialistische ondersteuning per 1.000 inwoners.",
        definitie=(
            "Teller: verschillende personen met een traject met soort = specialistisch dat "
            f"{_ACTIEF}. Noemer: inwoners op P (bevolking). Waarde = 1000 × teller / noemer. "
            + _WOONWIJK + " " + _PER_1000_GEBIED
        ),
        richting="lager_is_beter",
        eenheid="per 1.000 inwoners",
        decimalen=1,
        soort="register",
        bronnen=("ondersteuning", "bevolking"),
        factor=1000.0,
        sql=_per_1000_sql("heeft_specialistisch", "inwoners"),
        onderdrukking=REGISTER_ONDERDRUKKING,
        corridor=_corridor(
            5.0, "2016-01-01", "2018-01-01",
            "Lopende indicaties uit de AWBZ en jeugdzorg lopen pas na het overgangsrecht af.",
        ),
    ),
    Indicator(
        id="professionele_ondersteuning",
        naam="Beroep op professionele ondersteuning",
        omschrijving="Personen met professionele ondersteuning (basis of specialistisch) per 1.000 inwoners.",
        definitie=(
            f"Teller: verschillende personen met een traject (elke soort) dat {_ACTIEF}. Noemer: "
            "inwoners op P (bevolking). Waarde = 1000 × teller / noemer. " + _WOONWIJK + " "
            + _PER_1000_GEBIED
        ),
        richting="lager_is_beter",
        eenheid="per 1.000 inwoners",
        decimalen=1,
        soort="register",
        bronnen=("ondersteuning", "bevolking"),
        factor=1000.0,
        sql=_per_1000_sql("true", "inwoners"),
        onderdrukking=REGISTER_ONDERDRUKKING,
        corridor=_corridor(
            10.0, "2016-01-01", "2018-01-01",
            "Wijkteams brengen eerst verborgen hulpvragen in beeld voordat het beroep afneemt.",
        ),
    ),
    Indicator(
        id="jeugd_gedwongen_kader",
        naam="Jeugd in het gedwongen kader",
        omschrijving="Jeugdigen met jeugdbescherming of jeugdreclassering per 1.000 jeugdigen (0-17).",
        definitie=(
            "Teller: verschillende personen met geboortejaar >= jaar(P) − 17 en een traject met "
            f"kader = gedwongen dat {_ACTIEF}. Noemer: inwoners van 0-17 jaar op P (bevolking). "
            "Waarde = 1000 × teller / noemer. " + _WOONWIJK + " " + _PER_1000_GEBIED
        ),
        richting="lager_is_beter",
        eenheid="per 1.000 jeugdigen (0-17)",
        decimalen=1,
        soort="register",
        bronnen=("ondersteuning", "bevolking"),
        factor=1000.0,
        sql=_per_1000_sql("heeft_gedwongen_jeugd", "inwoners_0_17"),
        onderdrukking=REGISTER_ONDERDRUKKING,
        corridor=_corridor(
            1.0, "2016-01-01", "2018-01-01",
            "Nieuwe toegang tot jeugdbescherming via wijkteams kan eerst meer maatregelen zichtbaar maken.",
        ),
    ),
)


def indicator_by_id(indicator_id: str) -> Indicator:
    """The definition with this id (KeyError when unknown)."""
    for indicator in INDICATORS:
        if indicator.id == indicator_id:
            return indicator
    raise KeyError(indicator_id)
