"""A second look at the numbers left off a card: some say something only next to the
others.

A number is first judged on its own (:mod:`successkit.outcomes._card_prep`): its bands must
beat one band by a likelihood-ratio test on churn alone. A weak metric can fail that test
and still matter once the strong ones are on the card — a senior-citizen flag worth 0.35
log-odds, a count of services worth a little each — because the strong metrics explain
most of the churn the weak one was competing with (odds ratios grow, not shrink, when
other causes are accounted for).

So, once the card is fitted, each number left off with one band is tried again on the
fit's residuals: the monotone staircase of at most ``k`` bands (each of at least
``min_share`` of the accounts, and ``min_count`` of them) through the residual churn per
fine quantile bin, as many bands (two or more) as pay for themselves (BIC), in whichever
direction explains more; it enters when its score statistic (the weighted sum of squares
the staircase explains — a Rao score test of the card plus these bands against the card
alone) passes the same 5 % test shared out over the candidate cuts searched, and when its
bands still obey the card's rule that no band earns more points than a band whose
accounts churn less (on the metric's own churn rates).

A direction fixed by ``monotone`` is the user's knowledge, and the second look keeps it:
the staircase is searched in that direction only, and the metric's own churn does not
pool its bands — so a metric whose own churn ran against the fixed direction (listed in
``against_direction``, one band on its own: returns that come with frequent buying) earns
its points in that direction when the card's residuals show it, and a weak one never
enters the other way round. A fixed turn (``middle_is_best``) has no staircase: such a
metric left off stays off.

The same test run the other way (:func:`runs_against`) reads a number its direction holds
flat on the finished card: when bands *against* that direction would explain the card's
residuals beyond chance, the report says so — the card itself keeps its rule.

A category left off because its levels predicted held-out folds worse than its overall
churn rate gets the same second look: it enters when its levels explain the fit's
residuals beyond chance — the score test of the card plus free level values against the
card alone, with one degree of freedom fewer than it has levels, at 5 %. So a column of
50 states that only looks different by chance stays off, and a weak category that matters
once the strong metrics are on the card comes back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import BoolArray, FloatArray
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.outcomes._card_prep import AGAINST, ALONE, Banded, MetricInfo, info_of
from successkit.outcomes._card_special import Special
from successkit.scoring._binning import HIGHER, LOWER, Bins, counted, pool_against
from successkit.scoring._card_solver import Additive, isotonic, residuals
from successkit.scoring._cut_points import candidate_cuts, least_squares_split, round_cuts
from successkit.scoring._likelihood import SIGNIFICANCE, critical_chi2
from successkit.scoring._number_runs import read_runs

__all__ = ["AGAINST_NEXT", "AGAINST_OWN", "FINE", "Entered", "enter", "level_statistic",
           "runs_against", "staircase"]

# Fine bins the residuals are read on.
FINE = 64
# Why a number with a fixed direction stays off when its second look would enter it the
# other way round.
AGAINST_NEXT = ("next to the other metrics, its points run against the direction fixed by "
                "monotone")
# Why a number held flat by the direction of its own churn stays off when its effect next
# to the others runs the other way: the card keeps the rule, the user can fix the direction.
AGAINST_OWN = ("earns no points in the direction of its own churn, but next to the other "
               "metrics it runs the other way (if you know it does, fix its direction with "
               "monotone=)")


def staircase(z: FloatArray, weight: FloatArray, accounts: FloatArray, direction: int,
              k: int, least: float, penalty: float) -> tuple[list[int], float]:
    """The first fine bin of each band of the monotone staircase (non-decreasing for
    ``direction`` 1) through ``z`` with at most ``k`` bands of at least ``least``
    ``accounts`` each that explains the most ``weight``-ed sum of squares less ``penalty``
    per band, and the sum of squares it explains (about ``weight``-ed zero: ``z`` is a
    residual).

    Examples
    --------
    >>> z = np.array([-1.0, -0.9, 0.0, 0.1, 1.0])
    >>> staircase(z, np.full(5, 50.0), np.full(5, 100.0), 1, k=3, least=100, penalty=1.0)
    ([0, 2, 4], 134.1)
    """
    fitted = isotonic(z, weight, direction)
    # The monotone blocks: runs of equal fitted values (bands are unions of them).
    starts = np.flatnonzero(np.concatenate([[True], np.diff(fitted) != 0]))
    w = np.add.reduceat(weight, starts)
    wz = np.add.reduceat(weight * z, starts)
    explained, firsts = least_squares_split(w, wz, np.add.reduceat(accounts, starts), k,
                                            least)
    scores = explained - penalty * np.arange(1, k + 1)
    # One band is no staircase: whether there is one at all is the caller's test.
    scores[0] = -np.inf
    if not np.isfinite(scores).any():
        return [0], 0.0
    m = int(np.argmax(scores)) + 1
    one_band = float(wz.sum() ** 2 / max(float(w.sum()), 1e-300))
    return [int(starts[e]) for e in firsts(m)], float(explained[m - 1]) - one_band


def _second_look(values: FloatArray, y: BoolArray, residual: FloatArray,
                 weight: FloatArray, k: int, min_share: float, min_count: int = 0,
                 fixed: int | None = None) -> Bins | None:
    """Bands for a number from the card's residuals, or ``None`` when none pass;
    ``fixed``: the direction ``monotone`` fixed (searched alone, and kept even where the
    number's own churn runs against it)."""
    present = ~np.isnan(values)
    x = values[present]
    if x.size == 0 or float(x.min()) == float(x.max()):
        return None
    fine = candidate_cuts(x, FINE)
    code = np.searchsorted(fine, x, side="right")
    size = fine.size + 1
    w = np.asarray(np.bincount(code, weight[present], minlength=size), dtype=np.float64)
    r = np.asarray(np.bincount(code, residual[present], minlength=size), dtype=np.float64)
    accounts = np.asarray(np.bincount(code, minlength=size), dtype=np.float64)
    # The working response of a metric not on the card: the residual per unit of curvature.
    z = np.where(w > 0, r / np.maximum(w, 1e-300), 0.0)
    least = max(min_share * float(x.size), float(min_count))
    penalty = float(np.log(max(float(x.size), 2.0)))
    found = {d: staircase(z, w, accounts, d, k, least, penalty)
             for d in ((HIGHER, LOWER) if fixed is None else (fixed,))}
    direction = max(found, key=lambda d: found[d][1])
    firsts, explained = found[direction]
    if len(firsts) < 2 or explained < critical_chi2(len(firsts) - 1,
                                                    SIGNIFICANCE / fine.size):
        return None
    cuts = np.asarray([fine[s - 1] for s in firsts[1:]], dtype=np.float64)
    runs = read_runs(values, y, None, 0)
    bins = counted(runs, cuts, direction)
    bins = bins if fixed is not None else pool_against(bins)
    if not bins.cuts:
        return None  # its own churn runs against what it says next to the others
    cuts = round_cuts(np.asarray(bins.cuts, dtype=np.float64), runs, runs.ordered, direction,
                      least)
    return counted(runs, cuts, direction)


def level_statistic(codes: npt.NDArray[np.int16], residual: FloatArray, weight: FloatArray
                    ) -> tuple[float, int]:
    """The score statistic of free values for the groups of ``codes`` (a category's
    levels) on a fit's ``residual`` and curvature ``weight`` — the weighted sum of squares
    the groups' mean residuals explain beyond one mean — and its degrees of freedom.

    Examples
    --------
    >>> codes = np.array([0, 0, 1, 1], np.int16)
    >>> level_statistic(codes, np.array([0.5, 0.5, -0.5, -0.5]), np.full(4, 0.25))
    (4.0, 1)
    """
    total = np.asarray(np.bincount(codes, weights=weight), dtype=np.float64)
    summed = np.asarray(np.bincount(codes, weights=residual), dtype=np.float64)
    held = total > 0
    explained = float(np.sum(summed[held] ** 2 / total[held]))
    return explained - float(summed.sum() ** 2 / max(float(total.sum()), 1e-300)), max(
        int(held.sum()) - 1, 0)


@attrs.frozen
class Entered:
    """What the second look found: the metrics that enter, and the numbers whose bands
    next to the others run against the direction ``monotone`` fixed for them."""

    metrics: tuple[MetricInfo, ...]
    against: tuple[str, ...]


def enter(portfolio: Portfolio, infos: Sequence[MetricInfo], fit: Additive, y: BoolArray,
          rows: npt.NDArray[np.intp] | None, dropped: Sequence[tuple[str, str]], *, k: int,
          min_share: float, prior: float, min_count: int = 0,
          special: Mapping[str, Special] | None = None,
          aside: Sequence[Banded] = (), levels_follow_churn: bool = True,
          directions: Mapping[str, tuple[int | None, str]] | None = None,
          ) -> Entered:
    """The numbers of ``dropped`` (left off for saying nothing on their own, or for own
    churn against the direction fixed for them), and the categories of ``aside`` (left
    off for levels that differ by chance, with their bands), that earn a place next to
    ``infos`` given their joint ``fit`` (on ``rows`` of the portfolio, all when ``None``;
    ``y`` their outcomes), as card metrics; a number's ``special`` values stay out of its
    bands; ``levels_follow_churn``: a category's levels earn points in the order of their
    churn rates; ``directions``: what ``monotone`` fixed for each metric (see
    :func:`~successkit.outcomes._card_options.directions`). A number with a fixed direction
    that stays off but would enter the other way round is named in ``against``."""
    fixed = directions or {}
    candidates = [name for name, reason in dropped if reason in (ALONE, AGAINST)
                  and portfolio.column(name).kind in (Kind.NUMBER, Kind.BOOLEAN)
                  and fixed.get(name, (None, "may"))[1] != "must"]
    if not candidates and not aside:
        return Entered((), ())
    # Residuals of staying, the card's modelled outcome.
    residual, curve = residuals([i.codes for i in infos], fit, y)
    weight = np.maximum(curve, 1e-12)
    entered, against = [], []
    for entry in aside:  # a loop over the few categories left off
        info = info_of(portfolio, y, rows, prior, *entry,
                       levels_follow_churn=levels_follow_churn)
        statistic, df = level_statistic(info.codes, residual, weight)
        if df and statistic > critical_chi2(df, SIGNIFICANCE):
            entered.append(info)
    for name in candidates:  # a loop over the few metrics left off
        values = _looked_at(portfolio, name, rows, special)
        codes = (special or {}).get(name, Special())
        direction = fixed.get(name, (None, "may"))[0]
        bins = _second_look(values, y, residual, weight, k, min_share, min_count, direction)
        if bins is None:
            if direction is not None and _second_look(
                    values, y, residual, weight, k, min_share, min_count, -direction):
                against.append(name)
            continue
        worst = 0 if bins.direction == HIGHER else len(bins.cuts)
        entered.append(info_of(portfolio, y, rows, prior, name, Kind.NUMBER, bins, False,
                               worst, codes.own, codes.as_missing))
    return Entered(tuple(entered), tuple(against))


def _looked_at(portfolio: Portfolio, name: str, rows: npt.NDArray[np.intp] | None,
               special: Mapping[str, Special] | None) -> FloatArray:
    """The number ``name`` on ``rows`` (all when ``None``), its special values read as
    missing while bands are looked for."""
    values = portfolio.column(name, Kind.NUMBER).values
    values = values if rows is None else values[rows]
    codes = (special or {}).get(name, Special())
    if codes.codes:
        values = np.where(np.isin(values, codes.codes), np.nan, values)
    return values


def runs_against(portfolio: Portfolio, infos: Sequence[MetricInfo], fit: Additive,
                 y: BoolArray, rows: npt.NDArray[np.intp] | None, names: Sequence[str], *,
                 k: int, min_share: float, min_count: int = 0,
                 special: Mapping[str, Special] | None = None) -> list[str]:
    """The monotone numbers of ``names`` (held flat on the card by their direction: under
    a point once rounded) whose bands the *other* way would explain the card's residuals
    beyond chance, by the second look's test: their own churn runs one way, their effect
    next to the other metrics the other (returns that come with frequent buying)."""
    held = {i.name: i.bins.direction for i in infos if i.name in names
            and i.kind is not Kind.CATEGORY and i.bins.turn is None and not i.bins.free
            and i.bins.cuts}
    if not held:
        return []
    residual, curve = residuals([i.codes for i in infos], fit, y)
    weight = np.maximum(curve, 1e-12)
    return [name for name, direction in held.items()  # a loop over the few held flat
            if _second_look(_looked_at(portfolio, name, rows, special), y, residual, weight,
                            k, min_share, min_count, -direction) is not None]
