"""Parameter constraints beyond scikit-learn's, and the input checks every ``fit`` makes first.

scikit-learn validates ``_parameter_constraints`` before ``fit`` runs (through
``_fit_context``) and names a bad parameter in one style: "The 'x' parameter
of GANSampler must be ... Got ... instead.". The constraints here add what
its ``Interval`` / ``StrOptions`` cannot say: tuples of layer widths, Adam's
two betas, a torch module class.
"""

import math
import os
from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, Options, StrOptions

POSITIVE_INT = Interval(Integral, 1, None, closed="left")
# Finite: the right end is open at infinity, so inf is refused.
NON_NEGATIVE_REAL = Interval(Real, 0, math.inf, closed="left")
POSITIVE_REAL = Interval(Real, 0, math.inf, closed="neither")
N_THREADS = [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1}), StrOptions({"adaptive"}), None]


class _Check(Options):
    """A constraint given by a predicate and the words of its error message.

    A subclass of scikit-learn's ``Options`` only so that its validation
    accepts it as a constraint object; it holds no options.
    """

    def __init__(self, predicate, description):
        super().__init__(object, set())
        self.predicate = predicate
        self.description = description

    def is_satisfied_by(self, val):
        try:
            return bool(self.predicate(val))
        except (TypeError, ValueError):
            return False

    def __str__(self):
        return self.description


def _is_sequence(val):
    return isinstance(val, (tuple, list))


def _is_positive_int(val):
    return isinstance(val, Integral) and not isinstance(val, bool) and val >= 1


def layer_widths(allow_empty):
    """Tuples (or lists) of positive ints, e.g. hidden layer widths."""
    words = "a tuple of positive ints" if allow_empty else "a non-empty tuple of positive ints"
    return _Check(
        lambda v: _is_sequence(v) and (allow_empty or len(v) > 0) and all(_is_positive_int(w) for w in v), words
    )


BETAS = _Check(
    lambda v: _is_sequence(v)
    and len(v) == 2
    and all(isinstance(b, Real) and not isinstance(b, bool) and 0 <= b < 1 for b in v),
    "a pair of floats in [0, 1)",
)


def module_class(base, description):
    """A class (not an instance) derived from ``base``."""
    return _Check(lambda v: isinstance(v, type) and issubclass(v, base), description)


def check_not_path_or_none(X, estimator_name, paths=False):
    """Name the two inputs users pass by mistake before array conversion garbles them
    (``paths=True``: the estimator reads files itself, only None is a mistake)."""
    if X is None:
        raise ValueError(
            f"{estimator_name}.fit got X=None; pass the data: a DataFrame or an array of shape "
            "(n_samples, n_features)."
        )
    if isinstance(X, (str, bytes, os.PathLike)) and not (paths and not isinstance(X, bytes)):
        raise TypeError(
            f"{estimator_name}.fit got {type(X).__name__} {X!r}, not data; read the file first, "
            f"e.g. X = pandas.read_csv({os.fsdecode(X)!r})."
        )
