"""tf.nn functions TensorFlow itself writes as compositions of ops."""

from loom import _C
from loom._api import export
from loom.ops import array_ops, math_ops, reduce_ops


@export("nn.l2_normalize", "math.l2_normalize", "linalg.l2_normalize")
def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """x / sqrt(max(sum(x**2, axis), epsilon)), as TF computes it."""
    axis = dim if axis is None else axis
    x = _C.convert_to_tensor(x)
    square_sum = reduce_ops.reduce_sum(math_ops.square(x), axis, keepdims=True)
    inv_norm = math_ops.rsqrt(math_ops.maximum(square_sum, epsilon))
    return math_ops.multiply(x, inv_norm)


@export("nn.moments")
def moments(x, axes, shift=None, keepdims=False, name=None):
    """(mean, variance) of `x` over `axes`; variance is the mean squared deviation."""
    x = _C.convert_to_tensor(x)
    mean = reduce_ops.reduce_mean(x, axes, keepdims=True)
    variance = reduce_ops.reduce_mean(math_ops.squared_difference(x, mean), axes, keepdims=True)
    if not keepdims:
        mean = reduce_ops.reduce_mean(x, axes, keepdims=False)
        variance = array_ops.reshape(variance, array_ops.shape(mean))
    return mean, variance
