"""What a fitted model learnt from: the record a fit leaves on the model it returns.

A fit leaves accounts out rather than guess: those whose outcome is unknown (a censored
label, ``None`` or NaN) and those without any metric score. :class:`Training` counts them
beside the accounts the weights came from, so the caller can see how much of the data
trained the model. It is a record of the fit, not part of the model: it is set only on the
model a fit returns, takes no part in equality, the fingerprint or ``to_dict``, and a variant
of the model (``with_weights``, ``attrs.evolve``) has none, since its weights were not
learnt from those accounts.
"""

from __future__ import annotations

from typing import Any, TypeVar

import attrs

__all__ = ["Training", "training_field", "with_training"]

_Model = TypeVar("_Model")


@attrs.frozen(kw_only=True)
class Training:
    """The accounts a fit learnt from and the ones it left out.

    .. versionadded:: 0.2

    Attributes
    ----------
    accounts:
        Accounts the weights were learnt from.
    churned:
        Of those, the accounts that churned.
    unknown:
        Accounts left out because their outcome was unknown (``None`` or NaN: a censored
        label, whose outcome window had not closed).
    unscored:
        Accounts left out because they had no metric score at all.

    Examples
    --------
    >>> print(Training(accounts=980, churned=120, unknown=15))
    fitted on 980 accounts (120 churned); left out 15 with an unknown outcome
    """

    accounts: int
    churned: int
    unknown: int = 0
    unscored: int = 0

    def to_dict(self) -> dict[str, int]:
        """The four counts, by name."""
        return attrs.asdict(self)

    def __str__(self) -> str:
        text = f"fitted on {self.accounts} accounts ({self.churned} churned)"
        left = [f"{self.unknown} with an unknown outcome"] if self.unknown else []
        if self.unscored:
            left.append(f"{self.unscored} without any metric score")
        return text + ("; left out " + ", ".join(left) if left else "")


def training_field() -> Any:
    """The ``training`` attribute of a model class: ``None`` until a fit sets it, not an
    argument of the constructor, left out of equality and ``repr``."""
    return attrs.field(default=None, init=False, eq=False, repr=False)


def with_training(model: _Model, training: Training) -> _Model:
    """A fresh copy of ``model`` (an attrs model with a :func:`training_field`) carrying
    ``training``. The copy is new, so no model anyone already holds changes."""
    fresh = attrs.evolve(model)  # type: ignore[misc]
    object.__setattr__(fresh, "training", training)  # frozen: set once, on the new copy
    return fresh
