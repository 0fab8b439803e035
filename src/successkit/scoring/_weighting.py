"""The two-level weighting of a health model, as matrix arithmetic over all accounts.

Metric ``i`` (weight ``w_i``) belongs to group ``g`` (weight ``W_g``); a metric without a
group is a group of its own. With ``missing="renormalize"``:

* group score ``G_g = Σ w_i s_i / Σ w_i`` over the group's *present* metrics (missing when
  none is present);
* score ``S = Σ W_g G_g / Σ W_g`` over the *present* groups;
* coverage = the share of the metrics' effective weight (``W_g w_i / Σ_g w``) that is present.

With ``missing="zero"`` a missing metric scores 0 and counts as present. Below
``min_coverage`` the score is missing. Everything is a few matrix products over the
accounts × metrics score matrix, so the cost is linear in accounts.
"""

from __future__ import annotations

from functools import cached_property

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray, array_field, readonly_arrays

__all__ = ["Combined", "Plan"]


# Coverage equal to min_coverage passes even when float sums land a hair below it.
_COVERAGE_SLACK = 1e-12


@readonly_arrays
@attrs.frozen(kw_only=True)
class Combined:
    """The combination of a score matrix: per-account arrays (groups as an n × k matrix)."""

    score: FloatArray = array_field()
    groups: FloatArray = array_field()
    coverage: FloatArray = array_field()
    points: FloatArray = array_field()
    max_points: FloatArray = array_field()


@readonly_arrays
@attrs.frozen(kw_only=True)
class Plan:
    """The weights of a model laid out as arrays (built once per model)."""

    metric_weights: FloatArray = array_field()  # (m,)
    group_of: npt.NDArray[np.intp] = array_field()  # (m,) group index of each metric
    group_weights: FloatArray = array_field()  # (k,)
    max_points: FloatArray = array_field()  # (m,)
    missing: str = "renormalize"
    min_coverage: float = 0.5

    @property
    def n_groups(self) -> int:
        return int(self.group_weights.shape[0])

    def effective(self) -> FloatArray:
        """Each metric's share of the whole score when nothing is missing (sums to 1)."""
        sums = np.bincount(self.group_of, self.metric_weights, minlength=self.n_groups)
        group_share = self.group_weights / self.group_weights.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            share = group_share[self.group_of] * self.metric_weights / sums[self.group_of]
        result: FloatArray = np.nan_to_num(share)
        return result

    @cached_property
    def _constants(self) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int32]]:
        effective = self.effective()
        full: FloatArray = np.bincount(
            self.group_of, self.metric_weights, minlength=self.n_groups
        ).astype(np.float64)
        positive = self.metric_weights > 0
        live = np.bincount(self.group_of[positive], minlength=self.n_groups).astype(np.int32)
        return effective / effective.sum(), full, live

    def combine(self, scores: FloatArray) -> Combined:
        """Group scores, score, coverage and points card from an n × m score matrix.

        One pass per metric over its (contiguous) column: the weighted sums start from
        "everything present" and missing entries — usually few — are taken out by index,
        so the cost is a handful of vector operations per metric and no BLAS call (whose
        threads stall when other processes share the cores).
        """
        n, m = scores.shape
        k = self.n_groups
        weights = self.metric_weights
        effective, full, live = self._constants
        positive = weights > 0
        zero_mode = self.missing == "zero"
        sums = np.zeros((k, n))
        denominators = np.repeat(full[:, None], n, axis=1)
        # Present metrics with a positive weight per group: a group with none is missing
        # (its weight sum could otherwise end as float dust instead of exactly 0).
        alive = np.repeat(live[:, None], n, axis=1)
        coverage = np.ones(n)
        points = np.zeros(n)
        max_points = np.full(n, self.max_points.sum())
        buffer = np.empty(n)
        for j in range(m):
            column = scores[:, j]
            g = int(self.group_of[j])
            missing = np.isnan(column).nonzero()[0]
            np.multiply(column, weights[j], out=buffer)
            buffer[missing] = 0.0
            sums[g] += buffer
            np.multiply(column, self.max_points[j] / 100.0, out=buffer)
            buffer[missing] = 0.0
            points += buffer
            if missing.size:
                coverage[missing] -= effective[j]
                if not zero_mode:
                    denominators[g, missing] -= weights[j]
                    max_points[missing] -= self.max_points[j]
                    if positive[j]:
                        alive[g, missing] -= 1
        # Taking weights out leaves float dust (1 − 0.2 − 0.6 ≠ 0.2); coverage is a share
        # people read, so round it well below any meaningful digit.
        coverage = np.round(coverage, 12)
        group_present = alive > 0
        with np.errstate(invalid="ignore", divide="ignore"):
            groups = sums / denominators
        groups[~group_present] = np.nan
        overall = np.zeros(n)
        overall_weight = np.zeros(n)
        for g in range(k):
            weight = self.group_weights[g]
            if weight > 0:
                overall += np.where(group_present[g], groups[g], 0.0) * weight
                overall_weight += group_present[g] * weight
        with np.errstate(invalid="ignore", divide="ignore"):
            score = overall / overall_weight
        score[(overall_weight <= 0) | (coverage < self.min_coverage - _COVERAGE_SLACK)] = np.nan
        return Combined(
            score=score,
            groups=groups.T,
            coverage=coverage,
            points=np.round(points, 9),  # points come back from scores: drop float dust
            max_points=max_points,
        )

    def shares(self, scores: FloatArray) -> FloatArray:
        """n × m: each metric's share of each account's score after renormalisation
        (0 for missing metrics); rows sum to 1 where the score is defined."""
        if self.missing == "zero":
            present = np.ones(scores.shape)
        else:
            present = np.isfinite(scores).astype(np.float64)
        weighted = present * self.metric_weights
        group_sums = weighted @ self.within_indicator()
        in_group = group_sums[:, self.group_of]
        group_present = (group_sums > 0).astype(np.float64)
        group_total = group_present @ self.group_weights
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (
                weighted
                / in_group
                * (self.group_weights[self.group_of] / group_total[:, None])
            )
        result: FloatArray = np.nan_to_num(share, nan=0.0, posinf=0.0)
        return result

    def within_indicator(self) -> FloatArray:
        """m × k: 1 where metric i belongs to group g."""
        m = self.metric_weights.shape[0]
        table = np.zeros((m, self.n_groups))
        table[np.arange(m), self.group_of] = 1.0
        return table
