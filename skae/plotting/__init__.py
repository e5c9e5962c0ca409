"""Pictures of autoencoders, in scikit-learn's Display style.

Each Display is made by ``from_estimator`` (and, where the numbers can come
from elsewhere, ``from_predictions``), draws with ``plot(ax=...)`` and keeps
its matplotlib artists as attributes ending in ``_`` (``figure_``, ``ax_`` or
``axes_``, and the lines, images or bars it drew). Only matplotlib is needed;
nothing assumes a screen.
"""

from ._anomaly_score import AnomalyScoreDisplay
from ._code_size import CodeSizeDisplay
from ._feature_error import FeatureErrorDisplay
from ._history import TrainingHistoryDisplay
from ._latent_grid import LatentGridDisplay
from ._latent_space import LatentSpaceDisplay
from ._reconstruction import ReconstructionDisplay
from ._series_score import SeriesScoreDisplay

__all__ = [
    "AnomalyScoreDisplay",
    "CodeSizeDisplay",
    "FeatureErrorDisplay",
    "LatentGridDisplay",
    "LatentSpaceDisplay",
    "ReconstructionDisplay",
    "SeriesScoreDisplay",
    "TrainingHistoryDisplay",
]
