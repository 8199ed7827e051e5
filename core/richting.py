"""Which way is better for an indicator (richting): the published words and their Dutch labels."""

from __future__ import annotations

HOGER_IS_BETER = "hoger_is_beter"
LAGER_IS_BETER = "lager_is_beter"

RICHTINGEN: tuple[str, ...] = (HOGER_IS_BETER, LAGER_IS_BETER)
LABELS: dict[str, str] = {HOGER_IS_BETER: "hoger is beter", LAGER_IS_BETER: "lager is beter"}
SENTENCES: dict[str, str] = {
    HOGER_IS_BETER: "Een hogere waarde is beter.",
    LAGER_IS_BETER: "Een lagere waarde is beter.",
}


def label(richting: str) -> str:
    """'hoger is beter' / 'lager is beter'; an unknown word as it is."""
    return LABELS.get(richting, richting)


def sentence(richting: str) -> str:
    """The direction as a sentence for a report ('Een hogere waarde is beter.'); '' when unknown."""
    return SENTENCES.get(richting, "")


def sign(richting: str) -> int:
    """+1 when higher is better, -1 when lower is better: multiply a change by it to get the improvement."""
    return -1 if richting == LAGER_IS_BETER else 1


def lower_is_better(richting: str) -> bool:
    """True when a lower value is better."""
    return richting == LAGER_IS_BETER
