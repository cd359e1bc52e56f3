"""The image data kind: the image codec (layouts, value ranges) and how GANSampler fits and samples images.

``ImageCodec`` is re-exported here because pickles of skgen 0.1 look it up
in ``skgen._images``.
"""

from ._codec import CHANNEL_AXES, ImageCodec, is_image_input, resolve_layout

__all__ = ["CHANNEL_AXES", "ImageCodec", "is_image_input", "resolve_layout"]
