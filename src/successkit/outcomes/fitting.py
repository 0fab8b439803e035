"""Learning a health model's weights from churn outcomes.

The solver lives in :mod:`successkit.scoring._fitting`, below the models, so that
:meth:`HealthModel.fit <successkit.HealthModel.fit>` can call it; this module is its
public face among the outcomes. A fitted model's ``training`` (a :class:`Training`) says
what its weights were learnt from and which accounts the fit left out.
"""

from __future__ import annotations

from successkit.scoring._fitting import (
    SolverOptions,
    Training,
    WeightFit,
    fit_matrix,
    fit_weights,
)
from successkit.scoring._fitting import fit_model as fit

__all__ = ["SolverOptions", "Training", "WeightFit", "fit", "fit_matrix", "fit_weights"]
