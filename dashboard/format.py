"""Dutch (nl-NL) number and date formatting, independent of the system's locales."""

from __future__ import annotations

import math
from datetime import date, datetime

SUPPRESSED_TEXT = "onvoldoende waarnemingen"
MISSING_TEXT = "–"
MINUS = "\u2212"  # the typographic minus sign, as plotly draws it on the axes
# Why a figure is missing, in words: suppressed for privacy, or inputs missing (indicator_values.reden).
INSUFFICIENT_DATA_TEXT = "onvoldoende gegevens"
COMPLEMENTARY_TEXT = "onderdrukt om te voorkomen dat een klein aantal kan worden teruggerekend"

MAANDEN = (
    "januari", "februari", "maart", "april", "mei", "juni",
    "juli", "augustus", "september", "oktober", "november", "december",
)
MAANDEN_KORT = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")

# Plotly's layout.separators: decimal mark first, then the thousands separator.
PLOTLY_SEPARATORS = ",."


def _is_missing(value: float | None) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (decimals fixed); missing -> '–'."""
    if _is_missing(value):
        return MISSING_TEXT
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # -0,0 reads as a change that is not there
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def display_number(value: float | None, decimals: int = 0) -> str:
    """format_number for the screen: -1234.5 -> '−1.234,5' with the typographic minus sign.

    format_number keeps the ASCII hyphen so CSV files stay numbers a spreadsheet can read."""
    return format_number(value, decimals).replace("-", MINUS)


def format_percentage(value: float | None, decimals: int = 1) -> str:
    """12.34 -> '12,3%' (value already in percent)."""
    if _is_missing(value):
        return MISSING_TEXT
    return f"{display_number(value, decimals)}%"


def format_value(value: float | None, eenheid: str, decimals: int, onderdrukt: bool = False) -> str:
    """An indicator value in its unit: '12,3%', '1,25', '45,6'; suppressed -> 'onvoldoende waarnemingen'."""
    if onderdrukt:
        return SUPPRESSED_TEXT
    if eenheid == "%":
        return format_percentage(value, decimals)
    return display_number(value, decimals)


def format_signed(value: float | None, decimals: int) -> str:
    """A change with its sign: '+1,2', '−0,5', '0,0'."""
    if _is_missing(value):
        return MISSING_TEXT
    text = format_number(value, decimals)
    if text.startswith("-"):
        return MINUS + text[1:]
    return text if float(text.replace(".", "").replace(",", ".")) == 0 else f"+{text}"


def format_change(value: float | None, eenheid: str, decimals: int, onderdrukt: bool = False) -> str:
    """A difference in the indicator's unit; percentages change in procentpunten."""
    if onderdrukt:
        return SUPPRESSED_TEXT
    text = format_signed(value, decimals)
    return f"{text} procentpunt" if eenheid == "%" and text != MISSING_TEXT else text


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


def unit_label(eenheid: str) -> str:
    """The unit as a column or axis suffix: '%', 'ratio' -> 'per huishouden'."""
    return "per huishouden" if eenheid == "ratio" else eenheid


def change_unit(eenheid: str) -> str:
    """The unit of a difference: a difference of percentages is in procentpunt."""
    return "procentpunt" if eenheid == "%" else unit_label(eenheid)


def format_amount(value: float | None, eenheid: str, decimals: int) -> str:
    """An unsigned amount in the unit of a difference: '3,0 procentpunt', '0,25 per huishouden'."""
    return f"{display_number(value, decimals)} {change_unit(eenheid)}"
