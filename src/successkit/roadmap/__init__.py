"""Success roadmaps: lifecycle and maturity stages, tasks and stage playbooks.

A :class:`Roadmap` is ordered :class:`Stage` objects; :meth:`Roadmap.assign` places every
account of a portfolio in a stage (by entry criteria or by contract age) and returns a
:class:`StageResult`, which playbooks read as ``stage``, ``stage.days``, ``stage.goal_met``.
"""

from successkit.roadmap.plan import SuccessPlan
from successkit.roadmap.result import StageResult
from successkit.roadmap.roadmap import Roadmap
from successkit.roadmap.stage import Stage
from successkit.roadmap.summary import StageSummary
from successkit.roadmap.task import Task

__all__ = ["Roadmap", "Stage", "StageResult", "StageSummary", "SuccessPlan", "Task"]
