"""The report's charts as vector SVG, drawn with matplotlib (offline, no browser; see docs/internals.md).

Two charts per indicator: the city's trend since the nulmeting with the corridor as a band, and a map
of the wijken coloured by status; per werkwijze one chart with a panel per indicator (both groups' change); in the
costs chapter one chart with a panel per indicator (cost per inhabitant against the indicator, a point per wijk).
Colours and symbols are the dashboard's (dashboard/components.py),
so a status looks the same on screen and on paper; every mark also carries its symbol or a hatch, so
nothing depends on colour alone. Text stays text in the SVG (svg.fonttype 'none'): WeasyPrint sets it
in the report's font and it can be found and read in the PDF.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import matplotlib
import numpy as np
import polars as pl
from matplotlib.collections import PolyCollection
from matplotlib.dates import date2num
from matplotlib.figure import Figure as MplFigure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from core.status import BINNEN_MARGE, BUITEN_MARGE, GELIJK_GEBLEVEN, ONVOLDOENDE_GEGEVENS, VERBETERD
from dashboard.components import CITY_COLOUR, STATUS_STYLE, WERKWIJZE_COLOUR, status_style
from dashboard.data import Indicator
from dashboard.format import (
    SUPPRESSED_TEXT, change_unit, display_number, format_change, format_date_short, format_value, unit_label,
)
from dashboard.geld import UNITS as KOSTEN_UNITS
from dashboard.rapport.content import MISSING_INPUTS_TEXT, Figure, unit_text
from dashboard.rapport.kosten import KostenPaneel, KostenSpreiding
from dashboard.rapport.werkwijzen import WerkwijzeReeks

FONT_FAMILY = ["Liberation Sans", "DejaVu Sans"]  # Debian's fonts-liberation / fonts-dejavu-core; also the CSS stack
CORRIDOR_FILL = "#fdd49e"  # the 'binnen marge' colour: the band is where that status lives
CORRIDOR_EDGE = STATUS_STYLE[BUITEN_MARGE][0]
TARGET_COLOUR = "#5e3c99"
GRID = "#e5e5e5"
MARKERS = {VERBETERD: "^", GELIJK_GEBLEVEN: "o", BINNEN_MARGE: "D", BUITEN_MARGE: "v",
           ONVOLDOENDE_GEGEVENS: "o"}
HATCH = {"onderdrukt": "////", "ontbreekt": ".."}  # wijken without a figure, by Figure.soort_leeg
EMPTY_LABEL = {"onderdrukt": SUPPRESSED_TEXT, "ontbreekt": MISSING_INPUTS_TEXT}
STYLE = {
    "font.family": FONT_FAMILY, "font.size": 7.5, "svg.fonttype": "none", "svg.hashsalt": "wijkmonitor",
    "axes.edgecolor": "#595959", "axes.linewidth": 0.6, "xtick.color": "#333333", "ytick.color": "#333333",
    "hatch.linewidth": 0.6, "hatch.color": "#595959",
}


def _svg(figure: MplFigure) -> str:
    """The figure as SVG text without a creation date (same input, same bytes)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _numbers(axis) -> FuncFormatter:
    """Axis ticks in nl-NL (typographic minus, as in the tables), with as many decimals as the ticks drawn need (read when they are drawn)."""
    return FuncFormatter(lambda value, _: display_number(value, _tick_decimals(axis.get_majorticklocs())))


def _tick_decimals(ticks: np.ndarray) -> int:
    """The fewest decimals that show every tick exactly (1.5 apart -> 1, 0.05 apart -> 2)."""
    return next((d for d in range(4) if np.allclose(np.round(ticks, d), ticks, rtol=0, atol=1e-9)), 4)


def _date_ticks(axis, dates: list[date]) -> None:
    """Ticks on the peildata: years when every peildatum is 1 January, short dates otherwise; at most eight."""
    step = max(1, -(-len(dates) // 8))
    shown = dates[::step]
    axis.set_xticks([date2num(d) for d in shown])
    yearly = all(d.month == 1 and d.day == 1 for d in dates)
    axis.set_xticklabels([str(d.year) if yearly else format_date_short(d) for d in shown])


def trend_svg(meta: Indicator, trend: pl.DataFrame, gemeente: str, nulmeting_op: date) -> str:
    """The city's values from the nulmeting to the peildatum, with the corridor band, nulmeting and targets.

    Each point has its status's symbol and colour (the legend of those is the map's and the tables').
    """
    rows = trend.to_dicts()
    shown = [r for r in rows if r["waarde"] is not None]
    with matplotlib.rc_context(STYLE):
        figure = MplFigure(figsize=(4.3, 2.0))
        axis = figure.add_subplot()
        if not shown:  # no figure at all: say so instead of an empty frame
            axis.set_axis_off()
            axis.text(0.5, 0.5, MISSING_INPUTS_TEXT, transform=axis.transAxes, ha="center", va="center", fontsize=9)
            return _svg(figure)
        nulmeting = next((r["waarde"] for r in rows if r["peildatum"] == nulmeting_op), None)
        handles = _corridor(axis, rows, nulmeting) + _values(axis, meta, shown, gemeente) + _targets(axis, rows)
        _axes(axis, meta, [r["peildatum"] for r in rows])
        figure.legend(handles=handles, loc="lower center", ncol=3, frameon=False, fontsize=6.5,
                      handlelength=1.6, columnspacing=1.2)
        figure.subplots_adjust(left=0.12, right=0.98, top=0.97, bottom=0.16 + 0.07 * ((len(handles) + 2) // 3))
        return _svg(figure)


def _corridor(axis, rows: list[dict], nulmeting: float | None) -> list:
    """The corridor as a band between the nulmeting and the published boundary (marge_grens), and the nulmeting line."""
    if nulmeting is None:
        return []
    handles = []
    corridor = [(date2num(r["peildatum"]), r["marge_grens"]) for r in rows if r["marge_grens"] is not None]
    if len(corridor) > 1:  # a band needs two dates
        xs, bounds = zip(*corridor, strict=True)
        axis.fill_between(xs, [nulmeting] * len(xs), bounds, color=CORRIDOR_FILL, alpha=0.75, linewidth=0, zorder=1)
        axis.plot(xs, bounds, color=CORRIDOR_EDGE, linewidth=0.9, linestyle="--", zorder=2)
        handles.append(Patch(facecolor=CORRIDOR_FILL, edgecolor=CORRIDOR_EDGE, linestyle="--", label="corridor"))
    axis.axhline(nulmeting, color="#595959", linewidth=0.8, linestyle=":", zorder=2)
    handles.append(Line2D([], [], color="#595959", linewidth=0.8, linestyle=":", label="nulmeting"))
    return handles


def _values(axis, meta: Indicator, shown: list[dict], gemeente: str) -> list:
    """The city's line, a marker per peildatum in its status's symbol and colour, intervals for surveys."""
    handles = []
    xs = [date2num(r["peildatum"]) for r in shown]
    ys = [r["waarde"] for r in shown]
    if meta.is_survey:
        low = [y - (r["ci_laag"] if r["ci_laag"] is not None else y) for y, r in zip(ys, shown, strict=True)]
        high = [(r["ci_hoog"] if r["ci_hoog"] is not None else y) - y for y, r in zip(ys, shown, strict=True)]
        axis.errorbar(xs, ys, yerr=[low, high], fmt="none", ecolor="#595959", elinewidth=0.8, capsize=2, zorder=3)
        handles.append(Line2D([], [], color="#595959", marker="|", linestyle="none", markersize=8, label="95%-interval"))
    axis.plot(xs, ys, color=CITY_COLOUR, linewidth=1.4, zorder=4)
    handles.append(Line2D([], [], color=CITY_COLOUR, linewidth=1.4, label=f"{gemeente} (gemeente)"))
    for x, y, r in zip(xs, ys, shown, strict=True):
        colour = status_style(r["status"])[0]
        axis.plot([x], [y], marker=MARKERS.get(r["status"], "o"), markersize=5.5, color=colour,
                  markeredgecolor=CITY_COLOUR, markeredgewidth=0.7, linestyle="none", zorder=5)
    return handles


def _targets(axis, rows: list[dict]) -> list:
    """Targets (streefwaarden) as stars."""
    targets = [(date2num(r["peildatum"]), r["streefwaarde"]) for r in rows if r["streefwaarde"] is not None]
    if not targets:
        return []
    axis.plot(*zip(*targets, strict=True), marker="*", markersize=8, color=TARGET_COLOUR, linestyle="none", zorder=6)
    return [Line2D([], [], marker="*", color=TARGET_COLOUR, markersize=8, linestyle="none", label="streefwaarde")]


def _axes(axis, meta: Indicator, dates: list[date]) -> None:
    """Date ticks on the peildata, nl-NL value ticks, the unit, a light grid."""
    _date_ticks(axis, dates)
    x = [date2num(d) for d in dates]
    pad = max(30.0, (max(x) - min(x)) * 0.06)
    axis.set_xlim(min(x) - pad, max(x) + pad)
    axis.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
    axis.yaxis.set_major_formatter(_numbers(axis.yaxis))
    axis.set_ylabel(unit_label(meta.eenheid))
    axis.grid(axis="y", color=GRID, linewidth=0.6)
    axis.set_axisbelow(True)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)


def trend_description(meta: Indicator, trend: pl.DataFrame, gemeente: str) -> str:
    """The trend chart in words (its text alternative)."""
    parts = []
    for r in trend.iter_rows(named=True):
        waarde = (SUPPRESSED_TEXT if r["onderdrukt"] else MISSING_INPUTS_TEXT) if r["waarde"] is None else (
            f"{display_number(r['waarde'], meta.decimalen)} ({r['status']})")
        parts.append(f"{format_date_short(r['peildatum'])}: {waarde}")
    return f"Trend van {meta.naam.lower()} in {gemeente} ({unit_label(meta.eenheid)}): " + "; ".join(parts) + "."


def _rings(geometry: dict) -> list[np.ndarray]:
    """The outer rings of a GeoJSON (Multi)Polygon as arrays of lon/lat."""
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [np.asarray(polygon[0], dtype=float) for polygon in polygons]


def _label_point(rings: list[np.ndarray]) -> tuple[float, float]:
    """Area centroid of the largest ring (shoelace formula): where the status symbol goes."""
    ring = max(rings, key=lambda r: abs(_signed_area(r)))
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if area == 0:
        return float(x.mean()), float(y.mean())
    return float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)), float(((y[:-1] + y[1:]) * cross).sum() / (6 * area))


def _signed_area(ring: np.ndarray) -> float:
    return float((ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1]).sum() / 2)


def map_svg(geojson: dict, wijken: list[Figure]) -> str:
    """The wijken coloured by status with the status symbol in each; a wijk without a figure is hatched."""
    by_code = {f.gebiedcode: f for f in wijken}
    with matplotlib.rc_context(STYLE):
        figure = MplFigure(figsize=(2.55, 2.0))
        axis = figure.add_axes((0.0, 0.22, 1.0, 0.78))
        present: dict[str, Patch] = {}
        latitudes = []
        for feature in geojson["features"]:
            wijk = by_code.get(feature["id"])
            if wijk is None:
                continue  # not a wijk on this peildatum
            rings = _rings(feature["geometry"])
            latitudes += [ring[:, 1].mean() for ring in rings]
            background, _, symbol = status_style(wijk.status.woord)
            hatch = HATCH.get(wijk.soort_leeg or "")
            axis.add_collection(PolyCollection(rings, facecolors=background, edgecolors="#595959", linewidths=0.5,
                                               hatch=hatch))
            if hatch is None:
                x, y = _label_point(rings)
                axis.text(x, y, symbol, ha="center", va="center", fontsize=6.5, color=wijk.status.tekstkleur,
                          family=["DejaVu Sans"])  # DejaVu has every status symbol
            label = EMPTY_LABEL.get(wijk.soort_leeg or "", f"{symbol} {wijk.status.woord}")
            present.setdefault(label, Patch(facecolor=background, edgecolor="#595959", linewidth=0.5, hatch=hatch,
                                            label=label))
        axis.autoscale_view()
        axis.set_aspect(1 / np.cos(np.radians(np.mean(latitudes))) if latitudes else 1.0)
        axis.set_axis_off()
        order = [f"{STATUS_STYLE[w][2]} {w}" for w in MARKERS] + [SUPPRESSED_TEXT, MISSING_INPUTS_TEXT]
        handles = sorted(present.values(), key=lambda p: order.index(p.get_label()) if p.get_label() in order else 99)
        figure.legend(handles=handles, loc="lower center", ncol=2, frameon=False, fontsize=6.2, handlelength=1.2,
                      handleheight=1.0, columnspacing=0.8)
        return _svg(figure)


def map_description(wijken: list[Figure], peildatum: date) -> str:
    """The map in words: the wijken per status."""
    groups: dict[str, list[str]] = {}
    for wijk in wijken:
        key = EMPTY_LABEL.get(wijk.soort_leeg or "", wijk.status.woord)
        groups.setdefault(key, []).append(wijk.gebiedsnaam)
    parts = [f"{key}: {', '.join(names)}" for key, names in groups.items()]
    return _sentence(f"Kaart van de wijken naar status op {format_date_short(peildatum)}. " + "; ".join(parts))


def _groups(werkwijze: str) -> tuple[tuple[str, str, str, str, str], ...]:
    """(row key, label, colour, line style, marker): the wijken with the werkwijze and the others, told apart by
    line and marker as well as colour (the page's chart)."""
    return (("groep_verandering", werkwijze, WERKWIJZE_COLOUR, "-", "o"),
            ("overig_verandering", "Andere wijken", CITY_COLOUR, "--", "s"))


def werkwijze_svg(werkwijze: str, reeksen: list[WerkwijzeReeks]) -> str:
    """Per indicator a panel: both groups' mean change since the last peildatum before the start (zero there)."""
    rows_of_panels = -(-len(reeksen) // 2)
    with matplotlib.rc_context(STYLE):
        figure = MplFigure(figsize=(6.7, 1.55 * rows_of_panels + 0.35))
        for number, reeks in enumerate(reeksen, start=1):
            axis = figure.add_subplot(rows_of_panels, 2, number)
            dates = [reeks.rijen[0]["peildatum_start"]] + [r["peildatum"] for r in reeks.rijen]
            for key, label, colour, style, marker in _groups(werkwijze):
                values = [0.0] + [np.nan if r[key] is None else r[key] for r in reeks.rijen]
                axis.plot([date2num(d) for d in dates], values, color=colour, linestyle=style, marker=marker,
                          markersize=3.5, linewidth=1.3, label=label, zorder=3)
            axis.axhline(0, color="#595959", linewidth=0.6, linestyle=":", zorder=2)
            _axes(axis, reeks.meta, dates)
            axis.set_ylabel(change_unit(reeks.meta.eenheid))
            axis.set_title(reeks.meta.naam, fontsize=7.5, loc="left", pad=3)
        handles = [Line2D([], [], color=colour, linestyle=style, marker=marker, markersize=3.5, linewidth=1.3,
                          label=label) for _key, label, colour, style, marker in _groups(werkwijze)]
        figure.legend(handles=handles, loc="lower center", ncol=2, frameon=False, fontsize=6.8)
        figure.subplots_adjust(left=0.09, right=0.98, top=1 - 0.25 / figure.get_figheight(),
                               bottom=0.45 / figure.get_figheight(), hspace=0.75, wspace=0.28)
        return _svg(figure)


def werkwijze_description(werkwijze: str, reeksen: list[WerkwijzeReeks]) -> str:
    """The werkwijze chart in words (its text alternative): per indicator and peildatum both groups' change."""
    parts = []
    for reeks in reeksen:
        change = lambda value, m=reeks.meta: (  # noqa: E731
            MISSING_INPUTS_TEXT if value is None else format_change(value, m.eenheid, m.decimalen))
        steps = [f"{format_date_short(r['peildatum'])}: {change(r['groep_verandering'])} tegenover "
                 f"{change(r['overig_verandering'])}" for r in reeks.rijen]
        parts.append(f"{reeks.meta.naam}, vanaf {format_date_short(reeks.rijen[0]['peildatum_start'])}: "
                     + "; ".join(steps))
    return (f"Gemiddelde verandering per indicator in de wijken met {werkwijze} tegenover de andere wijken. "
            + ". ".join(parts) + ".")


KOSTEN_AS = "kosten per inwoner (euro, alle wetten)"
# The scatter's points by status: the status symbols, except that a figure without a status (no nulmeting) is a
# cross, not a circle like 'gelijk gebleven' (white and light grey are too close to tell apart on paper).
KOSTEN_MARKERS = MARKERS | {ONVOLDOENDE_GEGEVENS: "X"}
WHY_TEXT = {  # why a wijk has no point, under the chart
    SUPPRESSED_TEXT: "afgeschermd (te weinig cliënten, inwoners of waarnemingen, twee cliënten samen meer dan 85% van "
                     "het bedrag, of om een ander cijfer te beschermen)",
    MISSING_INPUTS_TEXT: "gegevens ontbreken",
}


def _kosten_text(value: float | None) -> str:
    """A cost per inhabitant as in the chapter's tables: '€ 1.234'."""
    return format_value(value, KOSTEN_UNITS["kosten_per_inwoner"], 0)


def _counted(groups: dict[str, list[str]]) -> str:
    """'2 onvoldoende waarnemingen' / '1 onvoldoende waarnemingen, 1 onvoldoende gegevens'."""
    return ", ".join(f"{len(names)} {why}" for why, names in groups.items())


def _left_out(paneel: KostenPaneel, spreiding: KostenSpreiding) -> dict[str, list[str]]:
    """The wijken a panel leaves out by why: those without a cost figure, then those without the indicator's."""
    groups = {why: list(names) for why, names in spreiding.zonder_kosten.items()}
    for why, names in paneel.zonder_uitkomst.items():
        groups.setdefault(why, []).extend(names)
    return groups


def kosten_note(spreiding: KostenSpreiding) -> str:
    """Which wijken the chart leaves out and why (the chart's last line)."""
    missing = sum(len(names) for names in spreiding.zonder_kosten.values())
    text = (f"{missing} van de {spreiding.wijken} wijken zonder kostencijfer ({_counted(spreiding.zonder_kosten)}) staan "
            "in geen paneel" if missing else f"Alle {spreiding.wijken} wijken hebben een kostencijfer")
    whys = {why for paneel in spreiding.panelen for why in _left_out(paneel, spreiding)}
    return text + "; boven elk paneel hoeveel wijken het toont" + "".join(
        f"; {why}: {WHY_TEXT[why]}" for why in WHY_TEXT if why in whys) + "."


def kosten_svg(spreiding: KostenSpreiding) -> str:
    """Per indicator a panel: a point per wijk with both figures, cost per inhabitant (x, one scale for all panels)
    against the indicator (y), in its status's colour and symbol; the gemeente's two figures as lines."""
    panelen = spreiding.panelen
    rows_of_panels = -(-len(panelen) // 2)
    costs = [p["kosten_per_inwoner"] for paneel in panelen for p in paneel.punten]
    costs += [spreiding.gemeente_kosten] if spreiding.gemeente_kosten is not None else []
    with matplotlib.rc_context(STYLE):
        figure = MplFigure(figsize=(6.7, 1.75 * rows_of_panels + 1.0))
        axes = list(figure.subplots(rows_of_panels, 2, squeeze=False).flat)
        for axis, paneel in zip(axes, panelen, strict=False):
            _kosten_panel(axis, paneel, spreiding)
            if costs:  # one cost scale for every panel, so a wijk stands at the same x in each
                pad = (max(costs) - min(costs)) * 0.05 or max(costs) * 0.05 or 1.0
                axis.set_xlim(min(costs) - pad, max(costs) + pad)
        for axis in axes[len(panelen):]:
            axis.set_axis_off()  # the empty half of an odd last row
        statuses = {p["uitkomst_status"] for paneel in panelen for p in paneel.punten}
        order = [s for s in KOSTEN_MARKERS if s in statuses] + sorted(statuses - set(KOSTEN_MARKERS))
        handles = [Line2D([], [], linestyle="none", label=f"{s} (geen status)" if s == ONVOLDOENDE_GEGEVENS else s,
                          **_point_style(s)) for s in order]
        handles += [Line2D([], [], color=CITY_COLOUR, linewidth=0.8, linestyle="--",
                           label=f"{spreiding.gemeente}: kosten per inwoner"),
                    Line2D([], [], color=CITY_COLOUR, linewidth=0.8, linestyle=":",
                           label=f"{spreiding.gemeente}: waarde indicator")]
        height = figure.get_figheight()
        figure.legend(handles=handles, loc="lower center", ncol=4, frameon=False, fontsize=6.8,
                      bbox_to_anchor=(0.5, 0.24 / height))
        figure.text(0.5, 0.06 / height, kosten_note(spreiding), ha="center", va="bottom", fontsize=6.5, color="#333333",
                    wrap=True)
        figure.subplots_adjust(left=0.09, right=0.98, top=1 - 0.4 / height, bottom=1.15 / height, hspace=1.05,
                               wspace=0.28)
        return _svg(figure)


def _point_style(status: str) -> dict:
    """A wijk's point: its status's symbol and colour, outlined so light colours stay visible."""
    return {"marker": KOSTEN_MARKERS.get(status, "o"), "markersize": 4.8, "color": status_style(status)[0],
            "markeredgecolor": CITY_COLOUR, "markeredgewidth": 0.6}


def _kosten_panel(axis, paneel: KostenPaneel, spreiding: KostenSpreiding) -> None:
    """One indicator's panel; every point its own group (id punt-<indicator>-<wijkcode>) so it can be found."""
    meta = paneel.meta
    for p in paneel.punten:
        axis.plot([p["kosten_per_inwoner"]], [p["uitkomst"]], linestyle="none", zorder=4,
                  gid=f"punt-{meta.indicator}-{p['gebiedcode']}", **_point_style(p["uitkomst_status"]))
    if spreiding.gemeente_kosten is not None:
        axis.axvline(spreiding.gemeente_kosten, color=CITY_COLOUR, linewidth=0.8, linestyle="--", zorder=2)
    if paneel.gemeente is not None:
        axis.axhline(paneel.gemeente, color=CITY_COLOUR, linewidth=0.8, linestyle=":", zorder=2)
    axis.set_title(meta.naam, fontsize=7.5, loc="left", pad=11)
    left_out = _left_out(paneel, spreiding)
    shown = f"{len(paneel.punten)} van {spreiding.wijken} wijken" + (
        f"; niet getoond: {_counted(left_out)}" if left_out else "")
    axis.annotate(shown, xy=(0, 1), xycoords="axes fraction", xytext=(0, 2.5), textcoords="offset points",
                  fontsize=6.5, color="#4d4d4d", va="bottom")
    for scale in (axis.xaxis, axis.yaxis):
        scale.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        scale.set_major_formatter(_numbers(scale))
    axis.set_xlabel(KOSTEN_AS, labelpad=1)
    axis.set_ylabel(unit_label(meta.eenheid))
    axis.grid(color=GRID, linewidth=0.6)
    axis.set_axisbelow(True)
    for side in ("top", "right"):
        axis.spines[side].set_visible(False)
    if not paneel.punten:
        axis.text(0.5, 0.5, "geen wijk met beide cijfers", transform=axis.transAxes, ha="center", va="center")


def kosten_description(spreiding: KostenSpreiding) -> str:
    """The costs chart in words (its text alternative): the extremes of the costs and, per indicator, of its figure."""
    shown = {p["gebiedcode"]: p for paneel in spreiding.panelen for p in paneel.punten}.values()
    parts = [f"Kosten per inwoner (alle wetten) tegen elke indicator, een punt per wijk op "
             f"{format_date_short(spreiding.peildatum)}; {spreiding.gemeente}: "
             + (f"{_kosten_text(spreiding.gemeente_kosten)} per inwoner." if spreiding.gemeente_kosten is not None
                else "geen kostencijfer.")]
    if shown:
        hoog = max(shown, key=lambda p: p["kosten_per_inwoner"])
        laag = min(shown, key=lambda p: p["kosten_per_inwoner"])
        parts.append(f"Hoogste kosten: {hoog['gebiedsnaam']} ({_kosten_text(hoog['kosten_per_inwoner'])}); laagste: "
                     f"{laag['gebiedsnaam']} ({_kosten_text(laag['kosten_per_inwoner'])}).")
    for why, names in spreiding.zonder_kosten.items():
        parts.append(_sentence(f"Zonder kostencijfer ({why}), in geen paneel: {', '.join(names)}"))
    for paneel in spreiding.panelen:
        meta = paneel.meta
        value = lambda v, m=meta: format_value(v, m.eenheid, m.decimalen)  # noqa: E731
        at = lambda p, value=value: f"{value(p['uitkomst'])} bij {_kosten_text(p['kosten_per_inwoner'])}"  # noqa: E731
        text = f"{meta.naam}, {unit_text(meta.eenheid)}: {len(paneel.punten)} van {spreiding.wijken} wijken"
        if paneel.punten:
            hoog = max(paneel.punten, key=lambda p: p["uitkomst"])
            laag = min(paneel.punten, key=lambda p: p["uitkomst"])
            text += f"; hoogst {hoog['gebiedsnaam']} ({at(hoog)}), laagst {laag['gebiedsnaam']} ({at(laag)})"
            counts = Counter(p["uitkomst_status"] for p in paneel.punten)
            text += "; " + ", ".join(f"{counts[s]} {s}" for s in sorted(
                counts, key=lambda s: list(MARKERS).index(s) if s in MARKERS else len(MARKERS)))
        if paneel.gemeente is not None:
            text += f"; gemeente {value(paneel.gemeente)}"
        for why, names in paneel.zonder_uitkomst.items():
            text += f"; zonder cijfer ({why}): {', '.join(names)}"
        parts.append(_sentence(text))
    return " ".join(parts)


def _sentence(text: str) -> str:
    """text ending in one full stop (a wijk name may end in one: 'Ten Post e.o.')."""
    return text if text.endswith(".") else text + "."
