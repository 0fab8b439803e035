"""The options of :func:`~successkit.outcomes.fit_card` checked and read: a bad value is a
:class:`~successkit.ModelError` naming the option before any work is done."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._options import one_of
from successkit.data.portfolio import Portfolio
from successkit.errors import DataError, ModelError

__all__ = ["card_groups", "check_choice", "check_options", "cv_groups_of", "directions"]


def check_choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    """``value`` when it is one of ``allowed``, else a ModelError naming ``what``."""
    return one_of(value, allowed, what, ModelError)


# What each setting of ``monotone`` fixes: the direction (1 higher is better, −1 lower is
# better, None the data's) and the shape the bands may take (``turn`` of
# ``successkit.scoring._binning.bin_number``).
MONOTONE_SETTINGS: dict[str, tuple[int | None, str]] = {
    "auto": (None, "any"),
    "auto_one_turn": (None, "may"),
    "auto_monotone": (None, "never"),
    "free": (None, "free"),
    "higher_is_better": (1, "never"),
    "lower_is_better": (-1, "never"),
    "middle_is_best": (1, "must"),
    "middle_is_worst": (-1, "must"),
}


def directions(monotone: Any, names: Sequence[str], categories: Sequence[str] = ()
               ) -> dict[str, tuple[int | None, str]]:
    """What ``monotone`` fixes for each metric of ``names``: its direction (1 higher is
    better, −1 lower is better, ``None`` the data's) and the shape its bands may take
    (see :data:`MONOTONE_SETTINGS`). A mapping that fixes the shape of one of
    ``categories`` (which have no order along values) is refused, not ignored.

    Examples
    --------
    >>> directions({"tenure": "higher_is_better"}, ["tenure", "plan"])["tenure"]
    (1, 'never')
    >>> directions({"plan": "higher_is_better"}, ["tenure", "plan"], categories=["plan"])
    Traceback (most recent call last):
    successkit.errors.ModelError: monotone fixes the shape of a number ... 'plan' is a category...
    """
    allowed = tuple(MONOTONE_SETTINGS)
    code = MONOTONE_SETTINGS
    if isinstance(monotone, Mapping):
        unknown = [n for n in monotone if n not in names]
        if unknown:
            raise ModelError(f"monotone names metrics that are not candidates: {unknown}")
        for name in categories:  # a loop over the category columns
            if monotone.get(name, "auto") != "auto":
                raise ModelError(f"monotone fixes the shape of a number along its values, but "
                                 f"{name!r} is a category: its levels earn points in the order "
                                 f"level_order sets")
        return {n: code[check_choice(monotone.get(n, "auto"), allowed, f"monotone[{n!r}]")]
                for n in names}
    return dict.fromkeys(names, code[check_choice(monotone, allowed, "monotone")])


def card_groups(groups: Any, names: Sequence[str]) -> dict[str, str]:
    """``groups`` (metric → group name) checked against the candidate metrics ``names``: a
    metric that is not a candidate would be left out of its group without a word.

    Examples
    --------
    >>> card_groups({"logins": "adoption"}, ["logins", "plan"])
    {'logins': 'adoption'}
    >>> card_groups({"login": "adoption"}, ["logins", "plan"])
    Traceback (most recent call last):
    successkit.errors.ModelError: groups names metrics that are not candidates: ['login']
    """
    if groups is None:
        return {}
    if not isinstance(groups, Mapping) or not all(
            isinstance(name, str) and isinstance(group, str) for name, group in groups.items()):
        raise ModelError(f"groups must map metric names to group names, got {groups!r}")
    unknown = [name for name in groups if name not in names]
    if unknown:
        raise ModelError(f"groups names metrics that are not candidates: {unknown}")
    return dict(groups)


def cv_groups_of(portfolio: Portfolio, cv_groups: Any, keep: npt.NDArray[np.bool_]
                 ) -> npt.NDArray[np.str_]:
    """The group of each training row for cross-validation: the account id by default, a
    column's values (e.g. a period, for a split by time), or given values per row."""
    if cv_groups is None:
        return portfolio.ids
    if isinstance(cv_groups, str):
        return np.asarray(portfolio.column(cv_groups).to_numpy()).astype(str)
    groups = np.asarray(cv_groups).astype(str)
    if groups.ndim != 1 or groups.shape[0] != keep.shape[0]:
        raise DataError(f"cv_groups must have one value per account ({keep.shape[0]}), "
                        f"got shape {groups.shape}")
    return groups[keep]


def check_options(*, k: Any, max_metrics: Any, folds: Any, missing: Any, points: Any,
                  prior: Any, min_share: Any, min_category: Any, level_order: Any = "auto",
                  l2_toward: Any = "cv", by: Any = None, min_segment: Any = 200) -> None:
    """Every number and choice of ``fit_card`` in its range."""
    if by is not None and not isinstance(by, str):
        raise ModelError(f"by must be the name of a category column, got {by!r}")
    if isinstance(min_segment, bool) or not isinstance(min_segment, int) or min_segment < 1:
        raise ModelError(f"min_segment must be a positive integer, got {min_segment!r}")
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        # One band would leave every number off "for saying nothing about churn".
        raise ModelError(f"k must be an integer of at least 2 (the most bands of a number), "
                         f"got {k!r}")
    if max_metrics is not None and (isinstance(max_metrics, bool) or
                                    not isinstance(max_metrics, int) or max_metrics < 1):
        raise ModelError(f"max_metrics must be a positive integer, got {max_metrics!r}")
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ModelError(f"folds must be an integer of at least 2, got {folds!r}")
    check_choice(missing, ("auto", "rule"), "missing")
    check_choice(level_order, ("auto", "free", "churn"), "level_order")
    check_choice(l2_toward, ("cv", "scorecard", "flat"), "l2_toward")
    for what, value, low in (("points", points, 0.0), ("prior", prior, -1e-300),
                             ("min_share", min_share, -1e-300)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
                np.isfinite(value) and value > low) or (what == "min_share" and value >= 0.5):
            raise ModelError(f"{what} must be a finite number in range, got {value!r}")
    if isinstance(min_category, bool) or not isinstance(min_category, int) or min_category < 1:
        raise ModelError(f"min_category must be a positive integer, got {min_category!r}")
