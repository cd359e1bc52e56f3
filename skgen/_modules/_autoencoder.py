"""The default autoencoder: PCA plus a learned non-linear correction.

A linear encoder/decoder pair initialised at the PCA solution, and an MLP on
each side whose last layer starts at zero. Training therefore starts exactly
at PCA and only moves where it lowers the reconstruction loss.
"""

import inspect

import numpy as np
import torch
from torch import nn

from ._layers import make_mlp


class ResidualAutoencoder(nn.Module):
    """Linear (PCA-initialised) autoencoder plus MLP corrections.

    ``encode(x) = W_e x_n + b_e + mlp_e(x_n)`` with ``x_n`` the standardised
    input; ``decode(z) = m + s * (W_d z + b_d + mlp_d(z))`` with ``m, s`` the
    output location and scale. :meth:`init_linear_` sets the linear maps and
    the statistics; the last layers of both MLPs start at zero.

    Parameters
    ----------
    n_features : int
        Input (and reconstruction) width.
    n_components : int
        Code width.
    hidden_dims : sequence of int, default=(128, 64)
        Hidden widths of the encoder MLP; the decoder mirrors them.
    activation : str, default="relu"
    dropout : float, default=0.0
        Dropout after each hidden activation of both MLPs.
    linear_path : bool, default=True
        Keep the linear maps. With False this is a plain MLP autoencoder
        (ordinary initialisation, no PCA start).
    """

    def __init__(
        self,
        n_features,
        n_components,
        hidden_dims=(128, 64),
        activation="relu",
        dropout=0.0,
        linear_path=True,
    ):
        super().__init__()
        self.linear_path = linear_path
        self.register_buffer("input_mean", torch.zeros(n_features))
        self.register_buffer("input_scale", torch.ones(n_features))
        self.register_buffer("output_mean", torch.zeros(n_features))
        self.register_buffer("output_scale", torch.ones(n_features))
        hidden_dims = tuple(hidden_dims)
        self.encoder_mlp = make_mlp(n_features, hidden_dims, n_components, activation, dropout)
        self.decoder_mlp = make_mlp(
            n_components, hidden_dims[::-1], n_features, activation, dropout
        )
        if linear_path:
            self.encoder_linear = nn.Linear(n_features, n_components)
            self.decoder_linear = nn.Linear(n_components, n_features)
            for mlp in (self.encoder_mlp, self.decoder_mlp):
                nn.init.zeros_(mlp[-1].weight)
                nn.init.zeros_(mlp[-1].bias)

    def encode(self, x):
        x = (x - self.input_mean) / self.input_scale
        z = self.encoder_mlp(x)
        if self.linear_path:
            z = z + self.encoder_linear(x)
        return z

    def decode(self, z):
        out = self.decoder_mlp(z)
        if self.linear_path:
            out = out + self.decoder_linear(z)
        return torch.addcmul(self.output_mean, out, self.output_scale)

    def forward(self, x):
        return self.decode(self.encode(x))

    @torch.no_grad()
    def standardize_codes_(self, mean, scale):
        """Reparametrise so that ``encode`` returns ``(z - mean) / scale``.

        The encoder's last layers absorb the affine map and the decoder's
        first layers its inverse, so reconstructions are unchanged and
        standardised codes cost nothing at inference.
        """
        device = self.input_mean.device
        mean = torch.as_tensor(mean, dtype=torch.float32, device=device)
        scale = torch.as_tensor(scale, dtype=torch.float32, device=device)
        last_layers = [self.encoder_mlp[-1]]
        first_layers = [self.decoder_mlp[0]]
        if self.linear_path:
            last_layers.append(self.encoder_linear)
            first_layers.append(self.decoder_linear)
        # z = sum of the last layers' outputs: shift once, scale each.
        last_layers[0].bias.sub_(mean)
        for layer in last_layers:
            layer.weight.div_(scale[:, None])
            layer.bias.div_(scale)
        for layer in first_layers:
            layer.bias.add_(layer.weight @ mean)
            layer.weight.mul_(scale[None, :])
        return self

    @torch.no_grad()
    def init_linear_(self, solution):
        """Load a :func:`linear_solution` into the buffers and linear maps."""
        device = self.input_mean.device
        for name in ("input_mean", "input_scale", "output_mean", "output_scale"):
            getattr(self, name).copy_(torch.as_tensor(solution[name], device=device))
        if self.linear_path:
            for layer, prefix in ((self.encoder_linear, "encoder"), (self.decoder_linear, "decoder")):
                layer.weight.copy_(torch.as_tensor(solution[prefix + "_weight"], device=device))
                layer.bias.copy_(torch.as_tensor(solution[prefix + "_bias"], device=device))
        return self


def _safe_scale(std):
    std = np.asarray(std, dtype=np.float64)
    return np.where(std > 1e-8 * max(1.0, std.max(initial=0.0)), std, 1.0)


_CHUNK_ROWS = 16384


def _centered_chunks(X, mean):
    """Row chunks of ``X - mean`` in float64."""
    for start in range(0, len(X), _CHUNK_ROWS):
        yield np.asarray(X[start : start + _CHUNK_ROWS], dtype=np.float64) - mean


def _clipped_logits(chunk, eps):
    clipped = np.clip(np.asarray(chunk, dtype=np.float64), eps, 1 - eps)
    return np.log(clipped) - np.log1p(-clipped)


def linear_solution(X, n_components, loss="mse", random_state=None):
    """Compute the PCA start of :class:`ResidualAutoencoder` from data.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Training data.
    n_components : int
        Code width. Components beyond the data's rank get random directions.
    loss : {"mse", "bce"}, default="mse"
        With ``"bce"`` the decoder produces logits: its linear map is the least
        squares fit of the clipped logits of ``X`` on the PCA codes.
    random_state : numpy.random.RandomState or None
        Source of the extra random directions.

    Returns
    -------
    solution : dict of float32 ndarrays
        ``input_mean``, ``input_scale``, ``output_mean``, ``output_scale``,
        ``encoder_weight`` (k, d), ``encoder_bias`` (k,), ``decoder_weight``
        (d, k), ``decoder_bias`` (d,). The codes of the training data have
        zero mean and unit variance.
    """
    # Statistics are accumulated in float64 over row chunks, so a large
    # float32 X is never copied whole (1M MNIST-size rows are 3 GB).
    X = np.asarray(X)
    n_samples, n_features = X.shape
    mean = X.mean(axis=0, dtype=np.float64)
    cov = np.zeros((n_features, n_features))
    with np.errstate(over="ignore", invalid="ignore"):
        for chunk in _centered_chunks(X, mean):
            cov += chunk.T @ chunk
        cov /= max(n_samples - 1, 1)
    if not np.isfinite(cov).all():
        raise ValueError(
            "The data's covariance overflows (values too large); scale the inputs first, e.g. with StandardScaler."
        )
    scale = _safe_scale(np.sqrt(np.clip(np.diag(cov), 0.0, None) * max(n_samples - 1, 1) / n_samples))
    # Eigen-decomposition of the covariance: exact, and fast for the
    # n_samples >> n_features case this estimator is used for.
    eigvals, eigvecs = np.linalg.eigh(cov)
    order = np.argsort(eigvals)[::-1]
    eigvals = np.clip(eigvals[order], 0.0, None)
    eigvecs = eigvecs[:, order]
    rank = int(np.sum(eigvals > 1e-10 * max(eigvals[0], 1e-300))) if n_features else 0
    k_lin = min(n_components, rank)
    components = np.zeros((n_components, n_features))
    components[:k_lin] = eigvecs[:, :k_lin].T
    stds = np.ones(n_components)
    stds[:k_lin] = np.sqrt(eigvals[:k_lin])
    if k_lin < n_components:
        # The data have fewer directions than codes: the extra codes start on
        # random unit directions and carry no reconstruction yet.
        rng = np.random.RandomState(0) if random_state is None else random_state
        extra = rng.standard_normal((n_components - k_lin, n_features))
        extra /= np.linalg.norm(extra, axis=1, keepdims=True) + 1e-12
        components[k_lin:] = extra
        squares = sum(((chunk @ extra.T) ** 2).sum(axis=0) for chunk in _centered_chunks(X, mean))
        stds[k_lin:] = _safe_scale(np.sqrt(squares / n_samples))
    encoder_weight = components * scale[None, :] / stds[:, None]
    # The encoder sees standardised inputs, so centring needs no bias.
    encoder_bias = np.zeros(n_components)

    if loss == "bce":
        # Decoder: least squares of the standardised logits of X on the
        # codes, through the normal equations (accumulated per chunk).
        eps = 1e-2
        out_mean = sum(_clipped_logits(X[i : i + _CHUNK_ROWS], eps).sum(axis=0) for i in range(0, n_samples, _CHUNK_ROWS))
        out_mean = out_mean / n_samples
        squares = np.zeros(n_features)
        gram = np.zeros((n_components, n_components))
        cross = np.zeros((n_components, n_features))
        for start, chunk in zip(range(0, n_samples, _CHUNK_ROWS), _centered_chunks(X, mean)):
            codes = chunk @ components.T / stds[None, :]
            deviation = _clipped_logits(X[start : start + _CHUNK_ROWS], eps) - out_mean
            squares += (deviation**2).sum(axis=0)
            gram += codes.T @ codes
            cross += codes.T @ deviation
        out_scale = _safe_scale(np.sqrt(squares / n_samples))
        cross /= out_scale
        decoder_weight = (np.linalg.pinv(gram) @ cross).T
    else:
        out_mean = mean
        out_scale = scale
        decoder_weight = np.zeros((n_features, n_components))
        decoder_weight[:, :k_lin] = (components[:k_lin].T * stds[None, :k_lin]) / out_scale[:, None]
    f32 = np.float32
    return {
        "input_mean": mean.astype(f32),
        "input_scale": scale.astype(f32),
        "output_mean": out_mean.astype(f32),
        "output_scale": out_scale.astype(f32),
        "encoder_weight": encoder_weight.astype(f32),
        "encoder_bias": encoder_bias.astype(f32),
        "decoder_weight": decoder_weight.astype(f32),
        "decoder_bias": np.zeros(n_features, dtype=f32),
    }


def _accepts(cls, name):
    params = inspect.signature(cls).parameters
    return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


def data_kwargs(cls, n_features, n_components):
    """Constructor arguments a module class gets from the data.

    ``n_features`` and ``n_components`` are passed only to classes whose
    constructor accepts them (by name or through ``**kwargs``).
    """
    kwargs = {}
    if _accepts(cls, "n_features"):
        kwargs["n_features"] = n_features
    if _accepts(cls, "n_components"):
        kwargs["n_components"] = n_components
    return kwargs


def input_statistics(X, loss="mse"):
    """The input and output statistics of a :class:`ResidualAutoencoder` without
    its linear path, for codes that learn a neighbourhood layout.

    The encoder sees ``X`` centred and divided by one overall standard
    deviation, so its input keeps the Euclidean geometry the neighbour graph
    was built on (per-feature scaling would blow up near-constant features,
    e.g. border pixels). The decoder's output is per-feature mean and scale
    (``"mse"``) or plain logits (``"bce"``).

    Returns
    -------
    statistics : dict of float32 ndarrays
        ``input_mean``, ``input_scale``, ``output_mean``, ``output_scale``.
    """
    X = np.asarray(X)
    n_samples, n_features = X.shape
    mean = X.mean(axis=0, dtype=np.float64)
    squares = sum(((chunk**2).sum(axis=0) for chunk in _centered_chunks(X, mean)), np.zeros(n_features))
    feature_scale = _safe_scale(np.sqrt(squares / max(n_samples, 1)))
    overall = float(np.sqrt(squares.sum() / max(n_samples * n_features, 1)))
    input_scale = np.full(n_features, overall if overall > 0 else 1.0)
    if loss == "bce":
        output_mean, output_scale = np.zeros(n_features), np.ones(n_features)
    else:
        output_mean, output_scale = mean, feature_scale
    f32 = np.float32
    return {
        "input_mean": mean.astype(f32),
        "input_scale": input_scale.astype(f32),
        "output_mean": output_mean.astype(f32),
        "output_scale": output_scale.astype(f32),
    }


class EncoderDecoder(nn.Module):
    """Joins a user's encoder and decoder module classes into one autoencoder.

    Used when ``AutoencoderTransformer(module=(Encoder, Decoder))``: the
    encoder maps ``(n, n_features)`` to ``(n, n_components)`` through its
    ``forward``, the decoder maps back. Each class receives ``n_features``
    and ``n_components`` if its constructor accepts them, plus the
    ``module__encoder__<name>`` / ``module__decoder__<name>`` parameters.

    Parameters
    ----------
    encoder : type of torch.nn.Module
    decoder : type of torch.nn.Module
    n_features : int
    n_components : int
    **kwargs
        ``encoder__<name>`` and ``decoder__<name>`` constructor arguments.
    """

    def __init__(self, encoder, decoder, n_features, n_components, **kwargs):
        super().__init__()
        parts = {"encoder": {}, "decoder": {}}
        for key, value in kwargs.items():
            part, sep, name = key.partition("__")
            if not sep or part not in parts:
                raise TypeError(
                    f"Unknown parameter module__{key}: parameters of an encoder/decoder "
                    "pair are named module__encoder__<name> or module__decoder__<name>."
                )
            parts[part][name] = value
        self.encoder = encoder(**data_kwargs(encoder, n_features, n_components), **parts["encoder"])
        self.decoder = decoder(**data_kwargs(decoder, n_features, n_components), **parts["decoder"])

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)

    def forward(self, x):
        return self.decoder(self.encoder(x))


# --- tabular GAN modules ------------------------------------------------------

