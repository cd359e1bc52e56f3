"""scikit-learn's estimator checks on every public estimator.

Expected failures: none. Every check runs and must pass.
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skgen import AutoencoderTransformer, GANSampler

# Small settings keep the checks fast; nothing is skipped.
ESTIMATORS = [
    AutoencoderTransformer(max_epochs=3, hidden_dims=(8,), batch_size=16, random_state=0),
    AutoencoderTransformer(supervision="auto", max_epochs=3, hidden_dims=(8,), batch_size=16, random_state=0),
    AutoencoderTransformer(
        embedding="umap", n_neighbors=5, max_epochs=3, hidden_dims=(8,), batch_size=16, random_state=0
    ),
    GANSampler(
        max_epochs=2, batch_size=20, pac=2, latent_dim=8, generator_dims=(8,),
        discriminator_dims=(8,), random_state=0,
    ),
]
EXPECTED_FAILED_CHECKS = {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
