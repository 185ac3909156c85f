"""Lambda (an arbitrary function as a layer) and Rescaling (inputs * scale + offset)."""

import base64
import importlib
import inspect
import marshal
import types

import loom
from loom.keras.engine.base_layer import Layer
from loom.tensor_shape import TensorShape

__all__ = ["Lambda", "Rescaling"]


def _dump_function(fn):
    """A function as config: module and name when it is importable by name, else its
    bytecode (base64 of marshal), defaults and closure values, as Keras stores lambdas."""
    name = getattr(fn, "__name__", None)
    module = getattr(fn, "__module__", None)
    if name and name != "<lambda>" and module:
        try:
            if getattr(importlib.import_module(module), name, None) is fn:
                return name, "function", module
        except ImportError:
            pass
    code = base64.b64encode(marshal.dumps(fn.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in fn.__closure__) if fn.__closure__ else None
    return (code, fn.__defaults__, closure), "lambda", module


def _load_function(value, function_type, module, custom_objects=None):
    if function_type == "function":
        if custom_objects and value in custom_objects:
            return custom_objects[value]
        return getattr(importlib.import_module(module), value)
    code, defaults, closure = value
    code = marshal.loads(base64.b64decode(code))
    cells = None if closure is None else tuple(types.CellType(v) for v in closure)
    globals_ = vars(importlib.import_module(module)) if module else {}
    globals_ = dict(globals_, **(custom_objects or {}))
    defaults = tuple(defaults) if defaults is not None else None
    return types.FunctionType(code, globals_, code.co_name, defaults, cells)


class Lambda(Layer):
    """Calls `function(inputs, **arguments)`; `mask` and `training` are passed when the
    function takes them. `output_shape` (a tuple without the batch axis, or a function of
    the input shape) overrides the shape Keras would otherwise infer by tracing."""

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"`function` must be callable. Received: {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self._output_shape = output_shape
        params = inspect.signature(function).parameters
        self._fn_takes_mask = "mask" in params
        self._fn_takes_training = "training" in params
        self.supports_masking = mask is not None

    def call(self, inputs, mask=None, training=None):
        kwargs = dict(self.arguments)
        if self._fn_takes_mask:
            kwargs["mask"] = mask
        if self._fn_takes_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return TensorShape(self._output_shape(input_shape))
        batch = TensorShape(input_shape)[0] if _is_single_shape(input_shape) else None
        return TensorShape([batch, *self._output_shape])

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self):
        config = super().get_config()
        function, function_type, module = _dump_function(self.function)
        config.update(function=function, function_type=function_type, module=module)
        if callable(self._output_shape):
            shape, shape_type, shape_module = _dump_function(self._output_shape)
        else:
            shape, shape_type, shape_module = self._output_shape, "raw", None
        config.update(
            output_shape=shape,
            output_shape_type=shape_type,
            output_shape_module=shape_module,
            arguments=self.arguments,
        )
        if self.mask is not None and not callable(self.mask):
            config["mask"] = self.mask
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["function"] = _load_function(
            config.pop("function"),
            config.pop("function_type"),
            config.pop("module"),
            custom_objects,
        )
        shape_type = config.pop("output_shape_type", "raw")
        shape_module = config.pop("output_shape_module", None)
        if shape_type != "raw":
            config["output_shape"] = _load_function(
                config["output_shape"], shape_type, shape_module, custom_objects
            )
        elif config.get("output_shape") is not None:
            config["output_shape"] = tuple(config["output_shape"])
        return cls(**config)


def _is_single_shape(shape):
    if isinstance(shape, TensorShape):
        return True
    return isinstance(shape, (list, tuple)) and all(d is None or isinstance(d, int) for d in shape)


class Rescaling(Layer):
    """inputs * scale + offset, in the layer's dtype (integer inputs are cast)."""

    def __init__(self, scale, offset=0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.offset = offset

    def call(self, inputs):
        dtype = loom.as_dtype(self.dtype)
        scale = loom.cast(self.scale, dtype)
        offset = loom.cast(self.offset, dtype)
        return loom.cast(inputs, dtype) * scale + offset

    def compute_output_shape(self, input_shape):
        return TensorShape(input_shape)

    def get_config(self):
        config = super().get_config()
        config.update(scale=self.scale, offset=self.offset)
        return config
