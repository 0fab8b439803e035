"""ARR at risk: ARR held in each health band, and the expected loss given churn
probabilities (:func:`arr_at_risk`, :class:`ArrAtRisk`)."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from successkit._arrays import FloatArray, array_field, nullable, optional_array, readonly_arrays
from successkit._html import html_table
from successkit._optional import import_optional
from successkit.data.portfolio import Portfolio
from successkit.data.read import listed
from successkit.errors import DataError
from successkit.scoring._outcome_inputs import read_arr, read_probability

__all__ = ["ArrAtRisk", "arr_at_risk"]



def _labels(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@readonly_arrays
@attrs.frozen(kw_only=True, repr=False)
class ArrAtRisk:
    """ARR per band, with expected loss when churn probabilities are known: made by
    :func:`arr_at_risk`.

    .. versionadded:: 0.1

    Attributes
    ----------
    labels:
        Bands, worst first.
    accounts, arr:
        Accounts and ARR per band.
    expected_loss:
        Σ ARR × churn probability per band, or ``None`` without probabilities.

    Examples
    --------
    >>> import successkit as sk
    >>> risk = sk.arr_at_risk(["red", "green", "red", "yellow"], [100, 400, 50, 200],
    ...                       order=["red", "yellow", "green"])
    >>> risk.labels, risk.arr.tolist(), risk.share.round(3).tolist()
    (('red', 'yellow', 'green'), [150.0, 200.0, 400.0], [0.2, 0.267, 0.533])
    """

    labels: tuple[str, ...] = attrs.field(converter=_labels)
    accounts: FloatArray = array_field()
    arr: FloatArray = array_field()
    expected_loss: FloatArray | None = array_field(
        default=None, converter=optional_array(np.float64)
    )

    @property
    def total(self) -> float:
        """ARR over all bands."""
        return float(self.arr.sum())

    @property
    def share(self) -> FloatArray:
        """Each band's share of the total ARR."""
        total = self.total
        return self.arr / total if total > 0 else np.full(self.arr.shape, np.nan)

    def columns(self) -> dict[str, Any]:
        """The table as named columns."""
        out: dict[str, Any] = {
            "band": list(self.labels),
            "accounts": self.accounts,
            "arr": self.arr,
            "share": self.share,
        }
        if self.expected_loss is not None:
            out["expected_loss"] = self.expected_loss
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: one list per column."""
        return {k: v if isinstance(v, list) else nullable(v) for k, v in self.columns().items()}

    def to_frame(self) -> Any:
        """The table as a pandas ``DataFrame`` indexed by band."""
        pd = import_optional("pandas", purpose="ArrAtRisk.to_frame()")
        columns = self.columns()
        index = columns.pop("band")
        return pd.DataFrame(
            {k: np.array(v) for k, v in columns.items()},
            index=pd.Index(index, name="band", dtype=object),
        )

    def __repr__(self) -> str:
        parts = ", ".join(
            f"{label} {arr:,.0f}" for label, arr in zip(self.labels, self.arr, strict=True)
        )
        return f"ArrAtRisk({parts})"

    def _repr_html_(self) -> str:
        return html_table(self.columns(), caption=repr(self))


def arr_at_risk(
    bands: Any,
    arr: Any,
    *,
    probability: Any = None,
    order: Any = None,
) -> ArrAtRisk:
    """ARR held in each band (and expected loss, ``Σ ARR × p``, given churn probabilities).

    Parameters
    ----------
    bands:
        A health result (its bands, worst first), or a band label per account.
    arr:
        ARR per account, aligned; or the name of the ARR column of the result's portfolio
        when ``bands`` is a health result that carries one (default column ``"arr"``).
    probability:
        Churn probability per account (e.g. ``calibrated.predict(portfolio)``).
    order:
        Band labels worst first, for bare labels (default: sorted labels).

    Returns
    -------
    ArrAtRisk

    Examples
    --------
    >>> import successkit as sk
    >>> risk = sk.arr_at_risk(["red", "green"], [100, 300], probability=[0.5, 0.1],
    ...                       order=["red", "green"])
    >>> risk.expected_loss.tolist()
    [50.0, 30.0]
    """
    from successkit.scoring.bands import Bands

    result_ids = None
    if hasattr(bands, "band") and hasattr(bands, "ids"):
        result_ids = np.asarray(bands.ids).astype(str)
        labels = np.asarray(bands.band, dtype=object)
        known = getattr(bands, "bands", None)
        if order is None and isinstance(known, Bands):
            order = known.labels
        if isinstance(arr, str):
            portfolio = getattr(bands, "portfolio", None)
            if not isinstance(portfolio, Portfolio):
                raise DataError(f"arr={arr!r} names a column, but the result has no portfolio")
            arr = portfolio.column(arr, "number").values
    else:
        if isinstance(bands, (str, bytes)) or np.isscalar(bands):
            raise DataError(f"bands must be a health result or a band label per account, "
                            f"got {bands!r}")
        labels = np.asarray(bands, dtype=object)
    if labels.ndim != 1:
        raise DataError(f"bands must be one-dimensional, got shape {labels.shape}")
    if isinstance(arr, str):
        raise DataError(f"arr={arr!r} names a column; with bare band labels pass ARR values")
    n = labels.shape[0]
    amounts = read_arr(arr, n, ids=result_ids)
    present = np.asarray(labels != None, dtype=np.bool_)  # noqa: E711 - elementwise
    found, code = np.unique(labels[present].astype(str), return_inverse=True)
    names = tuple(found.tolist()) if order is None else tuple(
        str(v) for v in listed(order, "order (the band labels, worst first)"))
    unknown = sorted(set(found.tolist()) - set(names))
    if unknown:
        raise DataError(f"band labels {unknown} are not in order={list(names)}")
    p = None if probability is None else read_probability(probability, n, ids=result_ids)
    # Each account's band among ``names`` (found labels are few: a loop over them).
    band = np.array([names.index(label) for label in found.tolist()], dtype=np.intp)[code]
    size = len(names)
    accounts = np.bincount(band, minlength=size).astype(np.float64)
    totals: FloatArray = np.bincount(band, amounts[present], minlength=size).astype(np.float64)
    losses: FloatArray | None = None
    if p is not None:
        loss = amounts[present] * p[present]
        losses = np.bincount(band, np.where(np.isnan(loss), 0.0, loss),
                             minlength=size).astype(np.float64)
    return ArrAtRisk(labels=names, accounts=accounts, arr=totals, expected_loss=losses)

