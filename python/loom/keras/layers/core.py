"""Core layers: Dense, Activation, Dropout, Flatten, Reshape, Embedding."""

import loom
from loom.keras import activations, constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_spec import InputSpec


def _positive_int(value, argument, layer):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        try:
            as_int = int(value)
        except (TypeError, ValueError):
            as_int = None
        if as_int is None or as_int != value or as_int <= 0:
            raise ValueError(
                f"Received an invalid value for `{argument}`, expected a positive integer. "
                f"Received: {argument}={value}"
            )
        value = as_int
    return value


class Dense(Layer):
    """activation(inputs @ kernel + bias), contracting the inputs' last axis."""

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = _positive_int(units, "units", self)
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = loom.TensorShape(input_shape)
        last_dim = input_shape[-1] if input_shape.rank else None
        if last_dim is None:
            raise ValueError(
                "The last dimension of the inputs to a Dense layer should be defined. "
                f"Found None. Full input shape received: {input_shape}"
            )
        self.input_spec = InputSpec(min_ndim=2, axes={-1: last_dim})
        self.kernel = self.add_weight(
            "kernel",
            shape=[last_dim, self.units],
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            dtype=self.dtype,
            trainable=True,
        )
        if self.use_bias:
            self.bias = self.add_weight(
                "bias",
                shape=[self.units],
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                dtype=self.dtype,
                trainable=True,
            )
        else:
            self.bias = None
        self.built = True

    def call(self, inputs):
        rank = inputs.shape.rank
        if rank == 2:
            outputs = loom.matmul(inputs, self.kernel)
        else:
            outputs = loom.tensordot(inputs, self.kernel, [[rank - 1], [0]])
        if self.use_bias:
            outputs = loom.nn.bias_add(outputs, self.bias)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape):
        input_shape = loom.TensorShape(input_shape)
        if input_shape[-1] is None:
            raise ValueError(
                "The last dimension of the input shape of a Dense layer should be defined. "
                f"Found None. Received: input_shape={input_shape}"
            )
        return input_shape[:-1].concatenate([self.units])

    def get_config(self):
        config = super().get_config()
        config.update(
            units=self.units,
            activation=activations.serialize(self.activation),
            use_bias=self.use_bias,
            kernel_initializer=initializers.serialize(self.kernel_initializer),
            bias_initializer=initializers.serialize(self.bias_initializer),
            kernel_regularizer=_serialize_or_none(regularizers, self.kernel_regularizer),
            bias_regularizer=_serialize_or_none(regularizers, self.bias_regularizer),
            activity_regularizer=_serialize_or_none(regularizers, self.activity_regularizer),
            kernel_constraint=_serialize_or_none(constraints, self.kernel_constraint),
            bias_constraint=_serialize_or_none(constraints, self.bias_constraint),
        )
        return config


def _serialize_or_none(module, obj):
    return None if obj is None else module.serialize(obj)


__all__ = ["Dense"]
