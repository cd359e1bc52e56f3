"""Default torch modules.

The default autoencoder is PCA plus a learned non-linear correction: a linear
encoder/decoder pair initialised at the PCA solution, and an MLP on each side
whose last layer starts at zero. Training therefore starts exactly at PCA and
only moves where it lowers the reconstruction loss.
"""

import inspect
import math

import numpy as np
import torch
from torch import nn

ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "elu": nn.ELU,
    "selu": nn.SELU,
    "gelu": nn.GELU,
    "silu": nn.SiLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
}


def make_mlp(in_features, hidden_dims, out_features, activation="relu", dropout=0.0):
    """Build ``Linear -> activation -> dropout`` blocks ending in a ``Linear``.

    Parameters
    ----------
    in_features : int
    hidden_dims : sequence of int
    out_features : int
    activation : str, default="relu"
        A key of :data:`ACTIVATIONS`.
    dropout : float, default=0.0

    Returns
    -------
    mlp : torch.nn.Sequential
    """
    layers = []
    width = in_features
    for hidden in hidden_dims:
        layers.append(nn.Linear(width, hidden))
        layers.append(ACTIVATIONS[activation]())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        width = hidden
    layers.append(nn.Linear(width, out_features))
    return nn.Sequential(*layers)


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


class BlockActivation(nn.Module):
    """Applies (Gumbel-)softmax to the one-hot blocks of a generator's output.

    The block columns are copied into one padded ``(batch, n_blocks,
    max_width)`` tensor so that a single softmax serves every block, instead
    of a Python loop over blocks. The copies use precomputed column indices
    (``index_select`` / ``index_copy``): boolean-mask indexing and its
    backward cost as much as the generator's matrix products. Gumbel noise is
    drawn for the real block columns only (``-log(-log(u))`` from uniform
    draws: torch's ``exponential_`` was a third of a CPU training step).

    Parameters
    ----------
    width : int
        Width of the encoded rows.
    blocks : list of (start, width)
        Softmax blocks; every other column is numeric and passes unchanged.
    """

    def __init__(self, width, blocks):
        super().__init__()
        self.width = width
        self.n_blocks = len(blocks)
        self.max_width = max((w for _, w in blocks), default=1)
        block_columns, padded_positions = [], []
        for b, (start, w) in enumerate(blocks):
            block_columns.extend(range(start, start + w))
            padded_positions.extend(range(b * self.max_width, b * self.max_width + w))
        self.register_buffer("block_columns", torch.tensor(block_columns, dtype=torch.long), persistent=False)
        # Where each block column sits in the flattened padded tensor.
        self.register_buffer("padded_positions", torch.tensor(padded_positions, dtype=torch.long), persistent=False)

    def _padded(self, logits):
        """Block logits ``(batch, n_blocks * max_width)`` in padded layout; padding is -inf."""
        padded = logits.new_full((len(logits), max(self.n_blocks, 1) * self.max_width), float("-inf"))
        return padded.index_copy(1, self.padded_positions, logits)

    def block_logits(self, out):
        """Padded block logits ``(batch, n_blocks, max_width)``; padding is -inf."""
        return self._padded(out.index_select(1, self.block_columns)).view(len(out), -1, self.max_width)

    @staticmethod
    def gumbel_like(x):
        """Standard Gumbel noise shaped like ``x``."""
        u = torch.rand(x.shape, device=x.device, dtype=x.dtype)
        return -torch.log(-torch.log(u.clamp_(1e-10, 1.0 - 1e-7)))

    def forward(self, out, tau=0.2, gumbel=True):
        if self.n_blocks == 0:
            return out
        logits = out.index_select(1, self.block_columns)
        if gumbel:
            logits = logits + self.gumbel_like(logits)
        padded = self._padded(logits / tau).view(len(out), self.n_blocks, self.max_width)
        probs = torch.softmax(padded, dim=-1).view(len(out), -1).index_select(1, self.padded_positions)
        return out.index_copy(1, self.block_columns, probs)


def sample_blocks(logits, blocks, generator=None):
    """Draw one level per softmax block from the block's softmax.

    Inverse-CDF sampling: one uniform number per block, compared with the
    block's cumulative unnormalised probabilities. It draws from the same
    distribution as the Gumbel-max trick used in training, with one random
    number per block instead of one per level (2-3 times faster).

    Parameters
    ----------
    logits : Tensor of shape (n, width)
        Generator output (pre-activation).
    blocks : sequence of (start, width)
        Column range of each softmax block in ``logits``.
    generator : torch.Generator or None
        Source of the uniform numbers.

    Returns
    -------
    LongTensor of shape (n, len(blocks))
        The level drawn in each block (position within the block).
    """
    uniform = torch.rand(len(logits), len(blocks), generator=generator, device=logits.device)
    choices = torch.empty(len(logits), len(blocks), dtype=torch.long, device=logits.device)
    for b, (start, width) in enumerate(blocks):
        block = logits[:, start : start + width]
        cumulative = (block - block.amax(1, keepdim=True)).exp_().cumsum_(1)
        threshold = uniform[:, b : b + 1] * cumulative[:, -1:]
        choices[:, b] = (cumulative < threshold).sum(1).clamp_max_(width - 1)
    return choices


def sparse_condition_product(cond, weights, bias):
    """``cond @ weights.T + bias`` for a condition matrix with few non-zeros per row.

    Condition vectors are one-hot (one hot level per row in training, a few
    when several columns are fixed at sampling), so gathering the weight
    columns of the hot levels replaces a dense product over every level:
    on Adult that is a third of the generator's arithmetic.

    Parameters
    ----------
    cond : Tensor of shape (n, n_conditions)
    weights : Tensor of shape (n_out, n_conditions)
    bias : Tensor of shape (n_out,)

    Returns
    -------
    Tensor of shape (n, n_out)
    """
    rows, cols = cond.nonzero(as_tuple=True)
    values = cond[rows, cols]
    n = len(cond)
    one_hot = len(rows) == n and bool((rows == torch.arange(n, device=rows.device)).all())
    if one_hot and bool((values == 1).all()):
        return one_hot_condition_product(cols, weights, bias)
    picked = weights.t().index_select(0, cols) * values.unsqueeze(1)
    return bias.expand(n, -1).clone().index_add_(0, rows, picked)


def one_hot_condition_product(index, weights, bias):
    """``one_hot(index) @ weights.T + bias``: the weight column of each row's level."""
    return (weights.t() + bias).index_select(0, index)


class TabularGenerator(nn.Module):
    """MLP generator: ``(noise, condition) -> encoded row`` (pre-activation).

    Parameters
    ----------
    latent_dim : int
        Noise width.
    cond_dim : int
        Width of the condition vector (0 for an unconditional model).
    output_dim : int
        Width of the encoded rows.
    hidden_dims : sequence of int, default=(256, 256)
        Hidden widths; each hidden layer is Linear -> BatchNorm -> ReLU and its
        output is concatenated to its input (as in CTGAN's residual layers).
    """

    def __init__(self, latent_dim, cond_dim, output_dim, hidden_dims=(256, 256)):
        super().__init__()
        self.cond_dim = cond_dim
        self.blocks = nn.ModuleList()
        width = latent_dim + cond_dim
        for hidden in hidden_dims:
            self.blocks.append(nn.Sequential(nn.Linear(width, hidden), nn.BatchNorm1d(hidden), nn.ReLU()))
            width += hidden
        self.out = nn.Linear(width, output_dim)

    def _layer_parameters(self):
        """Weights and biases of the hidden layers and the output layer; in
        eval mode the batch norms are folded into them (they are affine then)."""
        weights = [block[0].weight for block in self.blocks] + [self.out.weight]
        biases = [block[0].bias for block in self.blocks] + [self.out.bias]
        if not self.training:
            for i, block in enumerate(self.blocks):
                norm = block[1]
                scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
                weights[i] = weights[i] * scale.unsqueeze(1)
                biases[i] = (biases[i] - norm.running_mean) * scale + norm.bias
        return weights, biases

    def forward(self, noise, cond=None, *, cond_index=None):
        """Pre-activation rows for ``noise`` and the one-hot conditions ``cond``;
        ``cond_index`` (the hot position of each row) may replace a one-hot
        ``cond`` and skips searching it (sampling uses it)."""
        # Layer i reads cat([h_{i-1}, ..., h_0, noise, cond]) (the residual
        # concatenation); the condition's part of every layer (and the
        # biases) comes from one sparse product, the rest from one dense one.
        weights, biases = self._layer_parameters()
        if self.cond_dim:
            table = torch.cat([w[:, -self.cond_dim :] for w in weights])
            if cond_index is not None:
                base = one_hot_condition_product(cond_index, table, torch.cat(biases))
            else:
                base = sparse_condition_product(cond, table, torch.cat(biases))
            base = base.split([len(b) for b in biases], dim=1)
            weights = [w[:, : -self.cond_dim] for w in weights]
        else:
            base = biases
        x = noise
        for block, weight, pre in zip(self.blocks, weights, base):
            pre = torch.addmm(pre, x, weight.t())
            hidden = block[2](block[1](pre)) if self.training else pre.clamp_min_(0.0)
            x = torch.cat([hidden, x], dim=1)
        return torch.addmm(base[-1], x, weights[-1].t())


class UniformMaskDropout(nn.Dropout):
    """``nn.Dropout`` whose CPU mask comes from uniform draws.

    Same distribution and scaling as ``nn.Dropout``; on CPU, comparing
    ``torch.rand`` with ``p`` is about twice as fast as torch's
    ``bernoulli_`` (the critic draws four masks per training step). Other
    devices use torch's fused dropout.
    """

    def forward(self, x):
        if not self.training or self.p == 0 or x.device.type != "cpu":
            return super().forward(x)
        if self.p == 1:
            return x * 0.0
        keep = torch.rand_like(x) >= self.p
        return x * keep.to(x.dtype) * (1.0 / (1.0 - self.p))


class TabularDiscriminator(nn.Module):
    """PacGAN critic: scores packs of ``pac`` rows (with their conditions).

    Parameters
    ----------
    input_dim : int
        Width of the encoded rows.
    cond_dim : int
        Width of the condition vector.
    pac : int, default=10
        Rows per pack; the batch size must be a multiple of it.
    hidden_dims : sequence of int, default=(256, 256)
    dropout : float, default=0.5
    sparse_conditions : bool, default=True
        Apply the one-hot conditions sparsely (faster); False uses one dense
        ``nn.Linear`` over rows and conditions (needed for DP training).
    """

    def __init__(self, input_dim, cond_dim, pac=10, hidden_dims=(256, 256), dropout=0.5, sparse_conditions=True):
        super().__init__()
        self.pac = pac
        self.input_dim = input_dim
        self.cond_dim = cond_dim
        self.sparse_conditions = sparse_conditions
        # The first layer reads a pack of (row, condition) pairs; its row and
        # condition weights are kept apart so that the one-hot conditions
        # can be applied sparsely. Initialised like one nn.Linear over the
        # whole pack. sparse_conditions=False keeps one nn.Linear (the layers
        # Opacus computes per-sample gradients of, for DP training).
        first, *rest = hidden_dims
        if sparse_conditions:
            bound = 1.0 / math.sqrt(pac * (input_dim + cond_dim))
            self.rows_in = nn.Linear(pac * input_dim, first)
            self.cond_in = nn.Parameter(torch.empty(first, pac * cond_dim))
            for tensor in (self.rows_in.weight, self.rows_in.bias, self.cond_in):
                nn.init.uniform_(tensor, -bound, bound)
        else:
            self.rows_in = nn.Linear(pac * (input_dim + cond_dim), first)
        layers = [nn.LeakyReLU(0.2), UniformMaskDropout(dropout)]
        width = first
        for hidden in rest:
            layers += [nn.Linear(width, hidden), nn.LeakyReLU(0.2), UniformMaskDropout(dropout)]
            width = hidden
        layers.append(nn.Linear(width, 1))
        self.net = nn.Sequential(*layers)

    def forward(self, rows, cond=None):
        if not self.sparse_conditions:
            x = rows if cond is None else torch.cat([rows, cond], dim=1)
            return self.net(self.rows_in(x.reshape(len(rows) // self.pac, -1)))
        packed = rows.reshape(-1, self.pac * self.input_dim)
        if self.cond_dim:
            base = sparse_condition_product(cond.reshape(len(packed), -1), self.cond_in, self.rows_in.bias)
            hidden = torch.addmm(base, packed, self.rows_in.weight.t())
        else:
            hidden = self.rows_in(packed)
        return self.net(hidden)


# --- image GAN modules --------------------------------------------------------


def _refines(refine, steps):
    """Whether the image modules add their 3x3 refining convolutions."""
    if refine == "auto":
        return steps <= 1
    if not isinstance(refine, bool):
        raise ValueError(f"refine must be True, False or 'auto'; got {refine!r}.")
    return refine


def _upsampling_steps(height, width):
    """Doublings from the generator's base grid to the image: the smaller
    side shrinks to 4-7 pixels (at most three doublings)."""
    steps = 0
    while steps < 3 and min(height, width) / 2 ** (steps + 1) >= 3.5:
        steps += 1
    return steps


class ClassConditionalBatchNorm(nn.Module):
    """Batch norm whose scale and shift are learned per class.

    The normalisation statistics are shared; each class has its own gain
    and bias (initialised to the identity), so the label steers every layer
    of the generator rather than only its input (conditional batch norm, as
    paired with the projection discriminator by Miyato & Koyama, 2018).

    Parameters
    ----------
    num_features : int
    n_classes : int
    spatial : bool, default=True
        Normalise ``(N, C, H, W)`` feature maps (False: ``(N, C)`` rows).
    """

    def __init__(self, num_features, n_classes, spatial=True):
        super().__init__()
        norm = nn.BatchNorm2d if spatial else nn.BatchNorm1d
        self.norm = norm(num_features, affine=False)
        self.gain = nn.Embedding(n_classes, num_features)
        self.bias = nn.Embedding(n_classes, num_features)
        nn.init.ones_(self.gain.weight)
        nn.init.zeros_(self.bias.weight)

    def forward(self, x, labels):
        shape = (len(x), -1) + (1,) * (x.dim() - 2)
        return self.norm(x) * self.gain(labels).view(shape) + self.bias(labels).view(shape)


class ConvGenerator(nn.Module):
    """DCGAN-style generator: ``(noise, labels) -> images`` in [-1, 1].

    Noise (and a learned embedding of the class label) go through a linear
    layer to a small grid of ``width * 2**(steps-1)`` channels, then
    ``steps`` transposed convolutions each double the grid and halve the
    channels (batch norm and ReLU between), the last one to ``channels`` with
    tanh. The grid is sized from the image (28x28: 4 -> 8 -> 16 -> 32, cropped
    to 28; 8x8: 4 -> 8), so any image size works. In a
    conditional generator every batch norm is class-conditional
    (:class:`ClassConditionalBatchNorm`).

    Parameters
    ----------
    latent_dim : int
    n_classes : int
        0 for an unconditional generator.
    channels, height, width : int
        Image shape.
    base_width : int, default=32
        Channels of the last hidden grid; earlier grids double it.
    refine : bool or "auto", default="auto"
        Add a 3x3 convolution (with batch norm and ReLU) on the first grid
        and make the output a 3x3 convolution of a last hidden grid.
        ``"auto"`` does so for images under 14 pixels a side, whose
        up-sampling stack is otherwise a single layer: on the 8x8 digits it
        took the domain FD from 0.64 to 0.41 (for about five times the fit
        time).
    """

    def __init__(self, latent_dim, n_classes, channels, height, width, base_width=32, refine="auto"):
        super().__init__()
        self.n_classes = n_classes
        self.height = height
        self.width = width
        steps = _upsampling_steps(height, width)
        refine = _refines(refine, steps)
        self.grid = (math.ceil(height / 2**steps), math.ceil(width / 2**steps))
        self.grid_channels = base_width * 2 ** (steps if refine else max(steps - 1, 0))
        embed_dim = min(n_classes, 32) if n_classes else 0
        self.embed = nn.Embedding(n_classes, embed_dim) if n_classes else None

        def norm(features, spatial=True):
            if n_classes:
                return ClassConditionalBatchNorm(features, n_classes, spatial)
            return nn.BatchNorm2d(features) if spatial else nn.BatchNorm1d(features)

        n_projected = self.grid_channels * self.grid[0] * self.grid[1]
        self.project = nn.Linear(latent_dim + embed_dim, n_projected)
        self.project_norm = norm(n_projected, spatial=False)
        # Every convolution but the last is followed by the norm of the same index.
        self.convolutions = nn.ModuleList()
        self.norms = nn.ModuleList()
        in_channels = self.grid_channels
        if refine:
            self.convolutions.append(nn.Conv2d(in_channels, in_channels, 3, padding=1))
            self.norms.append(norm(in_channels))
        for step in range(steps):
            last = step == steps - 1 and not refine
            out_channels = channels if last else in_channels // 2
            self.convolutions.append(nn.ConvTranspose2d(in_channels, out_channels, 4, stride=2, padding=1))
            if not last:
                self.norms.append(norm(out_channels))
            in_channels = out_channels
        if refine or steps == 0:
            self.convolutions.append(nn.Conv2d(in_channels, channels, 3, padding=1))
        # Channels-last tensors take oneDNN's fast path for transposed
        # convolutions on CPU (about 1.7x faster here).
        self.convolutions.to(memory_format=torch.channels_last)

    def _normalise(self, norm, x, labels):
        return norm(x, labels) if self.n_classes else norm(x)

    def forward(self, noise, labels=None):
        x = noise if self.embed is None else torch.cat([noise, self.embed(labels)], dim=1)
        x = torch.relu(self._normalise(self.project_norm, self.project(x), labels))
        x = x.view(len(noise), self.grid_channels, *self.grid).contiguous(memory_format=torch.channels_last)
        for i, convolution in enumerate(self.convolutions):
            x = convolution(x)
            if i < len(self.norms):
                x = torch.relu(self._normalise(self.norms[i], x, labels))
        return torch.tanh(x)[:, :, : self.height, : self.width]


class ConvDiscriminator(nn.Module):
    """DCGAN-style critic with spectral normalisation and a class projection.

    Strided 4x4 convolutions halve the image while doubling the channels
    (LeakyReLU between), as many times as the generator doubles its grid
    (images under 7 pixels a side get one 3x3 convolution instead);
    the score is a linear function of the features plus, when conditional,
    their inner product with a learned embedding of the label (the
    projection discriminator of Miyato & Koyama, 2018). Spectral
    normalisation on every layer keeps the critic Lipschitz, which
    stabilises training without a gradient penalty.

    Parameters
    ----------
    channels, height, width : int
        Image shape.
    n_classes : int
        0 for an unconditional critic.
    base_width : int, default=32
        Channels after the first convolution.
    refine : bool or "auto", default="auto"
        Start with a 3x3 convolution at full size and end with one on the
        smallest grid, mirroring :class:`ConvGenerator`'s ``refine``
        (``"auto"``: for images under 14 pixels a side).
    """

    def __init__(self, channels, height, width, n_classes, base_width=32, refine="auto"):
        super().__init__()
        sn = nn.utils.parametrizations.spectral_norm
        steps = _upsampling_steps(height, width)
        refine = _refines(refine, steps)
        layers = []
        in_channels, size_h, size_w = channels, height, width
        if steps == 0 or refine:  # a same-size convolution first
            layers += [sn(nn.Conv2d(in_channels, base_width, 3, padding=1)), nn.LeakyReLU(0.2)]
            in_channels = base_width
        for step in range(steps):
            out_channels = base_width * 2 ** (step + 1 if refine else step)
            layers += [sn(nn.Conv2d(in_channels, out_channels, 4, stride=2, padding=1)), nn.LeakyReLU(0.2)]
            in_channels = out_channels
            size_h, size_w = size_h // 2, size_w // 2
        if refine:
            layers += [sn(nn.Conv2d(in_channels, in_channels, 3, padding=1)), nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*layers).to(memory_format=torch.channels_last)
        n_features = in_channels * size_h * size_w
        self.score = sn(nn.Linear(n_features, 1))
        self.embed = sn(nn.Embedding(n_classes, n_features)) if n_classes else None

    def forward(self, images, labels=None):
        features = self.features(images.contiguous(memory_format=torch.channels_last)).flatten(1)
        out = self.score(features).squeeze(1)
        if self.embed is not None:
            out = out + (self.embed(labels) * features).sum(dim=1)
        return out
