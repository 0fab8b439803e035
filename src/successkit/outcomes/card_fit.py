"""Fitting a whole health card from churn outcomes: bands, points and the metrics on it.

:func:`fit_card` learns, from training accounts and whether they churned, an ordinary
:class:`~successkit.HealthModel` whose metrics score with :class:`~successkit.Thresholds`
(numbers, monotone bands with learnt cut points) and :class:`~successkit.Categories`
(points per level), the way a credit scorecard is built:

1. each metric is binned on its own (:mod:`successkit.scoring._binning`): at most ``k``
   monotone bands for a number, as many as predict held-out folds best — or one turn
   (:mod:`successkit.scoring._turns`, the middle values best or worst) when the data show
   one beyond chance and it predicts held-out folds better — or bands of any shape, each
   band's points following its churn rate, when they predict held-out folds clearly
   better still — or, when churn
   moves steadily with it, up to ``k`` readable quantile bands whose log-odds lie on a
   monotone logistic curve in the value or its log
   (:mod:`successkit.scoring._smooth_binning`), when those predict held-out folds as well;
   one band per common
   level for a category (rare levels pool into one, whose points a level never seen in
   training also earns: the scheme's ``other``, else the average account's points), left
   off when its levels predict held-out folds clearly worse than the overall rate (they
   differ by chance); a band's *weight of evidence* is its log-odds of staying against
   the whole portfolio's;
2. the points are fitted jointly, in two stages (:mod:`successkit.scoring._card_solver`):
   the classic scorecard (one coefficient ≥ 0 per metric times its bands' weight of
   evidence), then free log-odds per band — monotone in a number's direction, a category's
   levels in the order of their own churn rates unless a score test on the card's
   residuals frees them — pulled by an L2 penalty toward that scorecard or toward no
   points at all (plain ridge, which shares a signal among metrics that repeat it), the
   strength and the target chosen together by cross-validation on the training accounts
   (each fold's scorecard and level order learnt again without its held-out accounts),
   so a band earns what it is worth *next to* the other metrics, and only as far as that
   predicts held-out accounts better;
3. a number that said nothing on its own, or a category whose levels differed by chance,
   gets a second look on the fitted card's residuals
   (:mod:`successkit.outcomes._card_entry`) and joins when a score test passes; then with
   ``max_metrics`` the least important metrics go until that many are left; metrics that
   earn nothing are named with the kept metric they repeat;
4. points: each band's log-odds above the metric's worst band, scaled so the best account
   earns ``points`` in all and rounded, so a band with better odds of staying never earns
   fewer points.

The model scores with ``missing="zero"`` and weighs each metric by its most points, so the
health score is ``100 × points earned / points possible`` — a straight line in the fitted
log-odds of staying. A missing value scores as the worst band; when missing values churn
differently from the worst band (e.g. no NPS answer) the metric, number or category, gets a
companion metric ``<name>_missing`` (``1`` when the value is missing) carrying the missing
band's points. A number's ``special`` codes (``-1`` for "never asked") stay out of its
bands and earn points of their own on its scheme (:mod:`successkit.outcomes._card_special`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from successkit.data.history import History
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio, not_a_portfolio
from successkit.data.read import listed
from successkit.errors import DataError, ModelError
from successkit.outcomes._card_entry import AGAINST_NEXT, AGAINST_OWN, enter, runs_against
from successkit.outcomes._card_history import history_rows
from successkit.outcomes._card_options import (
    card_groups,
    check_options,
    cv_groups_of,
    directions,
)
from successkit.outcomes._card_points import by_chance, card_metrics, levels_against_churn
from successkit.outcomes._card_prep import UNDER_A_POINT, Banded, info_of, learn_bands
from successkit.outcomes._card_segments import segment_cards
from successkit.outcomes._card_select import (
    anchored,
    choose_l2,
    free_levels,
    name_twins,
    select,
    two_stage,
)
from successkit.outcomes._card_special import rare_notes, read_special, split_special
from successkit.outcomes.card_result import CardFit
from successkit.scoring._card_solver import RowKeys
from successkit.scoring._outcome_inputs import both_outcomes, read_labels
from successkit.scoring.bands import Bands
from successkit.scoring.health import HealthModel
from successkit.scoring.schemes import Thresholds
from successkit.scoring.segmented import SegmentedModel

__all__ = ["fit_card"]


# A number's cuts are learnt on about this many rows, and the Newton curvature is
# estimated from about this many (chosen by account id, not row order, so shuffled rows
# give the same card).
BINNING_ROWS = 200_000
# The points are fitted on about this many (a sample of the binning sample).
FIT_ROWS = 100_000
# Dropped metrics are compared with the kept ones on about this many rows.
TWIN_ROWS = 20_000


def fit_card(
    portfolio: Portfolio | History,
    churned: Any,
    *,
    columns: Sequence[str] | None = None,
    k: int = 10,
    max_metrics: int | None = None,
    monotone: str | Mapping[str, str] = "auto",
    level_order: str = "auto",
    l2: float | str = "cv",
    l2_toward: str = "cv",
    folds: int = 5,
    cv_groups: Any = None,
    groups: Mapping[str, str] | None = None,
    points: float = 1000.0,
    missing: str = "auto",
    special: Sequence[float] | Mapping[str, Sequence[float]] | None = None,
    min_share: float = 0.01,
    min_category: int = 20,
    prior: float = 20.0,
    by: str | None = None,
    min_segment: int = 200,
    bands: Bands | None = None,
) -> CardFit:
    """Fit a health card — bands, cut points, points per band and level, and the metrics on
    it — from churn outcomes. See the module docs for the method.

    Parameters
    ----------
    portfolio:
        The training accounts (hold out test accounts yourself); or a
        :class:`~successkit.History`, whose labelled snapshots are stacked into one table
        with a row per account and date (named ``"<id>@<date>"``).
    churned:
        Whether each account churned, aligned with ``portfolio.ids`` (a mapping or a pandas
        Series with an id index is aligned by id). ``None`` / NaN outcomes are left out and
        counted in ``left_out``. With a history: :class:`~successkit.ChurnLabels` (from
        ``churn_labels`` or ``lapsed_labels``) on its snapshot dates; snapshots without
        labels, and accounts that were not customers on a date, are not used and are
        counted in ``notes``.
    columns:
        The candidate metrics (columns of numbers, booleans or categories); default every
        such column.
    k:
        The most bands of a number metric (at least 2); fewer when more do not predict
        held-out accounts better.
    max_metrics:
        Keep at most this many metrics (backward elimination by importance).
    monotone:
        The shape of a number's points along its values, for all metrics or as a mapping
        metric → setting: ``"auto"`` — the direction the data show, or one turn when the
        data show one beyond chance and it predicts held-out folds better, or bands of any
        shape when they predict held-out folds clearly better still (see ``turns``);
        ``"auto_one_turn"`` — the direction the data show, or one turn, never more;
        ``"auto_monotone"`` — the direction the data show, never a turn;
        ``"higher_is_better"`` or ``"lower_is_better"``; ``"middle_is_best"`` or
        ``"middle_is_worst"`` — one turn, its place learnt; ``"free"`` — bands of any
        shape, each band's points following its churn rate (a metric whose data run
        the other way is listed in ``against_direction``). A fixed direction holds next
        to the other metrics too: a number whose own churn runs against it can still earn
        points that way there (returns that come with frequent buying). Numbers only: a
        mapping that fixes a category's shape is a ``ModelError`` (see ``level_order``).
    level_order:
        How a category's levels are ordered: ``"auto"`` — in the order of their own churn
        rates, unless a score test shows, beyond chance, that the levels earn points in
        another order next to the other metrics (see ``levels_against_churn``);
        ``"churn"`` — always in churn order; ``"free"`` — whatever the joint fit finds.
    l2, l2_toward:
        How strongly each band's points are pulled (in accounts' worth of curvature per
        band), and toward what: ``"scorecard"`` — the classic scorecard's points (each
        band's weight of evidence times one coefficient per metric); ``"flat"`` — no
        points at all, so metrics that repeat one signal share it rather than each keep
        its own noisy bands; ``"cv"`` (both defaults) — chosen together, the strength from
        10 000 down to 0.001 (100 down to 1 for the flat card), then the best × 3.16
        and ÷ 3.16, by ``folds``-fold cross-validation on the training accounts, rows of
        one account in one fold, each fold's scorecard and level order learnt again
        without its held-out accounts.
    folds, cv_groups:
        The number of folds; what keeps rows together in a fold: by default the account
        id (with a history, every snapshot of an account stays in one fold), else a column
        name (e.g. a period, for a split by time) or one value per account. With a history,
        ``"as_of"`` keeps each snapshot date's rows in one fold. The folds also choose
        each number metric's count of bands.
    groups:
        Metric → group name, for a two-level card (every name a candidate metric; one
        left off the card is simply not in its group).
    points:
        The points the best possible account earns (rounded per band; the health score is
        ``100 × points earned / points possible`` whatever this is).
    missing:
        ``"auto"``: missing values get a band of their own when at least ``min_category``
        of them churn significantly differently from the worst band; ``"rule"``: they
        score as the worst band (0 points, unless a special value earns less).
    special:
        Codes of a number that are not amounts (``-1`` for "never asked", say), for every
        number metric or as a mapping metric → codes: a code held by at least
        ``min_category`` training accounts earns points of its own, outside the number's
        bands and direction; a rarer one reads as missing (said in ``notes``).
    min_share, min_category, prior:
        The smallest share of accounts in a number band (default 1 %: narrow bands catch
        the extremes and small pockets, where churn moves most); the fewest accounts a
        category level, a number band or a missing band needs for points of its own; the
        pseudo-accounts at the overall churn rate that shrink every band's rate.
    by, min_segment:
        Fit one card per value of this category column, each band's churn rate shrunk
        toward the pooled card's (partial pooling); segments under ``min_segment``
        accounts use the pooled card.
    bands:
        The score bands of the card (default red 0 / yellow 40 / green 70).

    Returns
    -------
    CardFit

    Raises
    ------
    ModelError
        One outcome class only, no metric predicts churn, or bad options.
    DataError
        Unknown columns, outcomes not aligned with the portfolio.

    Examples
    --------
    >>> import numpy as np
    >>> import successkit as sk
    >>> from successkit.outcomes import fit_card
    >>> rng = np.random.default_rng(0)
    >>> login = rng.uniform(0, 1, 4000)
    >>> plan = rng.choice(["basic", "pro"], 4000)
    >>> risk = np.where(login < 0.5, 0.5, 0.1) + np.where(plan == "basic", 0.1, 0.0)
    >>> pf = sk.Portfolio.from_columns({"id": np.arange(4000).astype(str),
    ...                                 "login_rate": login, "plan": plan})
    >>> fitted = fit_card(pf, rng.random(4000) < risk)
    >>> fitted.model.metric("login_rate").scheme.cuts
    (0.5,)
    >>> dict(fitted.model.metric("plan").scheme.mapping)
    {'basic': 0.0, 'pro': 217.0}
    """
    history_notes: list[str] = []
    rows = "accounts"
    if isinstance(portfolio, History):
        rows = "account-snapshots"
        portfolio, churned, cv_groups, history_notes = history_rows(portfolio, churned,
                                                                    cv_groups)
    if not isinstance(portfolio, Portfolio):
        raise not_a_portfolio(portfolio, "a Portfolio or a History")
    check_options(k=k, max_metrics=max_metrics, folds=folds, missing=missing, points=points,
                  prior=prior, min_share=min_share, min_category=min_category,
                  level_order=level_order, l2_toward=l2_toward, by=by,
                  min_segment=min_segment)
    follow = level_order != "free"
    labels, keep = read_labels(churned, len(portfolio), ids=portfolio.ids)
    y = labels[keep]
    left_out = int((~keep).sum())
    if left_out:
        portfolio = portfolio.take(np.flatnonzero(keep))
    both_outcomes(y, accounts="training accounts",
                  need="a card can only be learnt from both churned and staying accounts")
    names = _candidates(columns) if columns is not None else [
        c for c in portfolio.names
        if portfolio.column(c).kind in (Kind.NUMBER, Kind.BOOLEAN, Kind.CATEGORY) and c != by]
    dropped: list[tuple[str, str]] = []
    if columns is None:  # date columns are not candidates, but are not passed over in silence
        dropped += [(c, "is a date column: a card reads numbers and categories (make it a "
                     "number first, e.g. days since)") for c in portfolio.names
                    if portfolio.column(c).kind is Kind.DATE and c != by]
    against: list[str] = []
    keys = RowKeys.of(cv_groups_of(portfolio, cv_groups, keep))
    # Bands are learnt, and points fitted, on a sample of whole accounts when there are
    # many: a few hundred band values need far fewer rows than a million.
    sample = keys.sample(BINNING_ROWS) if len(portfolio) > BINNING_ROWS else None
    specials = split_special(portfolio, read_special(special, names, portfolio), sample,
                             min_category)
    aside: list[Banded] = []  # categories whose levels differ by chance: a second look
    grouped = card_groups(groups, names)
    fixed = directions(monotone, names, [n for n in names if n in portfolio.names
                                         and portfolio.column(n).kind is Kind.CATEGORY])
    learnt = learn_bands(portfolio, y, names, sample, directions=fixed,
                         k=k, min_share=min_share, min_category=min_category, missing=missing,
                         folds=keys.folds(folds), n_folds=folds, against=against,
                         dropped=dropped, named=columns is not None, special=specials,
                         prior=prior, aside=aside)
    # Points are fitted on a smaller sample (per-segment cards need every account's bands).
    fit_sample = keys.sample(FIT_ROWS) if len(portfolio) > FIT_ROWS else None
    coded = None if by is not None else fit_sample
    fit_y = y if coded is None else y[coded]
    infos = [info_of(portfolio, fit_y, coded, prior, *entry, levels_follow_churn=follow)
             for entry in learnt]
    if not infos:
        raise ModelError(f"no candidate metric can earn points: {dict(dropped)}")
    fit_keys = keys if coded is None else keys.take(coded)
    fit_rows = fit_sample if coded is None else None
    chosen, pull, losses = choose_l2(infos, fit_y, l2, l2_toward, folds, fit_keys, prior,
                                     fit_rows)
    fit = two_stage(infos, fit_y, chosen, fit_rows, pull)
    # Before selection, so a freed category competes at its worth; then L2 is chosen again.
    if level_order == "auto" and (freed := free_levels(infos, fit, fit_y, fit_rows)) is not infos:
        infos = freed
        chosen, pull, losses = choose_l2(infos, fit_y, l2, l2_toward, folds, fit_keys,
                                         prior, fit_rows)
        fit = two_stage(infos, fit_y, chosen, fit_rows, pull)
    # Numbers that said nothing on their own, and categories whose levels differed by
    # chance, get a second look next to the others (before selection: they compete).
    second = enter(portfolio, infos, fit, fit_y, coded, dropped, k=k, min_share=min_share,
                    min_count=min_category, prior=prior, special=specials, aside=aside,
                    levels_follow_churn=follow, directions=fixed)
    entered = second.metrics
    # What the data said next to the others, not on their own.
    dropped, against = _against(dropped, against, dict.fromkeys(second.against, AGAINST_NEXT))
    if entered:
        joined = {i.name for i in entered}
        dropped = [(name, reason) for name, reason in dropped if name not in joined]
        order = {name: j for j, name in enumerate(names)}
        infos = sorted([*infos, *entered], key=lambda info: order.get(info.name, len(order)))
        # A number whose own churn runs against the direction fixed for it has no weight of
        # evidence that way: the classic scorecard scales its values next to the others.
        infos = anchored(infos, joined & set(against), fit_y, fit_rows)
        fit = two_stage(infos, fit_y, chosen, fit_rows, pull)
        # A category back on its second look mattered only next to the others: its levels
        # may well earn points against their own churn order.
        if level_order == "auto" and any(i.kind is Kind.CATEGORY for i in entered) and (
                freed := free_levels(infos, fit, fit_y, fit_rows)) is not infos:
            infos = freed
            fit = two_stage(infos, fit_y, chosen, fit_rows, pull)
    infos, fit = select(infos, fit_y, chosen, max_metrics, dropped, fit, fit_rows, pull)
    tables = {i.name: t for i, t in zip(infos, fit.tables, strict=True)}
    metrics, scale = card_metrics(infos, float(points), tables, dropped, grouped)
    # A number its direction held flat, whose residuals run the other way: a fixed
    # direction the data could not honour next to the others, or its own churn's
    # direction hiding what it says next to them; the report says which.
    flat = [name for name, reason in dropped if reason == UNDER_A_POINT]
    turned = runs_against(portfolio, infos, fit, fit_y, coded, flat, k=k,
                          min_share=min_share, min_count=min_category, special=specials)
    dropped, against = _against(dropped, against, {
        name: AGAINST_NEXT if fixed.get(name, (None, "may"))[0] is not None else AGAINST_OWN
        for name in turned})
    # After the points are rounded: a metric left off for earning under a point names the
    # kept metric it repeats.
    left_off = {name for name, _ in dropped}
    dropped = name_twins(portfolio, dropped, [i.name for i in infos if i.name not in left_off],
                         keys.sample(TWIN_ROWS))
    card_bands = bands if bands is not None else Bands()
    pooled = HealthModel(metrics, bands=card_bands, missing="zero", min_coverage=0.0)
    notes = [*history_notes]
    if left_out:
        notes.append(f"left out {left_out} {rows} whose outcome is unknown")
    notes += rare_notes(specials, min_category)
    model: HealthModel | SegmentedModel = pooled
    if by is not None:
        model = segment_cards(portfolio, by, y, infos, fit, pooled, left_off=left_off,
                              points=float(points), scale=scale, groups=grouped,
                              bands=card_bands, prior=prior, min_segment=min_segment,
                              notes=notes)
    return CardFit(
        model=model,
        dropped=tuple(dropped),
        against_direction=tuple(against),
        turns=tuple((m.name, m.scheme.shape) for m in metrics
                    if isinstance(m.scheme, Thresholds) and m.scheme.shape != "monotone"),
        levels_against_churn=levels_against_churn(infos, metrics),
        by_chance=by_chance(infos, metrics, {i.name for i in entered}),
        missing_bands=tuple(i.name for i in infos if i.missing_band),
        l2=chosen,
        l2_toward=pull,
        cv_loss=losses,
        left_out=left_out,
        notes=tuple(notes),
        portfolio=portfolio,
        churned=y,
        counted=rows,
    )


def _candidates(columns: Any) -> list[str]:
    """The names given as ``columns=``: a sequence of column names, each once."""
    names = listed(columns, "columns")
    odd = next((name for name in names if not isinstance(name, str)), None)
    if odd is not None:
        raise DataError(f"columns must be column names, got {odd!r}")
    again = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if again is not None:
        raise DataError("is named twice in columns", column=again)
    return names


def _against(dropped: list[tuple[str, str]], against: list[str], reasons: dict[str, str]
             ) -> tuple[list[tuple[str, str]], list[str]]:
    """``dropped`` with the new ``reasons`` (metric → why) of metrics left off, and
    ``against`` with those whose reason is a fixed direction run against."""
    named = [name for name, why in reasons.items() if why == AGAINST_NEXT and name not in against]
    return [(name, reasons.get(name, why)) for name, why in dropped], [*against, *named]
