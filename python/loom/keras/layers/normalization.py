"""BatchNormalization and LayerNormalization."""

from loom import _C
from loom.keras import constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.layers._serialization import serialize as _ser
from loom.ops import array_ops, control_flow_ops, math_ops, nn_impl
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = ["BatchNormalization", "LayerNormalization"]


def _normalize_axes(layer, axis, input_shape):
    """`axis` (int or list) as sorted non-negative axes of `input_shape`, each dim known."""
    ndims = input_shape.rank
    if ndims is None:
        raise ValueError(f"Input has undefined rank. Received: input_shape={input_shape}.")
    axes = [axis] if isinstance(axis, int) else list(axis)
    resolved = []
    for a in axes:
        if not isinstance(a, int) or not -ndims <= a < ndims:
            raise ValueError(
                f"Invalid axis: {a!r} for layer {layer.name!r}. Expected an integer in "
                f"[{-ndims}, {ndims}) for inputs of shape {input_shape}."
            )
        resolved.append(a % ndims)
    if len(set(resolved)) != len(resolved):
        raise ValueError(f"Duplicate axis: {axis} for layer {layer.name!r}.")
    for a in resolved:
        if input_shape[a] is None:
            raise ValueError(
                f"Input has undefined `axis` dimension. Received input with shape "
                f"{input_shape} and axis={axis}."
            )
    return sorted(resolved)


def _axis_config(axis):
    return axis if isinstance(axis, int) else list(axis)


class _ScaleAndCenterNormalization(Layer):
    """What BatchNormalization and LayerNormalization share: the normalized `axis`, the
    variance `epsilon`, and an optional learned scale (gamma) and offset (beta) with
    their initializers, regularizers and constraints."""

    # Each subclass words this error as its TF Keras counterpart does.
    _axis_type_error = "Expected an int or a list/tuple of ints for `axis`. Received: {axis}"

    # LayerNormalization takes exactly these arguments, in this order and with these
    # defaults (BatchNormalization's are the same, with its own ones in between).
    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if not isinstance(axis, int) and not all(isinstance(a, int) for a in axis):
            raise TypeError(self._axis_type_error.format(axis=axis))
        self.axis = _axis_config(axis)
        self.epsilon = float(epsilon)
        self.center = center
        self.scale = scale
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _add_param(
        self, name, shape, initializer, regularizer=None, constraint=None, trainable=True
    ):
        return self.add_weight(
            name=name,
            shape=shape,
            initializer=initializer,
            regularizer=regularizer,
            constraint=constraint,
            trainable=trainable,
            dtype=self.dtype,
        )

    def _add_gamma_and_beta(self, shape):
        """Creates gamma (when `scale`) then beta (when `center`); an absent one is None."""
        self.gamma = (
            self._add_param(
                "gamma",
                shape,
                self.gamma_initializer,
                self.gamma_regularizer,
                self.gamma_constraint,
            )
            if self.scale
            else None
        )
        self.beta = (
            self._add_param(
                "beta", shape, self.beta_initializer, self.beta_regularizer, self.beta_constraint
            )
            if self.center
            else None
        )

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class BatchNormalization(_ScaleAndCenterNormalization):
    """Normalizes with batch statistics while training (updating moving averages of them)
    and with the moving averages at inference."""

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        fused=None,
        **kwargs,
    ):
        super().__init__(
            axis=axis,
            epsilon=epsilon,
            center=center,
            scale=scale,
            beta_initializer=beta_initializer,
            gamma_initializer=gamma_initializer,
            beta_regularizer=beta_regularizer,
            gamma_regularizer=gamma_regularizer,
            beta_constraint=beta_constraint,
            gamma_constraint=gamma_constraint,
            **kwargs,
        )
        self.momentum = float(momentum)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.fused = fused

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        ndims = input_shape.rank
        self._axes = _normalize_axes(self, self.axis, input_shape)
        self._reduction_axes = [i for i in range(ndims) if i not in self._axes]
        self._broadcast_shape = [input_shape[i] if i in self._axes else 1 for i in range(ndims)]
        if len(self._axes) == 1:
            param_shape = (input_shape[self._axes[0]],)
        else:
            param_shape = tuple(self._broadcast_shape)
        # TF runs its fused kernel for 4-D inputs normalized over one channel axis; that
        # kernel feeds the moving variance the unbiased (n / (n - 1)) batch variance.
        self._fused = self.fused is not False and ndims == 4 and self._axes in ([1], [3])
        self._add_gamma_and_beta(param_shape)
        self.moving_mean = self._add_param(
            "moving_mean", param_shape, self.moving_mean_initializer, trainable=False
        )
        self.moving_variance = self._add_param(
            "moving_variance", param_shape, self.moving_variance_initializer, trainable=False
        )
        self.built = True

    def _broadcast(self, value, ndims):
        # Parameters are (C,); they broadcast as they are when C is the last axis.
        if value is None or (self._axes == [ndims - 1] and len(value.shape) == 1):
            return value
        return array_ops.reshape(value, self._broadcast_shape)

    def _normalize(self, inputs, mean, variance):
        ndims = len(inputs.shape)
        inv = math_ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            inv = inv * self._broadcast(convert_to_tensor(self.gamma), ndims)
        outputs = inputs * math_ops.cast(inv, inputs.dtype)
        offset = -mean * inv
        if self.beta is not None:
            offset = offset + self._broadcast(convert_to_tensor(self.beta), ndims)
        return outputs + math_ops.cast(offset, inputs.dtype)

    def _inference(self, inputs):
        ndims = len(inputs.shape)
        mean = self._broadcast(convert_to_tensor(self.moving_mean), ndims)
        variance = self._broadcast(convert_to_tensor(self.moving_variance), ndims)
        return self._normalize(inputs, mean, variance)

    def _training(self, inputs):
        mean, variance = nn_impl.moments(inputs, self._reduction_axes, keepdims=True)
        outputs = self._normalize(inputs, mean, variance)
        param_shape = self.moving_mean.shape
        batch_mean = array_ops.reshape(mean, param_shape)
        batch_variance = array_ops.reshape(variance, param_shape)
        if self._fused:
            count = math_ops.cast(array_ops.size(inputs), variance.dtype) / math_ops.cast(
                array_ops.size(batch_variance), variance.dtype
            )
            factor = math_ops.maximum(count / math_ops.maximum(count - 1.0, 1.0), 1.0)
            batch_variance = batch_variance * factor
        decay = 1.0 - self.momentum
        self.moving_mean.assign_sub((self.moving_mean - batch_mean) * decay)
        self.moving_variance.assign_sub((self.moving_variance - batch_variance) * decay)
        return outputs

    def call(self, inputs, training=None):
        inputs = convert_to_tensor(inputs)
        if training is None or not self.trainable:
            # A frozen BatchNormalization always runs in inference mode (TF2 behaviour).
            training = False
        if _C.is_tracing() and isinstance(training, _C.Tensor):
            # A symbolic flag decides when the graph runs.
            return control_flow_ops.cond(
                training, lambda: self._training(inputs), lambda: self._inference(inputs)
            )
        return self._training(inputs) if bool(training) else self._inference(inputs)

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": _ser(initializers, self.beta_initializer),
                "gamma_initializer": _ser(initializers, self.gamma_initializer),
                "moving_mean_initializer": _ser(initializers, self.moving_mean_initializer),
                "moving_variance_initializer": _ser(initializers, self.moving_variance_initializer),
                "beta_regularizer": _ser(regularizers, self.beta_regularizer),
                "gamma_regularizer": _ser(regularizers, self.gamma_regularizer),
                "beta_constraint": _ser(constraints, self.beta_constraint),
                "gamma_constraint": _ser(constraints, self.gamma_constraint),
            }
        )
        return config


class LayerNormalization(_ScaleAndCenterNormalization):
    """Normalizes each example over `axis` (the features), then scales and shifts. The
    constructor is the base class's."""

    _axis_type_error = (
        "Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis}"
    )

    def build(self, input_shape):
        input_shape = TensorShape(input_shape)
        ndims = input_shape.rank
        self._axes = _normalize_axes(self, self.axis, input_shape)
        self._broadcast_shape = [input_shape[i] if i in self._axes else 1 for i in range(ndims)]
        param_shape = tuple(input_shape[a] for a in self._axes)
        self._add_gamma_and_beta(param_shape)
        self.built = True

    def _broadcast(self, value, ndims):
        # Parameters over trailing contiguous axes broadcast as they are.
        if self._axes == list(range(ndims - len(self._axes), ndims)):
            return value
        return array_ops.reshape(value, self._broadcast_shape)

    def call(self, inputs):
        inputs = convert_to_tensor(inputs)
        ndims = len(inputs.shape)
        mean, variance = nn_impl.moments(inputs, self._axes, keepdims=True)
        outputs = (inputs - mean) * math_ops.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            outputs = outputs * self._broadcast(convert_to_tensor(self.gamma), ndims)
        if self.beta is not None:
            outputs = outputs + self._broadcast(convert_to_tensor(self.beta), ndims)
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": _ser(initializers, self.beta_initializer),
                "gamma_initializer": _ser(initializers, self.gamma_initializer),
                "beta_regularizer": _ser(regularizers, self.beta_regularizer),
                "gamma_regularizer": _ser(regularizers, self.gamma_regularizer),
                "beta_constraint": _ser(constraints, self.beta_constraint),
                "gamma_constraint": _ser(constraints, self.gamma_constraint),
            }
        )
        return config
