"""The area levels (niveaus): wijk, gebied, gemeente — their display order and Dutch labels."""

from __future__ import annotations

GEMEENTE = "gemeente"
GEBIED = "gebied"
WIJK = "wijk"

NIVEAUS: tuple[str, ...] = (GEMEENTE, GEBIED, WIJK)  # display order: the whole first
ORDER: dict[str, int] = {niveau: rank for rank, niveau in enumerate(NIVEAUS)}
LABELS: dict[str, str] = {GEMEENTE: "gemeente", GEBIED: "gebied", WIJK: "wijk"}  # lower case, in a sentence
TITLES: dict[str, str] = {niveau: label.capitalize() for niveau, label in LABELS.items()}  # a heading or column


def label(niveau: str) -> str:
    """The Dutch word for a level ('gemeente'); an unknown level as it is."""
    return LABELS.get(niveau, niveau)


def order_sql(column: str = "niveau") -> str:
    """A SQL expression that sorts levels in display order (gemeente, gebied, wijk)."""
    whens = " ".join(f"when '{niveau}' then {rank}" for niveau, rank in ORDER.items())
    return f"case {column} {whens} else {len(ORDER)} end"
