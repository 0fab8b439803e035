"""Preparing a card fit: every candidate metric's bands learnt from outcomes — monotone
bins of a number, common levels of a category — with the band codes, counts and weight of
evidence the card's regression reads (the fitted band log-odds are turned into the card's
metrics and points by :mod:`successkit.outcomes._card_points`).

A number's bands are learnt on its own (:func:`~successkit.scoring._binning.bin_number`:
quantile candidates, pool adjacent violators, the exact best coarsening, as many bands as
predict held-out folds best — or bands on a smooth curve,
:func:`~successkit.scoring._smooth_binning.smooth_number`, when churn moves steadily with
the number), so the cut points are stable; a category's common levels must predict
held-out folds not clearly worse than its overall churn rate
(:func:`~successkit.scoring._likelihood.levels_held_out`); how many points each band earns
is then fitted jointly with the other metrics (:mod:`successkit.outcomes._card_select`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.data.column import Column
from successkit.data.convert import NUMBER_MARKS
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError
from successkit.outcomes._card_special import Special, apart
from successkit.scoring._binning import HIGHER, Bins, bin_category, bin_number, pool_against
from successkit.scoring._card_solver import Shape
from successkit.scoring._likelihood import levels_held_out, missing_signal, woe
from successkit.scoring._number_runs import read_runs
from successkit.scoring._smooth_binning import smooth_number
from successkit.scoring._turns import peaked

__all__ = ["AGAINST", "ALONE", "CHANCE_LEVELS", "UNDER_A_POINT", "Banded", "MetricInfo",
           "band_codes", "band_share", "info_of", "learn_bands", "seen_by"]

Codes = npt.NDArray[np.int16]

# A number's bands follow a smooth curve unless free steps predict the held-out folds better
# by more than this log-likelihood: the curve has two numbers to learn, the steps one per
# band, so near a tie the curve is the one that carries over to new accounts (checked on
# the benchmark's three data sets over four seeds: any value from 1.5 to 5 does as well).
CURVE_PREFERENCE = 2.0

#: A metric's name, kind, bands, whether missing values earn a band of their own, the
#: band they score as otherwise, its special values with a band of their own and those
#: read as missing.
Banded = tuple[str, Kind, Bins, bool, int, tuple[float, ...], tuple[float, ...]]

#: Why a metric is left off after its own test (those get a second look next to the
#: others), and why one is left off after the joint fit (those are named with a twin).
ALONE = "has one band: its values say nothing about churn"
AGAINST = "its churn rate runs against the direction fixed by monotone, so it has one band"
CHANCE_LEVELS = ("its levels predict held-out accounts' churn worse than the overall rate: "
                 "they differ by chance")
UNDER_A_POINT = "earns less than one point once rounded"

# A category goes on the card unless its levels predict held-out folds worse than one band
# by more than this log-likelihood: noise levels (a 50-state column with no signal) fall
# far below it, the more so the more levels they have, while a weak category near a tie
# stays to compete in the joint fit. Over the benchmark's fourteen data sets and eight
# splits, a margin of 0 or 2 left off weak but real categories of IBM HR (−0.0057 and
# −0.0027 AUC); at 4 no set lost more than 0.0003 and Lending Club, whose state column is
# noise, gained 0.0038.
CATEGORY_MARGIN = 4.0

# A text column with more distinct values than this, all of them numbers, and most of its
# accounts in levels too rare for points of their own, is a number read as text (a total
# exported with blanks, say), not a category.
TEXT_NUMBER_LEVELS = 50


# Both outcomes need at least this many accounts before a metric that tells them apart
# perfectly is taken for the outcome itself (by chance it is then all but impossible).
LEAK_ACCOUNTS = 10


def _refuse_the_outcome(name: str, accounts: FloatArray, churned: FloatArray) -> None:
    """A :class:`~successkit.DataError` for a metric whose every band is all churned or all
    staying accounts: the outcome itself, or something recorded after it (a cancellation
    reason, a churn date)."""
    stayed = accounts - churned
    if churned.sum() < LEAK_ACCOUNTS or stayed.sum() < LEAK_ACCOUNTS:
        return
    if np.all((churned == 0) | (stayed == 0)):
        raise DataError("tells churned from staying accounts apart perfectly (each of its "
                        "bands is all one or the other): it is the outcome itself or was "
                        "recorded after it; leave it out with columns=", column=name)


def _numbers_as_text(column: Column, name: str, min_category: int) -> str | None:
    """Why a category column that holds numbers as text cannot go on the card (as a
    category it would pool almost every account into "other" and lose the numbers), or
    ``None``."""
    labels = np.asarray(column.categories, dtype=np.str_)
    if labels.size <= TEXT_NUMBER_LEVELS:
        return None
    marks = [mark for mark in NUMBER_MARKS if np.char.find(labels, mark).max() >= 0]
    for mark in marks:
        labels = np.char.replace(labels, mark, "")
    try:
        labels.astype(np.float64)
    except ValueError:
        return None  # some label is not a number: a real category
    counts = np.bincount(column.values[~column.missing].astype(np.intp),
                         minlength=labels.size)
    if 2 * int(counts[counts < min_category].sum()) <= int(counts.sum()):
        return None  # most accounts sit in common levels: codes used as categories
    blank = int(column.missing.sum())
    # Formatted numbers do not parse as numbers: they need their marks removed first.
    unmark = (f"remove its {', '.join(repr(m) for m in marks if m != ' ')} formatting and "
              if any(m != " " for m in marks) else "")
    return (f"holds numbers as text ({labels.size:,} distinct values"
            + (f", {blank:,} blank or missing" if blank else "") + "): as a category, most "
            f"accounts would fall in levels too rare to earn points; {unmark}read it as a "
            f"number (Portfolio.from_columns(..., kinds={{{name!r}: 'number'}}) turns blanks "
            "into missing values) to put it on the card")


def _level_lookup(categories: tuple[str, ...], levels: tuple[tuple[str, ...], ...]) -> Codes:
    """Band of each category code; the last entry (code −1, missing) and levels with no
    band of their own (unseen in training) read the missing band after the levels."""
    lookup = np.full(len(categories) + 1, len(levels), dtype=np.int16)
    index = {label: b for b, labels in enumerate(levels) for label in labels}
    for c, label in enumerate(categories):
        lookup[c] = index.get(label, len(levels))
    return lookup


@attrs.frozen(kw_only=True, eq=False)
class MetricInfo:
    """One metric on the card: its bands (``bins``), whether missing values earn a band of
    their own, and the band codes of every training row (``0 .. size − 1``: a number's
    bands, then its ``special`` values, then the missing band; a category's levels, then
    the missing band)."""

    name: str
    source: str
    kind: Kind
    bins: Bins
    missing_band: bool
    codes: Codes
    shape: Shape
    #: The band's weight of evidence (missing last), monotone in the direction.
    profile: FloatArray
    #: What the classic scorecard scales instead of ``profile``: a freed category's band
    #: values next to the other metrics (its weight of evidence runs the other way).
    anchor: FloatArray | None = None
    #: A number's special values with a band of their own, and those read as missing.
    special: tuple[float, ...] = ()
    as_missing: tuple[float, ...] = ()
    #: The band missing values score as when they have none of their own.
    worst: int = 0

    @property
    def bands(self) -> int:
        """The count of bands along the values (or of category levels)."""
        return len(self.bins.levels) if self.kind is Kind.CATEGORY else len(self.bins.cuts) + 1

    @property
    def size(self) -> int:
        return self.bands + len(self.special) + 1


def band_codes(portfolio: Portfolio, name: str, bins: Bins, own: bool, worst: int,
               kind: Kind, rows: npt.NDArray[np.intp] | None = None, *,
               special: tuple[float, ...] = (), as_missing: tuple[float, ...] = ()) -> Codes:
    """The band of every account (of ``rows``, when given); a number's ``special`` values
    read their own bands after its value bands; missing values (and values of
    ``as_missing``) read their own band (the last code) when they earn one, else the band
    they score as."""
    column = portfolio.column(name)
    if kind is Kind.CATEGORY:
        lookup = _level_lookup(column.categories, bins.levels)
        if not own:
            lookup[-1] = worst
        # Code −1 reads the last entry: missing.
        codes: Codes = lookup[column.values if rows is None else column.values[rows]]
        return codes
    values = portfolio.column(name, Kind.NUMBER).values
    values = values if rows is None else values[rows]
    # A band is the number of cuts at or below the value: for a handful of cuts, counting
    # comparisons beats a binary search per value (NaN compares false, then fixed).
    codes = np.zeros(values.shape, dtype=np.int16)
    above = np.empty(values.shape, dtype=np.bool_)
    for cut in bins.cuts:  # a loop over the few cuts
        np.greater_equal(values, cut, out=above)
        codes += above
    first = len(bins.cuts) + 1
    for j, code in enumerate(special):  # a loop over the few special values
        codes[values == code] = first + j
    gone = np.isnan(values)
    if as_missing:
        gone |= np.isin(values, as_missing)
    codes[gone] = first + len(special) if own else worst
    return codes


def info_of(portfolio: Portfolio, y: BoolArray, rows: npt.NDArray[np.intp] | None,
            prior: float, name: str, kind: Kind, bins: Bins, own: bool, worst: int,
            special: tuple[float, ...] = (), as_missing: tuple[float, ...] = (), *,
            levels_follow_churn: bool = True) -> MetricInfo:
    """The metric as it goes on the card, with its band codes and counts on ``rows`` (all
    accounts when ``None``; ``y`` is the outcome of those rows). ``levels_follow_churn``:
    a category's levels earn points in the order of their own churn rates."""
    codes = band_codes(portfolio, name, bins, own, worst, kind, rows, special=special,
                       as_missing=as_missing)
    # A band's points never run against its observed churn: a number's along its
    # direction, a category's levels (and the bands of a number of any shape) in the
    # order of their churn rates unless the joint fit frees a category's
    # (``_card_select.free_levels``).
    if kind is not Kind.CATEGORY and bins.free:
        shape = Shape(order=np.arange(len(bins.cuts) + 1))
    elif kind is not Kind.CATEGORY:
        shape = Shape(ordered=len(bins.cuts) + 1, direction=bins.direction, turn=bins.turn)
    else:
        shape = Shape(order=np.arange(len(bins.levels))) if levels_follow_churn else Shape()
    info = MetricInfo(name=name, source=f"`{name}`", kind=kind, bins=bins,
                      missing_band=own, codes=codes, shape=shape, profile=np.zeros(0),
                      special=special, as_missing=as_missing, worst=worst)
    accounts, churned = _counts(info, y)
    info = attrs.evolve(info, bins=attrs.evolve(
        bins, accounts=tuple(int(a) for a in accounts),
        churned=tuple(round(float(c)) for c in churned)))
    return _with_evidence(info, accounts, churned, float(y.mean()), prior)


def seen_by(info: MetricInfo, rows: npt.NDArray[np.intp], y: BoolArray,
            prior: float) -> MetricInfo:
    """``info`` as the accounts of ``rows`` alone show it (``y``: their outcomes): their
    band codes, and the weight of evidence and a category's churn order learnt from them,
    so a cross-validation fold never sees its held-out accounts through the classic
    scorecard or the order its points keep. (A smooth number's curve stays: two values
    learnt from every account leak next to nothing. An anchor comes from a joint fit,
    which ``_card_select.anchors_again`` learns again.)"""
    info = attrs.evolve(info, codes=info.codes[rows])
    if info.anchor is not None:
        return info
    return _with_evidence(info, *_counts(info, y), float(y.mean()), prior)


def _counts(info: MetricInfo, y: BoolArray) -> tuple[FloatArray, FloatArray]:
    """The accounts, and the churned accounts, in each of ``info``'s bands (``y``: the
    outcome of its rows)."""
    accounts = np.bincount(info.codes, minlength=info.size).astype(np.float64)
    churned = np.asarray(np.bincount(info.codes, weights=y, minlength=info.size), np.float64)
    return accounts, churned


def _with_evidence(info: MetricInfo, accounts: FloatArray, churned: FloatArray, rate: float,
                   prior: float) -> MetricInfo:
    """``info`` with the weight of evidence of its bands (its profile) and, for a category
    whose levels follow churn or a number of any shape, their order, from its band
    counts."""
    kind, bins, count = info.kind, info.bins, info.bands
    table = woe(accounts, churned, rate, prior)
    # A smooth number's bands read their weight of evidence off its curve.
    bands = np.asarray(bins.profile, dtype=np.float64) if bins.profile else table[:count]
    if kind is Kind.CATEGORY or bins.free:
        pass  # each band's own weight of evidence
    elif bins.turn is not None:  # the profile turns with it
        sign = float(bins.direction)
        bands = sign * peaked(sign * bands, accounts[:count], bins.turn)
    else:  # the profile runs the metric's way
        bands = (np.maximum.accumulate(bands) if bins.direction == HIGHER
                 else np.maximum.accumulate(bands[::-1])[::-1])
    # Special values are free of the direction: their own weight of evidence.
    missing = table[-1] if info.missing_band else bands[info.worst]
    profile = np.concatenate([bands, table[count:-1], [missing]])
    shape = info.shape
    if shape.order is not None:
        shape = attrs.evolve(shape, order=np.argsort(bands, kind="stable"))
    return attrs.evolve(info, profile=profile, shape=shape)


def band_share(min_share: float, min_count: int, accounts: int) -> float:
    """The smallest share of a number's ``accounts`` (those with a value) one band may
    hold: ``min_share``, but never fewer than ``min_count`` accounts, so a band on a small
    portfolio is not a handful of accounts.

    Examples
    --------
    >>> band_share(0.01, 20, 100_000), band_share(0.01, 20, 1000)
    (0.01, 0.02)
    """
    return min(max(min_share, min_count / max(accounts, 1)), 0.49)


def learn_bands(portfolio: Portfolio, y: BoolArray, names: Sequence[str],
                rows: npt.NDArray[np.intp] | None, *,
                directions: Mapping[str, tuple[int | None, str]],
                k: int, min_share: float, min_category: int, missing: str,
                folds: npt.NDArray[np.intp] | None, n_folds: int, against: list[str],
                dropped: list[tuple[str, str]], named: bool = True,
                special: Mapping[str, Special] | None = None, prior: float,
                aside: list[Banded]) -> list[Banded]:
    """Each metric's bands learnt on its own (on ``rows``, all when ``None``): monotone
    bins of a number, common levels of a category; the others go to ``dropped``.
    ``named``: the metrics were asked for by name, so one that holds numbers as text is an
    error rather than left off. A number's ``special`` values are kept out of its bands:
    those with a band of their own are left out, those read as missing are missing. A
    category whose levels (their churn rates shrunk by ``prior``) predict held-out folds
    clearly worse than one band goes to ``dropped`` and, with its bands, to ``aside`` for
    a second look next to the other metrics."""
    result: list[Banded] = []
    outcome = y if rows is None else y[rows]
    rate = float(outcome.mean())
    fold = None if folds is None or rows is None else folds[rows]
    for name in names:  # a loop over metrics
        column = portfolio.column(name)
        codes = (special or {}).get(name, Special())  # a number's only: read_special checks
        if column.kind not in (Kind.NUMBER, Kind.BOOLEAN, Kind.CATEGORY):
            raise DataError(f"metric {name!r} must be a number, boolean or category column, "
                            f"found a {column.kind.value} column", column=name)
        if column.missing.all():
            dropped.append((name, "has no value in the training accounts"))
            continue
        if column.kind is Kind.CATEGORY:
            text = _numbers_as_text(column, name, min_category)
            if text is not None and named:
                raise DataError(text, column=name)
            if text is not None:  # a candidate found, not asked for: left off, with why
                dropped.append((name, text))
                continue
            values = column.values if rows is None else column.values[rows]
            bins = bin_category(values, column.categories, outcome, min_count=min_category)
            kind = Kind.CATEGORY
            use = folds if rows is None else fold
        else:
            values = portfolio.column(name, Kind.NUMBER).values
            values = values if rows is None else values[rows]
            use = folds if rows is None else fold
            values, churn, use = apart(values, outcome, use, codes)
            if np.isnan(values).all():
                dropped.append((name, "has no value but its special values ("
                                + ", ".join(f"{c:g}" for c in codes.own) + ")"))
                continue
            # The column read once (sorted by fold and outcome) for both kinds of bands.
            runs = read_runs(values, churn, use if n_folds > 1 else None, n_folds)
            direction, turn = directions.get(name, (None, "never"))
            # A band holds at least min_category accounts, like a category level.
            share = band_share(min_share, min_category, int(runs.ordered.size))
            bins = bin_number(values, churn, k=k, direction=direction, turn=turn,
                              min_share=share, folds=use, n_folds=n_folds, runs=runs)
            # Finer bands on a smooth curve, when they predict held-out folds better (a
            # curve is monotone: not for bands that turn).
            steps = bins.held_out
            turns = bins.turn is not None or bins.free
            smooth = None if use is None or steps is None or turns else (
                smooth_number(
                    values, churn, k=k, direction=bins.direction, min_share=share,
                    folds=use, n_folds=n_folds, runs=runs))
            if smooth is not None and smooth.held_out is not None and steps is not None and (
                    smooth.held_out > steps - CURVE_PREFERENCE):
                bins = pool_against(attrs.evolve(smooth, honoured=bins.honoured))
            kind = Kind.NUMBER
        if not bins.honoured:
            against.append(name)
        accounts = np.asarray(bins.accounts, dtype=np.float64)
        bad = np.asarray(bins.churned, dtype=np.float64)
        _refuse_the_outcome(name, accounts, bad)
        table = woe(accounts, bad, rate, 1.0)
        worst = int(np.argmin(table[:-1]))
        own = missing == "auto" and missing_signal(
            accounts[-1], bad[-1], accounts[worst], bad[worst], min_count=min_category)
        if bins.n_bands < 2 and not ((own or codes.own) and bins.n_bands == 1):
            present = column.values[~column.missing]
            reason = ("is constant on the training accounts"
                      if kind is Kind.NUMBER and np.unique(present).size < 2
                      else ALONE)
            if kind is Kind.CATEGORY:
                reason = "has fewer than two category levels with enough accounts"
            if not bins.honoured:
                reason = AGAINST
            dropped.append((name, reason))
            continue
        if kind is Kind.NUMBER and bins.turn is None and not bins.free:  # else as above
            worst = 0 if bins.direction == HIGHER else len(bins.cuts)
        entry = (name, kind, bins, bool(own), worst, codes.own, codes.as_missing)
        if kind is Kind.CATEGORY and use is not None and n_folds > 1 and levels_held_out(
                band_codes(portfolio, name, bins, True, worst, kind, rows).astype(np.intp),
                outcome, use, n_folds, prior) < -CATEGORY_MARGIN:
            dropped.append((name, CHANCE_LEVELS))
            aside.append(entry)
            continue
        result.append(entry)
    return result
