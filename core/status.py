"""The status of a published figure against its nulmeting and corridor (indicators.md), and its Dutch texts.

Also the texts shown where a figure is missing, and the status words of a source on the data-quality
page. The dashboard pairs each status with a colour and symbol (dashboard/components.STATUS_STYLE).
"""

from __future__ import annotations

VERBETERD = "verbeterd"
GELIJK_GEBLEVEN = "gelijk gebleven"
BINNEN_MARGE = "binnen marge"
BUITEN_MARGE = "buiten marge"
ONVOLDOENDE_GEGEVENS = "onvoldoende gegevens"

STATUSSEN: tuple[str, ...] = (VERBETERD, GELIJK_GEBLEVEN, BINNEN_MARGE, BUITEN_MARGE, ONVOLDOENDE_GEGEVENS)
# Most urgent first: how pages and the report list statuses.
URGENCY: tuple[str, ...] = (BUITEN_MARGE, BINNEN_MARGE, GELIJK_GEBLEVEN, VERBETERD, ONVOLDOENDE_GEGEVENS)
MEANINGS: dict[str, str] = {
    VERBETERD: "beter dan bij de nulmeting (bij enquêtes: significant beter).",
    GELIJK_GEBLEVEN: "niet (significant) anders dan bij de nulmeting.",
    BINNEN_MARGE: "slechter dan bij de nulmeting, maar binnen de afgesproken tijdelijke verslechtering (corridor).",
    BUITEN_MARGE: "slechter dan de corridor toestaat: een signaal voor de PDCA-sessie.",
    ONVOLDOENDE_GEGEVENS: "geen vergelijking met de nulmeting mogelijk: het cijfer zelf of dat van de nulmeting is "
                          "onderdrukt (te weinig waarnemingen) of ontbreekt (onvolledige brongegevens).",
}

# Shown in place of a suppressed figure (privacy), in every view and export; not a status.
ONVOLDOENDE_WAARNEMINGEN = "onvoldoende waarnemingen"
# indicator_values.onderdrukking: why a suppressed figure is hidden.
PRIMAIR = "primair"
AANVULLEND = "aanvullend"

# dq_sources.status: how a source came through the run.
IN_ORDE = "in orde"
WAARSCHUWING = "waarschuwing"
FOUT = "fout"
BRON_STATUSSEN: tuple[str, ...] = (IN_ORDE, WAARSCHUWING, FOUT)


def meaning(status: str) -> str:
    """What a status means, as a Dutch sentence fragment; '' for an unknown word."""
    return MEANINGS.get(status, "")


def rank(status: str) -> int:
    """Position in URGENCY (most urgent 0); an unknown word sorts last."""
    return URGENCY.index(status) if status in URGENCY else len(URGENCY)
