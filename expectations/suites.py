"""One Great Expectations suite per source, built in code from the data contract (etl/contract.py).

Every expectation carries in its `meta` what the quarantine and the data-quality summary need:
the column it is about (`kolom`), the rule in Dutch (`regel`), its severity in Dutch (`ernst`) and
the delivered-text columns whose values explain a failure (`waarde`). Expectations are checked on
the typed candidate rows of etl/staging.py, with dates as numbers YYYYMMDD: GX compares pandas
datetimes row by row in Python, numbers vectorised (ten times faster on 300k rows).

A wijkcode is checked as the flag `<kolom>__bekend` (the code is in the configured area table), not
as an in-set over every code: DuckDB evaluates an IN list of constants in GX's aggregate queries
by comparing each row with each code (3,300 codes at national scale took minutes), the IN
subquery as one hash join.

Parse rules and rules between two columns are checked the same way, as boolean flags computed in
the candidate query (flag_sql) with a value-set expectation: GX's SQL engine bundles every
expectation on one whole batch into one aggregate scan, but runs an expectation with a
row_condition, and each column-pair expectation, as scans of their own (two each, typing the
rows every time); as flags, a source's whole suite is one scan. A flag is NULL when the rule does
not apply (a missing value), which a value-set expectation skips as GX's pair rule skips it.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import great_expectations as gx
import great_expectations.expectations as gxe
from great_expectations.expectations.expectation import Expectation

from etl.contract import EERSTE_JAAR, FOUT, MAX_GEWICHT, MAX_TEKST, Bron, Kolom
from etl.staging import STUURTEKEN, TE_LANG, TEKST
BEKEND = "__bekend"  # suffix of the per-row flag: the code is a known wijkcode
ONLEESBAAR = "__onleesbaar"  # suffix of the per-row flag: a value was delivered but is not of the column's type
GROTER_DAN = "__groter_dan__"  # <klein>__groter_dan__<groot>: the flag of a pair rule broken (both present)
EERSTE_GEBOORTEJAAR = EERSTE_JAAR
STUURTEKEN_REGEL = "tekst bevat een stuurteken (NUL, tab of regeleinde)"
LENGTE_REGEL = f"tekst langer dan {MAX_TEKST} tekens"

PARSE_RULES = {
    "datum": "geen geldige datum (JJJJ-MM-DD of DD-MM-JJJJ)",
    "geheel": "geen geheel getal",
    "decimaal": "geen getal",
}


def datum_als_getal(datum: date) -> int:
    """A date as the number YYYYMMDD, the form dates take in the frames GX checks."""
    return datum.year * 10_000 + datum.month * 100 + datum.day


def flag_sql(name: str) -> str | None:
    """SQL over the candidate columns for a flag column the suite checks, or None for a candidate column.

    `<kolom>__bekend`: true for a wijkcode of the area table, NULL for no code.
    `<kolom>__onleesbaar`: the delivered text is present but gave no value (never NULL).
    `<klein>__groter_dan__<groot>`: klein > groot, NULL when either is missing.
    """
    if name.endswith(BEKEND):
        return f'"{name.removesuffix(BEKEND)}" IN (SELECT wijkcode FROM ref_gebieden WHERE wijkcode IS NOT NULL)'
    if name.endswith(ONLEESBAAR):
        kolom = name.removesuffix(ONLEESBAAR)
        return f'("{kolom}{TEKST}" IS NOT NULL AND "{kolom}" IS NULL)'
    if GROTER_DAN in name:
        klein, groot = name.split(GROTER_DAN)
        return f'("{klein}" > "{groot}")'
    return None


def build_suite(bron: Bron, vandaag: date, max_gewicht: float = MAX_GEWICHT) -> gx.ExpectationSuite:
    """The expectation suite of a source, named after it (max_gewicht: the configured weight ceiling)."""
    kolommen = tuple(
        dataclasses.replace(kolom, maximum=max_gewicht) if kolom.maximum == MAX_GEWICHT else kolom
        for kolom in bron.kolommen
    )
    bron = dataclasses.replace(bron, kolommen=kolommen)
    return gx.ExpectationSuite(name=bron.naam, expectations=_expectations(bron, vandaag))


def _expectations(bron: Bron, vandaag: date) -> list[Expectation]:
    """All per-row expectations of a source in a stable order: per column, then pairs.

    Rules across rows (unique key, plausibility against the previous peildatum) are no GX
    expectations: they are checked in DuckDB over the whole source (etl/staging.py, source_rules_sql).
    """
    expectations: list[Expectation] = []
    for kolom in bron.kolommen:
        expectations.extend(_column_expectations(kolom, vandaag))
    for paar in bron.paren:
        # groot >= klein where both are present (flag_sql).
        expectations.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=f"{paar.klein}{GROTER_DAN}{paar.groot}",
                value_set=[False],
                meta=_meta(paar.kolom, paar.regel, [paar.groot, paar.klein]),
            )
        )
    return expectations


def _column_expectations(kolom: Kolom, vandaag: date) -> list[Expectation]:
    """Presence, parseability, value set and range of one column."""
    name = kolom.naam
    found: list[Expectation] = []
    if kolom.verplicht:
        # Text columns are NULL exactly when the delivered cell is empty; parsed columns are also
        # NULL when unparseable, so their presence is checked on the delivered text.
        present = f"{name}{TEKST}" if kolom.type in PARSE_RULES else name
        found.append(
            gxe.ExpectColumnValuesToNotBeNull(
                column=present, meta=_meta(name, "verplichte waarde ontbreekt", [name])
            )
        )
    if kolom.type in PARSE_RULES:
        found.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=f"{name}{ONLEESBAAR}", value_set=[False], meta=_meta(name, PARSE_RULES[kolom.type], [name])
            )
        )
    if kolom.type == "tekst":
        found.extend(_text_expectations(name))
    if kolom.type == "code":
        found.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=f"{name}{BEKEND}", value_set=[True], meta=_meta(name, "onbekende wijkcode", [name])
            )
        )
    if kolom.waarden is not None:
        allowed = ", ".join(str(value) for value in kolom.waarden)
        found.append(
            gxe.ExpectColumnValuesToBeInSet(
                column=name,
                value_set=list(kolom.waarden),
                meta=_meta(name, f"waarde niet toegestaan (toegestaan: {allowed})", [name]),
            )
        )
    if kolom.minimum is not None or kolom.maximum is not None:
        found.append(_range_expectation(kolom))
    if kolom.geboortejaar:
        found.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=name,
                min_value=EERSTE_GEBOORTEJAAR,
                max_value=vandaag.year,
                meta=_meta(name, f"geboortejaar buiten {EERSTE_GEBOORTEJAAR}..{vandaag.year}", [name]),
            )
        )
    if kolom.geen_toekomst:
        found.append(
            gxe.ExpectColumnValuesToBeBetween(
                column=name,
                max_value=datum_als_getal(vandaag),
                meta=_meta(name, "datum ligt in de toekomst", [name]),
            )
        )
    return found


def _text_expectations(name: str) -> list[Expectation]:
    """A key or code holds no control character and is not overlong (flags computed by etl/staging.py)."""
    return [
        gxe.ExpectColumnValuesToBeInSet(
            column=f"{name}{STUURTEKEN}", value_set=[False], meta=_meta(name, STUURTEKEN_REGEL, [name])
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column=f"{name}{TE_LANG}", value_set=[False], meta=_meta(name, LENGTE_REGEL, [name])
        ),
    ]


def _range_expectation(kolom: Kolom) -> Expectation:
    """A between-expectation for a column's contract range, with its Dutch rule text."""
    if kolom.maximum is None:
        operator = ">" if kolom.strikt_minimum else ">="
        rule = f"waarde moet {operator} {_getal(kolom.minimum)} zijn"
    elif kolom.strikt_minimum:
        rule = f"waarde moet > {_getal(kolom.minimum)} en <= {_getal(kolom.maximum)} zijn"
    else:
        rule = f"waarde buiten bereik {_getal(kolom.minimum)}..{_getal(kolom.maximum)}"
    return gxe.ExpectColumnValuesToBeBetween(
        column=kolom.naam,
        min_value=kolom.minimum,
        max_value=kolom.maximum,
        strict_min=kolom.strikt_minimum,
        meta=_meta(kolom.naam, rule, [kolom.naam]),
    )


def _getal(value: float) -> str:
    """A bound as written in a rule: whole numbers without decimals or exponent."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _meta(kolom: str, regel: str, waarde: list[str], ernst: str = FOUT) -> dict[str, object]:
    """The meta block the gate reads back from each validation result."""
    return {"kolom": kolom, "regel": regel, "ernst": ernst, "waarde": waarde}
