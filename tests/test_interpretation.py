"""Interpreting a fitted AutoencoderTransformer: components_ and latent traversals."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError

from skgen import AutoencoderTransformer


@pytest.fixture(scope="module")
def X():
    return load_digits().data / 16.0


@pytest.fixture(scope="module")
def fitted(X):
    return AutoencoderTransformer(n_components=3, max_epochs=10, random_state=0).fit(X)


def test_components_have_the_documented_shape_and_are_finite(fitted, X):
    assert fitted.components_.shape == (3, X.shape[1])
    assert np.isfinite(fitted.components_).all()
    assert (np.abs(fitted.components_).sum(axis=1) > 0).all()


def test_components_are_the_decoder_derivative_at_the_centre(fitted):
    eps = 1e-3
    for i in range(3):
        step = np.zeros((2, 3))
        step[0, i], step[1, i] = eps, -eps
        plus, minus = fitted.inverse_transform(step)
        numeric = (plus - minus) / (2 * eps)
        np.testing.assert_allclose(fitted.components_[i], numeric, atol=3e-3)


def test_linear_model_components_are_exact_steps(X):
    linear = AutoencoderTransformer(n_components=2, hidden_dims=(), max_epochs=3, random_state=0).fit(X)
    origin, unit = linear.inverse_transform(np.array([[0.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_allclose(unit - origin, linear.components_[1], atol=1e-5)


def test_components_include_the_sigmoid_of_bce_models(X):
    model = AutoencoderTransformer(n_components=2, loss="bce", max_epochs=3, random_state=0).fit(X)
    eps = 1e-2
    plus, minus = model.inverse_transform(np.array([[eps, 0.0], [-eps, 0.0]]))
    np.testing.assert_allclose(model.components_[0], (plus - minus) / (2 * eps), atol=2e-3)


def test_latent_traversal_varies_one_component(fitted, X):
    values = np.linspace(-2, 2, 5)
    path = fitted.latent_traversal(1, values)
    assert path.shape == (5, X.shape[1])
    np.testing.assert_allclose(path[2], fitted.inverse_transform(np.zeros((1, 3)))[0], atol=1e-6)
    origin = fitted.transform(X[:1])[0]
    through_sample = fitted.latent_traversal(0, [origin[0]], origin=origin)
    np.testing.assert_allclose(through_sample[0], fitted.inverse_transform(origin[None])[0], atol=1e-6)
    assert len(fitted.latent_traversal(2)) == 9  # default: -2..2 in 9 steps
    # A step along a component moves the reconstruction roughly along components_.
    direction = path[3] - path[1]
    cosine = direction @ fitted.components_[1] / np.linalg.norm(direction) / np.linalg.norm(fitted.components_[1])
    assert cosine > 0.8


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(component=3), "component must be"),
        (dict(component=-1), "component must be"),
        (dict(component=1.0), "component must be"),
        (dict(component=0, values=[]), "values must be"),
        (dict(component=0, values=[np.nan]), "values must be"),
        (dict(component=0, origin=[0.0, 0.0]), "origin must be"),
    ],
)
def test_latent_traversal_bad_input(fitted, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fitted.latent_traversal(**kwargs)


def test_latent_traversal_needs_a_fitted_model():
    with pytest.raises(NotFittedError):
        AutoencoderTransformer().latent_traversal(0)
