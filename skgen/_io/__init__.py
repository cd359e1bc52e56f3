"""Model files: the JSON codec (a leaf), the zip container, and the estimator registry behind ``skgen.load``."""
