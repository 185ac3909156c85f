"""tf.keras.activations: elementwise (and softmax) functions, looked up by name."""

import loom
from loom.keras.engine import serialization


def linear(x):
    return x


def relu(x, alpha=0.0, max_value=None, threshold=0.0):
    """max(x, threshold) by default; below threshold alpha * (x - threshold); capped at
    max_value."""
    if alpha == 0.0 and max_value is None and threshold == 0.0:
        return loom.nn.relu(x)
    x = loom.convert_to_tensor(x)
    above = loom.greater(x, threshold) if threshold != 0.0 else loom.greater(x, 0.0)
    negative_part = loom.multiply(loom.subtract(x, threshold), alpha)
    y = loom.where(above, x, negative_part if alpha != 0.0 else loom.zeros_like(x))
    if max_value is not None:
        y = loom.minimum(y, loom.cast(max_value, y.dtype))
    return y


def relu6(x):
    return loom.nn.relu6(x)


def leaky_relu(x, alpha=0.2):
    return loom.nn.leaky_relu(x, alpha=alpha)


def sigmoid(x):
    return loom.sigmoid(x)


def hard_sigmoid(x):
    """clip(0.2 * x + 0.5, 0, 1), the piecewise-linear sigmoid of Keras 2."""
    x = loom.convert_to_tensor(x)
    return loom.clip_by_value(x * 0.2 + 0.5, 0.0, 1.0)


def tanh(x):
    return loom.tanh(x)


def softmax(x, axis=-1):
    x = loom.convert_to_tensor(x)
    if x.shape.rank is not None and x.shape.rank <= 1:
        raise ValueError(f"Cannot apply softmax to a tensor that is 1D. Received input: {x}")
    return loom.nn.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    return loom.nn.log_softmax(x, axis=axis)


def elu(x, alpha=1.0):
    y = loom.nn.elu(x)
    if alpha == 1.0:
        return y
    return loom.where(loom.greater(x, 0.0), y, y * alpha)


def selu(x):
    return loom.nn.selu(x)


def gelu(x, approximate=False):
    return loom.nn.gelu(x, approximate=approximate)


def swish(x):
    """x * sigmoid(x) (also called silu)."""
    return loom.multiply(x, loom.sigmoid(x))


silu = swish


def mish(x):
    return loom.multiply(x, loom.tanh(loom.nn.softplus(x)))


def softplus(x):
    return loom.nn.softplus(x)


def softsign(x):
    return loom.nn.softsign(x)


def exponential(x):
    return loom.exp(x)


_FUNCTIONS = (
    linear,
    relu,
    relu6,
    leaky_relu,
    sigmoid,
    hard_sigmoid,
    tanh,
    softmax,
    log_softmax,
    elu,
    selu,
    gelu,
    swish,
    mish,
    softplus,
    softsign,
    exponential,
)
_REGISTRY = {fn.__name__: fn for fn in _FUNCTIONS}
_REGISTRY["silu"] = swish


def serialize(activation):
    """The registered name of a built-in activation, else the object's config."""
    name = getattr(activation, "__name__", None)
    if name in _REGISTRY and _REGISTRY[name] is activation:
        return name
    return serialization.serialize(activation)


def deserialize(name, custom_objects=None):
    return serialization.deserialize(name, _REGISTRY, "activation function", custom_objects)


def get(identifier):
    """An activation for None (linear), a name, a config dict or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        function = _REGISTRY.get(identifier)
        if function is None:
            raise ValueError(f"Unknown activation function: '{identifier}'.")
        return function
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if callable(identifier):
        return identifier
    raise TypeError(f"Could not interpret activation function identifier: {identifier!r}")


__all__ = [fn.__name__ for fn in _FUNCTIONS] + ["silu", "serialize", "deserialize", "get"]
