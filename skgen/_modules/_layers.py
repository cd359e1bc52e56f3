"""Building blocks shared by the default modules."""

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
