"""nl-NL formatting helpers."""

from datetime import date, datetime

import pytest

from dashboard.format import (
    change_unit,
    display_number,
    format_amount,
    format_change,
    format_date,
    format_date_short,
    format_datetime,
    format_index,
    format_number,
    format_percentage,
    format_signed,
    format_value,
    unit_label,
)


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234, 0, "1.234"),
        (1234.56, 1, "1.234,6"),
        (1234567.891, 2, "1.234.567,89"),
        (0.5, 2, "0,50"),
        (-1234.5, 1, "-1.234,5"),  # CSV-safe hyphen; display_number gives −
        (-0.04, 1, "0,0"),
        (None, 1, "–"),
        (float("nan"), 1, "–"),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_format_percentage():
    assert format_percentage(12.34) == "12,3%"
    assert format_percentage(100, 0) == "100%"


def test_format_value_by_unit_and_suppression():
    assert format_value(64.5, "%", 1) == "64,5%"
    assert format_value(1.2345, "ratio", 2) == "1,23"
    assert format_value(1234.5, "per 1.000 inwoners", 1) == "1.234,5"
    assert format_value(64.5, "%", 1, onderdrukt=True) == "onvoldoende waarnemingen"
    assert format_value(None, "%", 1, onderdrukt=True) == "onvoldoende waarnemingen"


def test_format_signed_and_change():
    assert format_signed(1.26, 1) == "+1,3"
    assert format_signed(2.0, 1) == "+2,0"
    assert format_signed(-0.5, 1) == "\u22120,5"
    assert format_signed(0.0, 1) == "0,0"
    assert format_change(4.0, "%", 1) == "+4,0 procentpunt"
    assert format_change(-3.0, "per 1.000 inwoners", 1) == "\u22123,0"
    assert format_change(None, "%", 1) == "–"
    assert format_change(4.0, "%", 1, onderdrukt=True) == "onvoldoende waarnemingen"


def test_display_number_and_amounts_use_the_minus_sign_and_procentpunt():
    assert display_number(-1234.5, 1) == "\u22121.234,5"
    assert format_value(-2.5, "per 1.000 inwoners", 2) == "\u22122,50"  # trailing zero kept
    assert format_index(-0.04) == "0,0"
    assert format_amount(3.0, "%", 1) == "3,0 procentpunt"
    assert format_amount(0.25, "ratio", 2) == "0,25 per huishouden"
    assert change_unit("per 1.000 inwoners") == "per 1.000 inwoners"


def test_format_index():
    assert format_index(107.5) == "107,5"
    assert format_index(None, onderdrukt=True) == "onvoldoende waarnemingen"


def test_format_dates():
    assert format_date(date(2015, 1, 1)) == "1 januari 2015"
    assert format_date("2016-03-31") == "31 maart 2016"
    assert format_date(None) == "–"
    assert format_date_short(date(2017, 10, 1)) == "1 okt 2017"
    assert format_datetime(datetime(2017, 2, 1, 9, 30)) == "1 februari 2017 09:30"


def test_unit_label():
    assert unit_label("ratio") == "per huishouden"
    assert unit_label("per 1.000 inwoners") == "per 1.000 inwoners"
