"""Costs from the published store (tables kosten and begroting): selections and texts for the pages and the report.

The realisation of calendar year J is the gemeente's `kosten.bedrag` on peildatum 1 January J+1 (its
window W(P) is year J). It is set against the configured begroting of year J, and against the
taakstelling: the savings target is met when begroting - realisatie >= taakstelling (for the total: the margins
of the wetten with a taakstelling, so an underspend elsewhere never meets a target on care costs). Computed here from
the published totals (never from person-level data); a suppressed or missing total has no realisation.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from core import eenheid, niveau as niveaus
from dashboard.data import Published
from dashboard.ids import PROFIEL_KOSTEN
from dashboard.format import INSUFFICIENT_DATA_TEXT, MISSING_TEXT, SUPPRESSED_TEXT, display_number, format_date

TOTAAL = "totaal"
# the unit of each published cost figure (core/eenheid.py)
UNITS = {"kosten_per_inwoner": eenheid.EURO_PER_INWONER.code, "kosten_per_client": eenheid.EURO_PER_CLIENT.code}
WET_NAMEN = {"totaal": "Totaal", "wmo": "Wmo", "jeugdwet": "Jeugdwet", "participatiewet": "Participatiewet"}
GEEN_KOSTEN = "Er zijn geen kostengegevens gepubliceerd (de bron kosten is niet aangeleverd)."


def euro(value: float | None) -> str:
    """nl-NL euros without cents: 1234.4 -> '€ 1.234', -5 -> '€ −5'; missing -> '–'."""
    if value is None:
        return MISSING_TEXT
    return f"{eenheid.EURO_PER_INWONER.prefix}{display_number(value, 0)}"


def heeft_kosten(data: Published) -> bool:
    """True when the store holds cost figures."""
    return data.tables["kosten"].height > 0


def kosten_peildata(data: Published) -> list[date]:
    """The peildata with cost rows, oldest first."""
    return sorted(data.tables["kosten"]["peildatum"].unique().to_list())


def kosten(data: Published, peildatum: date, niveau: str | None = None, wet: str = TOTAAL,
           gebiedcode: str | None = None) -> pl.DataFrame:
    """Published cost rows of one peildatum and wet (optionally one level or area), with the area's parent."""
    frame = data.tables["kosten"].filter((pl.col("peildatum") == peildatum) & (pl.col("wet") == wet))
    if niveau is not None:
        frame = frame.filter(pl.col("niveau") == niveau)
    if gebiedcode is not None:
        frame = frame.filter(pl.col("gebiedcode") == gebiedcode)
    return frame.sort("gebiedcode")


def wijk_kosten(data: Published, peildatum: date, wet: str = TOTAAL) -> pl.DataFrame:
    """Cost rows of the gemeente's wijken valid on peildatum, with their gebied's name, highest cost per inhabitant
    first (a store of many gemeenten shows the wijken of the one the page or report is about, not thousands)."""
    code, _naam = data.gemeente()
    wijken = data.areas(niveaus.WIJK, peildatum).select("gebiedcode", pl.col("bovenliggend").alias("gebied"))
    names = data.areas(niveaus.GEBIED, peildatum).filter(pl.col("bovenliggend") == code).select(
        pl.col("gebiedcode").alias("gebied"), pl.col("gebiedsnaam").alias("gebiedsnaam_gebied"))
    rows = kosten(data, peildatum, niveaus.WIJK, wet).join(wijken, on="gebiedcode").join(names, on="gebied")
    return rows.sort([pl.col("kosten_per_inwoner").is_null(), pl.col("kosten_per_inwoner")],
                     descending=[False, True], nulls_last=True)


def kosten_naast(data: Published, rows: pl.DataFrame, indicator: str, peildatum: date) -> pl.DataFrame:
    """The cost rows of wijk_kosten with the outcome indicator's published wijk figure on the same peildatum:
    uitkomst (NULL when suppressed or missing), uitkomst_tekst, uitkomst_status and uitkomst_onderdrukt (NULL: no
    published row). The costs-against-an-outcome scatter of Geld per wijk and of the council report."""
    uitkomst = data.select(indicator=indicator, peildatum=peildatum, niveau=niveaus.WIJK).select(
        "gebiedcode", pl.col("waarde").alias("uitkomst"), pl.col("waarde_tekst").alias("uitkomst_tekst"),
        pl.col("status").alias("uitkomst_status"), pl.col("onderdrukt").alias("uitkomst_onderdrukt"))
    return rows.join(uitkomst, on="gebiedcode", how="left")


def figure_text(row: dict, key: str) -> str:
    """A cost figure as shown: euros, or why there is none."""
    if row.get("onderdrukt"):
        return SUPPRESSED_TEXT
    if row.get(key) is None:
        return INSUFFICIENT_DATA_TEXT + (f" ({row['reden']})" if row.get("reden") else "")
    return eenheid.format_value(row[key], UNITS[key], 0) if key in UNITS else euro(row[key])


def realisatie(data: Published) -> pl.DataFrame:
    """Per (jaar, wet): realisatie, begroting, verschil (begroting - realisatie), taakstelling and gehaald.

    Only years with a budget or target; a realisation needs the gemeente's total on 1 January J+1.
    """
    begroting = data.tables["begroting"]
    if begroting.height == 0:
        return pl.DataFrame(schema={"jaar": pl.Int32, "wet": pl.String, "realisatie": pl.Float64,
                                    "begroting": pl.Float64, "verschil": pl.Float64, "taakstelling": pl.Float64,
                                    "gehaald": pl.Boolean})
    code, _ = data.gemeente()
    gemeente = data.tables["kosten"].filter(
        (pl.col("niveau") == niveaus.GEMEENTE) & (pl.col("gebiedcode") == code)
        & (pl.col("peildatum").dt.month() == 1) & (pl.col("peildatum").dt.day() == 1)
    ).select((pl.col("peildatum").dt.year() - 1).cast(pl.Int32).alias("jaar"), "wet",
             pl.col("bedrag").alias("realisatie"))
    per_wet = begroting.join(gemeente, on=["jaar", "wet"], how="left")
    totaal = begroting.group_by("jaar").agg(
        pl.col("begroting").sum().alias("begroting"), pl.col("taakstelling").sum().alias("taakstelling"),
        pl.col("begroting").is_null().any().alias("_onvolledig"), pl.col("wet").alias("_wetten"),
    )
    # the total of the configured wetten: only when every one of them has its realisation
    verschil = pl.col("begroting") - pl.col("realisatie")
    met_taak = pl.col("taakstelling").is_not_null()
    som = per_wet.group_by("jaar").agg(
        pl.col("realisatie").sum().alias("realisatie"), pl.col("realisatie").is_null().any().alias("_ontbreekt"),
        # the savings target is on the wetten it is set for: their margins only (a margin elsewhere does not count)
        verschil.filter(met_taak).sum().alias("_marge_taak"), verschil.filter(met_taak).is_null().any().alias("_marge_onbekend"))
    totaal = totaal.join(som, on="jaar").select(
        "jaar", pl.lit(TOTAAL).alias("wet"),
        pl.when(pl.col("_onvolledig")).then(None).otherwise(pl.col("begroting")).alias("begroting"),
        pl.when(pl.col("taakstelling") > 0).then(pl.col("taakstelling")).alias("taakstelling"),
        pl.when(pl.col("_ontbreekt")).then(None).otherwise(pl.col("realisatie")).alias("realisatie"),
        pl.when(pl.col("_marge_onbekend")).then(None).otherwise(pl.col("_marge_taak")).alias("_marge_taak"),
    )
    per_wet = per_wet.with_columns(verschil.alias("_marge_taak"))
    frame = pl.concat([per_wet.select(totaal.columns), totaal])
    return frame.with_columns(verschil.alias("verschil")).with_columns(
        pl.when(pl.col("taakstelling").is_not_null() & pl.col("_marge_taak").is_not_null())
        .then(pl.col("_marge_taak") >= pl.col("taakstelling")).alias("gehaald"),
    ).select("jaar", "wet", "realisatie", "begroting", "verschil", "taakstelling", "gehaald").sort("wet", "jaar")


def similar_kosten(data: Published, wijk: str, peildatum: date, wet: str = TOTAAL) -> dict | None:
    """The reference value of the wijk's similar wijken for cost per inhabitant (indicators.md v2, "Comparing
    fairly"): the unweighted mean of their published figures, suppressed ones and those without a figure left
    out and counted. None when the wijk has no similar wijken on peildatum."""
    from dashboard.vergelijken import similar_wijken

    buren = similar_wijken(data, wijk, peildatum)
    if not buren:
        return None
    codes = [b["wijkcode"] for b in buren]
    rows = {r["gebiedcode"]: r for r in kosten(data, peildatum, niveaus.WIJK, wet).filter(
        pl.col("gebiedcode").is_in(codes)).iter_rows(named=True)}
    onderdrukt = [c for c in codes if rows.get(c, {}).get("onderdrukt")]
    values = [rows[c]["kosten_per_inwoner"] for c in codes
              if c in rows and not rows[c]["onderdrukt"] and rows[c]["kosten_per_inwoner"] is not None]
    return {"waarde": sum(values) / len(values) if values else None, "k": len(codes), "n_buren": len(values),
            "n_onderdrukt": len(onderdrukt), "n_ontbrekend": len(codes) - len(values) - len(onderdrukt)}


def similar_kosten_text(ref: dict | None) -> str:
    """The reference value as shown in a cell: '€ 2.000', or why there is none."""
    if ref is None:
        return MISSING_TEXT
    if ref["waarde"] is None:
        return INSUFFICIENT_DATA_TEXT
    return eenheid.format_value(ref["waarde"], UNITS["kosten_per_inwoner"], 0)


def similar_kosten_left_out(ref: dict | None) -> str:
    """What the mean left out, as the comparison block says it: '1 van 2 wijken; 1 met onvoldoende waarnemingen
    weggelaten'; '' when every similar wijk counted."""
    if ref is None or (not ref["n_onderdrukt"] and not ref["n_ontbrekend"]):
        return ""
    weg = ([f"{ref['n_onderdrukt']} met {SUPPRESSED_TEXT} weggelaten"] if ref["n_onderdrukt"] else []) + \
          ([f"{ref['n_ontbrekend']} zonder cijfer weggelaten"] if ref["n_ontbrekend"] else [])
    return f"{ref['n_buren']} van {ref['k']} wijken; {', '.join(weg)}"


def nowrap(*keys: str) -> dict:
    """html_table cells that keep '€ 12.345' on one line (a narrow column would break after the euro sign)."""
    from dash import html

    return {key: (lambda row, key=key: html.Span(row[key], className="text-nowrap")) for key in keys}


def kosten_blok(data: Published, wijk: str, peildatum: date):
    """Wijkprofiel: the wijk's costs on peildatum per wet beside the gemeente's and (where the wijk has them) the
    mean of its similar wijken, next to its outcomes."""
    from dash import dcc, html  # the pages' library; this module's selections stay usable without it

    from dashboard.components import Column, html_table

    link = dcc.Link("Geld per wijk", href=f"/geld?peildatum={peildatum.isoformat()}&wijk={wijk}")
    if not heeft_kosten(data) or peildatum not in kosten_peildata(data):
        return html.Div([html.H3("Kosten", className="h6 mt-3"),
                         html.P(["Geen kostengegevens voor deze peildatum; zie ", link, "."], className="small")])
    code, naam = data.gemeente()
    rows, k, weggelaten = [], 0, []
    for wet, label in WET_NAMEN.items():
        eigen = kosten(data, peildatum, niveaus.WIJK, wet, wijk)
        stad = kosten(data, peildatum, niveaus.GEMEENTE, wet, code)
        if not eigen.height:
            continue
        e, s = eigen.row(0, named=True), stad.row(0, named=True) if stad.height else {}
        ref = similar_kosten(data, wijk, peildatum, wet)
        k = ref["k"] if ref else k
        if similar_kosten_left_out(ref):
            weggelaten.append(f"{label}: {similar_kosten_left_out(ref)}")
        rows.append({"wet": label, "wijk": figure_text(e, "kosten_per_inwoner"),
                     "client": figure_text(e, "kosten_per_client"),
                     "gemeente": figure_text(s, "kosten_per_inwoner") if s else MISSING_TEXT,
                     "buren": similar_kosten_text(ref)})
    columns = [Column("wet", "Wet"), Column("wijk", "Per inwoner"), Column("client", "Per cliënt"),
               Column("gemeente", f"{naam} per inwoner")]
    note = []
    if k:  # the reference value of the similar wijken (indicators.md v2), never from a suppressed cell
        columns.append(Column("buren", "Vergelijkbare wijken per inwoner"))
        note = [f"Vergelijkbare wijken: het ongewogen gemiddelde van de gepubliceerde bedragen per inwoner van de {k} "
                "wijken die het meest op deze wijk lijken; een niet getoond bedrag of een wijk zonder cijfer telt niet "
                "mee" + (f" ({'; '.join(weggelaten)})." if weggelaten else "."), html.Br()]
    return html.Div([
        html.H3("Kosten", className="h6 mt-3"),
        html_table(PROFIEL_KOSTEN, columns, rows,
                   f"Kosten in de twaalf maanden voor {format_date(peildatum)}",
                   cells=nowrap("wijk", "client", "gemeente", "buren")),
        html.P([*note, "Meer, en de kosten naast een uitkomst, in ", link, "."], className="small"),
    ])
