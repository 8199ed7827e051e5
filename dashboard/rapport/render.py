"""Render the report: content -> charts -> HTML (Jinja2) -> PDF (WeasyPrint, tagged PDF/UA-1)."""

from __future__ import annotations

import base64
import errno
import logging
import os
import tempfile
from datetime import date, datetime
from pathlib import Path

import jinja2

from dashboard.data import Published, published
from dashboard.format import MISSING_TEXT, format_date, format_datetime, format_number
from dashboard.rapport import charts
from dashboard.rapport.content import Report, build_report, choose_peildatum
from dashboard.rapport.werkwijzen import werkwijzen_sections
from dashboard.vergelijken import NO_CAUSALITY
from etl.faults import storage_cause
from core.errors import WijkmonitorError

HERE = Path(__file__).parent
# Readable names of the sources of the data contract; an unknown source shows as named in the store.
BRON_NAMEN = {
    "bevolking": "bevolking per wijk",
    "bewonersenquete": "bewonersenquête",
    "clientervaring": "cliëntervaringsonderzoek Wmo en Jeugdwet",
    "ondersteuning": "registratie van ondersteuningstrajecten",
    "bijstand": "bijstandsuitkeringen",
    "participatie": "participatieactiviteiten",
    "kenmerken": "kenmerken per wijk (CBS Kerncijfers wijken en buurten)",
}
STYLESHEET = (HERE / "rapport.css").read_text(encoding="utf-8")
WRITE_CAUSES = {
    errno.ENOENT: "de map bestaat niet", errno.EISDIR: "dat is een map", errno.ENOTDIR: "het pad loopt door een bestand",
}
_environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE), autoescape=True, trim_blocks=True, lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
_environment.filters["lower_first"] = lambda text: text[:1].lower() + text[1:]
# WeasyPrint warns on stderr about CSS it ignores; the CLI's output stays one line per problem.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _charts(data: Published, report: Report) -> dict[str, dict[str, str]]:
    """Per indicator the trend and map as SVG data URIs, with their descriptions."""
    result = {}
    for section in report.indicatoren:
        meta = section.meta
        result[meta.indicator] = {
            "trend": _data_uri(charts.trend_svg(meta, section.trend, report.gemeente, report.nulmeting)),
            "trend_alt": charts.trend_description(meta, section.trend, report.gemeente),
            "kaart": _data_uri(charts.map_svg(data.wijk_geojson, section.wijken)),
            "kaart_alt": charts.map_description(section.wijken, report.peildatum),
        }
    return result


def _werkwijzen(data: Published, peildatum: date) -> list[dict]:
    """Per werkwijze its section with its chart as an SVG data URI and the chart's description."""
    return [{"sectie": section, "grafiek": _data_uri(charts.werkwijze_svg(section.naam, section.reeksen)),
             "grafiek_alt": charts.werkwijze_description(section.naam, section.reeksen)}
            for section in werkwijzen_sections(data, peildatum)]


def _kosten(report: Report) -> dict[str, str] | None:
    """The costs chapter's chart as an SVG data URI and its description."""
    if report.kosten is None:
        return None
    spreiding = report.kosten.spreiding
    return {"grafiek": _data_uri(charts.kosten_svg(spreiding)), "grafiek_alt": charts.kosten_description(spreiding)}


def _sources(report: Report) -> dict[str, str]:
    """Per indicator its sources in words."""
    return {
        s.meta.indicator: ", ".join(BRON_NAMEN.get(b.strip(), b.strip()) for b in s.meta.bronnen.split(",") if b.strip())
        for s in report.indicatoren
    }


def report_html(data: Published, peildatum: date, gemaakt: datetime) -> str:
    """The report as one HTML document (SVG charts inline as data URIs)."""
    report = build_report(data, peildatum, gemaakt)
    return _environment.get_template("rapport.html.j2").render(
        r=report,
        titel=f"Wijkmonitor Sociaal Domein – raadsrapportage peildatum {report.peildatum_tekst}",
        nulmeting=format_date(report.nulmeting),
        vorige=format_date(report.vorige) if report.vorige else "geen (dit is de eerste meting)",
        gemaakt=format_datetime(gemaakt),
        charts=_charts(data, report),
        bronnen=_sources(report),
        getal=lambda value: MISSING_TEXT if value is None else format_number(value),
        werkwijzen=_werkwijzen(data, report.peildatum),  # issue 12
        kosten=_kosten(report),
        geen_causaliteit=NO_CAUSALITY,
    )


def _weasyprint():
    """WeasyPrint, or one clear line when Debian's Pango is missing (it loads the library on import)."""
    try:
        import weasyprint
    except OSError as error:
        raise WijkmonitorError(
            "een PDF maken vraagt de systeembibliotheken van Pango (Debian: libpango-1.0-0 libpangoft2-1.0-0; "
            f"'make install' als root installeert ze): {error}"
        ) from error
    return weasyprint


def pdf_from_html(html: str, stylesheet: str) -> bytes:
    """An HTML document (lang, <title>, alt texts) and its CSS as tagged PDF/UA-1, fetching nothing.

    Only inline data: URIs (the charts) may be read: nothing from the internet or the disk.
    """
    weasyprint = _weasyprint()
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    document = weasyprint.HTML(string=html, base_url=str(HERE), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[weasyprint.CSS(string=stylesheet, url_fetcher=fetcher)],
        pdf_variant="pdf/ua-1",  # tagged, with title and language: as accessible as WeasyPrint makes it
    )


def report_pdf(db: Path, peildatum: date | str | None = None, gemaakt: datetime | None = None) -> tuple[bytes, date]:
    """The council report of the published store at db as PDF bytes, and the peildatum it is about."""
    data = published(Path(db))
    chosen = choose_peildatum(data, peildatum)
    html = report_html(data, chosen, gemaakt or datetime.now().replace(microsecond=0))
    return pdf_from_html(html, STYLESHEET), chosen


def write_report(db: Path, out: Path, peildatum: date | str | None = None) -> date:
    """Write the council report to out (written next to it, then renamed: never half a file); the peildatum."""
    pdf, chosen = report_pdf(db, peildatum)
    out = Path(out)
    partial: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp", delete=False) as handle:
            partial = Path(handle.name)
            handle.write(pdf)
        os.replace(partial, out)
    except OSError as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        cause = storage_cause(error) or WRITE_CAUSES.get(error.errno, error.strerror or str(error))
        raise WijkmonitorError(f"kan het rapport niet schrijven naar {out}: {cause}") from error
    return chosen
