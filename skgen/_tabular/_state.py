"""The tabular codec's fitted state as model-file JSON, and back."""

from sklearn.preprocessing import QuantileTransformer

from .._io._json import decode_array, decode_dtype, decode_value, encode_array, encode_dtype, encode_value
from ._columns import _ColumnCodec
from ._value_trees import ValueTrees

_CODEC_VALUES = ("name", "kind", "constant", "has_missing", "missing_rate", "low", "high", "step")


def codec_state(codec_obj):
    """A fitted :class:`~skgen._tabular.TabularCodec` as JSON-able data."""
    codecs = []
    for codec in codec_obj.codecs_:
        item = {key: encode_value(getattr(codec, key)) for key in _CODEC_VALUES}
        item["dtype"] = encode_dtype(codec.dtype)
        item["levels"] = None if codec.levels is None else [encode_value(v) for v in codec.levels]
        item["other_values"] = encode_array(codec.other_values)
        item["other_probs"] = encode_array(codec.other_probs)
        item["spikes"] = encode_array(codec.spikes)
        quantiles = codec.quantiles
        item["quantiles"] = None if quantiles is None else {
            "n_quantiles": int(quantiles.n_quantiles),
            "subsample": int(quantiles.subsample),
            "quantiles_": encode_array(quantiles.quantiles_),
            "references_": encode_array(quantiles.references_),
        }
        item["bins"] = codec.bins
        item["decimals"] = codec.decimals
        item["support"] = encode_array(codec.support)
        codecs.append(item)
    params = {key: getattr(codec_obj, key) for key in ("max_categories", "spike_share", "discrete_threshold", "random_state", "n_bins")}
    params["categorical_columns"] = (
        None if codec_obj.categorical_columns is None else [encode_value(c) for c in codec_obj.categorical_columns]
    )
    params["combination_columns"] = (
        None if codec_obj.combination_columns is None else [encode_value(c) for c in codec_obj.combination_columns]
    )
    trees = getattr(codec_obj, "value_trees_", None)
    return {"params": params, "columns": [encode_value(c) for c in codec_obj.columns_], "codecs": codecs,
            "value_trees": None if trees is None else trees.get_state()}

def codec_from_state(cls, state):
    """Rebuild a fitted codec of class ``cls`` from :func:`codec_state`'s output."""
    codec_obj = cls(**state["params"])
    codec_obj.columns_ = [decode_value(c) for c in state["columns"]]
    codec_obj.codecs_ = []
    for item in state["codecs"]:
        codec = _ColumnCodec(decode_value(item["name"]), item["kind"], decode_dtype(item["dtype"]))
        for key in _CODEC_VALUES[2:]:
            setattr(codec, key, decode_value(item[key]))
        codec.levels = None if item["levels"] is None else [decode_value(v) for v in item["levels"]]
        codec.other_values = decode_array(item["other_values"])
        codec.other_probs = decode_array(item["other_probs"])
        codec.spikes = decode_array(item["spikes"])
        codec.bins = item.get("bins")  # absent in 0.1 files: their layout
        codec.decimals = item.get("decimals")  # absent in files before 0.3: not rounded
        codec.support = decode_array(item.get("support"))  # absent before 0.3: no value grid
        if item["quantiles"] is not None:
            q = item["quantiles"]
            quantiles = QuantileTransformer(
                n_quantiles=q["n_quantiles"], output_distribution="normal", subsample=q["subsample"]
            )
            quantiles.quantiles_ = decode_array(q["quantiles_"])
            quantiles.references_ = decode_array(q["references_"])
            quantiles.n_quantiles_ = len(quantiles.references_)
            quantiles.n_features_in_ = 1
            codec.quantiles = quantiles
        codec_obj.codecs_.append(codec)
    codec_obj._layout()
    if state.get("value_trees") is not None:  # absent before value trees: values from the generator
        codec_obj.value_trees_ = ValueTrees.from_state(state["value_trees"])
    return codec_obj
