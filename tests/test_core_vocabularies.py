"""core/status.py, core/niveau.py, core/richting.py, core/eenheid.py: the shared words and how they are written."""

from __future__ import annotations

import duckdb
import pytest

from core import eenheid, niveau, richting, status


def test_status_words_of_indicators_md() -> None:
    # indicators.md: "Status per value: verbeterd / gelijk gebleven / binnen marge / buiten marge / onvoldoende gegevens"
    assert status.STATUSSEN == ("verbeterd", "gelijk gebleven", "binnen marge", "buiten marge", "onvoldoende gegevens")
    assert status.ONVOLDOENDE_WAARNEMINGEN == "onvoldoende waarnemingen"
    assert sorted(status.URGENCY) == sorted(status.STATUSSEN)
    assert set(status.MEANINGS) == set(status.STATUSSEN)


def test_status_rank_puts_buiten_marge_first_and_unknown_words_last() -> None:
    assert [status.rank(word) for word in ("buiten marge", "verbeterd", "onvoldoende gegevens", "iets")] == [0, 3, 4, 5]


def test_every_status_has_a_dashboard_style() -> None:
    from dashboard.components import STATUS_MARKER, STATUS_STYLE, status_style

    assert set(status.STATUSSEN) | set(status.BRON_STATUSSEN) == set(STATUS_STYLE)
    assert set(STATUS_MARKER) == set(status.STATUSSEN)
    assert status_style("onbekend") == STATUS_STYLE["onvoldoende gegevens"]


def test_niveau_order_and_labels() -> None:
    assert niveau.NIVEAUS == ("gemeente", "gebied", "wijk")
    assert niveau.ORDER == {"gemeente": 0, "gebied": 1, "wijk": 2}
    assert [niveau.label(n) for n in niveau.NIVEAUS] == ["gemeente", "gebied", "wijk"]
    assert niveau.TITLES["gebied"] == "Gebied"


def test_niveau_order_sql_sorts_gemeente_gebied_wijk() -> None:
    with duckdb.connect() as con:
        rows = con.execute(
            f"select n from (values ('wijk'), ('gemeente'), ('gebied')) t(n) order by {niveau.order_sql('n')}"
        ).fetchall()
    assert [n for (n,) in rows] == ["gemeente", "gebied", "wijk"]


def test_richting_labels_sentences_and_sign() -> None:
    assert richting.RICHTINGEN == ("hoger_is_beter", "lager_is_beter")
    assert richting.label("lager_is_beter") == "lager is beter"
    assert richting.sentence("hoger_is_beter") == "Een hogere waarde is beter."
    assert (richting.sign("hoger_is_beter"), richting.sign("lager_is_beter")) == (1, -1)
    assert richting.lower_is_better("lager_is_beter") and not richting.lower_is_better("hoger_is_beter")


def test_registry_uses_the_vocabularies() -> None:
    from indicators.registry import INDICATORS

    assert {i.richting for i in INDICATORS} <= set(richting.RICHTINGEN)
    assert {i.eenheid for i in INDICATORS} <= set(eenheid.EENHEDEN)  # every shipped unit is formatted by its code


@pytest.mark.parametrize(
    ("code", "value", "decimals", "text", "change", "label"),
    [
        ("%", 12.34, 1, "12,3%", "+12,3 procentpunt", "%"),
        ("ratio", 1.254, 2, "1,25", "+1,25", "per huishouden"),
        ("per 1.000 inwoners", -1234.56, 1, "\u22121.234,6", "\u22121.234,6", "per 1.000 inwoners"),
        ("per 1.000 jeugdigen (0-17)", 0.0, 1, "0,0", "0,0", "per 1.000 jeugdigen (0-17)"),
        ("euro per inwoner", 1234.4, 0, "€ 1.234", "+1.234", "euro per inwoner"),
        ("per 100 leerlingen", 7.26, 1, "7,3", "+7,3", "per 100 leerlingen"),  # a unit of a municipality's own
    ],
)
def test_values_are_written_by_their_unit(code, value, decimals, text, change, label) -> None:
    assert eenheid.format_value(value, code, decimals) == text
    assert eenheid.format_change(value, code, decimals) == change
    assert eenheid.label(code) == label


def test_differences_of_percentages_are_procentpunten() -> None:
    assert eenheid.change_label("%") == "procentpunt"
    assert eenheid.format_amount(3, "%", 1) == "3,0 procentpunt"
    assert eenheid.format_amount(0.25, "ratio", 2) == "0,25 per huishouden"
    assert eenheid.words("%") == "percentage (%)"


def test_missing_values_are_a_dash() -> None:
    assert eenheid.format_value(None, "%", 1) == "–"
    assert eenheid.format_value(float("nan"), "ratio", 2) == "–"
    assert eenheid.format_change(None, "%", 1) == "–"
    assert eenheid.format_number(-0.04, 1) == "0,0"  # no minus on a change that rounds away
