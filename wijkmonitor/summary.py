"""What a run says at its end: the data-quality summary (stdout) and one line per rejected file (stderr)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from etl.load import AFGEWEZEN, BRONMAP, GENEGEERD, KOPIE, MAP, VERWIJDERD, FileOutcome

if TYPE_CHECKING:
    from wijkmonitor.pipeline import RunReport


def summary_text(report: RunReport) -> str:
    """The readable data-quality summary printed at the end of a run."""
    header = f"{'bron':<16}{'bestanden':>10}{'afgewezen':>10}{'geleverd':>11}{'geaccepteerd':>13}" \
             f"{'quarantaine':>12}{'waarsch.':>9}"
    lines = [f"Datakwaliteit (run {report.run_id})", header]
    for bron, gate in report.gates.items():
        outcomes = [o for o in report.files[bron] if o.uitkomst != VERWIJDERD]
        rejected = sum(1 for o in outcomes if o.is_rejected)
        lines.append(
            f"{bron:<16}{len(outcomes):>10}{rejected:>10}{nl_int(gate.rijen):>11}{nl_int(gate.geaccepteerd):>13}"
            f"{nl_int(gate.quarantaine):>12}{nl_int(gate.waarschuwingen):>9}"
        )
    rules = [(bron, rule) for bron, gate in report.gates.items() for rule in gate.regels]
    if rules:
        lines.append("Regels:")
        lines.extend(f"  {bron}.{rule.kolom}: {rule.regel} ({rule.ernst}): {nl_int(rule.aantal)} rij(en)"
                     for bron, rule in rules)
    if report.examples:
        lines.append(f"In quarantaine (eerste {len(report.examples)}):")
        lines.extend(f"  {bron}/{bestand} rij {rij}, {kolom}: {regel}: {waarde!r}"
                     for bron, bestand, rij, kolom, regel, waarde in report.examples)
    if report.rejected_files:
        lines.append("Afgewezen of tegengehouden bestanden:")
        lines.extend(f"  {_where(o)}{o.reden} ({o.uitkomst})" for o in report.rejected_files)
    if report.warned_files:
        lines.append("Waarschuwingen:")
        lines.extend(f"  {_where(o)}{o.reden}" for o in report.warned_files)
    if report.niet_gepubliceerd:
        lines.append(f"Niets gepubliceerd: {report.niet_gepubliceerd}; het gepubliceerde bestand is ongewijzigd. "
                     "Lever de afgewezen bestanden opnieuw (zie hierboven waarom) of controleer --gebieden.")
    verdict = "invoer (deels) afgewezen" if report.input_rejected else "alles geaccepteerd"
    lines.append(f"Uitkomst: {verdict}")
    return "\n".join(lines)


def rejection_lines(report: RunReport) -> list[str]:
    """One line per rejected or warned file (with its operator detail), and one for quarantined rows."""
    lines = []
    for outcome in [*report.rejected_files, *report.warned_files]:
        kept = " (vorige versie behouden)" if outcome.uitkomst not in (AFGEWEZEN, GENEGEERD, KOPIE) \
            and outcome.bestand != MAP else ""
        detail = f" [{outcome.detail}]" if outcome.detail else ""
        lines.append(f"{_where(outcome)}{outcome.reden}{kept}{detail}")
    if report.quarantined_rows:
        lines.append(f"{nl_int(report.quarantined_rows)} rij(en) in quarantaine; zie de samenvatting")
    return lines


def nl_int(number: int) -> str:
    """An integer with Dutch thousands separators."""
    return f"{number:,}".replace(",", ".")


def _where(outcome: FileOutcome) -> str:
    """'bron/' before a reason that starts with the file name, else 'bron: ' (nothing for a missing folder)."""
    if outcome.bestand == MAP:
        return ""
    if outcome.bron == BRONMAP:
        return "bronmap: "
    return f"{outcome.bron}/" if (outcome.reden or "").startswith(outcome.bestand) else f"{outcome.bron}: "
