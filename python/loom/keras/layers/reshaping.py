"""Layers that move, repeat, pad or crop entries: Permute, RepeatVector, UpSampling1D/2D,
ZeroPadding1D/2D and Cropping1D/2D."""

import numpy as np

import loom
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_spec import InputSpec
from loom.tensor_shape import TensorShape

__all__ = [
    "Permute",
    "RepeatVector",
    "UpSampling1D",
    "UpSampling2D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "Cropping1D",
    "Cropping2D",
]


def _data_format(value):
    data_format = "channels_last" if value is None else str(value).lower()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: {value}"
        )
    return data_format


def _spatial_axes(data_format):
    return (1, 2) if data_format == "channels_last" else (2, 3)


def _dims(x):
    """The shape of x as a list: static ints where known, scalar tensors elsewhere."""
    dynamic = None
    dims = []
    for i, d in enumerate(x.shape.as_list()):
        if d is None:
            dynamic = loom.shape(x) if dynamic is None else dynamic
            d = dynamic[i]
        dims.append(d)
    return dims


def _reshape(x, dims):
    if all(isinstance(d, int) for d in dims):
        return loom.reshape(x, dims)
    as_tensors = [
        loom.constant(d, loom.int32) if isinstance(d, int) else loom.cast(d, loom.int32)
        for d in dims
    ]
    return loom.reshape(x, loom.stack(as_tensors))


def _repeat_elements(x, repeats, axis):
    """Each entry along `axis` repeated `repeats` times in place (like np.repeat)."""
    dims = _dims(x)
    multiples = [1] * (len(dims) + 1)
    multiples[axis + 1] = repeats
    tiled = loom.tile(loom.expand_dims(x, axis + 1), multiples)
    dims[axis] = dims[axis] * repeats
    return _reshape(tiled, dims)


def _scaled(dim, factor):
    return None if dim is None else dim * factor


class Permute(Layer):
    """Permutes the non-batch axes: dims is a permutation of 1..rank-1."""

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set of indices "
                f"in `dims` must be consecutive and start from 1. Received dims={dims}"
            )
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def call(self, inputs):
        return loom.transpose(inputs, [0, *self.dims])

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return TensorShape([input_shape[0]] + [input_shape[d] for d in self.dims])

    def get_config(self):
        config = super().get_config()
        config["dims"] = self.dims
        return config


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"Expected an integer value for `n`, got {type(n).__name__}.")
        self.n = n
        self.input_spec = InputSpec(ndim=2)

    def call(self, inputs):
        return loom.tile(loom.expand_dims(inputs, 1), [1, self.n, 1])

    def compute_output_shape(self, input_shape):
        input_shape = TensorShape(input_shape)
        return TensorShape([input_shape[0], self.n, input_shape[1]])

    def get_config(self):
        config = super().get_config()
        config["n"] = self.n
        return config


def _int_tuple(value, n, name):
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * n
    values = tuple(value) if isinstance(value, (list, tuple)) else None
    if values is None or len(values) != n or not all(isinstance(v, int) for v in values):
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
        )
    return values


class UpSampling1D(Layer):
    """Repeats each step `size` times: (batch, steps, features) -> (batch, steps*size, ...)."""

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return _repeat_elements(inputs, self.size, 1)

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape)
        return TensorShape([s[0], _scaled(s[1], self.size), s[2]])

    def get_config(self):
        config = super().get_config()
        config["size"] = self.size
        return config


def _bilinear_matrix(in_size, out_size):
    """(out_size, in_size) weights of half-pixel-centred bilinear resizing (what
    tf.image.resize does), so resizing an axis is one contraction."""
    scale = in_size / out_size
    matrix = np.zeros((out_size, in_size), np.float64)
    for i in range(out_size):
        source = (i + 0.5) * scale - 0.5
        floor = np.floor(source)
        lower = int(max(floor, 0))
        upper = int(min(np.ceil(source), in_size - 1))
        frac = source - floor
        matrix[i, lower] += 1.0 - frac
        matrix[i, upper] += frac
    return matrix


class UpSampling2D(Layer):
    """Scales rows and columns by `size`: nearest repeats entries, bilinear interpolates
    with half-pixel centres (it needs known spatial dims)."""

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self.data_format = _data_format(data_format)
        self.size = _int_tuple(size, 2, "size")
        if interpolation not in ("nearest", "bilinear"):
            raise ValueError(
                '`interpolation` argument should be one of `"nearest"` or `"bilinear"`. '
                f"Received: {interpolation}"
            )
        self.interpolation = interpolation
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        outputs = inputs
        for axis, factor in zip(_spatial_axes(self.data_format), self.size):
            if self.interpolation == "nearest":
                outputs = _repeat_elements(outputs, factor, axis)
            else:
                outputs = self._interpolate(outputs, axis, factor)
        return outputs

    def _interpolate(self, x, axis, factor):
        length = x.shape[axis]
        if length is None:
            raise ValueError(
                f"UpSampling2D layer {self.name!r} with bilinear interpolation needs known "
                f"spatial dimensions. Received: input shape {x.shape}"
            )
        matrix = loom.constant(_bilinear_matrix(length, length * factor), dtype=x.dtype)
        moved = loom.tensordot(x, matrix, [[axis], [1]])  # resized axis is now last
        order = list(range(3))
        order.insert(axis, 3)
        return loom.transpose(moved, order)

    def compute_output_shape(self, input_shape):
        dims = list(TensorShape(input_shape))
        for axis, factor in zip(_spatial_axes(self.data_format), self.size):
            dims[axis] = _scaled(dims[axis], factor)
        return TensorShape(dims)

    def get_config(self):
        config = super().get_config()
        config.update(
            size=self.size, data_format=self.data_format, interpolation=self.interpolation
        )
        return config


def _pair(value, name):
    """An int or a pair of ints as a (before, after) pair of non-negative ints."""
    if isinstance(value, int) and not isinstance(value, bool):
        pair = (value, value)
    else:
        pair = tuple(value) if isinstance(value, (list, tuple)) else None
        if pair is None or len(pair) != 2 or not all(isinstance(v, int) for v in pair):
            raise ValueError(
                f"`{name}` should be an int or a tuple of 2 ints. Received: {name}={value}"
            )
    if min(pair) < 0:
        raise ValueError(f"`{name}` values should be non-negative. Received: {name}={value}")
    return pair


def _pairs_2d(value, name):
    """An int, (rows, cols) ints, or ((top, bottom), (left, right)) as two pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (_pair(value, name), _pair(value, name))
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(
            f"`{name}` should be either an int, a tuple of 2 ints (symmetric_height_{name}, "
            f"symmetric_width_{name}), or a tuple of 2 tuples of 2 ints ((top_{name}, "
            f"bottom_{name}), (left_{name}, right_{name})). Received: {name}={value}"
        )
    return (_pair(value[0], name), _pair(value[1], name))


class ZeroPadding1D(Layer):
    """Adds zeros before and after the steps axis of (batch, steps, features)."""

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pair(padding, "padding")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        return loom.pad(inputs, [[0, 0], list(self.padding), [0, 0]])

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape)
        steps = None if s[1] is None else s[1] + sum(self.padding)
        return TensorShape([s[0], steps, s[2]])

    def get_config(self):
        config = super().get_config()
        config["padding"] = self.padding
        return config


class ZeroPadding2D(Layer):
    """Adds rows of zeros above/below and columns left/right of an image batch."""

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.padding = _pairs_2d(padding, "padding")
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        paddings = [[0, 0]] * 4
        for axis, pair in zip(_spatial_axes(self.data_format), self.padding):
            paddings[axis] = list(pair)
        return loom.pad(inputs, paddings)

    def compute_output_shape(self, input_shape):
        dims = list(TensorShape(input_shape))
        for axis, pair in zip(_spatial_axes(self.data_format), self.padding):
            dims[axis] = None if dims[axis] is None else dims[axis] + sum(pair)
        return TensorShape(dims)

    def get_config(self):
        config = super().get_config()
        config.update(padding=self.padding, data_format=self.data_format)
        return config


def _check_crop(layer, length, pair, input_shape):
    if length is not None and sum(pair) >= length:
        raise ValueError(
            f"`cropping` parameter of `{type(layer).__name__}` layer must be smaller than "
            f"the input length. Received: inputs.shape={tuple(input_shape)}, and "
            f"cropping={layer.cropping}"
        )


def _crop_slice(pair):
    before, after = pair
    return slice(before, None if after == 0 else -after)


class Cropping1D(Layer):
    """Removes steps from the start and end of (batch, steps, features)."""

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pair(cropping, "cropping")
        self.input_spec = InputSpec(ndim=3)

    def call(self, inputs):
        _check_crop(self, inputs.shape[1], self.cropping, inputs.shape)
        return inputs[:, _crop_slice(self.cropping), :]

    def compute_output_shape(self, input_shape):
        s = TensorShape(input_shape)
        _check_crop(self, s[1], self.cropping, s)
        steps = None if s[1] is None else s[1] - sum(self.cropping)
        return TensorShape([s[0], steps, s[2]])

    def get_config(self):
        config = super().get_config()
        config["cropping"] = self.cropping
        return config


class Cropping2D(Layer):
    """Removes rows from the top/bottom and columns from the left/right of images."""

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.cropping = _pairs_2d(cropping, "cropping")
        self.data_format = _data_format(data_format)
        self.input_spec = InputSpec(ndim=4)

    def call(self, inputs):
        index = [slice(None)] * 4
        for axis, pair in zip(_spatial_axes(self.data_format), self.cropping):
            _check_crop(self, inputs.shape[axis], pair, inputs.shape)
            index[axis] = _crop_slice(pair)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        dims = list(TensorShape(input_shape))
        for axis, pair in zip(_spatial_axes(self.data_format), self.cropping):
            _check_crop(self, dims[axis], pair, input_shape)
            dims[axis] = None if dims[axis] is None else dims[axis] - sum(pair)
        return TensorShape(dims)

    def get_config(self):
        config = super().get_config()
        config.update(cropping=self.cropping, data_format=self.data_format)
        return config
