"""The data contract (version 2) as code: the sources, their columns, types, keys and value sets.

The one place a source is described. Derived from it: the reader's required columns (etl/read.py),
the raw tables (etl/load.py) and staging tables (`staging_ddl`), the expectation suite (expectations/suites.py),
the person-level columns the publication guard refuses (`persoonskolommen`, etl/publish.py) and the
demo generator's list of sources (wijkmonitor/generate.py, contract order). Adding a source is its
entry in BRONNEN plus its generator module wijkmonitor/demo/<bron>.py and its tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# How a column is typed in staging:
#   code: upper-case trimmed wijk code, must be in the reference area table;
#   enum: lower-case trimmed text from a value set; tekst: trimmed text; datum: DATE;
#   geheel: integer; decimaal: double (decimal comma allowed).
KolomType = Literal["code", "enum", "tekst", "datum", "geheel", "decimaal"]

MAX_AANTAL = 9_999_999  # counts per wijk stay below 10 million ("Values that are never guessed")
MAX_GEWICHT = 100.0  # survey weights in (0, 100] unless configured otherwise (columns with this maximum)
MAX_TEKST = 100  # keys and codes are at most this many characters
MAX_BEDRAG = 9_999_999.99  # amounts stay below 10 million euros per line ("Values that are never guessed")
EERSTE_JAAR = 1900  # no date or birth year of this contract lies before it
PLAUSIBELE_GROEI = 0.25  # a wijk's population changing more than this since the previous peildatum
MAX_KENMERK = 1e9  # context figures (incomes, shares, densities) are finite and plausible


@dataclass(frozen=True)
class Drempels:
    """File-level thresholds of "Deliveries over time", with the contract's defaults."""

    max_afgekeurd: float = 0.5  # a file with more than this share of failing rows is held back
    max_krimp: float = 0.10  # a revision that lost more than this share of rows waits for confirmation
    max_gewicht: float = MAX_GEWICHT


@dataclass(frozen=True)
class Kolom:
    """One contract column and the rules that hold for it on its own."""

    naam: str
    type: KolomType
    verplicht: bool = True
    waarden: tuple[str, ...] | tuple[int, ...] | None = None  # allowed values (enum, 0/1 items)
    minimum: float | None = None
    maximum: float | None = None
    strikt_minimum: bool = False  # minimum itself is not allowed (gewicht > 0)
    geen_toekomst: bool = False  # dates may not lie after today
    geboortejaar: bool = False  # 1900..current year
    persoonsgegeven: bool = False  # a person-level key: stays in the warehouse, never published

    @property
    def staging_type(self) -> str:
        """The DuckDB type of the column in stg_<bron>."""
        if self.type == "geheel":
            # Counts are summed and multiplied over wijken and gemeenten: 64 bits; answers and years fit in 32.
            return "BIGINT" if self.maximum == MAX_AANTAL else "INTEGER"
        return _STAGING_TYPES[self.type]


_STAGING_TYPES = {"code": "VARCHAR", "enum": "VARCHAR", "tekst": "VARCHAR", "datum": "DATE", "decimaal": "DOUBLE"}


@dataclass(frozen=True)
class Paar:
    """A rule between two columns of the same row: groot >= klein; kolom is the one reported."""

    groot: str
    klein: str
    kolom: str
    regel: str


FOUT = "fout"  # severity: the row goes to quarantine
WAARSCHUWING = "waarschuwing"  # severity: the row is kept and counted


@dataclass(frozen=True)
class Groei:
    """A rule across rows: kolom of one `per` group changes at most `marge` since its previous `datum`.

    Checked in DuckDB over all counted rows of the source (etl/staging.py), like the key rule.
    """

    kolom: str
    per: tuple[str, ...]
    datum: str
    marge: float
    waarde: tuple[str, ...]  # columns whose delivered text explains a row that breaks it
    ernst: str = WAARSCHUWING

    @property
    def regel(self) -> str:
        """The rule in Dutch, as quarantine and the data-quality page name it."""
        return f"{self.kolom} wijken meer dan {self.marge:.0%} af van de vorige {self.datum}"


@dataclass(frozen=True)
class Bron:
    """One source of the data contract."""

    naam: str
    kolommen: tuple[Kolom, ...]
    sleutel: tuple[str, ...]
    datumkolom: str  # the column whose latest value tells how fresh the source is
    paren: tuple[Paar, ...] = field(default_factory=tuple)
    # Rules over rows of the whole source besides the unique key (sleutel), checked in DuckDB.
    bronregels: tuple[Groei, ...] = field(default_factory=tuple)
    optioneel: bool = False  # a missing folder is no delivery problem while nothing was ever accepted

    @property
    def kolomnamen(self) -> list[str]:
        """Contract column names in contract order."""
        return [kolom.naam for kolom in self.kolommen]

    @property
    def verplichte_kolommen(self) -> list[str]:
        """Columns a delivered file must have (the whole contract: optional means may be empty)."""
        return self.kolomnamen

    def kolom(self, naam: str) -> Kolom:
        """The column called naam."""
        return next(kolom for kolom in self.kolommen if kolom.naam == naam)

    @property
    def persoonskolommen(self) -> list[str]:
        """Columns flagged as person-level keys, in contract order."""
        return [kolom.naam for kolom in self.kolommen if kolom.persoonsgegeven]


WETTEN = ("wmo", "jeugdwet")
KOSTEN_WETTEN = ("wmo", "jeugdwet", "participatiewet")  # the laws costs are booked under (source kosten)
SOORTEN = ("basis", "specialistisch")
KADERS = ("vrijwillig", "gedwongen")
ACTIVITEITEN = (
    "vrijwilligerswerk",
    "re_integratie",
    "tegenprestatie",
    "deeltijdwerk",
    "opleiding",
    "mantelzorg",
)
EINDE_NA_BEGIN = Paar("einddatum", "begindatum", "einddatum", "einddatum ligt voor begindatum")

BRONNEN: dict[str, Bron] = {
    bron.naam: bron
    for bron in (
        Bron(
            naam="bevolking",
            kolommen=(
                Kolom("peildatum", "datum", geen_toekomst=True),
                Kolom("wijkcode", "code"),
                Kolom("inwoners", "geheel", minimum=0, maximum=MAX_AANTAL),
                Kolom("inwoners_0_17", "geheel", minimum=0, maximum=MAX_AANTAL),
                Kolom("huishoudens", "geheel", minimum=0, maximum=MAX_AANTAL),
            ),
            sleutel=("peildatum", "wijkcode"),
            datumkolom="peildatum",
            paren=(
                Paar("inwoners", "inwoners_0_17", "inwoners_0_17", "inwoners_0_17 groter dan inwoners"),
                Paar("inwoners", "huishoudens", "huishoudens", "huishoudens groter dan inwoners"),
            ),
            bronregels=(Groei("inwoners", ("wijkcode",), "peildatum", PLAUSIBELE_GROEI, ("wijkcode", "inwoners")),),
        ),
        Bron(
            naam="bewonersenquete",
            kolommen=(
                Kolom("respondent_id", "tekst", persoonsgegeven=True),
                Kolom("veldwerk_datum", "datum", geen_toekomst=True),
                Kolom("wijkcode", "code"),
                Kolom("gewicht", "decimaal", minimum=0, maximum=MAX_GEWICHT, strikt_minimum=True),
                Kolom("zelfredzaam", "geheel", verplicht=False, minimum=1, maximum=5),
                Kolom("vrijwilligerswerk", "geheel", verplicht=False, waarden=(0, 1)),
                Kolom("mantelzorg", "geheel", verplicht=False, waarden=(0, 1)),
            ),
            sleutel=("respondent_id",),
            datumkolom="veldwerk_datum",
        ),
        Bron(
            naam="clientervaring",
            kolommen=(
                Kolom("respondent_id", "tekst", persoonsgegeven=True),
                Kolom("veldwerk_datum", "datum", geen_toekomst=True),
                Kolom("wijkcode", "code"),
                Kolom("wet", "enum", waarden=WETTEN),
                Kolom("gewicht", "decimaal", minimum=0, maximum=MAX_GEWICHT, strikt_minimum=True),
                Kolom("tevreden", "geheel", verplicht=False, minimum=1, maximum=5),
            ),
            sleutel=("respondent_id",),
            datumkolom="veldwerk_datum",
        ),
        Bron(
            naam="ondersteuning",
            kolommen=(
                Kolom("traject_id", "tekst", persoonsgegeven=True),
                Kolom("persoon_id", "tekst", persoonsgegeven=True),
                Kolom("huishouden_id", "tekst", persoonsgegeven=True),
                Kolom("wijkcode", "code"),
                Kolom("geboortejaar", "geheel", geboortejaar=True),
                Kolom("voorziening", "tekst"),
                Kolom("soort", "enum", waarden=SOORTEN),
                Kolom("kader", "enum", waarden=KADERS),
                Kolom("aanbieder", "tekst", verplicht=False),
                Kolom("professional_id", "tekst", persoonsgegeven=True),
                Kolom("begindatum", "datum", geen_toekomst=True),
                Kolom("einddatum", "datum", verplicht=False),
            ),
            sleutel=("traject_id",),
            datumkolom="begindatum",
            paren=(EINDE_NA_BEGIN,),
        ),
        Bron(
            naam="bijstand",
            kolommen=(
                Kolom("uitkering_id", "tekst", persoonsgegeven=True),
                Kolom("persoon_id", "tekst", persoonsgegeven=True),
                Kolom("wijkcode", "code"),
                Kolom("begindatum", "datum", geen_toekomst=True),
                Kolom("einddatum", "datum", verplicht=False),
            ),
            sleutel=("uitkering_id",),
            datumkolom="begindatum",
            paren=(EINDE_NA_BEGIN,),
        ),
        Bron(
            naam="participatie",
            kolommen=(
                Kolom("activiteit_id", "tekst", persoonsgegeven=True),
                Kolom("persoon_id", "tekst", persoonsgegeven=True),
                Kolom("activiteit", "enum", waarden=ACTIVITEITEN),
                Kolom("begindatum", "datum", geen_toekomst=True),
                Kolom("einddatum", "datum", verplicht=False),
            ),
            sleutel=("activiteit_id",),
            datumkolom="begindatum",
            paren=(EINDE_NA_BEGIN,),
        ),
        Bron(
            naam="kenmerken",  # context figures per wijk, long format (CBS Kerncijfers); optional
            kolommen=(
                Kolom("peildatum", "datum", geen_toekomst=True),
                Kolom("wijkcode", "code"),
                Kolom("kenmerk", "tekst"),
                Kolom("waarde", "decimaal", minimum=-MAX_KENMERK, maximum=MAX_KENMERK),
            ),
            sleutel=("peildatum", "wijkcode", "kenmerk"),
            datumkolom="peildatum",
            optioneel=True,
        ),
        Bron(
            naam="kosten",
            kolommen=(
                Kolom("kosten_id", "tekst", persoonsgegeven=True),
                Kolom("persoon_id", "tekst", persoonsgegeven=True),
                Kolom("wijkcode", "code"),
                Kolom("wet", "enum", waarden=KOSTEN_WETTEN),
                Kolom("voorziening", "tekst"),
                Kolom("periode_begin", "datum", geen_toekomst=True),
                Kolom("periode_eind", "datum", geen_toekomst=True),
                # negative amounts are corrections or credits; the bound is the contract's plausibility
                Kolom("bedrag", "decimaal", minimum=-MAX_BEDRAG, maximum=MAX_BEDRAG),
            ),
            sleutel=("kosten_id",),
            datumkolom="periode_begin",
            paren=(Paar("periode_eind", "periode_begin", "periode_eind", "periode_eind ligt voor periode_begin"),),
            optioneel=True,
        ),
    )
}


def persoonskolommen() -> frozenset[str]:
    """Names of the person-level columns of every source: allowed in the warehouse, never published."""
    return frozenset(naam for bron in BRONNEN.values() for naam in bron.persoonskolommen)


def staging_ddl(bron: Bron) -> str:
    """CREATE TABLE of stg_<bron>: the contract columns typed (Kolom.staging_type), required ones NOT NULL."""
    columns = ",\n".join(
        f'    "{kolom.naam}" {kolom.staging_type}{" NOT NULL" if kolom.verplicht else ""}' for kolom in bron.kolommen
    )
    return f"CREATE TABLE IF NOT EXISTS stg_{bron.naam} (\n{columns}\n)"
