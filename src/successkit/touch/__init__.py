"""The touch model: touch points, touch scores, and the health × touch quadrants."""

from successkit.touch._plots import plot_touch_history
from successkit.touch.quadrant_plot import plot_quadrants
from successkit.touch.quadrant_summary import QuadrantSummary
from successkit.touch.quadrant_transitions import QuadrantTransitions
from successkit.touch.quadrants import QuadrantResult, Quadrants
from successkit.touch.touch import TouchModel
from successkit.touch.touch_point import TouchPoint
from successkit.touch.touch_result import TouchResult
from successkit.touch.touch_summary import TouchSummary

__all__ = [
    "QuadrantResult",
    "QuadrantSummary",
    "QuadrantTransitions",
    "Quadrants",
    "TouchModel",
    "TouchPoint",
    "TouchResult",
    "TouchSummary",
    "plot_quadrants",
    "plot_touch_history",
]
