"""Activation layers with arguments: ReLU, LeakyReLU, PReLU (learned slopes), ELU,
Softmax and ThresholdedReLU."""

import loom
from loom.keras import constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_spec import InputSpec
from loom.keras.layers import _serialization
from loom.tensor_shape import TensorShape

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax", "ThresholdedReLU"]


class _Elementwise(Layer):
    """A weightless layer whose output has the input's shape."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class ReLU(_Elementwise):
    """min(x, max_value) above the threshold, negative_slope * (x - threshold) at or
    below it (so x == threshold gives 0, as Keras computes it)."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0.0:
            raise ValueError(
                "max_value of a ReLU layer cannot be a negative value. "
                f"Received: max_value={max_value}"
            )
        if negative_slope is None or negative_slope < 0.0:
            raise ValueError(
                "negative_slope of a ReLU layer cannot be a negative value. "
                f"Received: negative_slope={negative_slope}"
            )
        if threshold is None or threshold < 0.0:
            raise ValueError(
                "threshold of a ReLU layer cannot be a negative value. "
                f"Received: threshold={threshold}"
            )
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope = float(negative_slope)
        self.threshold = float(threshold)

    def call(self, inputs):
        dtype = inputs.dtype
        threshold = loom.cast(self.threshold, dtype)
        below = loom.cast(self.negative_slope, dtype) * (inputs - threshold)
        outputs = loom.where(loom.greater(inputs, threshold), inputs, below)
        if self.max_value is not None:
            outputs = loom.minimum(outputs, loom.cast(self.max_value, dtype))
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            max_value=self.max_value, negative_slope=self.negative_slope, threshold=self.threshold
        )
        return config


class LeakyReLU(_Elementwise):
    """x for x >= 0, alpha * x below."""

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(
                "The alpha value of a Leaky ReLU layer cannot be None, expected a float. "
                f"Received: alpha={alpha}"
            )
        self.alpha = float(alpha)

    def call(self, inputs):
        return loom.nn.leaky_relu(inputs, alpha=self.alpha)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class PReLU(Layer):
    """Leaky ReLU whose slopes are weights: one per input element (batch axis excluded),
    shared along `shared_axes` (1-based axes of the inputs)."""

    def __init__(
        self,
        alpha_initializer="zeros",
        alpha_regularizer=None,
        alpha_constraint=None,
        shared_axes=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, (list, tuple)):
            self.shared_axes = list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < input_shape.rank:
                raise ValueError(
                    f"Invalid shared axis {axis} for PReLU layer {self.name!r}: inputs have "
                    f"shape {tuple(input_shape)}."
                )
            param_shape[axis - 1] = 1
        if None in param_shape:
            raise ValueError(
                f"PReLU layer {self.name!r} needs known non-shared dimensions. Received "
                f"input_shape={tuple(input_shape)}, shared_axes={self.shared_axes}"
            )
        self.alpha = self.add_weight(
            "alpha",
            shape=param_shape,
            initializer=self.alpha_initializer,
            regularizer=self.alpha_regularizer,
            constraint=self.alpha_constraint,
        )
        axes = {i: input_shape[i] for i in range(1, input_shape.rank) if param_shape[i - 1] != 1}
        self.input_spec = InputSpec(ndim=input_shape.rank, axes=axes)
        self.built = True

    def call(self, inputs):
        positive = loom.nn.relu(inputs)
        negative = -self.alpha * loom.nn.relu(-inputs)
        return positive + negative

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(
            alpha_initializer=initializers.serialize(self.alpha_initializer),
            alpha_regularizer=_serialization.serialize(regularizers, self.alpha_regularizer),
            alpha_constraint=_serialization.serialize(constraints, self.alpha_constraint),
            shared_axes=self.shared_axes,
        )
        return config


class ELU(_Elementwise):
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError(
                f"Alpha of an ELU layer cannot be None, expected a float. Received: {alpha}"
            )
        self.alpha = float(alpha)

    def call(self, inputs):
        elu = loom.nn.elu(inputs)
        if self.alpha == 1.0:
            return elu
        return loom.where(inputs > 0, elu, loom.cast(self.alpha, inputs.dtype) * elu)

    def get_config(self):
        config = super().get_config()
        config["alpha"] = self.alpha
        return config


class Softmax(_Elementwise):
    """Softmax over `axis` (an int or a list of axes); masked positions (mask False)
    get a large negative logit, hence ~0 probability."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = list(axis) if isinstance(axis, (list, tuple)) else axis

    def call(self, inputs, mask=None):
        if mask is not None:
            big = 65500.0 if inputs.dtype == loom.float16 else 1e9
            inputs = inputs + (1.0 - loom.cast(mask, inputs.dtype)) * loom.cast(-big, inputs.dtype)
        if isinstance(self.axis, list):
            if len(self.axis) == 1:
                return loom.nn.softmax(inputs, axis=self.axis[0])
            lse = loom.reduce_logsumexp(inputs, axis=self.axis, keepdims=True)
            return loom.exp(inputs - lse)
        return loom.nn.softmax(inputs, axis=self.axis)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


class ThresholdedReLU(_Elementwise):
    """x where x > theta, 0 elsewhere."""

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None:
            raise ValueError(
                "Theta of a Thresholded ReLU layer cannot be None, expected a float. "
                f"Received: {theta}"
            )
        if theta < 0:
            raise ValueError(
                f"The theta value of a Thresholded ReLU layer should be >=0. Received: {theta}"
            )
        self.theta = float(theta)

    def call(self, inputs):
        keep = loom.cast(loom.greater(inputs, loom.cast(self.theta, inputs.dtype)), inputs.dtype)
        return inputs * keep

    def get_config(self):
        config = super().get_config()
        config["theta"] = self.theta
        return config
