"""A fitted card read back: each metric's fitted band log-odds turned into points above
its worst band, scaled and rounded, as the metrics of an ordinary health model — with a
missing band's points on a companion metric, and special values' points on the scheme."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from successkit._arrays import FloatArray
from successkit.data.kinds import Kind
from successkit.outcomes._card_prep import UNDER_A_POINT, MetricInfo
from successkit.scoring._binning import HIGHER
from successkit.scoring._likelihood import SIGNIFICANCE, chi2_tail, loglik
from successkit.scoring.metric import Metric
from successkit.scoring.schemes import Categories, Thresholds

__all__ = ["by_chance", "card_metrics", "levels_against_churn"]


def _other_points(info: MetricInfo, values: FloatArray, scale: float,
                  band_points: FloatArray) -> float:
    """The points of a category level never seen in training: those its rare levels
    pooled into (shrunk toward the overall rate by ``prior``), or, with no rare level, the
    points of the average training account on the metric (the overall rate)."""
    if info.bins.pooled:
        return float(band_points[-1])
    accounts = np.asarray(info.bins.accounts[:-1], dtype=np.float64)
    average = float(accounts @ values / accounts.sum()) if accounts.sum() > 0 else 0.0
    return float(min(max(round(average * scale), 0.0), float(band_points.max())))


def card_metrics(infos: Sequence[MetricInfo], points: float, tables: Mapping[str, FloatArray],
                 dropped: list[tuple[str, str]], groups: Mapping[str, str],
                 scale: float | None = None) -> tuple[list[Metric], float]:
    """The card's metrics: a band's points are its value above the metric's lowest, scaled
    so the best account earns ``points`` and rounded; a special value read as missing
    earns what a missing value earns."""
    raw = {}
    for info in infos:
        table = tables[info.name]
        bands, special, missing = table[:info.bands], table[info.bands:-1], float(table[-1])
        low = min([float(bands.min()), *special.tolist()]
                  + ([missing] if info.missing_band else []))
        # Without a band of their own, missing values score as the worst band — above 0
        # when a special value earns less than every band.
        raw[info.name] = (bands - low, (missing if info.missing_band else float(bands.min()))
                          - low, special - low)
    if scale is None:
        total = sum(max([float(b.max()), *s.tolist()]) + miss for b, miss, s in raw.values())
        scale = points / total if total > 0 else 1.0
    metrics = []
    taken = {info.name for info in infos}
    for info in infos:
        flag = f"{info.name}_missing"
        while flag in taken:  # a candidate already has that name: pick another
            flag += "_"
        band_raw, missing_raw, special_raw = raw[info.name]
        band_points = np.round(band_raw * scale)
        missing_points = round(missing_raw * scale)
        earned = {**dict(zip(info.special, np.round(special_raw * scale).tolist(), strict=True)),
                  **dict.fromkeys(info.as_missing, float(missing_points))}
        if max([float(band_points.max()), missing_points, *earned.values()]) <= 0:
            dropped.append((info.name, UNDER_A_POINT))
            continue
        group = groups.get(info.name)
        if info.kind is not Kind.CATEGORY and not info.bins.cuts and not earned:
            # Only missingness says something: one metric, 1 where the value is missing.
            present, absent = float(band_points[0]), float(missing_points)
            indicator = Thresholds([0.5], points=[0.0, max(present, absent)],
                                   higher_is_better=absent > present)
            metrics.append(Metric(flag, source=f"({info.source} is missing)",
                                  scheme=indicator, weight=indicator.max_points, group=group,
                                  label=f"{info.name}: no value"))
            continue
        if info.kind is Kind.CATEGORY:
            mapping = {label: float(p) for labels, p in zip(info.bins.levels, band_points,
                                                             strict=True) for label in labels}
            scheme: Thresholds | Categories | None = Categories(
                mapping, other=_other_points(info, band_raw, scale, band_points))
        elif not info.bins.cuts:  # one band for every other value, and the special values
            scheme = None if max([float(band_points[0]), *earned.values()]) <= 0 else (
                Thresholds((), points=(float(band_points[0]),), special=earned))
        elif info.bins.free:  # points in value order, following each band's churn
            scheme = Thresholds(info.bins.cuts, points=tuple(float(p) for p in band_points),
                                shape="free", special=earned)
        elif info.bins.turn is not None:  # points in value order, turning once
            scheme = Thresholds(info.bins.cuts, points=tuple(float(p) for p in band_points),
                                shape="middle_is_best" if info.bins.direction == HIGHER
                                else "middle_is_worst", special=earned)
        else:
            ordered = band_points if info.bins.direction == HIGHER else band_points[::-1]
            scheme = Thresholds(info.bins.cuts, points=tuple(float(p) for p in ordered),
                                higher_is_better=info.bins.direction == HIGHER,
                                special=earned)
        if scheme is not None:  # else only its missing values earn points: the companion
            metrics.append(Metric(info.name, scheme=scheme,
                                  weight=scheme.max_points, group=group))
        if missing_points > 0:
            companion = Thresholds([0.5], points=[0.0, float(missing_points)])
            metrics.append(Metric(flag, source=f"({info.source} is missing)",
                                  scheme=companion, weight=companion.max_points, group=group,
                                  label=f"{info.name}: no value"))
    return metrics, scale


def levels_against_churn(infos: Sequence[MetricInfo], metrics: Sequence[Metric]
                         ) -> tuple[str, ...]:
    """The categories on the card with a level earning fewer points than a level whose
    accounts churn more on their own (by the shrunk churn rates the levels were read with)."""
    schemes = {m.name: m.scheme for m in metrics}
    found = []
    for info in infos:  # a loop over metrics, then over a category's bands
        scheme = schemes.get(info.name)
        if info.kind is not Kind.CATEGORY or not isinstance(scheme, Categories):
            continue
        mapping = dict(scheme.mapping)
        points = np.array([mapping[labels[0]] for labels in info.bins.levels])
        staying = info.profile[:-1]
        order = np.argsort(staying, kind="stable")
        ranked, earned = staying[order], points[order]
        # The most points among levels that stay strictly worse than each level.
        below = np.searchsorted(ranked, ranked, side="left") - 1
        best_below = np.maximum.accumulate(earned)[np.maximum(below, 0)]
        if np.any((below >= 0) & (earned < best_below)):
            found.append(info.name)
    return tuple(found)


def by_chance(infos: Sequence[MetricInfo], metrics: Sequence[Metric],
              second_look: Collection[str]) -> tuple[tuple[str, float], ...]:
    """``(category, p)`` for each category on the card, but those back on a second look
    next to the other metrics (``second_look``: on their own they were chance, and
    mattered only next to the others), whose bands' churn rates on their own (the
    training accounts of each level, the rare levels pooled, the missing band) differ no
    more than chance would at 5 %: a likelihood-ratio test against one rate, with ``p``
    its chance of a difference this large with none there.

    Examples
    --------
    A category tells churn apart only when its levels' churn differs beyond chance; the
    card keeps a weak one to compete in the joint fit, and this names it:

    >>> from successkit.scoring._binning import Bins
    >>> from successkit.scoring._card_solver import Shape
    >>> bins = Bins(levels=(("a",), ("b",)), direction=1, accounts=(500, 500, 0),
    ...             churned=(100, 110, 0))
    >>> info = MetricInfo(name="region", source="region", kind=Kind.CATEGORY, bins=bins,
    ...                   missing_band=False, codes=np.zeros(0, np.int16), shape=Shape(),
    ...                   profile=np.zeros(3))
    >>> card = [Metric("region", scheme=Categories({"a": 0, "b": 3}))]
    >>> [(name, round(p, 2)) for name, p in by_chance([info], card, second_look=())]
    [('region', 0.44)]
    """
    on_card = {m.name for m in metrics}
    found = []
    for info in infos:  # a loop over metrics
        if info.kind is not Kind.CATEGORY or info.name not in on_card or (
                info.name in second_look):
            continue
        accounts = np.asarray(info.bins.accounts, dtype=np.float64)
        churned = np.asarray(info.bins.churned, dtype=np.float64)
        held = accounts > 0
        if held.sum() < 2:
            continue
        gain = 2.0 * float(loglik(accounts[held], churned[held]).sum() - loglik(
            np.array([accounts.sum()]), np.array([churned.sum()]))[0])
        p = chi2_tail(gain, int(held.sum()) - 1)
        if p >= SIGNIFICANCE:
            found.append((info.name, p))
    return tuple(found)
