"""Regularization layers: dropout of whole channels (SpatialDropout1D/2D), noise added or
multiplied while training (GaussianNoise, GaussianDropout, AlphaDropout), and
ActivityRegularization. Outside training every noise layer returns its inputs."""

import math

import loom
from loom.keras import regularizers
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_spec import InputSpec
from loom.keras.layers.core import Dropout
from loom.tensor_shape import TensorShape

__all__ = [
    "SpatialDropout1D",
    "SpatialDropout2D",
    "GaussianNoise",
    "GaussianDropout",
    "AlphaDropout",
    "ActivityRegularization",
]


def _in_train_phase(noisy, inputs, training):
    """noisy() while training (a Python bool or a bool tensor), else the inputs."""
    if training is None or training is False:
        return inputs
    if not isinstance(training, loom.Tensor):
        return noisy() if training else inputs
    return loom.cond(loom.cast(training, loom.bool), noisy, lambda: loom.identity(inputs))


def _check_rate(rate):
    if isinstance(rate, (int, float)) and not 0 <= rate <= 1:
        raise ValueError(
            f"Invalid value {rate} received for `rate`, expected a value between 0 and 1."
        )


class _SpatialDropout(Dropout):
    """Dropout with one draw per (example, channel), shared over the spatial axes."""

    def __init__(self, rate, seed=None, **kwargs):
        kwargs.pop("noise_shape", None)  # always derived from the inputs' shape
        super().__init__(rate, seed=seed, **kwargs)

    def _channel_axis(self, rank):
        return rank - 1

    def _noise_shape(self, inputs):
        dynamic = loom.shape(inputs)
        rank = inputs.shape.rank
        channel = self._channel_axis(rank)
        dims = [dynamic[0]] + [
            dynamic[i] if i == channel else loom.constant(1, dtype=dynamic.dtype)
            for i in range(1, rank)
        ]
        return loom.stack(dims)

    def get_config(self):
        config = super().get_config()
        config.pop("noise_shape", None)
        return config


class SpatialDropout1D(_SpatialDropout):
    """Drops whole feature channels of (batch, steps, channels) inputs."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        self.input_spec = InputSpec(ndim=3)


class SpatialDropout2D(_SpatialDropout):
    """Drops whole feature maps of (batch, rows, cols, channels) inputs."""

    def __init__(self, rate, data_format=None, seed=None, **kwargs):
        super().__init__(rate, seed=seed, **kwargs)
        data_format = "channels_last" if data_format is None else data_format
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                '`data_format` must be "channels_last" or "channels_first". '
                f"Received: data_format={data_format}."
            )
        self.data_format = data_format
        self.input_spec = InputSpec(ndim=4)

    def _channel_axis(self, rank):
        return 1 if self.data_format == "channels_first" else rank - 1

    def get_config(self):
        config = super().get_config()
        config["data_format"] = self.data_format
        return config


class _Noise(Layer):
    """A weightless layer that changes its inputs only while training."""

    def __init__(self, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.seed = seed
        self.supports_masking = True

    def _noisy(self, inputs):
        raise NotImplementedError

    def call(self, inputs, training=None):
        return _in_train_phase(lambda: self._noisy(inputs), inputs, training)

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)


class GaussianNoise(_Noise):
    """Adds zero-mean normal noise of standard deviation `stddev` while training."""

    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        self.stddev = stddev

    def _noisy(self, inputs):
        noise = loom.random.normal(
            loom.shape(inputs), stddev=self.stddev, dtype=inputs.dtype, seed=self.seed
        )
        return inputs + noise

    def get_config(self):
        config = super().get_config()
        config.update(stddev=self.stddev, seed=self.seed)
        return config


class GaussianDropout(_Noise):
    """Multiplies by normal noise of mean 1 and variance rate / (1 - rate) while
    training."""

    def __init__(self, rate, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_rate(rate)
        self.rate = rate

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1:
            return inputs
        return super().call(inputs, training=training)

    def _noisy(self, inputs):
        stddev = math.sqrt(self.rate / (1.0 - self.rate))
        noise = loom.random.normal(
            loom.shape(inputs), mean=1.0, stddev=stddev, dtype=inputs.dtype, seed=self.seed
        )
        return inputs * noise

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, seed=self.seed)
        return config


# SELU's constants: AlphaDropout sets dropped units to SELU's negative saturation value.
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


class AlphaDropout(_Noise):
    """Dropout for SELU networks: dropped units take SELU's saturation value and an
    affine correction keeps the inputs' mean and variance."""

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(seed=seed, **kwargs)
        _check_rate(rate)
        self.rate = rate
        self.noise_shape = noise_shape

    def call(self, inputs, training=None):
        if not 0 < self.rate < 1:
            return inputs
        return super().call(inputs, training=training)

    def _noisy(self, inputs):
        dtype = inputs.dtype
        shape = loom.shape(inputs) if self.noise_shape is None else list(self.noise_shape)
        uniform = loom.random.uniform(shape, dtype=dtype, seed=self.seed)
        kept = loom.cast(loom.greater_equal(uniform, loom.cast(self.rate, dtype)), dtype)
        saturated = -_SELU_ALPHA * _SELU_SCALE
        a = ((1 - self.rate) * (1 + self.rate * saturated**2)) ** -0.5
        b = -a * saturated * self.rate
        dropped = inputs * kept + loom.cast(saturated, dtype) * (1.0 - kept)
        return loom.cast(a, dtype) * dropped + loom.cast(b, dtype)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, noise_shape=self.noise_shape, seed=self.seed)
        return config


class ActivityRegularization(Layer):
    """Returns its inputs and adds an L1/L2 penalty on them to the layer's losses."""

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.supports_masking = True
        self.l1, self.l2 = l1, l2

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(l1=self.l1, l2=self.l2)
        return config
