"""Pooling layers: windowed max/average (1-D, 2-D) and global max/average (1-D, 2-D)."""

from loom.keras.engine.base_layer import Layer
from loom.keras.layers import _conv_utils as cu
from loom.ops import array_ops, math_ops, nn_ops, reduce_ops
from loom.ops.constant_op import convert_to_tensor
from loom.tensor_shape import TensorShape

__all__ = [
    "AveragePooling1D",
    "AveragePooling2D",
    "AvgPool1D",
    "AvgPool2D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPooling1D",
    "MaxPooling2D",
]


class _Pooling(Layer):
    """A window slid over the spatial axes; `_pool_2d` is tf.nn.max_pool2d or avg_pool2d."""

    rank = None
    _pool_2d = None

    def __init__(self, pool_size, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.pool_size = cu.normalize_tuple(pool_size, self.rank, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = cu.normalize_tuple(strides, self.rank, "strides")
        self.padding = cu.normalize_padding(padding)
        self.data_format = cu.normalize_data_format(data_format, type(self).__name__)

    def call(self, inputs):
        inputs = convert_to_tensor(inputs)
        cu.check_rank(self, TensorShape(inputs.shape), self.rank + 2)
        pool = self._pool_2d
        padding = self.padding.upper()
        if self.rank == 2:
            return pool(inputs, list(self.pool_size), list(self.strides), padding)
        # 1-D pooling is 2-D pooling over a height-1 image.
        images = array_ops.expand_dims(inputs, 1)
        pooled = pool(images, [1, self.pool_size[0]], [1, self.strides[0]], padding)
        return array_ops.squeeze(pooled, [1])

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        spatial = [
            cu.conv_output_length(input_shape[i + 1], k, self.padding, s)
            for i, (k, s) in enumerate(zip(self.pool_size, self.strides))
        ]
        return TensorShape([input_shape[0], *spatial, input_shape[-1]])

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "pool_size": self.pool_size,
                "strides": self.strides,
                "padding": self.padding,
                "data_format": self.data_format,
            }
        )
        return config


class MaxPooling2D(_Pooling):
    """Max over pool_size windows of (batch, rows, cols, channels) inputs."""

    rank = 2
    _pool_2d = staticmethod(nn_ops.max_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kw):
        super().__init__(pool_size, strides, padding, data_format, **kw)


class AveragePooling2D(_Pooling):
    """Mean over pool_size windows (padding excluded from the count)."""

    rank = 2
    _pool_2d = staticmethod(nn_ops.avg_pool2d)

    def __init__(self, pool_size=(2, 2), strides=None, padding="valid", data_format=None, **kw):
        super().__init__(pool_size, strides, padding, data_format, **kw)


class MaxPooling1D(_Pooling):
    """Max over pool_size windows of (batch, steps, channels) inputs."""

    rank = 1
    _pool_2d = staticmethod(nn_ops.max_pool2d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kw):
        super().__init__(pool_size, strides, padding, data_format, **kw)


class AveragePooling1D(_Pooling):
    """Mean over pool_size windows of (batch, steps, channels) inputs."""

    rank = 1
    _pool_2d = staticmethod(nn_ops.avg_pool2d)

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kw):
        super().__init__(pool_size, strides, padding, data_format, **kw)


class _GlobalPooling(Layer):
    """A reduction over every spatial axis; keepdims keeps them as size 1."""

    rank = None
    _reduce = None

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = cu.normalize_data_format(data_format, type(self).__name__)
        self.keepdims = keepdims

    def call(self, inputs):
        inputs = convert_to_tensor(inputs)
        cu.check_rank(self, TensorShape(inputs.shape), self.rank + 2)
        axes = list(range(1, self.rank + 1))
        return self._reduce(inputs, axes, keepdims=self.keepdims)

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        if self.keepdims:
            return TensorShape([input_shape[0]] + [1] * self.rank + [input_shape[-1]])
        return TensorShape([input_shape[0], input_shape[-1]])

    def get_config(self):
        config = super().get_config()
        config.update({"data_format": self.data_format, "keepdims": self.keepdims})
        return config


class GlobalAveragePooling2D(_GlobalPooling):
    """Mean over rows and columns: (batch, channels)."""

    rank = 2
    _reduce = staticmethod(reduce_ops.reduce_mean)


class GlobalMaxPooling2D(_GlobalPooling):
    """Max over rows and columns: (batch, channels)."""

    rank = 2
    _reduce = staticmethod(reduce_ops.reduce_max)


class GlobalAveragePooling1D(_GlobalPooling):
    """Mean over steps: (batch, channels); with a (batch, steps) mask, the mean of the
    unmasked steps only (the mask stops here)."""

    rank = 1
    _reduce = staticmethod(reduce_ops.reduce_mean)

    def __init__(self, data_format=None, keepdims=False, **kwargs):
        super().__init__(data_format=data_format, keepdims=keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return super().call(inputs)
        inputs = convert_to_tensor(inputs)
        weights = array_ops.expand_dims(math_ops.cast(mask, inputs.dtype), -1)
        total = reduce_ops.reduce_sum(inputs * weights, 1, keepdims=self.keepdims)
        count = reduce_ops.reduce_sum(weights, 1, keepdims=self.keepdims)
        return total / count

    def compute_mask(self, inputs, mask=None):
        return None


class GlobalMaxPooling1D(_GlobalPooling):
    """Max over steps: (batch, channels)."""

    rank = 1
    _reduce = staticmethod(reduce_ops.reduce_max)


MaxPool1D, MaxPool2D = MaxPooling1D, MaxPooling2D
AvgPool1D, AvgPool2D = AveragePooling1D, AveragePooling2D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalMaxPool1D, GlobalMaxPool2D = GlobalMaxPooling1D, GlobalMaxPooling2D
