"""Does the health score predict churn? :func:`evaluate` computes a :class:`ValidationReport`."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from successkit._arrays import FloatArray
from successkit._options import flag
from successkit.errors import DataError
from successkit.outcomes.auc import bootstrap_auc, roc_auc, weighted_auc
from successkit.outcomes.tables import band_table, decile_table, reliability_table
from successkit.outcomes.validation_report import ValidationReport, share
from successkit.scoring._outcome_inputs import both_outcomes, read_count, read_scores

__all__ = ["ValidationReport", "evaluate"]



def evaluate(
    scores: Any,
    churned: Any,
    *,
    arr: Any = None,
    bands: Any = None,
    probability: Any = None,
    higher_is_better: bool = True,
    ids: Any = None,
    n_boot: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> ValidationReport:
    """How well scores predicted churn: AUC with a bootstrap interval, lift, churn per band
    and decile, the misses, and (with probabilities) Brier score and reliability.

    Parameters
    ----------
    scores:
        A health score per account (higher is healthier), or a health result — which also
        gives the bands, each metric's own AUC and the model's fingerprint. NaN marks a
        missing score: that account is left out and counted in ``missing``.
    churned:
        Whether each account churned (booleans or 0/1): aligned with the scores by
        position, or by account id when it carries ids (a mapping, a pandas Series indexed
        by id, or one snapshot's labels, :meth:`ChurnLabels.on
        <successkit.contracts.ChurnLabels.on>`); ids that do not match are a
        :class:`~successkit.DataError` naming them. ``None`` or NaN is an *unknown* outcome
        (a censored label): left out and counted in ``unknown``.
    arr:
        ARR per account, for ARR-weighted figures.
    bands:
        A :class:`~successkit.Bands` to band the scores, or a band label per account.
    probability:
        A predicted churn probability per account (e.g. from a
        :class:`~successkit.CalibratedModel`), for the Brier score and reliability table.
    higher_is_better:
        ``False`` when the scores are risks (higher means more likely to churn).
    ids:
        Account ids, to name accounts in errors (a health result brings its own).
    n_boot:
        Bootstrap replicates for the AUC interval (0 skips it). Churned and staying
        accounts are resampled separately (a stratified bootstrap). The cost grows with
        accounts × replicates: about a second per 100,000 accounts at the default.
    confidence:
        Coverage of the interval.
    seed:
        Seed of the bootstrap, so the interval is reproducible.

    Returns
    -------
    ValidationReport

    Raises
    ------
    DataError
        Misaligned inputs, outcomes that are not booleans, missing or negative ARR,
        probabilities outside [0, 1], or no account with a score.
    ModelError
        The evaluated accounts all churned or all stayed: nothing to rank.

    Examples
    --------
    >>> import successkit as sk
    >>> report = sk.evaluate([80.0, 65, 30, 20, 55], [False, False, True, True, False],
    ...                      arr=[100, 50, 10, 30, 40], n_boot=0)
    >>> report.auc, report.churned_arr
    (1.0, 40.0)
    """
    read = read_scores(scores, bands=bands, ids=ids)
    n_all = read.score.shape[0]
    outcome, known = read.outcomes(churned)
    arr_all = read.arr_of(arr)
    prob_all = read.probability_of(probability)
    replicates = read_count(n_boot, "n_boot")
    read_count(seed, "seed")
    # A truthy "no" would silently read the scores the wrong way round.
    flag(higher_is_better, "higher_is_better")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float, np.number)) \
            or not 0 < float(confidence) < 1:
        raise DataError(f"confidence must lie strictly between 0 and 1, got {confidence!r}")
    level = float(confidence)

    keep = ~np.isnan(read.score)
    if prob_all is not None:
        keep &= ~np.isnan(prob_all)
    if not keep.any():
        raise DataError("no account has a score to evaluate")
    unknown = int((keep & ~known).sum())
    keep &= known
    if not keep.any():
        raise DataError(f"no scored account has a known outcome ({unknown} unknown)")
    score = read.score[keep]
    y = outcome[keep]
    arr_kept = None if arr_all is None else arr_all[keep]
    n = int(score.shape[0])
    n1 = both_outcomes(
        y,
        accounts="evaluated accounts",
        need="a score can only be validated against outcomes with both churned and staying "
        "accounts",
    )
    rate = n1 / n
    auc = roc_auc(score, y, higher_is_better=higher_is_better)
    low = high = float("nan")
    if replicates:
        boot = bootstrap_auc(score, y, replicates=replicates, seed=seed,
                             higher_is_better=higher_is_better)
        tail = (1 - level) / 2
        low, high = (float(q) for q in np.quantile(boot, [tail, 1 - tail]))
    deciles = decile_table(score, y, arr_kept, higher_is_better=higher_is_better)
    lift = float(deciles.churn_rate[0] / rate)

    arr_total = churned_arr = arr_auc = arr_lift = float("nan")
    if arr_kept is not None:
        arr_total = float(arr_kept.sum())
        churned_arr = float(arr_kept[y].sum())
        arr_auc = weighted_auc(score, y, arr_kept, higher_is_better=higher_is_better)
        overall = share(churned_arr, arr_total)
        top = deciles.arr_churn_rate
        arr_lift = float(top[0] / overall) if top is not None and overall > 0 else float("nan")

    band_rates = None
    misses: dict[str, Any] = {
        "green_before_churn": 0,
        "green_before_churn_share": float("nan"),
        "red_that_stayed": 0,
        "red_that_stayed_share": float("nan"),
        "green_before_churn_arr_share": float("nan"),
        "red_that_stayed_arr_share": float("nan"),
    }
    if read.bands is not None and read.band_order:
        labels = read.bands[keep]
        band_rates = band_table(labels, read.band_order, score, y, arr_kept)
        misses = _misses(labels, read.band_order, y, arr_kept)

    brier = float("nan")
    reliability = None
    if prob_all is not None:
        p = prob_all[keep]
        brier = float(np.mean((p - y) ** 2))
        reliability = reliability_table(p, y, arr_kept)

    metric_auc = {}
    for name, values in read.metric_scores.items():
        present = keep & ~np.isnan(values)
        metric_auc[name] = roc_auc(values[present], outcome[present], higher_is_better=True)

    # one line per part of the report: accounts, ranking, tables, ARR, probabilities,
    # per-metric ranking and provenance, misses
    return ValidationReport(
        accounts=n, missing=int(n_all - n - unknown), unknown=unknown, churned=n1, churn_rate=rate,
        auc=auc, auc_low=low, auc_high=high, confidence=level, n_boot=replicates,
        lift=lift, deciles=deciles, bands=band_rates,
        arr=arr_total, churned_arr=churned_arr, arr_auc=arr_auc, arr_lift=arr_lift,
        brier=brier, reliability=reliability,
        metric_auc=metric_auc, higher_is_better=higher_is_better, fingerprint=read.fingerprint,
        **misses,
    )


def _misses(
    labels: npt.NDArray[np.object_],
    order: tuple[str, ...],
    churned: npt.NDArray[np.bool_],
    arr: FloatArray | None,
) -> dict[str, Any]:
    """Churned accounts in the best band, and accounts of the worst band that stayed."""
    best = labels == order[-1]
    worst = labels == order[0]
    green = int((best & churned).sum())
    red_stayed = int((worst & ~churned).sum())
    out: dict[str, Any] = {
        "green_before_churn": green,
        "green_before_churn_share": share(green, float(churned.sum())),
        "red_that_stayed": red_stayed,
        "red_that_stayed_share": share(red_stayed, float(worst.sum())),
        "green_before_churn_arr_share": float("nan"),
        "red_that_stayed_arr_share": float("nan"),
    }
    if arr is not None:
        out["green_before_churn_arr_share"] = share(
            float(arr[best & churned].sum()), float(arr[churned].sum())
        )
        out["red_that_stayed_arr_share"] = share(
            float(arr[worst & ~churned].sum()), float(arr[worst].sum())
        )
    return out
