"""Survey statistics as DuckDB SQL expressions: Wilson interval and two-proportion z-test.

The expressions are set-based (one evaluation per row of an aggregate table), so the whole
publication is computed in one pass without Python loops over areas.
"""

from __future__ import annotations

from statistics import NormalDist

CONFIDENCE = 0.95
Z_95 = NormalDist().inv_cdf(1 - (1 - CONFIDENCE) / 2)


def n_eff_sql(som_gewicht: str, som_gewicht_kwadraat: str) -> str:
    """Effective sample size (sum w)^2 / sum(w^2) (Kish)."""
    return f"(({som_gewicht}) * ({som_gewicht}) / nullif({som_gewicht_kwadraat}, 0))"


def wilson_sql(p: str, n: str, bound: int) -> str:
    """Wilson score bound (bound = -1 lower, +1 upper) for proportion p on sample size n, as a proportion."""
    z2 = Z_95 * Z_95
    bound_sql = (
        f"((({p}) + {z2!r} / (2 * ({n})) {'+' if bound > 0 else '-'} {Z_95!r} * "
        f"sqrt(greatest(({p}) * (1 - ({p})) / ({n}) + {z2!r} / (4 * ({n}) * ({n})), 0))) "
        f"/ (1 + {z2!r} / ({n})))"
    )
    # the bounds lie in [0, 1] exactly; clamp away rounding noise such as 0.9999999999999999
    return f"least(greatest({bound_sql}, 0), 1)"


def z_test_significant_sql(p1: str, n1: str, p0: str, n0: str) -> str:
    """Two-proportion z-test with pooled proportion: true when |z| > z_(0.975).

    When the pooled proportion is 0 or 1 both samples agree completely: not significant.
    """
    pooled = f"((({p1}) * ({n1}) + ({p0}) * ({n0})) / (({n1}) + ({n0})))"
    variance = f"({pooled} * (1 - {pooled}) * (1 / ({n1}) + 1 / ({n0})))"
    return (
        f"(case when {variance} <= 0 then false "
        f"else abs(({p1}) - ({p0})) / sqrt({variance}) > {Z_95!r} end)"
    )

