"""Importing Great Expectations without the modules it imports for expectations the gate never uses.

`import great_expectations` imports every expectation GX ships. One of them,
expect_column_kl_divergence_to_be_less_than, imports altair (charts for its rendered results) and
scipy.stats (its statistic) at module level, and they pull in jsonschema, scipy.spatial, scipy.linalg
and scipy.optimize: about a third of the whole import (python -X importtime, docs/internals.md). GX
uses both only inside functions of expectations our suites never contain (no module-level use), as
it uses jsonschema (column_values_match_json_schema; altair imports it too).

defer_unused() puts a stand-in module for each into sys.modules before GX is imported; the first
attribute read on a stand-in imports the real module, and every read after that is passed on, so a
caller that does use them gets the real thing. importlib.util.LazyLoader does not do here: on Python
3.11 an import statement reads the module's __spec__, which loads a LazyLoader module at
`import altair as alt` already. tests/test_gx_import.py checks that a gate run leaves them unloaded
and that the gate's verdicts do not depend on this.
"""

from __future__ import annotations

import importlib
import sys
import threading
import types

UNUSED_BY_THE_GATE = ("altair", "scipy.stats", "jsonschema")
_lock = threading.RLock()


class Deferred(types.ModuleType):
    """A stand-in in sys.modules that imports the real module at its first attribute read."""

    def __getattr__(self, attribute: str) -> object:  # only called for what the stand-in lacks
        return getattr(real_module(self.__name__), attribute)


def defer_unused() -> None:
    """Put stand-ins for UNUSED_BY_THE_GATE into sys.modules, unless already imported (idempotent)."""
    with _lock:
        for name in UNUSED_BY_THE_GATE:
            if name not in sys.modules:
                sys.modules[name] = Deferred(name)


def real_module(name: str) -> types.ModuleType:
    """The real module of a stand-in, imported now if it was not yet."""
    with _lock:
        module = sys.modules.get(name)
        if isinstance(module, Deferred):
            del sys.modules[name]
            try:
                module = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = module  # the stand-in again: a next read tries again
                raise
        return module


def loaded_for_real() -> list[str]:
    """Which of UNUSED_BY_THE_GATE this process has really imported."""
    return [name for name in UNUSED_BY_THE_GATE
            if name in sys.modules and not isinstance(sys.modules[name], Deferred)]
