"""Per-segment cards fitted with partial pooling: each segment's band values start from the
pooled card's and are pulled back toward them, so a small segment's card stays close to the
pooled one instead of following its own few accounts."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from successkit._arrays import BoolArray
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.outcomes._card_points import card_metrics
from successkit.outcomes._card_prep import MetricInfo
from successkit.outcomes._card_select import fit_infos
from successkit.scoring._card_solver import Additive
from successkit.scoring.bands import Bands
from successkit.scoring.health import HealthModel
from successkit.scoring.segmented import SegmentedModel

__all__ = ["segment_cards"]


def segment_cards(portfolio: Portfolio, by: str, y: BoolArray, infos: Sequence[MetricInfo],
                  pooled_fit: Additive, pooled: HealthModel, *, left_off: Collection[str],
                  points: float, scale: float, groups: Mapping[str, str], bands: Bands,
                  prior: float, min_segment: int, notes: list[str]) -> SegmentedModel:
    """One card per level of the category ``by`` (the pooled card as the default), each
    band value pulled toward the pooled card's by ``prior`` accounts' worth of curvature;
    a segment under ``min_segment`` accounts, or with one outcome only, uses the pooled
    card, and so do accounts with no segment (both said in ``notes``). A metric the pooled
    card left off (``left_off``) is on no segment's card either, so the fit's report of
    what was left off holds for every card."""
    segments = portfolio.column(by, Kind.CATEGORY)
    if segments.missing.any():
        notes.append(f"{int(segments.missing.sum())} accounts with no {by!r} use the pooled "
                     f"card")
    rate = float(y.mean())
    on_card = [info for info in infos if info.name not in left_off]
    fitted = {}
    for code, label in enumerate(segments.categories):  # a loop over segments
        rows = segments.values == code
        outcome = y[rows]
        if rows.sum() < min_segment or outcome.all() or not outcome.any():
            notes.append(f"segment {label!r} uses the pooled card ({int(rows.sum())} accounts)")
            continue
        own = fit_infos(infos, y, prior * rate * (1 - rate), rows=rows,
                        start=(pooled_fit.tables, pooled_fit.intercept),
                        anchor=pooled_fit.tables)
        tables = {i.name: t for i, t in zip(infos, own.tables, strict=True)}
        metrics, _ = card_metrics(on_card, points, tables, [], groups, scale=scale)
        fitted[label] = HealthModel(metrics, bands=bands, missing="zero", min_coverage=0.0)
    return SegmentedModel(by, fitted, default=pooled)
