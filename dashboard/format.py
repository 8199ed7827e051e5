"""Dutch (nl-NL) formatting for the screen: values in their unit (core/eenheid.py), suppression, dates."""

from __future__ import annotations

from datetime import date, datetime

from core import eenheid, status
from core.eenheid import MINUS, MISSING_TEXT, display_number, format_number, format_signed  # noqa: F401 (the pages import them from here)

SUPPRESSED_TEXT = status.ONVOLDOENDE_WAARNEMINGEN
# Why a figure is missing, in words: suppressed for privacy, or inputs missing (indicator_values.reden).
INSUFFICIENT_DATA_TEXT = status.ONVOLDOENDE_GEGEVENS
COMPLEMENTARY_TEXT = "onderdrukt om te voorkomen dat een klein aantal kan worden teruggerekend"

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
MAANDEN_KORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

# Plotly's layout.separators: decimal mark first, then the thousands separator.
PLOTLY_SEPARATORS = ",."


def format_percentage(value: float | None, decimals: int = 1) -> str:
    """12.34 -> '12,3%' (value already in percent)."""
    return eenheid.format_value(value, eenheid.PROCENT.code, decimals)


def format_value(value: float | None, code: str, decimals: int, onderdrukt: bool = False) -> str:
    """An indicator value in its unit: '12,3%', '1,25', '45,6'; suppressed -> 'onvoldoende waarnemingen'."""
    return SUPPRESSED_TEXT if onderdrukt else eenheid.format_value(value, code, decimals)


def format_change(value: float | None, code: str, decimals: int, onderdrukt: bool = False) -> str:
    """A difference in the indicator's unit; percentages change in procentpunten."""
    return SUPPRESSED_TEXT if onderdrukt else eenheid.format_change(value, code, decimals)


def format_index(value: float | None, onderdrukt: bool = False) -> str:
    """Index against the nulmeting (nulmeting = 100), one decimal."""
    if onderdrukt:
        return SUPPRESSED_TEXT
    return display_number(value, 1)


def format_date(value: date | str | None) -> str:
    """date(2015, 1, 1) or '2015-01-01' -> '1 januari 2015'."""
    if value is None:
        return MISSING_TEXT
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.day} {MAANDEN[value.month - 1]} {value.year}"


def format_date_short(value: date) -> str:
    """date(2015, 1, 1) -> '1 jan 2015' (axis labels)."""
    return f"{value.day} {MAANDEN_KORT[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """datetime(2017, 2, 1, 9, 30) -> '1 februari 2017 09:30'."""
    if value is None:
        return MISSING_TEXT
    return f"{format_date(value.date())} {value:%H:%M}"


unit_label = eenheid.label  # the unit as a column or axis suffix: 'ratio' -> 'per huishouden'
change_unit = eenheid.change_label  # the unit of a difference: 'procentpunt' for percentages
format_amount = eenheid.format_amount  # '3,0 procentpunt', '0,25 per huishouden'
