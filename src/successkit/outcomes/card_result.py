"""The result of :func:`~successkit.outcomes.fit_card`: the fitted card, and how it came to
be — what was left off and why, the choices made on the way — with its card view, chart and
SQL."""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from successkit._arrays import array_field, readonly_arrays
from successkit.data.kinds import Kind
from successkit.data.portfolio import Portfolio
from successkit.errors import ModelError
from successkit.outcomes.card_export import card_sql
from successkit.scoring.card import Card
from successkit.scoring.health import HealthModel
from successkit.scoring.segmented import SegmentedModel

__all__ = ["CardFit"]

# How the summary names what the points were pulled toward.
_TOWARD = {"scorecard": "classic scorecard", "flat": "flat card (no points)"}
# How the summary names each shape of ``turns``.
_SHAPE_WORDS = {"middle_is_best": "middle is best", "middle_is_worst": "middle is worst",
                "free": "free shape"}


@readonly_arrays
@attrs.frozen(kw_only=True, eq=False)
class CardFit:
    """A card fitted from outcomes, and how it came to be.

    .. versionadded:: 0.2

    Examples
    --------
    >>> import successkit as sk
    >>> from successkit.datasets import make_portfolio
    >>> sample = make_portfolio(2000, seed=1)
    >>> fit = sk.fit_card(sample.portfolio, sample.churned,
    ...                   columns=["login_rate", "roi_achievement", "keyperson_touch", "seats"])
    >>> [metric.name for metric in fit.model.metrics]
    ['login_rate', 'roi_achievement', 'roi_achievement_missing', 'keyperson_touch']
    >>> fit.dropped
    (('seats', 'has one band: its values say nothing about churn'),)
    >>> fit.by_chance  # no category here whose levels could be chance
    ()

    Attributes
    ----------
    model:
        The fitted :class:`~successkit.HealthModel` (a
        :class:`~successkit.SegmentedModel` with ``by=``).
    dropped:
        ``(metric, reason)`` for every candidate metric left off the card.
    against_direction:
        Metrics whose data could not honour the direction fixed by ``monotone``: on their
        own (such a number may still earn points in the fixed direction next to the other
        metrics, against its own churn) or next to the other metrics (it stays off).
    turns:
        ``(metric, shape)`` for every number whose bands turn: once, ``"middle_is_best"``
        (its points rise to a peak and fall after it) or ``"middle_is_worst"``; or
        ``"free"``, bands of any shape (each band's points follow its churn rate).
    levels_against_churn:
        Categories with a level that earns fewer points than a level whose accounts churn
        more on their own: another metric on the card explains the difference (an add-on
        taken mostly on the better plan, say). ``level_order="churn"`` forbids it.
    missing_bands:
        Metrics whose missing values earned a band of their own.
    by_chance:
        ``(category, p)`` for each category on the card whose levels' churn rates, on
        their own, differ no more than chance would (a likelihood-ratio test at 5 %; ``p``
        is the chance of a difference that large with none there). Such a category is
        kept because its levels do not predict held-out accounts clearly worse than one
        rate, so a weak but real one still competes next to the others: a category with
        no signal earns a few points this way more often than not. Leave it out with
        ``columns=`` when you know it says nothing.
    l2, l2_toward:
        How strongly each band's points were pulled (the L2 strength), and toward what:
        ``"scorecard"`` (the classic scorecard's points) or ``"flat"`` (no points);
        ``cv_loss`` lists ``(toward, l2, held-out log-loss)`` for every pair
        cross-validation tried (empty when both were given).
    left_out:
        Accounts left out because their outcome was unknown (``None`` / NaN).
    notes:
        Other choices made on the way, in plain words.
    portfolio, churned, counted:
        The training rows and outcomes the card was learnt from (the unknown ones left
        out), and what a row is: ``"accounts"``, or ``"account-snapshots"`` for a card
        learnt from every snapshot of a history.
    """

    model: HealthModel | SegmentedModel
    dropped: tuple[tuple[str, str], ...]
    against_direction: tuple[str, ...]
    turns: tuple[tuple[str, str], ...]
    levels_against_churn: tuple[str, ...]
    missing_bands: tuple[str, ...]
    by_chance: tuple[tuple[str, float], ...] = ()
    l2: float
    l2_toward: str
    cv_loss: tuple[tuple[str, float, float], ...]
    left_out: int
    notes: tuple[str, ...]
    portfolio: Portfolio = attrs.field(repr=False)
    churned: npt.NDArray[np.bool_] = array_field()
    #: What a row of ``portfolio`` is: an account, or an account on one snapshot date
    #: (``"account-snapshots"``) for a card learnt from a history.
    counted: str = "accounts"

    def card(self, segment: str | None = None) -> Card:
        """The card as :meth:`HealthModel.card <successkit.HealthModel.card>` prints it,
        with each band's share of the training accounts and their churn rate; with
        ``by=``, the pooled card or the card of ``segment`` (over that segment's accounts)."""
        model = self.model
        if isinstance(model, HealthModel):
            return attrs.evolve(model.card(self.portfolio, self.churned), counted=self.counted)
        models = dict(model.models)
        if segment is None:
            pooled = model.default
            assert pooled is not None  # fit_card always gives segmented cards a default
            pooled_card: Card = pooled.card(self.portfolio, self.churned)
            return attrs.evolve(pooled_card, counted=self.counted)
        if segment not in models:
            raise ModelError(f"no card for segment {segment!r}; segments with a card of "
                             f"their own are {sorted(models)}")
        labels = self.portfolio.column(model.by, Kind.CATEGORY).labels()
        keep = np.flatnonzero(labels == segment)
        segment_card: Card = models[segment].card(self.portfolio.take(keep),
                                                  self.churned[keep])
        return attrs.evolve(segment_card, counted=self.counted)

    def plot(self, ax: Any = None, *, segment: str | None = None, **kwargs: Any) -> Any:
        """The fitted card as a points chart, shaded by each band's churn rate on the
        training accounts: :meth:`card` drawn by ``Card.plot`` (needs
        ``successkit[plot]``). Returns the matplotlib ``Axes``."""
        return self.card(segment).plot(ax, **kwargs)

    def to_sql(self, *, table: str = "accounts", id_column: str = "id") -> str:
        """The card as SQL (see :func:`~successkit.outcomes.card_sql`); with ``by=``, one
        ``SELECT`` choosing each account's segment card."""
        return card_sql(self.model, table=table, id_column=id_column)

    def summary(self) -> str:
        """The card, then what was left off and why, and the choices made."""
        lines = [str(self.card())]
        if self.dropped:
            lines.append("left off the card:")
            lines += [f"  {name}: {reason}" for name, reason in self.dropped]
        if self.against_direction:
            lines.append("against the fixed direction: " + ", ".join(self.against_direction))
        if self.turns:
            lines.append("bands that turn: " + ", ".join(
                f"{name} ({_SHAPE_WORDS[shape]})" for name, shape in self.turns))
        if self.levels_against_churn:
            lines.append("levels against their own churn, explained by other measures: "
                         + ", ".join(self.levels_against_churn))
        if self.by_chance:
            lines.append("on their own, could be chance (leave out with columns= if so): "
                         + ", ".join(f"{name} (p = {p:.2g})" for name, p in self.by_chance))
        lines.append(f"l2 = {self.l2:g} toward the {_TOWARD[self.l2_toward]}"
                     + (" (cross-validated)" if self.cv_loss else ""))
        lines += list(self.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return self.card()._repr_html_()
