"""Argument normalization and output-length arithmetic shared by convolution and pooling."""

__all__ = []

_PADDINGS = ("valid", "same", "causal")


def normalize_tuple(value, n, name, allow_zero=False):
    """An int or an iterable of n ints as a tuple of n positive ints (Keras' rule)."""
    if isinstance(value, int):
        values = (value,) * n
    else:
        try:
            values = tuple(value)
        except TypeError:
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
            ) from None
        if len(values) != n or not all(isinstance(v, int) for v in values):
            raise ValueError(
                f"The `{name}` argument must be a tuple of {n} integers. Received: {value}"
            )
    smallest = 0 if allow_zero else 1
    if any(v < smallest for v in values):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"The `{name}` argument must be a tuple of {n} integers {bound}. Received: {value}"
        )
    return values


def normalize_padding(value, allowed=("valid", "same")):
    """The padding string in lower case, checked against `allowed`."""
    padding = value.lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(
            f"The `padding` argument must be one of {list(allowed)}. Received: {value}"
        )
    return padding


def normalize_data_format(value, layer_name):
    """'channels_last' (the only layout the engine's CPU kernels implement)."""
    data_format = "channels_last" if value is None else str(value).lower()
    if data_format == "channels_first":
        raise NotImplementedError(
            f"{layer_name}: data_format='channels_first' is not supported (the engine "
            "implements only the channels_last (NHWC) layout); transpose the inputs instead."
        )
    if data_format != "channels_last":
        raise ValueError(
            "The `data_format` argument must be one of 'channels_first', 'channels_last'. "
            f"Received: {value}"
        )
    return data_format


def conv_output_length(length, window, padding, stride, dilation=1):
    """Output length along one spatial axis (None stays None)."""
    if length is None:
        return None
    span = (window - 1) * dilation + 1
    if padding in ("same", "causal"):
        out = length
    else:
        out = length - span + 1
    return (out + stride - 1) // stride


def check_rank(layer, input_shape, rank):
    """Raises Keras' input-compatibility ValueError unless the input has `rank` dims."""
    ndim = input_shape.rank
    if ndim != rank:
        raise ValueError(
            f'Input 0 of layer "{layer.name}" is incompatible with the layer: expected '
            f"ndim={rank}, found ndim={ndim}. Full shape received: {tuple(input_shape)}"
            if ndim is not None
            else f'Input 0 of layer "{layer.name}" needs a known rank; expected ndim={rank}'
        )
