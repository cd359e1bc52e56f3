"""Property-based tests of the public API on arbitrary tables and arrays.

Every call either succeeds with an output of the documented type, shape and
dtypes, or raises a ValueError / TypeError with a message; never another
exception, and never a modified input. An input that the documentation calls
valid (see the ``_valid_*`` predicates) must fit: a clear error is not enough
for it, so a fit that always raised would fail these tests. ``FUZZ_EXAMPLES``
bounds the examples per property (CI runs them all).
"""

import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from skgen import AutoencoderTransformer, GANSampler

FUZZ_EXAMPLES = int(os.environ.get("SKGEN_FUZZ_EXAMPLES", 100))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)
TINY_GAN = dict(max_epochs=1, batch_size=20, pac=2, latent_dim=4, generator_dims=(4,), discriminator_dims=(4,),
                random_state=0, n_threads=1)
TINY_AE = dict(max_epochs=1, batch_size=8, hidden_dims=(4,), random_state=0, n_threads=1)

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=6)


@st.composite
def columns(draw, n):
    kind = draw(st.sampled_from(["float", "int", "bool", "str", "mixed", "category", "datetime", "nullable"]))
    if kind == "float":
        return pd.Series(draw(st.lists(floats, min_size=n, max_size=n)), dtype=float)
    if kind == "int":
        return pd.Series(draw(st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n)), dtype="int64")
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "str":
        return pd.Series(draw(st.lists(st.one_of(texts, st.none()), min_size=n, max_size=n)), dtype=object)
    if kind == "mixed":
        values = draw(st.lists(st.one_of(texts, st.integers(-5, 5), floats, st.none()), min_size=n, max_size=n))
        return pd.Series(values, dtype=object)
    if kind == "category":
        return pd.Series(draw(st.lists(st.sampled_from(["a", "b", "ü", None]), min_size=n, max_size=n)),
                         dtype="category")
    if kind == "datetime":
        stamps = draw(st.lists(st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                                            max_value=pd.Timestamp("2200-01-01").to_pydatetime()) | st.none(),
                               min_size=n, max_size=n))
        return pd.Series(pd.to_datetime(stamps))
    return pd.Series(draw(st.lists(st.integers(-100, 100) | st.none(), min_size=n, max_size=n)), dtype="Int64")


@st.composite
def frames(draw):
    n_rows = draw(st.integers(0, 25))
    n_cols = draw(st.integers(0, 4))
    names = draw(st.lists(st.sampled_from(["a", "b", "ç", "1", "long name"]), min_size=n_cols, max_size=n_cols))
    data = [draw(columns(n_rows)) for _ in range(n_cols)]
    frame = pd.concat(data, axis=1) if data else pd.DataFrame(index=range(n_rows))
    frame.columns = names
    return frame


def _valid_table(frame):
    """What GANSampler's docstring accepts: at least 2 rows, uniquely named
    columns, none entirely missing, finite numbers, something not constant."""
    if len(frame) < 2 or frame.shape[1] == 0 or frame.columns.duplicated().any():
        return False
    for _, column in frame.items():
        if column.isna().all():
            return False
        if column.dtype == float and np.isinf(column.to_numpy()).any():
            return False
    return any(column.nunique(dropna=False) > 1 for _, column in frame.items())


def _valid_array(X, n_components):
    """What AutoencoderTransformer accepts: a 2-D numeric array of finite
    values below 1e30, at least 2 rows, 1 <= n_components <= n_features."""
    return (
        X.ndim == 2
        and X.shape[0] >= 2
        and 1 <= n_components <= X.shape[1]
        and bool(np.isfinite(X).all())
        and float(np.abs(X.astype(np.float64)).max(initial=0)) <= 1e30
    )


def _clear_error(exc, valid=False):
    assert not valid, f"a valid input was refused: {type(exc).__name__}: {exc}"
    assert isinstance(exc, (ValueError, TypeError)), f"{type(exc).__name__}: {exc}"
    assert str(exc).strip(), "empty error message"
    event(f"raised {type(exc).__name__}" + (f": {str(exc)[:70]}" if os.environ.get("SKGEN_FUZZ_MESSAGES") else ""))


@FUZZ
@given(frames())
def test_gan_sampler_on_arbitrary_tables(frame):
    before = frame.copy(deep=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sampler = GANSampler(**TINY_GAN).fit(frame)
        except Exception as exc:  # noqa: BLE001 - the property is about which exceptions
            _clear_error(exc, valid=_valid_table(frame))
            pd.testing.assert_frame_equal(frame, before)
            return
        out = sampler.sample(3, random_state=0)
    event("fitted and sampled")
    pd.testing.assert_frame_equal(frame, before)
    assert isinstance(out, pd.DataFrame) and out.shape == (3, frame.shape[1])
    assert list(out.columns) == list(frame.columns)
    assert out.dtypes.equals(frame.dtypes)


@FUZZ
@given(
    st.one_of(
        hnp.arrays(
            dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
            shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=12),
            elements={"allow_nan": True, "allow_infinity": True},
        ),
        hnp.arrays(  # finite, mostly valid
            dtype=st.sampled_from([np.float64, np.float32]),
            shape=st.tuples(st.integers(0, 12), st.integers(0, 6)),
            elements=st.floats(-1e6, 1e6, width=32),
        ),
    ),
    st.integers(-1, 4),
)
def test_autoencoder_on_arbitrary_arrays(X, n_components):
    before = X.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = AutoencoderTransformer(n_components=n_components, **TINY_AE).fit(X)
        except Exception as exc:  # noqa: BLE001
            _clear_error(exc, valid=_valid_array(X, n_components))
            np.testing.assert_array_equal(X, before)
            return
        codes = model.transform(X)
    event("fitted and transformed")
    np.testing.assert_array_equal(X, before)
    assert codes.shape == (X.shape[0], n_components)
    assert codes.dtype == (X.dtype if X.dtype in (np.float32, np.float64) else np.float64)
    assert np.isfinite(codes).all()


@FUZZ
@given(
    hnp.arrays(
        dtype=st.sampled_from([np.uint8, np.float32, np.int16]),
        shape=hnp.array_shapes(min_dims=2, max_dims=5, min_side=1, max_side=9),
    ),
    st.booleans(),
)
def test_gan_sampler_on_arbitrary_image_arrays(images, with_labels):
    before = images.copy()
    labels = np.arange(len(images)) % 3 if with_labels else None
    params = dict(max_epochs=1, batch_size=8, latent_dim=4, random_state=0, n_threads=1,
                  generator__base_width=4, discriminator__base_width=4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sampler = GANSampler(**params).fit(images, labels)
        except Exception as exc:  # noqa: BLE001
            # Grey-scale (n, H, W) stacks of at least 2 finite images are always images.
            _clear_error(exc, valid=images.ndim == 3 and len(images) >= 2 and np.isfinite(images).all())
            np.testing.assert_array_equal(images, before)
            return
        out = sampler.sample(2, random_state=0)
    event("fitted and sampled")
    np.testing.assert_array_equal(images, before)
    assert out.shape == (2, *images.shape[1:]) and out.dtype == images.dtype


@pytest.fixture(scope="module")
def fitted_sampler():
    frame = pd.DataFrame({"x": np.linspace(0, 1, 40), "c": ["u", "v"] * 20})
    return GANSampler(**TINY_GAN).fit(frame)


@FUZZ
@given(
    n=st.one_of(st.integers(-3, 5), st.floats(allow_nan=True), st.booleans(), st.none(), texts),
    conditions=st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(["x", "c", "nope"]), st.one_of(texts, st.integers(), floats), max_size=2),
        st.integers(),
    ),
)
def test_sample_arguments(fitted_sampler, n, conditions):
    try:
        out = fitted_sampler.sample(n, conditions=conditions, random_state=0)
    except Exception as exc:  # noqa: BLE001
        _clear_error(exc)
        return
    assert isinstance(n, int) and n >= 0 and len(out) == n
    if conditions:
        for column, value in conditions.items():
            assert (out[column] == value).all() or (isinstance(value, float) and math.isnan(value))
