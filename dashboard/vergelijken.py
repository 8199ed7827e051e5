"""Comparing fairly, as the pages and the report show it: context (kenmerken), similar wijken with their
reference values, and the werkwijzen's verschil-in-verschil in plain Dutch. Reads the published store only."""

from __future__ import annotations

from datetime import date

import polars as pl

from core import eenheid
from dashboard.data import Indicator, Published
from dashboard.format import (
    INSUFFICIENT_DATA_TEXT, SUPPRESSED_TEXT, display_number, format_change, format_date, format_value,
)

ZOALS = "zoals:"  # option value prefix of "wijken zoals <wijk>" in Wijken vergelijken
# How a kenmerk reads: label and how to show its value (factor, decimals, unit code of core/eenheid.py).
# A kenmerk not listed (a municipality's own) reads as its name with one decimal.
KENMERKEN = {
    "aandeel_0_17": ("Aandeel jeugdigen (0-17 jaar)", 100.0, 1, eenheid.PROCENT.code),
    "personen_per_huishouden": ("Personen per huishouden", 1.0, 2, ""),
    "gemiddeld_inkomen": ("Gemiddeld inkomen per inwoner (× € 1.000)", 1.0, 1, ""),
    "aandeel_65_plus": ("Aandeel 65 jaar en ouder", 1.0, 1, eenheid.PROCENT.code),
    "aandeel_eenpersoonshuishoudens": ("Eenpersoonshuishoudens", 1.0, 1, eenheid.PROCENT.code),
    "aandeel_huurwoningen": ("Huurwoningen", 1.0, 1, eenheid.PROCENT.code),
    "bevolkingsdichtheid": ("Inwoners per km²", 1.0, 0, ""),
}
NO_CAUSALITY = ("Dit is een vergelijking van ontwikkelingen, geen bewijs dat de werkwijze het verschil veroorzaakt: "
                "de wijken verschillen ook op andere punten, en ook andere veranderingen kunnen meespelen.")


def kenmerk_label(kenmerk: str) -> str:
    """The Dutch label of a kenmerk (an unknown one by its name)."""
    return KENMERKEN.get(kenmerk, (kenmerk.replace("_", " ").capitalize(),))[0]


def kenmerk_text(kenmerk: str, waarde: float | None) -> str:
    """A kenmerk's value in nl-NL notation."""
    if waarde is None:
        return INSUFFICIENT_DATA_TEXT
    _label, factor, decimals, code = KENMERKEN.get(kenmerk, (kenmerk, 1.0, 1, ""))
    return eenheid.format_value(waarde * factor, code, decimals) if code else display_number(waarde * factor, decimals)


def context_items(data: Published, wijk: str, peildatum: date) -> list[tuple[str, str]]:
    """(label, text) of the wijk's kenmerken from the source kenmerken on peildatum, with their year."""
    rows = data.tables["context"].filter(
        (pl.col("wijkcode") == wijk) & (pl.col("peildatum") == peildatum) & (pl.col("bron") == "kenmerken"))
    return [(kenmerk_label(r["kenmerk"]) + (f" ({r['bron_peildatum'].year})" if r["bron_peildatum"] else ""),
             kenmerk_text(r["kenmerk"], r["waarde"])) for r in rows.iter_rows(named=True)]


def unused_kenmerken(data: Published, peildatum: date) -> list[str]:
    """Labels of the context variables left out of the distance on peildatum (not known for every wijk, or
    the same for all)."""
    rows = data.tables["context"].filter((pl.col("peildatum") == peildatum) & ~pl.col("gebruikt"))
    return [kenmerk_label(k) for k in rows["kenmerk"].unique(maintain_order=True).to_list()]


def similar_wijken(data: Published, wijk: str, peildatum: date) -> list[dict]:
    """The wijk's similar wijken on peildatum: rang, wijkcode, naam, afstand (most similar first)."""
    rows = data.tables["vergelijkbare_wijken"].filter(
        (pl.col("wijkcode") == wijk) & (pl.col("peildatum") == peildatum)).sort("rang")
    return [{"rang": r["rang"], "wijkcode": r["buur_wijkcode"], "naam": data.area_name(r["buur_wijkcode"]) or r["buur_wijkcode"],
             "afstand": r["afstand"], "kenmerken": r["kenmerken"]} for r in rows.iter_rows(named=True)]


# More wijken with similar wijken than this (a country's 3,300): a choice lists only the gemeente's own wijken
# (and the one chosen), so a list stays short enough to use; a city's wijken are all listed as before.
ZOALS_MAX = 200


def zoals_candidates(data: Published, chosen: str | None = None) -> list[tuple[str, str]]:
    """(wijkcode, naam) of the wijken with similar wijken that a choice lists, by name: all of them, or beyond
    ZOALS_MAX only those of the gemeente (plus `chosen`; another wijk: from its Wijkprofiel)."""
    met_buren = data.tables["vergelijkbare_wijken"]["wijkcode"].unique().to_list()
    wijken = data.areas("wijk").filter(pl.col("gebiedcode").is_in(met_buren))
    if wijken.height > ZOALS_MAX:
        code, _naam = data.gemeente()
        gebieden = data.areas("gebied").filter(pl.col("bovenliggend") == code)["gebiedcode"].to_list()
        keep = pl.col("bovenliggend").is_in([code, *gebieden])
        wijken = wijken.filter(keep | (pl.col("gebiedcode") == chosen) if chosen else keep)
    return list(zip(wijken["gebiedcode"].to_list(), wijken["gebiedsnaam"].to_list()))


def zoals_limited(data: Published) -> bool:
    """True when zoals_candidates lists only the gemeente's wijken."""
    return data.tables["vergelijkbare_wijken"]["wijkcode"].n_unique() > ZOALS_MAX


def zoals_options(data: Published, chosen: str | None = None) -> list[dict]:
    """Wijken vergelijken's options "Wijken zoals <wijk>" (zoals_candidates; `chosen` an option value)."""
    wijk = chosen.removeprefix(ZOALS) if chosen and chosen.startswith(ZOALS) else None
    return [{"label": f"Wijken zoals {naam}", "value": ZOALS + code} for code, naam in zoals_candidates(data, wijk)]


def zoals_wijken(data: Published, option: str, peildatum: date) -> list[str]:
    """The wijkcodes of "wijken zoals <wijk>" on peildatum: the wijk itself and its similar wijken."""
    wijk = option.removeprefix(ZOALS)
    return [wijk] + [buur["wijkcode"] for buur in similar_wijken(data, wijk, peildatum)]


def reference_rows(data: Published, wijk: str, peildatum: date) -> list[dict]:
    """Per indicator: the wijk, the city, the nulmeting, the similar wijken's reference value (with what was
    left out) and each similar wijk's own value, as texts."""
    buren = similar_wijken(data, wijk, peildatum)
    gemeente, _naam = data.gemeente()
    referentie = data.tables["referentiewaarden"].filter(
        (pl.col("wijkcode") == wijk) & (pl.col("peildatum") == peildatum))
    rows = []
    for indicator, meta in data.indicators.items():
        def text(gebiedcode: str, on: date) -> str:
            found = data.select(indicator=indicator, gebiedcode=gebiedcode, peildatum=on)
            return _value_text(found.row(0, named=True)) if found.height else "–"
        ref = referentie.filter(pl.col("indicator") == indicator)
        ref_row = ref.row(0, named=True) if ref.height else None
        row = {"indicator": indicator, "naam": meta.naam, "wijk": text(wijk, peildatum),
               "nulmeting": text(wijk, data.nulmeting), "gemeente": text(gemeente, peildatum),
               "referentie": _reference_text(meta, ref_row, len(buren)),
               "referentie_waarde": None if ref_row is None else ref_row["waarde"]}
        for buur in buren:
            row[buur["wijkcode"]] = text(buur["wijkcode"], peildatum)
        rows.append(row)
    return rows


def _value_text(row: dict) -> str:
    if row.get("onderdrukt"):
        return SUPPRESSED_TEXT
    if row.get("waarde") is None:
        return INSUFFICIENT_DATA_TEXT
    return row["waarde_tekst"]


def _reference_text(meta: Indicator, row: dict | None, k: int) -> str:
    """'45,6 (4 van 5 wijken; 1 met onvoldoende waarnemingen weggelaten)'."""
    if row is None or row["waarde"] is None:
        return f"{INSUFFICIENT_DATA_TEXT} (geen vergelijkbare wijk met een cijfer)"
    text = format_value(row["waarde"], meta.eenheid, meta.decimalen)
    weg = []
    if row["n_onderdrukt"]:
        weg.append(f"{row['n_onderdrukt']} met {SUPPRESSED_TEXT} weggelaten")
    if row["n_ontbrekend"]:
        weg.append(f"{row['n_ontbrekend']} zonder cijfer weggelaten")
    if weg:
        return f"{text} ({row['n_buren']} van {k} wijken; {', '.join(weg)})"
    return f"{text} (gemiddelde van {row['n_buren']} wijken)"


def werkwijzen(data: Published) -> dict[str, dict]:
    """naam -> {omschrijving, startdatum, wijken: [(code, naam)], onbekend: [code]} of the published werkwijzen.
    A code the area table does not know (a typing error, or a wijk of an earlier indeling) has no figures: it
    counts as a left-out wijk of the group, and is named as such."""
    result: dict[str, dict] = {}
    for r in data.tables["werkwijzen"].iter_rows(named=True):
        entry = result.setdefault(r["werkwijze"], {"omschrijving": r["omschrijving"], "startdatum": r["startdatum"],
                                                   "wijken": [], "onbekend": []})
        naam = data.area_name(r["wijkcode"])
        if naam is None:
            entry["onbekend"].append(r["wijkcode"])
        entry["wijken"].append((r["wijkcode"], naam or f"{r['wijkcode']} (onbekende wijkcode)"))
    return result


def unknown_codes_text(info: dict) -> str:
    """The warning for a werkwijze's wijkcodes that the area table does not know; '' when there are none."""
    codes = info["onbekend"]
    if not codes:
        return ""
    named = ", ".join(codes)
    return (f"{'Wijkcode' if len(codes) == 1 else 'Wijkcodes'} {named} van deze werkwijze "
            f"{'staat' if len(codes) == 1 else 'staan'} niet in de gebiedentabel: zonder cijfers "
            f"{'telt hij' if len(codes) == 1 else 'tellen ze'} als weggelaten wijk. Verbeter de werkwijze op de "
            "pagina Instellingen (beheer).")


def did_rows(data: Published, werkwijze: str, indicator: str) -> list[dict]:
    """The verschil-in-verschil of one werkwijze and indicator per peildatum, oldest first."""
    return data.tables["werkwijze_vergelijking"].filter(
        (pl.col("werkwijze") == werkwijze) & (pl.col("indicator") == indicator)).sort("peildatum").to_dicts()


def interval_text(meta: Indicator, row: dict) -> str:
    """'−3,2 tot 1,5' or '–' (register indicators carry no sampling interval)."""
    if row["ci_laag"] is None or row["ci_hoog"] is None:
        return "–"
    return f"{display_number(row['ci_laag'], meta.decimalen)} tot {display_number(row['ci_hoog'], meta.decimalen)}"


def reading(meta: Indicator, werkwijze: str, row: dict) -> str:
    """Plain Dutch for one verschil-in-verschil: what changed in both groups, the difference, what the interval
    allows, what was left out; never a claim that the werkwijze caused it."""
    start, peildatum = format_date(row["peildatum_start"]), format_date(row["peildatum"])
    if row["did"] is None:
        return (f"{meta.naam}: tussen {start} en {peildatum} is geen vergelijking mogelijk: in "
                f"{'de wijken met ' + werkwijze if not row['groep_n'] else 'de andere wijken'} heeft geen wijk op beide "
                f"datums een cijfer ({INSUFFICIENT_DATA_TEXT}).")
    change = lambda value: format_change(value, meta.eenheid, meta.decimalen)  # noqa: E731
    parts = [
        f"{meta.naam}: van {start} tot {peildatum} veranderde de waarde in de {row['groep_n']} wijken met "
        f"{werkwijze} gemiddeld {change(row['groep_verandering'])}, in de {row['overig_n']} andere wijken "
        f"{change(row['overig_verandering'])}. Het verschil in verschil is {change(row['did'])}"
    ]
    if round(row["did"], meta.decimalen) != 0:  # as shown: a difference that reads 0,0 has no direction
        gunstig = (row["did"] < 0) == meta.lager_is_beter
        parts[0] += f", een verschil in de {'gunstige' if gunstig else 'ongunstige'} richting voor deze indicator."
    else:
        parts[0] += "."
    if row["ci_laag"] is not None:
        if row["ci_laag"] <= 0 <= row["ci_hoog"]:
            parts.append(f"Het 95%-interval ({interval_text(meta, row)}) bevat nul: het verschil is niet te "
                         "onderscheiden van toeval in de enquête; de gegevens laten geen duidelijk verschil zien.")
        else:
            parts.append(f"Het 95%-interval ({interval_text(meta, row)}) ligt geheel "
                         f"{'boven' if row['ci_laag'] > 0 else 'onder'} nul: groter dan toeval in de enquête verklaart.")
    elif meta.is_survey:
        parts.append(f"Het 95%-interval is niet te berekenen ({INSUFFICIENT_DATA_TEXT} over de steekproefgrootte); "
                     "zonder interval is niet te zeggen of het verschil groter is dan toeval in de enquête.")
    else:
        parts.append("Registercijfers zijn volledige tellingen en hebben geen steekproefinterval; of het verschil "
                     "groot is, blijkt uit de vergelijking met eerdere jaren.")
    weg = row["groep_weggelaten"] + row["overig_weggelaten"]
    if weg:
        parts.append(f"{weg} wijk{'en' if weg > 1 else ''} zonder cijfer op een van beide datums "
                     f"({row['groep_weggelaten']} met de werkwijze, {row['overig_weggelaten']} andere) "
                     f"{'zijn' if weg > 1 else 'is'} weggelaten.")
    parts.append(NO_CAUSALITY)
    return " ".join(parts)
