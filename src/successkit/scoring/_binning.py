"""The numerical core of learning a card's bands from churn outcomes: monotone binning of a
number, shrunk category levels, and the weight of evidence of each band.

Nothing here knows a model class; :mod:`successkit.outcomes.card_fit` builds the card from
these pieces. Every function works on counts: the rows are read once (sorted within each fold
and outcome, :mod:`successkit.scoring._number_runs`), and the loops run over at most a few dozen
candidate bins, never over accounts.

A numeric metric is binned in four steps:

1. candidate cuts at quantiles of the present values, rounded to the fewest significant
   digits (two to four) that keep them apart, so the card reads ``login_rate ≥ 0.63``
   rather than ``≥ 0.6283741``;
2. the direction: the one whose monotone (pool-adjacent-violators) fit of the churn rate has
   the higher likelihood, or the one the user fixed — reported when the data run the other
   way; when allowed, one turn (:mod:`successkit.scoring._turns`: the middle values best, or
   worst) instead, when it beats the monotone fit by a likelihood-ratio test (two degrees of
   freedom, see :data:`TURN_DF`) shared out over the candidate turns *and* its bands
   predict held-out folds better by more than a standard error; when allowed too, bands
   of any shape (several turns: churn high for the least and the most satisfied
   employees, low between) instead, when they fit all the accounts better than the
   monotone or one-turn bands by more than :data:`FREE_GAIN` and predict held-out folds
   better by more than :data:`FREE_TOLERANCE` and a standard error;
3. pool adjacent violators in that direction (on each side of the turn), so the churn rate
   never runs against it (bands of any shape keep the candidate bins as they are);
4. the best coarsening of those monotone blocks into ``m ≤ k`` bands of at least
   ``min_share`` of the accounts each, found exactly by dynamic programming for every
   ``m``; the number of bands is the fewest whose splits, learnt on the other folds,
   predict the held-out folds within one standard error of the best, so a band that does
   not pay for its own points goes; then the search runs again with readable candidates
   close to each chosen cut (a threshold lands on ``0.5``, not between two quantiles), and
   the bands must beat one band by a likelihood-ratio test at 5 % shared out over the
   candidate cuts searched.

The weight of evidence of a band is ``ln(odds of staying in the band / overall odds)`` with
the band's churn rate shrunk toward the overall rate by ``prior`` pseudo-accounts, so a band
or category level with few accounts earns points close to zero.
"""

from __future__ import annotations

import functools
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.scoring._band_split import Former, feasible, held_out_bands, partitions
from successkit.scoring._cut_points import candidate_cuts, near_cuts, round_cuts
from successkit.scoring._likelihood import SIGNIFICANCE, critical_chi2, loglik
from successkit.scoring._number_runs import Runs, read_runs
from successkit.scoring._turns import best_turn, peaked, shape_of, step_signs, turn_of

__all__ = [
    "HIGHER",
    "LOWER",
    "Bins",
    "bin_category",
    "bin_number",
    "counted",
    "pool_against",
]


HIGHER, LOWER = 1, -1  # directions: higher values are better / lower values are better
# A turn must predict held-out accounts better than monotone bands by at least this
# log-likelihood (and by a standard error of the difference across the folds).
TURN_TOLERANCE = 2.0
# The degrees of freedom of the turn's likelihood-ratio test. The best one-turn fit frees a
# block of bins on each side of its turn, so under a monotone truth its gain over the
# monotone fit, maximised over 63 candidate turns, has a 95 % point of 14.3 – 15.8
# (simulated, 1,500 and 20,000 accounts): one degree of freedom's 11.3 let a fifth of
# searches on a metric without any effect through to the held-out test, two degrees'
# 14.3 matches the simulation, and is stricter than needed on a few candidates.
TURN_DF = 2
# Bands of any shape must predict held-out accounts better than the monotone or one-turn
# bands by at least this log-likelihood (and a standard error of the difference across
# the folds). The free shape is searched over every split of 64 candidate bins, so it
# always fits its own data better; on held-out folds, with 5 folds, 1,500 – 20,000
# accounts and no effect, a monotone (tanh) or a U-shaped one, it won by 4 in up to 3 % of
# simulated draws and by 8 in none, while a real wave (churn following sin 2.5x) won by 12
# in 78 % of draws at 1,500 accounts and in all at 5,000. 12 keeps a margin over 8 because
# the card's points are fitted next to the other metrics: on the benchmark's small sets a
# free shape that won by 9 on its own lost test AUC on the card.
FREE_TOLERANCE = 12.0
# ... and fit all the accounts better by at least this log-likelihood. Held-out folds
# alone let through a chance pocket: in one of 450 simulated cards of 1,500 accounts with
# a monotone (tanh) metric, a band of 20 accounts with 17 churners among neighbours with
# 17 % churn won on the folds by 12.3 (every fold holds a slice of the pocket) and took 0
# of the card's points between bands of 530 and 403; on all the accounts it gained only
# 14.4. Real shapes gain more (a sine wave on 1,500 accounts: 22.6 at the 5th
# percentile, 19.7 at the 1st; 159 of 200 such waves take any shape either way), and the
# benchmark's 112 fits keep the same cards. Checked first, it also spares most metrics
# the five held-out splits of the free shape.
FREE_GAIN = 16.0
# What ``turn`` of :func:`bin_number` may be: monotone; one turn when the data show it;
# one turn or any shape when the data show it; one turn always; any shape always.
TURNS = ("never", "may", "any", "must", "free")


@attrs.frozen(kw_only=True)
class Bins:
    """The bands of one metric learnt from outcomes.

    ``cuts`` (numbers, increasing) split the present values into ``len(cuts) + 1`` bands in
    value order; for a category metric ``levels`` lists the labels of each band instead.
    ``accounts`` and ``churned`` count each band (value order), then the missing values
    last. ``honoured`` is False when a fixed direction ran against the data.
    """

    cuts: tuple[float, ...] = ()
    levels: tuple[tuple[str, ...], ...] = ()
    direction: int = HIGHER
    #: The band where a number's churn turns (its lowest rate when ``direction`` is
    #: HIGHER: the middle is best; its highest when LOWER), or ``None``: monotone. Bands
    #: up to the turn follow ``direction``, bands from it on the other way.
    turn: int | None = None
    #: Whether a number's bands take any shape along the values (then ``direction`` and
    #: ``turn`` say nothing): each band's points follow its churn rate, not its place.
    free: bool = False
    honoured: bool = True
    #: Whether a category's last band pools its rare levels (their shrunk points also go
    #: to levels never seen in training: the card's "other" band).
    pooled: bool = False
    accounts: tuple[int, ...] = ()
    churned: tuple[int, ...] = ()
    #: Each band's weight of evidence read off a smooth curve (a logistic fit on the band's
    #: mean value or mean log value), when that predicted held-out folds better than free
    #: steps; empty for steps.
    profile: tuple[float, ...] = ()
    #: The held-out log-likelihood of these bands' churn rates (present values, summed
    #: over the folds), when chosen by folds.
    held_out: float | None = attrs.field(default=None, eq=False)

    @property
    def n_bands(self) -> int:
        return len(self.accounts) - 1


def _pool(n: FloatArray, e: FloatArray, decreasing: bool) -> list[list[float]]:
    """Pool adjacent violators: blocks ``[first bin, n, e]`` whose churn rates do not
    increase (``decreasing``) or do not decrease along the bins."""
    blocks: list[list[float]] = []
    # As Python floats: the loop reads every bin's counts, and numpy scalars read slowly.
    counts = zip(n.tolist(), e.tolist(), strict=True)
    for b, (n_b, e_b) in enumerate(counts):  # a loop over the few candidate bins
        if n_b == 0 and blocks:
            # An empty bin has no rate: kept as a block, it would hide a violation
            # between its neighbours from each other.
            continue
        blocks.append([float(b), float(n_b), float(e_b)])
        while len(blocks) > 1:
            (_, n1, e1), (_, n2, e2) = blocks[-2], blocks[-1]
            left, right = e1 * n2, e2 * n1  # compare e1/n1 with e2/n2 without dividing
            if (right > left) if decreasing else (right < left):
                blocks[-2][1] += n2
                blocks[-2][2] += e2
                blocks.pop()
            else:
                break
    return blocks


def _blocks_loglik(blocks: list[list[float]]) -> float:
    arr = np.array(blocks)
    return float(loglik(arr[:, 1], arr[:, 2]).sum())


def _monotone_blocks(n: FloatArray, e: FloatArray, direction: int) -> list[list[float]]:
    blocks = _pool(n, e, decreasing=(direction == HIGHER))
    return [b for b in blocks if b[1] > 0] or blocks[:1]


def _turned_blocks(n: FloatArray, e: FloatArray, direction: int) -> list[list[float]]:
    """Blocks whose churn rates move in ``direction`` and then the other way, at the turn
    the counts make most likely (monotone when the bins are too few to turn)."""
    found = best_turn(n, e, (direction,))
    if found is None:
        return _monotone_blocks(n, e, direction)
    after = found[1]
    left = _pool(n[:after], e[:after], decreasing=(direction == HIGHER))
    right = [[b + after, bn, be] for b, bn, be in
             _pool(n[after:], e[after:], decreasing=(direction != HIGHER))]
    return [b for b in [*left, *right] if b[1] > 0] or _monotone_blocks(n, e, direction)


def _free_blocks(n: FloatArray, e: FloatArray) -> list[list[float]]:
    """Every candidate bin with accounts a block of its own: bands of any shape."""
    return [[float(b), float(n[b]), float(e[b])] for b in np.flatnonzero(n > 0)] or [
        [0.0, float(n[0]), float(e[0])]]


def bin_number(
    values: FloatArray,
    churned: BoolArray,
    *,
    k: int,
    direction: int | None,
    turn: str = "never",
    candidates: int = 64,
    min_share: float = 0.05,
    penalty: float | None = None,
    folds: npt.NDArray[np.intp] | None = None,
    n_folds: int = 0,
    runs: Runs | None = None,
) -> Bins:
    """Monotone bands of a number column (NaN missing) with at most ``k`` bands.

    ``direction`` is :data:`HIGHER`, :data:`LOWER` or ``None`` (learnt from the data).
    ``turn``: ``"never"`` (monotone), ``"may"`` (one turn when the data show one, see the
    module docs; needs folds), ``"any"`` (one turn, or bands of any shape, when the data
    show them; needs folds), ``"must"`` (one turn, ``direction`` before it: HIGHER makes
    the middle values best) or ``"free"`` (bands of any shape). A column with fewer than
    two distinct present values gives a single band. The number of bands is the one whose
    splits best predict held-out ``folds`` (a fold per row, ``0 .. n_folds − 1``); without
    folds, the one that maximises the likelihood less ``penalty`` per band (default BIC's
    ``½ ln n``).
    ``runs``: the column already read by
    :func:`~successkit.scoring._number_runs.read_runs` with these folds.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(1000) / 1000
    >>> churned = x < 0.5
    >>> bins = bin_number(x, churned, k=5, direction=None)
    >>> bins.cuts, bins.direction, bins.accounts
    ((0.5,), 1, (500, 500, 0))
    >>> middle = bin_number(x, (x < 0.3) | (x >= 0.7), k=5, direction=None, turn="must")
    >>> middle.cuts, middle.turn, middle.churned
    ((0.3, 0.7), 1, (300, 0, 300, 0))
    >>> wave = bin_number(x, (x < 0.2) | ((x >= 0.5) & (x < 0.7)), k=5, direction=None,
    ...                   turn="free")
    >>> wave.cuts, wave.free, wave.churned
    ((0.2, 0.5, 0.7), True, (200, 0, 200, 0, 0))
    """
    if turn not in TURNS:
        raise ValueError(f"turn must be one of {TURNS}, got {turn!r}")
    if runs is None:
        runs = read_runs(values, churned, folds if n_folds > 1 else None, n_folds)
    present = runs.ordered
    n_missing, e_missing = runs.n_missing, runs.e_missing
    if present.size == 0 or float(present[0]) == float(present[-1]):
        _, e_f = runs.counts(np.zeros(0))
        return Bins(direction=direction or HIGHER, accounts=(int(present.size), n_missing),
                    churned=(int(e_f.sum()), e_missing))
    cuts = candidate_cuts(present, candidates, is_sorted=True)
    n_f, e_f = runs.counts(cuts)
    n, e = n_f.sum(axis=0), e_f.sum(axis=0)
    with_folds = folds is not None and n_folds > 1
    lik = {d: _blocks_loglik(_pool(n, e, decreasing=(d == HIGHER))) for d in (HIGHER, LOWER)}
    best = HIGHER if lik[HIGHER] >= lik[LOWER] else LOWER
    chosen = best if direction is None else direction
    # A fixed direction the data contradict (by more than a 95 % likelihood-ratio test).
    honoured = direction is None or lik[chosen] >= lik[-chosen] - 1.92
    former: Former = functools.partial(_monotone_blocks, direction=chosen)
    # The held-out band count of ``former`` on the first candidates, when already known.
    known: tuple[int, FloatArray] | None = None
    if turn == "must":
        turned = {d: best_turn(n, e, (d,)) for d in (HIGHER, LOWER)}
        liks = {d: t[2] if t is not None else lik[d] for d, t in turned.items()}
        honoured = liks[chosen] >= liks[-chosen] - 1.92
        former = functools.partial(_turned_blocks, direction=chosen)
    elif turn == "free":
        former = _free_blocks
    elif turn in ("may", "any") and direction is None and with_folds:
        chosen, former, known = _turn_or_not(n, e, n_f, e_f, best, lik[best], k,
                                             min_share, cuts.size)
        if turn == "any":
            former, known = _free_or_not(n, e, n_f, e_f, former, known, k, min_share)
    free = former is _free_blocks
    shaped = isinstance(former, functools.partial) and former.func is _turned_blocks
    total = float(present.size)

    def split(n_f: FloatArray, e_f: FloatArray, known: tuple[int, FloatArray] | None = None
              ) -> tuple[list[int], float | None, list[tuple[list[int], float] | None]]:
        parts = partitions(former(n_f.sum(axis=0), e_f.sum(axis=0)), k=k,
                            least=min_share * total)
        if with_folds:
            m, scores = known or held_out_bands(n_f, e_f, former, k, min_share)
            held_out: float | None = float(scores.sum())
        else:
            held_out = None
            cost = 0.5 * np.log(max(total, 2.0)) if penalty is None else penalty
            found = [(part[1] - cost * count, count) for count, part in enumerate(parts, 1)
                     if part is not None]
            m = max(found, key=lambda item: (item[0], -item[1]))[1] if found else 1
        return feasible(parts, m), held_out, parts

    starts, held_out, parts = split(n_f, e_f, known)
    if len(starts) > 1:
        # A threshold between two quantile candidates would leave a narrow band of mixed
        # accounts around it; a second search, with readable candidates close to each
        # chosen cut, puts the cut on the threshold instead.
        finer = near_cuts(present, cuts, starts)
        if finer.size > cuts.size:
            cuts = finer
            n_f, e_f = runs.counts(cuts)
            n, e = n_f.sum(axis=0), e_f.sum(axis=0)
            starts, held_out, parts = split(n_f, e_f)
    if len(starts) > 1:
        # Bands must beat one band by more than chance: a likelihood-ratio test at 5 %,
        # shared out (Bonferroni) over the candidate cuts the split was searched among —
        # so a yes/no flag, with one possible cut, is tested at 5 % and kept when weak but
        # real (worth 0.35 log-odds on a sixth of the accounts), while noise searched over
        # 63 cuts must pass about 0.08 %.
        gain = 2.0 * ((parts[len(starts) - 1] or ([], 0.0))[1] - float(loglik(
            np.array([n.sum()]), np.array([e.sum()]))[0]))
        if gain < critical_chi2(len(starts) - 1, SIGNIFICANCE / cuts.size):
            starts = [0]
    raw_cuts = np.asarray([cuts[s - 1] for s in starts[1:]], dtype=np.float64)
    band_n_f, band_e_f = runs.counts(raw_cuts)
    rates = band_e_f.sum(axis=0) / np.maximum(band_n_f.sum(axis=0), 1.0)
    band_turn: int | None = None
    if free:
        # Each step of the churn rate keeps its sign while the cuts are rounded.
        signs = np.where(np.diff(rates) > 0, -1.0, 1.0)
        if raw_cuts.size and bool(np.all(signs == signs[0])):
            free, chosen = False, int(signs[0])  # free bands that came out monotone
    else:
        chosen, band_turn = shape_of(rates, chosen) if shaped else (
            chosen, turn_of(rates, chosen))
        signs = step_signs(chosen, band_turn, raw_cuts.size + 1)
    band_cuts = round_cuts(raw_cuts, runs, present, signs, min_share * total)
    return counted(runs, band_cuts, chosen, turn=band_turn, honoured=bool(honoured),
                   held_out=held_out, free=free and raw_cuts.size > 1)


def _beats(better: FloatArray, worse: FloatArray, tolerance: float) -> bool:
    """Whether held-out scores per fold ``better`` beat ``worse`` by more than
    ``tolerance`` and a standard error of their summed difference."""
    gain = better - worse
    spread = np.sqrt(gain.size) * float(np.std(gain, ddof=1)) if gain.size > 1 else 0.0
    return float(gain.sum()) > max(spread, tolerance)


def _best_fit(blocks: list[list[float]], k: int, least: float) -> float:
    """The log-likelihood of the best split of ``blocks`` into at most ``k`` bands of at
    least ``least`` accounts each."""
    return max((part[1] for part in partitions(blocks, k=k, least=least) if part is not None),
               default=-np.inf)


def _free_or_not(n: FloatArray, e: FloatArray, n_f: FloatArray, e_f: FloatArray,
                 former: Former, known: tuple[int, FloatArray] | None, k: int,
                 min_share: float) -> tuple[Former, tuple[int, FloatArray] | None]:
    """Bands of any shape, with their held-out band count, when they fit all the accounts
    better than ``former``'s (monotone or one turn; held-out band count ``known`` when
    worked out) by more than :data:`FREE_GAIN` and predict held-out folds better by more
    than :data:`FREE_TOLERANCE` and a standard error; else ``former``'s (``n``, ``e``:
    the candidate bins' counts, ``n_f``, ``e_f`` the same per fold)."""
    least = min_share * float(n.sum())
    if _best_fit(_free_blocks(n, e), k, least) - _best_fit(former(n, e), k, least) <= (
            FREE_GAIN):
        return former, known
    shaped = known or held_out_bands(n_f, e_f, former, k, min_share)
    free = held_out_bands(n_f, e_f, _free_blocks, k, min_share)
    if _beats(free[1], shaped[1], FREE_TOLERANCE):
        return _free_blocks, free
    return former, shaped


def _turn_or_not(n: FloatArray, e: FloatArray, n_f: FloatArray, e_f: FloatArray,
                 direction: int, monotone: float, k: int, min_share: float, searched: int
                 ) -> tuple[int, Former, tuple[int, FloatArray] | None]:
    """The direction and block maker of one turn, when a turn beats the monotone fit
    (log-likelihood ``monotone`` in ``direction``) by a likelihood-ratio test at 5 %
    shared out over the ``searched`` candidate turns, and its bands predict held-out folds
    better by more than ``TURN_TOLERANCE`` and a standard error; else the monotone ones.
    With the held-out band count of the shape chosen, when it was worked out."""
    straight: Former = functools.partial(_monotone_blocks, direction=direction)
    found = best_turn(n, e)
    if found is None or 2.0 * (found[2] - monotone) < critical_chi2(
            TURN_DF, SIGNIFICANCE / max(searched, 1)):
        return direction, straight, None
    turned: Former = functools.partial(_turned_blocks, direction=found[0])
    with_turn = held_out_bands(n_f, e_f, turned, k, min_share)
    without = held_out_bands(n_f, e_f, straight, k, min_share)
    if not _beats(with_turn[1], without[1], TURN_TOLERANCE):
        return direction, straight, without
    return found[0], turned, with_turn


def counted(runs: Runs, cuts: FloatArray, direction: int, **fields: Any) -> Bins:
    """The :class:`Bins` that ``cuts`` make, with each band's accounts and churners read
    off ``runs`` (the missing values last); ``fields``: any other :class:`Bins` field
    (a ``turn`` must name a middle band)."""
    n_f, e_f = runs.counts(cuts)
    return Bins(cuts=tuple(float(c) for c in cuts), direction=direction,
                accounts=(*(int(a) for a in n_f.sum(axis=0)), runs.n_missing),
                churned=(*(round(float(c)) for c in e_f.sum(axis=0)), runs.e_missing),
                **fields)


def pool_against(bins: Bins) -> Bins:
    """``bins`` with every run of adjacent number bands whose observed churn runs against
    the direction merged into one band (pool adjacent violators on the bands' counts), so
    that no band can earn more points than a band that churns less. Bands on a smooth
    curve can run against it by chance (their points follow the curve, not each band's
    own rate); free steps never do. A merged band's weight of evidence is its bands'
    average, weighted by accounts — on a curve, the curve at the merged band's mean.

    Examples
    --------
    >>> bins = Bins(cuts=(10.0, 20.0, 30.0), direction=HIGHER, accounts=(100, 100, 100, 100, 0),
    ...             churned=(40, 30, 32, 10, 0), profile=(-0.6, -0.2, 0.2, 0.6))
    >>> merged = pool_against(bins)
    >>> merged.cuts, merged.accounts, merged.churned, merged.profile
    ((10.0, 30.0), (100, 200, 100, 0), (40, 62, 10, 0), (-0.6, 0.0, 0.6))
    """
    size = len(bins.cuts) + 1
    if size < 2:
        return bins
    n = np.asarray(bins.accounts[:size], dtype=np.float64)
    e = np.asarray(bins.churned[:size], dtype=np.float64)
    if bins.turn is None:
        starts = [int(b[0]) for b in _pool(n, e, decreasing=bins.direction == HIGHER)]
    else:
        # Churn falls to the turn and rises after it (HIGHER), or the reverse: the rates
        # fitted with their top (of −rate, or rate) fixed at the turn; equal runs pool.
        sign = -1.0 if bins.direction == HIGHER else 1.0
        fitted = peaked(sign * e / np.maximum(n, 1.0), n, bins.turn)
        starts = [0, *(int(j) + 1 for j in np.flatnonzero(np.diff(fitted) != 0))]
    if len(starts) == size:
        return bins
    ends = [*starts[1:], size]
    profile = bins.profile
    if profile:
        values = np.asarray(profile, dtype=np.float64)
        profile = tuple(round(float(values[a:b] @ n[a:b] / max(float(n[a:b].sum()), 1.0)), 9)
                        for a, b in zip(starts, ends, strict=True))
    merged_e = np.add.reduceat(e, starts)
    merged_n = np.add.reduceat(n, starts)
    direction, turn = (bins.direction, None) if bins.turn is None else shape_of(
        merged_e / np.maximum(merged_n, 1.0), bins.direction)
    return attrs.evolve(
        bins,
        direction=direction,
        turn=turn,
        cuts=tuple(bins.cuts[a - 1] for a in starts[1:]),
        accounts=(*(int(n[a:b].sum()) for a, b in zip(starts, ends, strict=True)),
                  bins.accounts[-1]),
        churned=(*(int(e[a:b].sum()) for a, b in zip(starts, ends, strict=True)),
                 bins.churned[-1]),
        profile=profile,
    )


def bin_category(
    codes: npt.NDArray[np.integer[Any]],
    categories: tuple[str, ...],
    churned: BoolArray,
    *,
    min_count: int,
) -> Bins:
    """One band per category level seen at least ``min_count`` times; rarer levels pool
    into one ``other`` band (last, and ``pooled`` is then True). Code ``-1`` is missing.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([0, 0, 0, 1, 1, 2, -1])
    >>> bins = bin_category(codes, ("pro", "basic", "trial"), codes == 1, min_count=2)
    >>> bins.levels, bins.accounts, bins.churned
    ((('pro',), ('basic',), ('trial',)), (3, 2, 1, 1), (0, 2, 0, 0))
    """
    present = codes >= 0
    y = churned[present]
    n = np.bincount(codes[present], minlength=len(categories))
    e = np.bincount(codes[present], weights=y, minlength=len(categories))
    seen = np.flatnonzero(n > 0)
    common = [int(c) for c in seen if n[c] >= min_count]
    rare = [int(c) for c in seen if n[c] < min_count]
    levels: list[tuple[str, ...]] = [(categories[c],) for c in common]
    accounts = [int(n[c]) for c in common]
    bad = [round(float(e[c])) for c in common]
    if rare:
        labels = tuple(categories[c] for c in rare)
        levels.append(labels)
        accounts.append(int(n[rare].sum()))
        bad.append(round(float(e[rare].sum())))
    return Bins(
        levels=tuple(levels),
        pooled=bool(rare),
        accounts=(*accounts, int((~present).sum())),
        churned=(*bad, int(churned[~present].sum())),
    )
