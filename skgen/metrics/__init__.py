"""Quality, utility, detection and privacy metrics for synthetic data.

Fidelity follows the definitions of SDMetrics' quality report, so figures
are comparable with published ones (see :mod:`skgen.metrics._fidelity` for
the one deliberate difference):

- :func:`column_shapes_score`: per column, ``1 - KS statistic`` (numeric and
  datetime) or ``1 - total variation distance`` (categorical, boolean),
  averaged.
- :func:`column_pairs_score`: per pair of columns, ``1 - |corr_real -
  corr_synthetic| / 2`` (Pearson; both numeric) or ``1 - TVD`` of the joint
  frequency tables (otherwise; numeric columns cut into 10 equal-width bins
  of the real range), averaged (on 20,000 random pairs for wider tables).
- :func:`quality_score`: the mean of the two, in [0, 1].

Detection: :func:`detection_score` (a classifier two-sample test against
real rows the generator never saw). Utility: :func:`tstr_score` (train on
synthetic, test on real; classification or regression). Privacy:
:func:`dcr_score` (exact copies by row hashing, distances to the closest
record, near copies) and :func:`membership_inference_auc`. Yardstick:
:func:`independent_columns_bootstrap`. All of them in one HTML page:
:func:`report`.

Every table metric checks the synthetic frame against the real one (the
same columns, values of the same kinds) and raises a one-line ValueError on
a mismatch.

Images: :func:`frechet_distance` (in the feature space of a
:class:`DomainFeatureExtractor`, a classifier trained on the real images),
:func:`precision_recall` (k-NN manifolds), :func:`predicted_class_entropy`,
:func:`conditional_accuracy` and :func:`memorization_ratio`.
"""

from ._image_metrics import (
    DomainFeatureExtractor,
    conditional_accuracy,
    frechet_distance,
    memorization_ratio,
    precision_recall,
    predicted_class_entropy,
)
from ._baselines import independent_columns_bootstrap
from ._detection import detection_score
from ._fidelity import column_pairs_score, column_shapes_score, quality_score
from ._privacy import dcr_score, membership_inference_auc
from ._report import SyntheticDataReport, report
from ._utility import tstr_score

__all__ = [
    "column_shapes_score",
    "column_pairs_score",
    "quality_score",
    "detection_score",
    "tstr_score",
    "dcr_score",
    "membership_inference_auc",
    "independent_columns_bootstrap",
    "report",
    "SyntheticDataReport",
    "DomainFeatureExtractor",
    "frechet_distance",
    "precision_recall",
    "predicted_class_entropy",
    "conditional_accuracy",
    "memorization_ratio",
]
