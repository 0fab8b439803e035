"""The report of a validation: :class:`ValidationReport`, its summary, tables and charts.

:func:`successkit.outcomes.validation.evaluate` computes the figures; this module holds
them and says them (text, dict, frames, HTML, plots).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import attrs
import numpy as np

from successkit._html import format_value, html_table
from successkit._optional import import_optional
from successkit._options import one_of
from successkit.errors import DataError
from successkit.outcomes.tables import RateTable
from successkit.scoring._outcome_plots import plot_calibration, plot_lift

__all__ = ["ValidationReport", "share"]

_TABLES = ("deciles", "bands", "reliability", "metrics")


def _freeze(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType({str(k): float(v) for k, v in value.items()})


def _json(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def share(part: float, whole: float) -> float:
    """``part / whole``, NaN when ``whole`` is not positive."""
    return part / whole if whole > 0 else float("nan")


@attrs.frozen(kw_only=True, repr=False)
class ValidationReport:
    """How well a health score predicted churn: made by :func:`evaluate`.

    .. versionadded:: 0.1

    Attributes
    ----------
    accounts:
        Accounts evaluated (those with a score).
    missing:
        Accounts left out because their score was missing (they are counted, not scored).
    unknown:
        Accounts left out because their outcome is unknown (``None`` or NaN: a censored
        label, whose outcome window has not closed yet).
    churned, churn_rate:
        Churned accounts among those evaluated, and their share.
    auc:
        ROC AUC: the probability that an account which stayed outscores one which churned
        (ties count one half). 0.5 is a coin toss, 1 a perfect ranking.
    auc_low, auc_high:
        The bootstrap confidence interval of :attr:`auc` at :attr:`confidence` (NaN when
        ``n_boot=0``).
    lift:
        Churn rate of the riskiest decile divided by the overall churn rate.
    deciles:
        Churn per risk decile, riskiest (lowest score) first.
    bands:
        Churn per band, worst band first, or ``None`` without bands.
    green_before_churn, green_before_churn_share:
        Churned accounts that sat in the *best* band (green) — the score's misses — and
        their share of all churned accounts.
    red_that_stayed, red_that_stayed_share:
        Accounts in the *worst* band (red) that did not churn, and their share of the band.
    arr, churned_arr, arr_auc, arr_lift:
        With ARR: total and churned ARR, the AUC with every (stayer, churner) pair weighted
        by the product of their ARR, and the top decile's ARR churn rate over the overall
        one. ``green_before_churn_arr_share`` is the share of churned ARR that was green,
        ``red_that_stayed_arr_share`` the share of red ARR that stayed. NaN without ARR.
    brier:
        With probabilities: the mean squared error of the predicted churn probability
        (lower is better; predicting the base rate for everyone scores
        ``rate × (1 - rate)``). NaN without probabilities.
    reliability:
        With probabilities: predicted against observed churn per probability bin.
    metric_auc:
        With a health result: each metric's own AUC over the accounts where it is present.
    fingerprint:
        The fingerprint of the model that produced the scores, when known.
    confidence, n_boot:
        The interval's coverage and the bootstrap replicates behind it.
    higher_is_better:
        ``False`` when the scores evaluated were risks.

    Examples
    --------
    >>> import numpy as np
    >>> import successkit as sk
    >>> scores = np.array([92.0, 85, 77, 71, 64, 58, 45, 38, 30, 22, np.nan])
    >>> churned = [False, False, False, True, False, False, False, True, True, False, True]
    >>> report = sk.evaluate(scores, churned, bands=sk.Bands(), n_boot=200)
    >>> report.accounts, report.missing, report.churned
    (10, 1, 3)
    >>> round(report.auc, 3)
    0.714
    >>> report.green_before_churn, report.red_that_stayed
    (1, 1)
    >>> print(report.summary().splitlines()[1])
    AUC 0.714 (95% CI ...), top-decile lift 0.0×
    """

    accounts: int
    missing: int
    churned: int
    churn_rate: float
    auc: float
    auc_low: float
    auc_high: float
    confidence: float
    n_boot: int
    lift: float
    deciles: RateTable
    bands: RateTable | None
    green_before_churn: int
    green_before_churn_share: float
    red_that_stayed: int
    red_that_stayed_share: float
    arr: float
    churned_arr: float
    arr_auc: float
    arr_lift: float
    green_before_churn_arr_share: float
    red_that_stayed_arr_share: float
    brier: float
    reliability: RateTable | None
    metric_auc: Mapping[str, float] = attrs.field(converter=_freeze, factory=dict)
    higher_is_better: bool = True
    fingerprint: str | None = None
    unknown: int = 0

    # -- views --------------------------------------------------------------------------------

    @property
    def has_arr(self) -> bool:
        """Whether ARR was given (ARR-weighted figures are defined)."""
        return self.deciles.arr is not None

    def summary(self) -> str:
        """A few lines of plain text: AUC with its interval, lift, bands, misses.

        Examples
        --------
        >>> import successkit as sk
        >>> report = sk.evaluate([80.0, 30, 60, 20], [False, True, False, True], n_boot=0)
        >>> print(report.summary())
        4 accounts evaluated; 2 churned (50.0%)
        AUC 1.000, top-decile lift 2.0×
        """
        lines = [self._headline()]
        auc = f"AUC {self.auc:.3f}"
        if not np.isnan(self.auc_low):
            auc += (
                f" ({self.confidence:.0%} CI {self.auc_low:.3f}–{self.auc_high:.3f}, "
                f"{self.n_boot} bootstrap samples)"
            )
        lines.append(f"{auc}, top-decile lift {self.lift:.1f}×")
        if self.has_arr:
            lines.append(
                f"ARR: {self.churned_arr:,.0f} of {self.arr:,.0f} churned "
                f"({share(self.churned_arr, self.arr):.1%}); ARR-weighted AUC "
                f"{self.arr_auc:.3f}, ARR lift {self.arr_lift:.1f}×"
            )
        if self.bands is not None and len(self.bands):
            rows = ", ".join(
                f"{label} {int(n)} ({rate:.1%} churned)" if n else f"{label} 0"
                for label, n, rate in zip(
                    self.bands.labels, self.bands.accounts, self.bands.churn_rate, strict=True
                )
            )
            lines.append(f"Bands: {rows}")
            best, worst = self.bands.labels[-1], self.bands.labels[0]
            lines.append(
                f"Missed: {self.green_before_churn} of {self.churned} churned accounts were "
                f"{best} ({_pct(self.green_before_churn_share)}); "
                f"{self.red_that_stayed} {worst} accounts stayed "
                f"({_pct(self.red_that_stayed_share)} of {worst})"
            )
        if not np.isnan(self.brier):
            lines.append(f"Brier score {self.brier:.4f} "
                         f"(base rate alone: {self.churn_rate * (1 - self.churn_rate):.4f})")
        if self.metric_auc:
            ranked = sorted(self.metric_auc.items(), key=lambda kv: -np.nan_to_num(kv[1]))
            lines.append("Metric AUC: " + ", ".join(f"{k} {v:.3f}" for k, v in ranked))
        return "\n".join(lines)

    def _headline(self) -> str:
        head = f"{self.accounts} accounts evaluated"
        left_out = []
        if self.missing:
            left_out.append(f"{self.missing} without a score")
        if self.unknown:
            left_out.append(f"{self.unknown} with an unknown outcome")
        if left_out:
            head += f" ({' and '.join(left_out)} left out)"
        return f"{head}; {self.churned} churned ({self.churn_rate:.1%})"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (undefined figures are ``None``).

        Examples
        --------
        >>> import json
        >>> import successkit as sk
        >>> report = sk.evaluate([80.0, 30, 60, 20], [False, True, False, True], n_boot=0)
        >>> data = report.to_dict()
        >>> data["auc"], data["auc_low"], len(data["deciles"]["decile"])
        (1.0, None, 10)
        >>> _ = json.dumps(data, allow_nan=False)
        """
        scalars = {
            name: getattr(self, name)
            for name in (
                "accounts", "missing", "unknown", "churned", "churn_rate", "auc", "auc_low",
                "auc_high",
                "confidence", "n_boot", "lift", "green_before_churn", "green_before_churn_share",
                "red_that_stayed", "red_that_stayed_share", "arr", "churned_arr", "arr_auc",
                "arr_lift", "green_before_churn_arr_share", "red_that_stayed_arr_share",
                "brier",
            )
        }
        out: dict[str, Any] = {
            k: _json(v) if isinstance(v, float) else v for k, v in scalars.items()
        }
        out["higher_is_better"] = self.higher_is_better
        out["fingerprint"] = self.fingerprint
        out["deciles"] = self.deciles.to_dict()
        out["bands"] = None if self.bands is None else self.bands.to_dict()
        out["reliability"] = None if self.reliability is None else self.reliability.to_dict()
        out["metric_auc"] = {k: _json(v) for k, v in self.metric_auc.items()}
        return out

    def table(self, which: str = "deciles") -> dict[str, Any]:
        """One of the report's tables as named columns: ``"deciles"``, ``"bands"``,
        ``"reliability"`` or ``"metrics"`` (per-metric AUC)."""
        if not isinstance(which, str) or which not in _TABLES:
            raise DataError(f"no table {which!r}; choose one of {', '.join(_TABLES)}")
        if which == "metrics":
            aucs = np.array(list(self.metric_auc.values()), dtype=np.float64)
            return {"metric": list(self.metric_auc), "auc": aucs}
        found = {"deciles": self.deciles, "bands": self.bands, "reliability": self.reliability}
        table = found[which]
        if table is None:
            needs = "bands= or a health result" if which == "bands" else "probability="
            raise DataError(f"the report has no {which} table; evaluate() with {needs}")
        return table.columns()

    def to_frame(self, which: str = "deciles") -> Any:
        """One table as a pandas ``DataFrame`` (needs ``successkit[pandas]``); see
        :meth:`table` for the choices."""
        pd = import_optional("pandas", purpose="ValidationReport.to_frame()")
        columns = self.table(which)
        index_name = next(iter(columns))
        index = columns.pop(index_name)
        return pd.DataFrame(
            {k: np.array(v) for k, v in columns.items()},
            index=pd.Index(index, name=index_name, dtype=object),
        )

    def plot(self, ax: Any = None, **kwargs: Any) -> Any:
        """The cumulative gain chart: the share of churned accounts caught by contacting
        the riskiest accounts first, against a random order and a perfect ranking (needs
        ``successkit[plot]``); ``kwargs`` go to ``Axes.plot``. Returns the ``Axes``."""
        from successkit.outcomes._plots import plot_gain

        return plot_gain(self, ax, **kwargs)

    def plot_lift(self, ax: Any = None, *, by: str = "deciles", **kwargs: Any) -> Any:
        """Churn rate per risk decile (or per band, ``by="bands"``) against the overall
        rate, as a bar chart (needs ``successkit[plot]``); ``kwargs`` go to ``Axes.bar``.
        Returns the matplotlib ``Axes``."""
        return plot_lift(self, ax=ax, by=one_of(by, ("deciles", "bands"), "by"), **kwargs)

    def plot_calibration(self, ax: Any = None, **kwargs: Any) -> Any:
        """Observed against predicted churn per probability bin (needs probabilities and
        ``successkit[plot]``); ``kwargs`` go to ``Axes.plot``. Returns the ``Axes``."""
        return plot_calibration(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        ci = "" if np.isnan(self.auc_low) else f" [{self.auc_low:.3f}, {self.auc_high:.3f}]"
        return (
            f"ValidationReport(accounts={self.accounts}, churned={self.churned}, "
            f"auc={self.auc:.3f}{ci}, lift={self.lift:.2f})"
        )

    def _repr_html_(self) -> str:
        figures = {
            "accounts": self.accounts,
            "missing score": self.missing,
            "unknown outcome": self.unknown,
            "churned": self.churned,
            "churn rate": self.churn_rate,
            "AUC": self.auc,
            f"AUC {self.confidence:.0%} CI": (
                "—" if np.isnan(self.auc_low) else f"{self.auc_low:.3f}–{self.auc_high:.3f}"
            ),
            "top-decile lift": self.lift,
        }
        if self.has_arr:
            figures.update({"ARR-weighted AUC": self.arr_auc, "ARR lift": self.arr_lift})
        if self.bands is not None:
            figures.update({
                "green before churn": self.green_before_churn,
                "red that stayed": self.red_that_stayed,
            })
        if not np.isnan(self.brier):
            figures["Brier score"] = self.brier
        head = html_table(
            {"measure": list(figures), "value": [format_value(v) for v in figures.values()]},
            caption=repr(self),
        )
        table = self.bands if self.bands is not None else self.deciles
        columns = table.columns()
        return head + html_table(columns, caption=f"churn per {table.kind}")


def _pct(value: float) -> str:
    return "—" if np.isnan(value) else f"{value:.1%}"
