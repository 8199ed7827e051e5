"""The fixed Dutch vocabulary of file-level reasons: the only text about a delivered file that is published.

A reason names the file, other files, contract columns, row numbers and counts, never a delivered
value and never a library's own message (a CSV parser's error quotes the offending line). The full
detail of a problem (parser message, offending value shortened to VALUE_CHARS) is kept apart in
`Reason.detail`: it goes to the warehouse's load log and the operator's terminal only.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import InputRejected

VALUE_CHARS = 100  # an offending value is never shown longer than this
_DETAIL_CHARS = 300

# code -> Dutch text; {placeholders} are filled only with file names, source names, contract
# column names and numbers computed by the ETL.
TEXTS: dict[str, str] = {
    "leeg": "leeg bestand (0 bytes)",
    "geen_soort": "geen CSV- of Parquet-bestand",
    "geen_tekst": "geen tekstbestand (binaire inhoud): lever CSV (UTF-8) of Parquet aan",
    "excel": "Excel-werkmap, geen CSV: sla op als CSV (UTF-8)",
    "codering_niet_ondersteund": "codering {codering} niet ondersteund: sla op als UTF-8",
    "codering_onleesbaar": "tekencodering onleesbaar (geen UTF-8 en geen Windows-1252)",
    "geen_kopregel": "geen kopregel (eerste regel is leeg)",
    "kolom_ontbreekt": "verplichte kolom ontbreekt: {kolommen}",
    "kolom_dubbel": "kolom komt vaker voor in de kopregel: {kolommen}",
    "afgebroken_velden": "bestand afgebroken: laatste regel heeft {velden} van {kolommen} kolommen",
    "afgebroken_regeleinde": "bestand afgebroken: laatste regel eindigt niet met een regeleinde",
    "afgebroken_aanhaling": "bestand afgebroken: aanhalingsteken niet gesloten",
    "velden_per_regel": "CSV niet leesbaar: regel {regel} heeft {velden} velden, de kopregel {kolommen}",
    "csv_onleesbaar": "CSV niet leesbaar",
    "parquet_onleesbaar": "Parquet niet leesbaar",
    "geen_rijen": "alleen een kopregel, geen gegevensrijen",
    "parquet_geen_rijen": "geen gegevensrijen",
    "kopie": "zelfde rijen als {ander}: één keer geteld",
    "conflict": (
        "herhaalt sleutels van {ander} met andere inhoud: tegengehouden, {ander} blijft gelden; "
        "lever de correctie aan onder de naam {ander} of verwijder {ander}"
    ),
    "krimp": (
        "{procent}% minder rijen dan de geaccepteerde versie ({oud} -> {nieuw}): tegengehouden; "
        "bevestig met --bevestig-krimp {bron}/{bestand}"
    ),
    "te_veel_fouten": (
        "{fout} van {rijen} rijen voldoen niet aan de regels (meer dan {drempel}%): bestand tegengehouden"
    ),
    "map_ontbreekt": "bron {bron} ontbreekt in de aanlevering; {gevolg}",
    "map_leeg": "map {bron} is leeg (telt als ontbrekend); {gevolg}",
    "niet_meer_aangeleverd": "bestand niet meer aangeleverd",
    "geen_bronmap": "geen bronmap van het contract: genegeerd (referentiegegevens komen uit de configuratie)",
}
GEVOLG_VORIGE = "vorige aanlevering blijft gelden"
GEVOLG_GEEN = "er is geen vorige aanlevering"


@dataclass(frozen=True)
class Reason:
    """One reason from the vocabulary, filled in, plus operator-only detail."""

    code: str
    text: str
    detail: str | None = None


def reason(code: str, detail: str | None = None, /, **fields: object) -> Reason:
    """The reason `code` with its fields filled in; detail is shortened and never published."""
    return Reason(code, TEXTS[code].format(**fields), shorten(detail, _DETAIL_CHARS) if detail else None)


def shorten(text: str, limit: int = VALUE_CHARS) -> str:
    """text on one line with control characters made visible, at most limit characters (plus '…')."""
    cut = text[: limit + 1]
    visible = cut.encode("unicode_escape", errors="backslashreplace").decode("ascii") if _has_control(cut) else cut
    return visible if len(visible) <= limit and len(text) <= limit else visible[:limit] + "…"


def _has_control(text: str) -> bool:
    """True when text holds a control character (they would break a terminal line)."""
    return any(ord(char) < 32 or ord(char) == 127 for char in text)


class FileRejected(InputRejected):
    """A delivered file that is not taken as it is; str() is the publishable '<file>: <reason>'."""

    def __init__(self, bestand: str, why: Reason) -> None:
        super().__init__(f"{bestand}: {why.text}")
        self.bestand = bestand
        self.reason = why


def rejected(bestand: str, code: str, detail: str | None = None, /, **fields: object) -> FileRejected:
    """A FileRejected for bestand with the vocabulary reason code."""
    return FileRejected(bestand, reason(code, detail, **fields))
