"""Bands whose churn turns once: a number whose middle values are the best, or the worst.

Churn does not always move one way with a metric. Accounts that never open a support ticket
may be as disengaged as those that open dozens are struggling; the accounts in the middle
stay. A card can say so with one turn: points that rise to a peak and fall after it
(``middle_is_best``), or fall to a low and rise after it (``middle_is_worst``).

Two pieces, shared by the binning (:mod:`successkit.scoring._binning`) and the card's
regression (:mod:`successkit.scoring._card_solver`):

* :func:`best_turn` — the most likely churn rates over candidate bins that fall then rise
  (or rise then fall), at the best turn: pool adjacent violators from each end, with the
  log-likelihood of every prefix and suffix kept on the way, so all turns cost two passes;
* :func:`peaked` — the weighted least-squares values that rise up to a fixed top and fall
  after it: each side by pool adjacent violators, then the top is the weighted mean of its
  own target and every side value above it, which the sides are clipped to (a bound on a
  monotone fit is the clipped unbounded fit, so this is exact).
"""

from __future__ import annotations

import math

import numpy as np

from successkit._arrays import FloatArray
from successkit.scoring.isotonic import pool_adjacent_violators

__all__ = ["Turn", "best_turn", "peaked", "shape_of", "step_signs", "turn_of"]

# A turn: (direction before the turn, the first candidate bin after it, log-likelihood).
Turn = tuple[int, int, float]


def _loglik(n: float, e: float) -> float:
    """Binomial log-likelihood of ``e`` churned among ``n`` at their own rate."""
    out = 0.0
    if e > 0.0:
        out += e * math.log(e / n)
    if e < n:
        out += (n - e) * math.log((n - e) / n)
    return out


def _prefix_loglik(n: FloatArray, e: FloatArray, decreasing: bool) -> FloatArray:
    """``out[s]``: the log-likelihood of the monotone (pool adjacent violators) fit of the
    churn rates of bins ``0 .. s − 1`` — for every ``s`` in one pass."""
    out = np.zeros(n.shape[0] + 1)
    stack: list[tuple[float, float, float]] = []  # (n, e, log-likelihood) per block
    total = 0.0
    for b in range(n.shape[0]):  # a loop over the few candidate bins
        block_n, block_e = float(n[b]), float(e[b])
        if block_n > 0:
            while stack:
                top_n, top_e, top_ll = stack[-1]
                left, right = top_e * block_n, block_e * top_n
                if not ((right > left) if decreasing else (right < left)):
                    break
                stack.pop()
                total -= top_ll
                block_n += top_n
                block_e += top_e
            block_ll = _loglik(block_n, block_e)
            stack.append((block_n, block_e, block_ll))
            total += block_ll
        out[b + 1] = total
    return out


def best_turn(n: FloatArray, e: FloatArray, directions: tuple[int, ...] = (1, -1)
              ) -> Turn | None:
    """The turn whose one-turn fit of the churn rates of candidate bins (counts ``n``,
    churned ``e``) is most likely, among ``directions``: ``(direction, first bin after the
    turn, log-likelihood)``. Direction ``1`` (higher is better up to the turn): churn falls
    then rises, the middle is best; ``−1``: churn rises then falls. ``None`` with under
    three bins.

    Examples
    --------
    >>> n = np.full(6, 100.0)
    >>> e = np.array([60.0, 40.0, 20.0, 30.0, 45.0, 70.0])
    >>> direction, after, _ = best_turn(n, e)
    >>> direction, after
    (1, 2)
    """
    size = n.shape[0]
    if size < 3:
        return None
    best: Turn | None = None
    for direction in directions:  # 1: churn falls first (middle best); −1: rises first
        # The churn rate falls along the bins before the turn (direction 1) and rises
        # after it; the suffix fit is the prefix fit of the reversed bins.
        before = _prefix_loglik(n, e, decreasing=direction == 1)
        after = _prefix_loglik(n[::-1], e[::-1], decreasing=direction == 1)[::-1]
        total = before[1:size] + after[1:size]  # both sides keep at least one bin
        at = int(np.argmax(total)) + 1
        if best is None or float(total[at - 1]) > best[2]:
            best = (direction, at, float(total[at - 1]))
    return best


def peaked(target: FloatArray, weight: FloatArray, top: int) -> FloatArray:
    """The weighted least-squares fit to ``target`` that never decreases up to index
    ``top`` and never increases after it.

    Examples
    --------
    >>> peaked(np.array([1.0, 3.0, 2.0, 2.5, 0.0]), np.ones(5), 2).tolist()
    [1.0, 2.5, 2.5, 2.5, 0.0]
    """
    weight = np.maximum(weight, 1e-12)  # two empty bands pool to their plain average
    left = pool_adjacent_violators(target[:top], weight[:top])
    right = pool_adjacent_violators(target[top + 1:][::-1], weight[top + 1:][::-1])[::-1]
    sides = np.concatenate([left, right])
    side_weight = np.concatenate([weight[:top], weight[top + 1:]])
    mass, moment = float(weight[top]), float(weight[top] * target[top])
    level = moment / mass
    for i in np.argsort(-sides, kind="stable"):  # a loop over the few bands
        if sides[i] <= level:
            break
        mass += float(side_weight[i])
        moment += float(side_weight[i] * sides[i])
        level = moment / mass
    return np.concatenate([np.minimum(left, level), [level], np.minimum(right, level)])


def turn_of(rates: FloatArray, direction: int) -> int | None:
    """The band where churn rates that first move in ``direction`` turn (the lowest rate
    when ``direction`` is 1, the highest when −1), or ``None`` when that is an end band:
    the rates never turn."""
    at = int(np.argmin(rates * direction))
    return at if 0 < at < rates.shape[0] - 1 else None


def shape_of(rates: FloatArray, direction: int) -> tuple[int, int | None]:
    """The direction and turn that bands of a one-turn shape (churn first moving in
    ``direction``) state, from their churn rates: the turn when it falls on a middle
    band; when it falls on the first band every step runs the other way, so the bands are
    monotone in ``−direction``; on the last band, monotone in ``direction``.

    Examples
    --------
    >>> shape_of(np.array([0.4, 0.2, 0.3]), 1), shape_of(np.array([0.2, 0.4]), 1)
    ((1, 1), (-1, None))
    """
    turn = turn_of(rates, direction)
    if turn is None and rates.shape[0] > 1 and int(np.argmin(rates * direction)) == 0:
        return -direction, None
    return direction, turn


def step_signs(direction: int, turn: int | None, bands: int) -> FloatArray:
    """Per step between adjacent bands, the sign that makes a step of the churn rate a
    violation when positive: ``direction`` before the turn, the other way after it."""
    signs = np.full(max(bands - 1, 0), float(direction))
    if turn is not None:
        signs[turn:] = -direction
    return signs
