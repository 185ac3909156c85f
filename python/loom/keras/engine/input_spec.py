"""InputSpec: the rank, dtype and fixed axes a layer accepts, checked on every call."""

import loom


class InputSpec:
    def __init__(
        self,
        dtype=None,
        shape=None,
        ndim=None,
        max_ndim=None,
        min_ndim=None,
        axes=None,
        allow_last_axis_squeeze=False,
        name=None,
    ):
        self.dtype = None if dtype is None else loom.as_dtype(dtype).name
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if self.shape is not None else ndim
        self.max_ndim, self.min_ndim = max_ndim, min_ndim
        self.axes = {int(k): v for k, v in (axes or {}).items()}
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name

    def __repr__(self):
        parts = [
            f"{key}={value}"
            for key, value in (
                ("dtype", self.dtype),
                ("shape", self.shape),
                ("ndim", self.ndim),
                ("max_ndim", self.max_ndim),
                ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            )
            if value is not None
        ]
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {
            "dtype": self.dtype,
            "shape": self.shape,
            "ndim": self.ndim,
            "max_ndim": self.max_ndim,
            "min_ndim": self.min_ndim,
            "axes": self.axes,
        }


def _shape_text(shape):
    dims = shape.dims
    return "<unknown>" if dims is None else str(tuple(dims))


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises ValueError naming the layer and the shapes when `inputs` (flat list) do
    not match `input_spec` (one spec, or one per input)."""
    specs = input_spec if isinstance(input_spec, (list, tuple)) else [input_spec]
    if len(specs) != len(inputs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received '
            f"{len(inputs)} input tensors. Inputs received: {inputs}"
        )
    for index, (spec, x) in enumerate(zip(specs, inputs)):
        if spec is None:
            continue
        shape = loom.TensorShape(x.shape)
        prefix = f'Input {index} of layer "{layer_name}" is incompatible with the layer: '
        rank = shape.rank
        if rank is None:
            continue
        if spec.ndim is not None and rank != spec.ndim and not spec.allow_last_axis_squeeze:
            raise ValueError(
                f"{prefix}expected ndim={spec.ndim}, found ndim={rank}. "
                f"Full shape received: {_shape_text(shape)}"
            )
        if spec.max_ndim is not None and rank > spec.max_ndim:
            raise ValueError(
                f"{prefix}expected max_ndim={spec.max_ndim}, found ndim={rank}. "
                f"Full shape received: {_shape_text(shape)}"
            )
        if spec.min_ndim is not None and rank < spec.min_ndim:
            raise ValueError(
                f"{prefix}expected min_ndim={spec.min_ndim}, found ndim={rank}. "
                f"Full shape received: {_shape_text(shape)}"
            )
        if spec.dtype is not None and x.dtype.name != spec.dtype:
            raise ValueError(f"{prefix}expected dtype={spec.dtype}, found dtype={x.dtype.name}")
        for axis, value in spec.axes.items():
            if value is None:
                continue
            dim = shape.dims[axis] if -rank <= axis < rank else None
            if dim is not None and dim != value:
                raise ValueError(
                    f"{prefix}expected axis {axis} of input shape to have value {value}, "
                    f"but received input with shape {_shape_text(shape)}"
                )
        if spec.shape is not None:
            for expected, dim in zip(spec.shape, shape.dims):
                if expected is not None and dim is not None and expected != dim:
                    raise ValueError(
                        f"{prefix}expected shape={spec.shape}, found shape={_shape_text(shape)}"
                    )
