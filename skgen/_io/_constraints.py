"""The constraint classes a model file may name.

``skgen.constraints`` registers its classes here when it is imported; an
estimator that holds constraints imports it before a file's parameters are
read, so the model-file codec (a lower layer) never imports the rules.
"""

_CLASSES = {}


def register_constraint(cls):
    """Let model files hold instances of the constraint class ``cls`` (keyed by its name)."""
    _CLASSES[cls.__name__] = cls
    return cls


def constraint_class(name):
    """The registered constraint class called ``name``, or None."""
    return _CLASSES.get(name)
