"""Long series: windows, their mapping back to time points, and a detector that
scores every time point."""

from ._detector import TimeSeriesOutlierDetector, default_window_detector
from ._intervals import mask_to_intervals
from ._period import estimate_period
from ._windows import SlidingWindows, to_time_points

__all__ = [
    "SlidingWindows",
    "TimeSeriesOutlierDetector",
    "default_window_detector",
    "estimate_period",
    "mask_to_intervals",
    "to_time_points",
]
