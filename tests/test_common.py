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


def test_each_estimator_class_reads_its_own_parameter_names_and_defaults():
    # Both are read once per class and kept; a subclass with parameters of its own gets its own.
    import inspect

    from sklearn.base import BaseEstimator

    from skgen.gan import _init_defaults

    class WiderSampler(GANSampler):
        def __init__(self, width=3, **kwargs):
            super().__init__(**kwargs)
            self.width = width

    for cls in (GANSampler, AutoencoderTransformer, WiderSampler, GANSampler):
        assert cls._get_param_names() == BaseEstimator._get_param_names.__func__(cls)
        assert _init_defaults(cls) == {n: p.default for n, p in inspect.signature(cls.__init__).parameters.items()}
    assert "width" in WiderSampler._get_param_names() and "width" not in GANSampler._get_param_names()
