"""Image codec: the user's image layout, dtype and range <-> (n, C, H, W) in [-1, 1]."""

import numpy as np

CHANNEL_AXES = ("auto", "first", "last")
# Channel counts that a trailing (or leading) axis of a 4-D image array may have.
_CHANNEL_COUNTS = (1, 2, 3, 4)


def is_image_input(X, image_shape):
    """Whether ``fit`` should treat ``X`` as images (not as a table)."""
    if image_shape is not None:
        return True
    return type(X) is np.ndarray and X.ndim in (3, 4)


def resolve_layout(shape, image_shape, channel_axis):
    """Tell how an array of ``shape`` holds images.

    Returns ``(layout, channels, height, width)`` with ``layout`` one of
    ``"flat"`` (rows of ``H*W*C`` values, needs ``image_shape``), ``"hw"``,
    ``"chw"`` or ``"hwc"``.

    The rule for 4-D arrays ``(n, a, b, c)`` with ``channel_axis="auto"``:
    channels-last when ``c`` is a plausible channel count (1 to 4) and ``a``
    is not; channels-first otherwise (PyTorch's convention, also when both
    could be channels). ``channel_axis="first"`` / ``"last"`` overrides it.
    """
    if channel_axis not in CHANNEL_AXES:
        raise ValueError(f"channel_axis must be one of {CHANNEL_AXES}; got {channel_axis!r}.")
    ndim = len(shape)
    if image_shape is not None:
        image_shape = tuple(int(v) for v in image_shape)
        if len(image_shape) == 2:
            image_shape = (1, *image_shape) if channel_axis != "last" else (*image_shape, 1)
        if len(image_shape) != 3 or min(image_shape) < 1:
            raise ValueError(
                f"image_shape must be (H, W), (C, H, W) or (H, W, C) with positive sizes; got {image_shape}."
            )
        if ndim == 2:
            if shape[1] != int(np.prod(image_shape)):
                raise ValueError(
                    f"X has {shape[1]} values per row but image_shape={image_shape} needs "
                    f"{int(np.prod(image_shape))}."
                )
            last = channel_axis == "last" or (
                channel_axis == "auto"
                and image_shape[2] in _CHANNEL_COUNTS
                and image_shape[0] not in _CHANNEL_COUNTS
            )
            if last:
                height, width, channels = image_shape
                return "flat-hwc", channels, height, width
            channels, height, width = image_shape
            return "flat", channels, height, width
    if ndim == 3:
        layout, channels, height, width = "hw", 1, shape[1], shape[2]
    elif ndim == 4:
        last = channel_axis == "last" or (
            channel_axis == "auto" and shape[3] in _CHANNEL_COUNTS and shape[1] not in _CHANNEL_COUNTS
        )
        if last:
            layout, channels, height, width = "hwc", shape[3], shape[1], shape[2]
        else:
            layout, channels, height, width = "chw", shape[1], shape[2], shape[3]
    else:
        raise ValueError(
            f"Images must be an array of shape (n, H, W), (n, C, H, W) or (n, H, W, C), or rows of "
            f"(n, H*W) values with image_shape=(H, W); got an array of shape {tuple(shape)}."
        )
    if image_shape is not None and {image_shape[1:], image_shape[:2]}.isdisjoint({(height, width)}):
        raise ValueError(f"image_shape={image_shape} does not match the images' shape {tuple(shape[1:])}.")
    return layout, channels, height, width


class ImageCodec:
    """Scales images to ``(n, C, H, W)`` float32 in [-1, 1] and back.

    ``fit`` records the layout, dtype and value range: integer images keep
    their dtype's full range when it is uint8 (``[0, 255]``) and the observed
    range otherwise; float images keep the observed range. Decoding returns
    the training layout and dtype, clipped to that range (rounded for
    integer dtypes).

    Parameters
    ----------
    image_shape : tuple or None
    channel_axis : {"auto", "first", "last"}
    """

    def __init__(self, image_shape=None, channel_axis="auto"):
        self.image_shape = image_shape
        self.channel_axis = channel_axis

    def fit(self, X):
        X = self._check(X, fitting=True)
        self.layout_, self.channels_, self.height_, self.width_ = resolve_layout(
            X.shape, self.image_shape, self.channel_axis
        )
        self.dtype_ = X.dtype
        if X.dtype == np.uint8:
            self.low_, self.high_ = 0.0, 255.0
        else:
            self.low_, self.high_ = float(X.min()), float(X.max())
        # Constant images (or a span below float32's normal range, whose
        # scale would overflow to inf): any positive span will do.
        if not self.high_ - self.low_ > 4 * np.finfo(np.float32).tiny:
            self.high_ = self.low_ + max(1.0, abs(self.low_) * 1e-6)
        self.sample_shape_ = X.shape[1:]
        return self

    def _check(self, X, fitting=False):
        X = np.asarray(X)
        if X.dtype.kind not in "uifb":
            raise ValueError(f"Images must be numeric arrays; got dtype {X.dtype}.")
        if X.dtype.kind == "f" and not np.isfinite(X).all():
            raise ValueError("Images contain NaN or infinity; every pixel must be finite.")
        if len(X) < (2 if fitting else 1):
            raise ValueError(f"Need at least {2 if fitting else 1} images; got {len(X)}.")
        if not fitting and X.shape[1:] != self.sample_shape_:
            raise ValueError(f"Images of shape {X.shape[1:]} given; the model was fitted on {self.sample_shape_}.")
        return X

    def transform(self, X):
        """Images -> float32 ``(n, C, H, W)`` in [-1, 1]."""
        X = self._check(X)
        n = len(X)
        layout = self.layout_
        if layout == "flat":
            X = X.reshape(n, self.channels_, self.height_, self.width_)
        elif layout == "flat-hwc":
            X = X.reshape(n, self.height_, self.width_, self.channels_).transpose(0, 3, 1, 2)
        elif layout == "hw":
            X = X[:, None]
        elif layout == "hwc":
            X = X.transpose(0, 3, 1, 2)
        scaled = (X.astype(np.float32) - self.low_) * (2.0 / (self.high_ - self.low_)) - 1.0
        return np.ascontiguousarray(np.clip(scaled, -1.0, 1.0), dtype=np.float32)

    def inverse_transform(self, images):
        """float ``(n, C, H, W)`` in [-1, 1] -> images in the training layout, dtype and range."""
        images = np.asarray(images, dtype=np.float32)
        n = len(images)
        values = (np.clip(images, -1.0, 1.0) + 1.0) * ((self.high_ - self.low_) / 2.0) + self.low_
        layout = self.layout_
        if layout in ("flat", "hw"):
            values = values.reshape(n, *self.sample_shape_)
        elif layout in ("hwc", "flat-hwc"):
            values = values.transpose(0, 2, 3, 1).reshape(n, *self.sample_shape_)
        if self.dtype_.kind in "uib":
            values = np.round(values)
        return np.ascontiguousarray(values.astype(self.dtype_))
