"""tf.nn: activations, softmax, cross-entropy losses, bias_add, conv2d and pooling."""

import collections.abc

from loom import _C
from loom._api import export
from loom.dtypes import int32
from loom.ops.constant_op import convert_to_tensor
from loom.ops.math_ops import cast

_RELU = _C.op("Relu")
_RELU6 = _C.op("Relu6")
_ELU = _C.op("Elu")
_SELU = _C.op("Selu")
_GELU = _C.op("Gelu")
_SOFTPLUS = _C.op("Softplus")
_SOFTSIGN = _C.op("Softsign")
_LEAKY_RELU = _C.op("LeakyRelu")
_SOFTMAX = _C.op("Softmax")
_LOG_SOFTMAX = _C.op("LogSoftmax")
_BIAS_ADD = _C.op("BiasAdd")
_SPARSE_XENT = _C.op("SparseSoftmaxCrossEntropyWithLogits")
_XENT = _C.op("SoftmaxCrossEntropyWithLogits")
_CONV2D = _C.op("Conv2D")
_CONV2D_BACKPROP_INPUT = _C.op("Conv2DBackpropInput")
_MAX_POOL = _C.op("MaxPool")
_AVG_POOL = _C.op("AvgPool")


# --- activations ----------------------------------------------------------------


@export("nn.relu")
def relu(features, name=None):
    """max(features, 0)."""
    return _C.execute(_RELU, (features,))


@export("nn.relu6")
def relu6(features, name=None):
    """min(max(features, 0), 6)."""
    return _C.execute(_RELU6, (features,))


@export("nn.elu")
def elu(features, name=None):
    """features if > 0 else exp(features) - 1."""
    return _C.execute(_ELU, (features,))


@export("nn.selu")
def selu(features, name=None):
    """scale * elu with alpha, the self-normalizing constants."""
    return _C.execute(_SELU, (features,))


@export("nn.gelu")
def gelu(features, approximate=False, name=None):
    """x * Phi(x); approximate=True uses the tanh approximation."""
    return _C.execute(_GELU, (features,), {"approximate": bool(approximate)})


@export("nn.softplus", "math.softplus")
def softplus(features, name=None):
    """log(exp(features) + 1), computed without overflow."""
    return _C.execute(_SOFTPLUS, (features,))


@export("nn.softsign", "math.softsign")
def softsign(features, name=None):
    """features / (abs(features) + 1)."""
    return _C.execute(_SOFTSIGN, (features,))


@export("nn.leaky_relu")
def leaky_relu(features, alpha=0.2, name=None):
    """features if > 0 else alpha * features."""
    return _C.execute(_LEAKY_RELU, (features,), {"alpha": float(alpha)})


# --- softmax and losses ---------------------------------------------------------


@export("nn.softmax", "math.softmax")
def softmax(logits, axis=None, name=None):
    """exp(logits) / sum(exp(logits), axis); axis defaults to the last."""
    return _C.execute(_SOFTMAX, (logits,), {"axis": -1 if axis is None else int(axis)})


@export("nn.log_softmax", "math.log_softmax")
def log_softmax(logits, axis=None, name=None):
    """logits - log(sum(exp(logits), axis)); axis defaults to the last."""
    return _C.execute(_LOG_SOFTMAX, (logits,), {"axis": -1 if axis is None else int(axis)})


@export("nn.sparse_softmax_cross_entropy_with_logits")
def sparse_softmax_cross_entropy_with_logits(labels=None, logits=None, name=None):
    """Per-example loss for class indices `labels` [d0..dr-1] and `logits` [d0..dr-1, classes]."""
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels)
    if labels.ndim != logits.ndim - 1:
        raise ValueError(
            f"Rank mismatch: Rank of labels (received {labels.ndim}) should equal rank of "
            f"logits minus 1 (received {logits.ndim})."
        )
    loss, _ = _C.execute(_SPARSE_XENT, (logits, labels))
    return loss


@export("nn.softmax_cross_entropy_with_logits")
def softmax_cross_entropy_with_logits(labels, logits, axis=-1, name=None):
    """Per-example loss for label distributions `labels` over the classes along `axis`."""
    loss, _ = _C.execute(_XENT, (logits, labels), {"axis": int(axis)})
    return loss


@export("nn.bias_add")
def bias_add(value, bias, data_format=None, name=None):
    """value + bias along the channel dimension ("N...C": last, "NC...": second)."""
    if data_format is None:
        data_format = "NHWC"
    elif data_format.startswith("NC"):
        data_format = "NCHW"
    elif data_format.startswith("N") and data_format.endswith("C"):
        data_format = "NHWC"
    else:
        raise ValueError(
            f"`data_format` must be of the form `N...C` or `NC...`. Received: {data_format}"
        )
    return _C.execute(_BIAS_ADD, (value, bias), {"data_format": data_format})


# --- convolution and pooling ----------------------------------------------------


def _window_list(value, name, data_format):
    """TF's normalization of strides/dilations/ksize: an int or 1, 2 or 4 values."""
    if value is None:
        value = [1]
    elif not isinstance(value, collections.abc.Sized):
        value = [value]
    value = [int(v) for v in value]
    if len(value) == 4:
        return value
    if len(value) == 1:
        value = value * 2
    elif len(value) != 2:
        raise ValueError(
            f"{name} should be of length 1, 2 or 4. Received: {name}={value} of length {len(value)}"
        )
    return [1, 1] + value if data_format.startswith("NC") else [1] + value + [1]


def _padding_attrs(padding, data_format):
    """A padding string, or explicit [[before, after]] * 4 pairs in data_format order."""
    if isinstance(padding, str):
        return {"padding": padding.upper()}
    pairs = [list(p) for p in padding]
    if len(pairs) != 4 or any(len(p) != 2 for p in pairs):
        raise ValueError(f"padding should be a list of 4 [before, after] pairs, got {padding}")
    return {"padding": "EXPLICIT", "explicit_paddings": [int(v) for p in pairs for v in p]}


@export("nn.conv2d")
def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """2-D convolution of NHWC `input` with `filters` [kh, kw, in_channels, out_channels]."""
    data_format = data_format or "NHWC"
    attrs = {
        "strides": _window_list(strides, "strides", data_format),
        "dilations": _window_list(dilations, "dilations", data_format),
        "data_format": data_format,
    }
    attrs.update(_padding_attrs(padding, data_format))
    return _C.execute(_CONV2D, (input, filters), attrs)


@export("nn.conv2d_transpose")
def conv2d_transpose(
    input,
    filters,
    output_shape,
    strides,
    padding="SAME",
    data_format="NHWC",
    dilations=None,
    name=None,
):
    """The transpose (gradient) of conv2d: NHWC `input` [n, h, w, in] with `filters`
    [kh, kw, out, in] to a tensor of `output_shape` [n, oh, ow, out]."""
    data_format = data_format or "NHWC"
    attrs = {
        "strides": _window_list(strides, "strides", data_format),
        "dilations": _window_list(dilations, "dilations", data_format),
        "data_format": data_format,
    }
    attrs.update(_padding_attrs(padding, data_format))
    if isinstance(output_shape, _C.Tensor):
        sizes = cast(output_shape, int32)
    else:
        sizes = convert_to_tensor([int(d) for d in output_shape], dtype=int32)
    return _C.execute(_CONV2D_BACKPROP_INPUT, (sizes, filters, input), attrs)


def _pool_attrs(ksize, strides, padding, data_format):
    data_format = data_format or "NHWC"
    if not isinstance(padding, str):
        raise TypeError(f"padding for pooling must be 'SAME' or 'VALID', got {padding}")
    return {
        "ksize": _window_list(ksize, "ksize", data_format),
        "strides": _window_list(strides, "strides", data_format),
        "padding": padding.upper(),
        "data_format": data_format,
    }


@export("nn.max_pool2d")
def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Max over each ksize window of NHWC `input`."""
    return _C.execute(_MAX_POOL, (input,), _pool_attrs(ksize, strides, padding, data_format))


@export("nn.avg_pool2d")
def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):
    """Mean over each ksize window of NHWC `input` (padding excluded from the count)."""
    return _C.execute(_AVG_POOL, (input,), _pool_attrs(ksize, strides, padding, data_format))


def _check_pool_rank(input, fn):
    input = convert_to_tensor(input)
    if input.ndim not in (3, 4, 5):
        raise ValueError(f"`input` must have rank 3, 4 or 5. Received: input.shape={input.shape}")
    if input.ndim != 4:
        raise NotImplementedError(f"tf.nn.{fn} supports only 4-D input (2-D pooling)")
    return input


@export("nn.max_pool")
def max_pool(input, ksize, strides, padding, data_format=None, name=None):
    """N-D max pooling; 4-D (2-D spatial) input only."""
    return max_pool2d(_check_pool_rank(input, "max_pool"), ksize, strides, padding, data_format)


@export("nn.avg_pool")
def avg_pool(input, ksize, strides, padding, data_format=None, name=None):
    """N-D average pooling; 4-D (2-D spatial) input only."""
    return avg_pool2d(_check_pool_rank(input, "avg_pool"), ksize, strides, padding, data_format)
