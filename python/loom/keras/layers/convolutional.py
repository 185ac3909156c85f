"""Convolution layers: Conv2D, Conv1D and Conv2DTranspose (channels_last)."""

from loom.keras import activations, constraints, initializers, regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.layers import _conv_utils as cu
from loom.keras.layers._serialization import serialize as _ser
from loom.ops import array_ops, nn_ops
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv2DTranspose",
    "Convolution1D",
    "Convolution2D",
    "Convolution2DTranspose",
]


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

    def _kernel_shape(self, channels):
        return self.kernel_size + (channels, self.filters)

    def build(self, input_shape):
        channels = self._channels(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=self._kernel_shape(channels),
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


def _transposed_length(length, window, padding, stride, dilation, output_padding):
    """Output length of a transposed convolution along one axis (length may be a scalar
    tensor; None stays None)."""
    if length is None:
        return None
    span = (window - 1) * dilation + 1
    if output_padding is None:
        if padding == "valid":
            return length * stride + max(span - stride, 0)
        return length * stride
    crop = span // 2 if padding == "same" else 0
    return (length - 1) * stride + span - 2 * crop + output_padding


class Conv2DTranspose(Conv2D):
    """Transposed 2-D convolution (the gradient of Conv2D): upsamples (batch, rows, cols,
    channels) inputs; the kernel is (rows, cols, filters, channels)."""

    def __init__(
        self, filters, kernel_size, strides=(1, 1), padding="valid", output_padding=None, **kwargs
    ):
        super().__init__(filters, kernel_size, strides=strides, padding=padding, **kwargs)
        if output_padding is not None:
            output_padding = cu.normalize_tuple(
                output_padding, 2, "output_padding", allow_zero=True
            )
            for stride, pad in zip(self.strides, output_padding):
                if pad >= stride:
                    raise ValueError(
                        "Strides must be greater than output padding. Received strides="
                        f"{self.strides}, output_padding={output_padding}."
                    )
        self.output_padding = output_padding

    def _kernel_shape(self, channels):
        # The transposed convolution maps `filters` outputs back onto `channels` inputs.
        return self.kernel_size + (self.filters, channels)

    def _output_sizes(self, rows, cols):
        padding = self.output_padding or (None, None)
        return [
            _transposed_length(n, k, self.padding, s, d, p)
            for n, k, s, d, p in zip(
                (rows, cols), self.kernel_size, self.strides, self.dilation_rate, padding
            )
        ]

    def _convolve(self, inputs):
        static = inputs.shape
        if static.is_fully_defined():
            output_shape = [static[0], *self._output_sizes(static[1], static[2]), self.filters]
        else:
            dynamic = array_ops.shape(inputs)
            rows, cols = (static[i] if static[i] is not None else dynamic[i] for i in (1, 2))
            sizes = [dynamic[0], *self._output_sizes(rows, cols), self.filters]
            output_shape = array_ops.stack([convert_to_tensor(v, "int32") for v in sizes])
        outputs = nn_ops.conv2d_transpose(
            inputs,
            self.kernel,
            output_shape,
            strides=list(self.strides),
            padding=self.padding.upper(),
            dilations=list(self.dilation_rate),
        )
        if not static.is_fully_defined():
            # A computed output shape leaves the static shape unknown; broadcasting
            # against zeros of the known dimensions restores them.
            rows, cols = self._output_sizes(static[1], static[2])
            known = [1 if rows is None else rows, 1 if cols is None else cols, self.filters]
            outputs = outputs + array_ops.zeros(known, outputs.dtype)
        return outputs

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return TensorShape(
            [input_shape[0], *self._output_sizes(input_shape[1], input_shape[2]), self.filters]
        )

    def get_config(self):
        config = super().get_config()
        config["output_padding"] = self.output_padding
        return config


Convolution1D = Conv1D
Convolution2D = Conv2D
Convolution2DTranspose = Conv2DTranspose
