"""Accounts and ARR per band: the first table a CS lead asks for."""

from __future__ import annotations

from typing import Any, ClassVar

import attrs
import numpy as np
import numpy.typing as npt

from successkit._grid import GridSummary
from successkit._html import background
from successkit._optional import import_optional
from successkit.scoring.bands import Bands

__all__ = ["HealthSummary", "band_summary"]


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole > 0 else "—"


@attrs.frozen(kw_only=True)
class HealthSummary(GridSummary):
    """Accounts (and ARR) per band, lowest band first; a ``missing`` row counts accounts
    without a score when there are any.

    .. versionadded:: 0.1

    Examples
    --------
    >>> import successkit as sk
    >>> model = sk.HealthModel([sk.Metric("x", scheme=sk.Linear(0, 1))])
    >>> pf = sk.Portfolio.from_columns({"id": ["a", "b"], "x": [0.2, None]})
    >>> summary = model.score(pf).summary()
    >>> summary.bands, summary.accounts, summary.arr
    (('red', 'yellow', 'green', 'missing'), (1, 0, 0, 1), None)
    """

    _caption: ClassVar[str] = "accounts per band"

    bands: tuple[str, ...]
    accounts: tuple[int, ...]
    arr: tuple[float, ...] | None
    colours: tuple[str | None, ...]
    mean_score: float

    @property
    def total_accounts(self) -> int:
        """All accounts, with or without a band."""
        return sum(self.accounts)

    @property
    def total_arr(self) -> float | None:
        """All ARR (``None`` without an ARR column)."""
        return None if self.arr is None else float(sum(self.arr))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types: ``{"bands": [...], "accounts": [...], "arr": [...] | None}``."""
        return {
            "bands": list(self.bands),
            "accounts": list(self.accounts),
            "arr": None if self.arr is None else list(self.arr),
            "mean_score": None if np.isnan(self.mean_score) else self.mean_score,
        }

    def to_frame(self) -> Any:
        """A pandas ``DataFrame`` indexed by band."""
        pd = import_optional("pandas", purpose="HealthSummary.to_frame()")
        data: dict[str, Any] = {"accounts": list(self.accounts)}
        if self.arr is not None:
            data["arr"] = list(self.arr)
        return pd.DataFrame(data, index=pd.Index(list(self.bands), name="band"))

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers = ["band", "accounts", "share"]
        if self.arr is not None:
            headers += ["arr", "arr share"]
        rows = []
        total_arr = self.total_arr or 0.0
        for i, band in enumerate(self.bands):
            row = [band, f"{self.accounts[i]:,}", _share(self.accounts[i], self.total_accounts)]
            if self.arr is not None:
                row += [f"{self.arr[i]:,.0f}", _share(self.arr[i], total_arr)]
            rows.append(row)
        return headers, rows

    def _row_styles(self) -> list[str | None]:
        return background(self.colours)


def band_summary(
    bands: Bands,
    codes: npt.NDArray[np.int8],
    score: npt.NDArray[np.float64],
    arr: npt.NDArray[np.float64] | None,
) -> HealthSummary:
    """Count accounts (and sum ARR, missing ARR counting 0) per band code."""
    k = len(bands)
    slot = np.where(codes < 0, k, codes).astype(np.intp)  # slot k: no band
    counts = np.bincount(slot, minlength=k + 1)
    sums = None
    if arr is not None:
        sums = np.bincount(slot, weights=np.nan_to_num(arr), minlength=k + 1)
    labels = list(bands.labels)
    keep = list(range(k)) + ([k] if counts[k] else [])
    scored = score[~np.isnan(score)]
    return HealthSummary(
        bands=tuple([*labels, "missing"][i] for i in keep),
        accounts=tuple(int(counts[i]) for i in keep),
        arr=None if sums is None else tuple(float(sums[i]) for i in keep),
        colours=tuple(bands.colour(labels[i]) if i < k else None for i in keep),
        mean_score=float(scored.mean()) if scored.size else float("nan"),
    )
