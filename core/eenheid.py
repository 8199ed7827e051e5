"""Units (eenheden) of indicators and how a number in each is written in Dutch (nl-NL).

`indicators.eenheid` holds the unit's code ('%', 'ratio', 'per 1.000 inwoners', ...). Formatting is
keyed by that code through `of(code)`; a code this module does not know (a municipality's own
indicator) is written as a plain number with the code as its label. Numbers: decimal comma,
thousands dot, the typographic minus sign on screen, independent of the system's locales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MINUS = "\u2212"  # the typographic minus sign, as plotly draws it on the axes
MISSING_TEXT = "–"


@dataclass(frozen=True)
class Eenheid:
    """A unit: its published code and how a value and a difference in it are written."""

    code: str
    label: str  # suffix of a column or axis title: 'per huishouden'
    change_label: str  # unit of a difference: 'procentpunt' for percentages
    words: str  # in a sentence: 'percentage (%)'
    suffix: str = ""  # right after the number: '12,3%'
    prefix: str = ""  # before the number: '€ 1.234'


PROCENT = Eenheid("%", "%", "procentpunt", "percentage (%)", suffix="%")
PER_HUISHOUDEN = Eenheid("ratio", "per huishouden", "per huishouden", "per huishouden")
PER_1000_INWONERS = Eenheid("per 1.000 inwoners", "per 1.000 inwoners", "per 1.000 inwoners", "per 1.000 inwoners")
PER_1000_JEUGDIGEN = Eenheid(
    "per 1.000 jeugdigen (0-17)", "per 1.000 jeugdigen (0-17)", "per 1.000 jeugdigen (0-17)",
    "per 1.000 jeugdigen (0-17)",
)
EURO_PER_INWONER = Eenheid("euro per inwoner", "euro per inwoner", "euro per inwoner", "euro per inwoner",
                           prefix="€ ")
EURO_PER_CLIENT = Eenheid("euro per cliënt", "euro per cliënt", "euro per cliënt", "euro per cliënt", prefix="€ ")

EENHEDEN: dict[str, Eenheid] = {
    e.code: e for e in (PROCENT, PER_HUISHOUDEN, PER_1000_INWONERS, PER_1000_JEUGDIGEN, EURO_PER_INWONER,
                        EURO_PER_CLIENT)
}


def of(code: str) -> Eenheid:
    """The unit with this code; an unknown code becomes a plain unit labelled with the code itself."""
    return EENHEDEN.get(code) or Eenheid(code, code, code, code)


def is_missing(value: float | None) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | None, decimals: int = 0) -> str:
    """1234.5 -> '1.234,5' (decimals fixed, ASCII minus so a CSV stays a number); missing -> '–'."""
    if is_missing(value):
        return MISSING_TEXT
    text = f"{value:,.{decimals}f}"
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]  # -0,0 reads as a change that is not there
    return text.replace(",", "_").replace(".", ",").replace("_", ".")


def display_number(value: float | None, decimals: int = 0) -> str:
    """format_number for the screen: -1234.5 -> '−1.234,5' with the typographic minus sign."""
    return format_number(value, decimals).replace("-", MINUS)


def format_signed(value: float | None, decimals: int) -> str:
    """A change with its sign: '+1,2', '−0,5', '0,0'."""
    if is_missing(value):
        return MISSING_TEXT
    text = format_number(value, decimals)
    if text.startswith("-"):
        return MINUS + text[1:]
    return text if float(text.replace(".", "").replace(",", ".")) == 0 else f"+{text}"


def format_value(value: float | None, code: str, decimals: int) -> str:
    """A value in its unit: '12,3%', '1,25', '45,6', '€ 1.234'; missing -> '–'."""
    if is_missing(value):
        return MISSING_TEXT
    unit = of(code)
    return f"{unit.prefix}{display_number(value, decimals)}{unit.suffix}"


def format_change(value: float | None, code: str, decimals: int) -> str:
    """A signed difference; a difference of percentages is in procentpunt: '+1,2 procentpunt'."""
    text = format_signed(value, decimals)
    return f"{text} procentpunt" if of(code) == PROCENT and text != MISSING_TEXT else text


def format_amount(value: float | None, code: str, decimals: int) -> str:
    """An unsigned amount in the unit of a difference: '3,0 procentpunt', '0,25 per huishouden'."""
    return f"{display_number(value, decimals)} {of(code).change_label}"


def label(code: str) -> str:
    """The unit as a column or axis suffix: '%', 'ratio' -> 'per huishouden'."""
    return of(code).label


def change_label(code: str) -> str:
    """The unit of a difference: 'procentpunt' for percentages, else the label."""
    return of(code).change_label


def words(code: str) -> str:
    """The unit in a sentence: 'percentage (%)', 'per huishouden', 'per 1.000 inwoners'."""
    return of(code).words
