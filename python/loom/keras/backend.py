"""tf.keras.backend: default float type, fuzz factor, image layout and the counters that
give layers unique default names ("dense", "dense_1", ...)."""

import collections

_FLOAT_TYPES = ("float16", "bfloat16", "float32", "float64")
_IMAGE_FORMATS = ("channels_last", "channels_first")

_floatx = "float32"
_epsilon = 1e-7
_image_data_format = "channels_last"
_name_counts = collections.defaultdict(int)


def floatx():
    """The default float type of layer weights and computations, as a string."""
    return _floatx


def set_floatx(value):
    global _floatx
    name = getattr(value, "name", value)
    if name not in _FLOAT_TYPES:
        raise ValueError(f"Unknown `floatx` value: {value}. Expected one of {set(_FLOAT_TYPES)}")
    _floatx = str(name)


def epsilon():
    """The fuzz factor added to denominators and clipped probabilities."""
    return _epsilon


def set_epsilon(value):
    global _epsilon
    _epsilon = float(value)


def image_data_format():
    return _image_data_format


def set_image_data_format(data_format):
    global _image_data_format
    if data_format not in _IMAGE_FORMATS:
        raise ValueError(f"Unknown `data_format`: {data_format}. Expected one of {_IMAGE_FORMATS}")
    _image_data_format = str(data_format)


def get_uid(prefix=""):
    """1 the first time a prefix is asked for, then 2, 3, ..."""
    _name_counts[prefix] += 1
    return _name_counts[prefix]


def unique_object_name(prefix):
    """prefix, then prefix_1, prefix_2, ... as Keras names layers of one class."""
    count = get_uid(prefix)
    return prefix if count == 1 else f"{prefix}_{count - 1}"


def reset_uids():
    _name_counts.clear()


def clear_session():
    """Forgets generated layer names, so new layers are named from "dense" again."""
    reset_uids()


def is_keras_tensor(x):
    from loom.keras.engine.keras_tensor import KerasTensor

    return isinstance(x, KerasTensor)


def int_shape(x):
    """The static shape as a tuple of ints and Nones."""
    dims = x.shape.dims if hasattr(x.shape, "dims") else list(x.shape)
    return None if dims is None else tuple(dims)
