"""Convolution layers: Conv2D and Conv1D (channels_last)."""

from loom.keras import activations, constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.layers import _conv_utils as cu
from loom.keras.layers._serialization import serialize as _ser
from loom.ops import array_ops, nn_ops
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = ["Conv1D", "Conv2D", "Convolution1D", "Convolution2D"]


class _Conv(Layer):
    """Shared N-D convolution: weights, argument checks, output shapes and config."""

    rank = None

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
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
        name = type(self).__name__
        if filters is not None and (not isinstance(filters, int) or filters <= 0):
            raise ValueError(
                f"Invalid value for argument `filters`. Expected a strictly positive "
                f"value. Received filters={filters}."
            )
        self.filters = filters
        self.kernel_size = cu.normalize_tuple(kernel_size, self.rank, "kernel_size")
        self.strides = cu.normalize_tuple(strides, self.rank, "strides")
        allowed = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        self.padding = cu.normalize_padding(padding, allowed)
        self.data_format = cu.normalize_data_format(data_format, name)
        self.dilation_rate = cu.normalize_tuple(dilation_rate, self.rank, "dilation_rate")
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def _channels(self, input_shape):
        input_shape = TensorShape(input_shape)
        cu.check_rank(self, input_shape, self.rank + 2)
        channels = input_shape[-1]
        if channels is None:
            raise ValueError(
                "The channel dimension of the inputs should be defined. The input_shape "
                f"received is {input_shape}, where axis -1 (0-based) is the channel "
                "dimension, which found to be `None`."
            )
        return channels

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (channels, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            trainable=True,
            dtype=self.dtype,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
                trainable=True,
                dtype=self.dtype,
            )
        self._input_channels = channels
        self.built = True

    def call(self, inputs):
        inputs = convert_to_tensor(inputs)
        if inputs.shape.rank != self.rank + 2:
            cu.check_rank(self, TensorShape(inputs.shape), self.rank + 2)
        if inputs.shape[-1] is not None and inputs.shape[-1] != self._input_channels:
            raise ValueError(
                f'Input 0 of layer "{self.name}" is incompatible with the layer: expected '
                f"axis -1 of input shape to have value {self._input_channels}, but received "
                f"input with shape {tuple(inputs.shape)}"
            )
        outputs = self._convolve(inputs)
        if self.use_bias:
            outputs = nn_ops.bias_add(outputs, self.bias)
        if self.activation is not None:
            outputs = self.activation(outputs)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        spatial = [
            cu.conv_output_length(input_shape[i + 1], k, self.padding, s, d)
            for i, (k, s, d) in enumerate(zip(self.kernel_size, self.strides, self.dilation_rate))
        ]
        return TensorShape([input_shape[0], *spatial, self.filters])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "filters": self.filters,
                "kernel_size": self.kernel_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
                "dilation_rate": self.dilation_rate,
                "activation": _ser(activations, self.activation),
                "use_bias": self.use_bias,
                "kernel_initializer": _ser(initializers, self.kernel_initializer),
                "bias_initializer": _ser(initializers, self.bias_initializer),
                "kernel_regularizer": _ser(regularizers, self.kernel_regularizer),
                "bias_regularizer": _ser(regularizers, self.bias_regularizer),
                "kernel_constraint": _ser(constraints, self.kernel_constraint),
                "bias_constraint": _ser(constraints, self.bias_constraint),
            }
        )
        return config


class Conv2D(_Conv):
    """2-D convolution over (batch, rows, cols, channels) inputs."""

    rank = 2

    def _convolve(self, inputs):
        return nn_ops.conv2d(
            inputs,
            self.kernel,
            strides=list(self.strides),
            padding=self.padding.upper(),
            dilations=list(self.dilation_rate),
        )


class Conv1D(_Conv):
    """1-D convolution over (batch, steps, channels) inputs; padding may be "causal"."""

    rank = 1

    def _convolve(self, inputs):
        # A 1-D convolution is a 2-D one over a height-1 image.
        padding = self.padding
        if padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            inputs = array_ops.pad(inputs, [[0, 0], [left, 0], [0, 0]])
            padding = "valid"
        images = array_ops.expand_dims(inputs, 1)
        kernel = array_ops.expand_dims(self.kernel, 0)
        outputs = nn_ops.conv2d(
            images,
            kernel,
            strides=[1, self.strides[0]],
            padding=padding.upper(),
            dilations=[1, self.dilation_rate[0]],
        )
        return array_ops.squeeze(outputs, [1])


Convolution1D = Conv1D
Convolution2D = Conv2D
