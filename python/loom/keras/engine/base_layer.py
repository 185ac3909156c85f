"""Layer: the Keras building block. It owns weights made by `add_weight` in `build`,
builds itself from the first input's shape, and runs `call` eagerly, inside a
loom.function, or symbolically on KerasTensors (recording a node of a functional graph)."""

import inspect
import re
import threading

import numpy as np

import loom
from loom import _C
from loom.keras import backend, constraints, initializers, regularizers
from loom.keras.engine import call_context, keras_mask, tree
from loom.keras.engine.input_spec import assert_input_compatibility
from loom.keras.engine.keras_tensor import KerasTensor
from loom.module import Module, is_variable

_LAYER_KWARGS = frozenset(
    (
        "input_shape",
        "batch_input_shape",
        "batch_size",
        "input_dim",
        "weights",
        "activity_regularizer",
        "autocast",
        "dynamic",
    )
)


_WORD_START = re.compile(r"(.)([A-Z][a-z0-9]+)")
_LOWER_UPPER = re.compile(r"([a-z])([A-Z])")


def default_name_prefix(class_name):
    """Keras's snake case: Dense -> dense, Conv2D -> conv2d, SimpleRNN -> simple_rnn."""
    words = _WORD_START.sub(r"\1_\2", class_name)
    return _LOWER_UPPER.sub(r"\1_\2", words).lower()


def _is_tensor_like(x):
    return isinstance(x, (_C.Tensor, KerasTensor)) or is_variable(x)


def _to_tensor(x):
    """Inputs Keras converts on a call: NumPy arrays, Python numbers and variables."""
    if isinstance(x, (np.ndarray, np.generic, float, int)) and not isinstance(x, bool):
        return loom.convert_to_tensor(x)
    if is_variable(x):
        return x.read_value()
    return x


def _shape_of(x):
    return loom.TensorShape(x.shape) if _is_tensor_like(x) else x


def _outside_trace(fn):
    """Runs fn() with no trace active (a separate thread has none), so a variable made
    while a call is traced only for its output shapes holds a real value."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = e

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _holds_training_state(module):
    """Optimizers and metrics keep variables that are not the layer's weights."""
    return any(hasattr(module, m) for m in ("apply_gradients", "update_state", "reset_state"))


class Layer(Module):
    """Base class of Keras layers; subclasses implement `build` and `call`."""

    _TF_MODULE_IGNORED_PROPERTIES = Module._TF_MODULE_IGNORED_PROPERTIES | frozenset(
        (
            "_inbound_nodes",
            "_eager_losses",
            "_callable_losses",
            "_build_input_shape",
            "_batch_input_shape",
            "_call_parameters",
            "input_spec",
            "_initial_weights",
        )
    )

    def __init__(self, trainable=True, name=None, dtype=None, dynamic=False, **kwargs):
        for key in kwargs:
            if key not in _LAYER_KWARGS:
                raise TypeError(f"Keyword argument not understood: {key!r}")
        if name is None:
            name = backend.unique_object_name(default_name_prefix(type(self).__name__))
        super().__init__(name=name)
        self._trainable = bool(trainable)
        self._dtype = loom.as_dtype(getattr(dtype, "name", dtype) or backend.floatx()).name
        self._autocast = kwargs.get("autocast", True)
        self._dynamic = dynamic
        self.built = False
        self.supports_masking = False
        self.input_spec = None
        self._own_weights = []  # made by add_weight, in creation order
        self._eager_losses = []  # add_loss(tensor) of the latest outermost call
        self._callable_losses = []  # regularizers, evaluated whenever `losses` is read
        self._inbound_nodes = []
        self._build_input_shape = None
        self._initial_weights = kwargs.get("weights")
        self._activity_regularizer = regularizers.get(kwargs.get("activity_regularizer"))
        self._batch_input_shape = None
        if "batch_input_shape" in kwargs:
            self._batch_input_shape = tuple(kwargs["batch_input_shape"])
        elif "input_shape" in kwargs or "input_dim" in kwargs:
            shape = kwargs.get("input_shape")
            if shape is None:
                shape = (kwargs["input_dim"],)
            elif isinstance(shape, int):
                shape = (shape,)
            self._batch_input_shape = (kwargs.get("batch_size"),) + tuple(shape)
        self._call_parameters = list(inspect.signature(self.call).parameters)

    # --- properties ----------------------------------------------------------------

    @property
    def dtype(self):
        """The dtype of the layer's weights, as a string ("float32")."""
        return self._dtype

    compute_dtype = dtype
    variable_dtype = dtype

    @property
    def dynamic(self):
        return self._dynamic

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        for layer in self._flatten_layers():
            layer._trainable = value

    @property
    def activity_regularizer(self):
        return self._activity_regularizer

    @activity_regularizer.setter
    def activity_regularizer(self, regularizer):
        self._activity_regularizer = regularizers.get(regularizer)

    def _direct_sublayers(self):
        """Layers held in attributes (or lists, tuples, dicts of them), in assignment
        order, each once."""
        found, seen = [], {id(self)}
        ignored = type(self)._TF_MODULE_IGNORED_PROPERTIES
        stack = [v for k, v in reversed(list(vars(self).items())) if k not in ignored]
        while stack:
            value = stack.pop()
            if isinstance(value, Layer):
                if id(value) not in seen:
                    seen.add(id(value))
                    found.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(reversed(value))
            elif isinstance(value, dict):
                stack.extend(reversed(list(value.values())))
        return found

    def _flatten_layers(self, include_self=True, recursive=True):
        """This layer and the layers inside it, depth first, each once."""
        seen, order = set(), []

        def visit(layer):
            if id(layer) in seen:
                return
            seen.add(id(layer))
            order.append(layer)
            if recursive or layer is self:
                for sub in layer._direct_sublayers():
                    visit(sub)

        visit(self)
        return order if include_self else order[1:]

    def _attribute_variables(self):
        """Variables assigned directly (not through add_weight) and those of plain
        tf.Modules held in attributes; optimizers are never weights."""
        found = []
        ignored = type(self)._TF_MODULE_IGNORED_PROPERTIES
        stack = [v for k, v in reversed(list(vars(self).items())) if k not in ignored]
        while stack:
            value = stack.pop()
            if is_variable(value):
                found.append(value)
            elif isinstance(value, (list, tuple)):
                stack.extend(reversed(value))
            elif isinstance(value, dict):
                stack.extend(reversed(list(value.values())))
            elif isinstance(value, Module) and not isinstance(value, Layer):
                if not _holds_training_state(value):
                    found.extend(value.variables)
        return found

    def _own_variables(self):
        own = list(self._own_weights)
        known = {id(v) for v in own}
        for v in self._attribute_variables():
            if id(v) not in known:
                known.add(id(v))
                own.append(v)
        return own

    @staticmethod
    def _dedup(variables):
        seen, out = set(), []
        for v in variables:
            if id(v) not in seen:
                seen.add(id(v))
                out.append(v)
        return out

    @property
    def trainable_weights(self):
        if not self._trainable:
            return []
        own = [v for v in self._own_variables() if v.trainable]
        nested = [v for layer in self._direct_sublayers() for v in layer.trainable_weights]
        return self._dedup(own + nested)

    def _all_variables(self):
        nested = [v for layer in self._direct_sublayers() for v in layer._all_variables()]
        return self._dedup(self._own_variables() + nested)

    @property
    def non_trainable_weights(self):
        if not self._trainable:  # every weight, variables marked trainable first
            everything = self._all_variables()
            return [v for v in everything if v.trainable] + [
                v for v in everything if not v.trainable
            ]
        own = [v for v in self._own_variables() if not v.trainable]
        nested = [v for layer in self._direct_sublayers() for v in layer.non_trainable_weights]
        return self._dedup(own + nested)

    @property
    def weights(self):
        """Trainable weights first, then non-trainable ones, as Keras orders them."""
        return self._dedup(self.trainable_weights + self.non_trainable_weights)

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    @property
    def losses(self):
        """Losses of the latest call (add_loss) and weight regularization penalties, of
        this layer and every layer inside it."""
        found = []
        for layer in self._flatten_layers():
            found.extend(layer._eager_losses)
            found.extend(fn() for fn in layer._callable_losses)
        return found

    # --- weights ---------------------------------------------------------------------

    def add_weight(
        self,
        name=None,
        shape=None,
        dtype=None,
        initializer=None,
        regularizer=None,
        trainable=None,
        constraint=None,
        use_resource=None,
        synchronization=None,
        aggregation=None,
        **kwargs,
    ):
        """Creates a variable owned by this layer and returns it."""
        shape = () if shape is None else tuple(loom.TensorShape(shape).as_list())
        dtype = loom.as_dtype(getattr(dtype, "name", dtype) or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating else "zeros"
        initializer = initializers.get(initializer)
        regularizer = regularizers.get(regularizer)
        constraint = constraints.get(constraint)
        trainable = True if trainable is None else bool(trainable)
        name = name or f"weight_{len(self._own_weights)}"

        def make():
            return loom.Variable(
                lambda: initializer(shape, dtype=dtype),
                trainable=trainable,
                name=f"{self.name}/{name}",
                dtype=dtype,
                constraint=constraint,
            )

        variable = _outside_trace(make) if call_context.probing() else make()
        self._own_weights = self._own_weights + [variable]
        if regularizer is not None:
            self._callable_losses.append(lambda: self._regularization(regularizer, variable))
        return variable

    @staticmethod
    def _regularization(regularizer, variable):
        return regularizer(variable.read_value())

    def get_weights(self):
        """The weights' values as NumPy arrays, in `weights` order."""
        return [np.asarray(v.numpy()) for v in self.weights]

    def set_weights(self, weights):
        params = self.weights
        if len(params) != len(weights):
            raise ValueError(
                f'You called `set_weights(weights)` on layer "{self.name}" with a weight list '
                f"of length {len(weights)}, but the layer was expecting {len(params)} "
                f"weights. Provided weights: {str(weights)[:50]}..."
            )
        for variable, value in zip(params, weights):
            value = np.asarray(value)
            if not variable.shape.is_compatible_with(value.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(variable.shape.as_list())} is not "
                    f"compatible with provided weight shape {value.shape}."
                )
            variable.assign(value.astype(variable.dtype.as_numpy_dtype))

    def count_params(self):
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer {self.name}, but the layer isn't "
                f"built. You can build it manually via: `{self.name}.build(batch_input_shape)`."
            )
        return int(sum(int(np.prod(v.shape.as_list())) for v in self.weights))

    # --- losses ------------------------------------------------------------------------

    def add_loss(self, losses, inputs=None):
        """Adds loss tensors (or zero-argument callables returning them) to `losses`."""
        if call_context.probing():
            return  # a shape probe's tensors belong to a discarded graph
        for loss in losses if isinstance(losses, (list, tuple)) else [losses]:
            if loss is None:
                continue
            if callable(loss):
                self._callable_losses.append(loss)
            else:
                self._eager_losses.append(loom.convert_to_tensor(loss))

    def _clear_losses(self):
        for layer in self._flatten_layers():
            layer._eager_losses = []

    # --- building and calling -------------------------------------------------------

    def build(self, input_shape):
        """Creates the weights; the base layer has none."""
        self._build_input_shape = input_shape
        self.built = True

    def call(self, inputs, *args, **kwargs):
        return inputs

    def _maybe_build(self, inputs):
        if self.built:
            return
        input_shapes = tree.map_structure(_shape_of, inputs)
        if self.input_spec is not None:
            assert_input_compatibility(self.input_spec, tree.flatten(inputs), self.name)
        # A build marked as the default (Model's) needs no call: weights come with the call.
        if not getattr(type(self).build, "_is_default", False):
            self.build(input_shapes)
        self._build_input_shape = input_shapes
        self.built = True
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None

    def _autocast_input(self, x):
        x = _to_tensor(x)
        if (
            self._autocast
            and isinstance(x, _C.Tensor)
            and x.dtype.is_floating
            and x.dtype.name != self._dtype
            and loom.as_dtype(self._dtype).is_floating
        ):
            return loom.cast(x, self._dtype)
        return x

    def _resolve_training(self, args, kwargs):
        """The call's training value: explicit argument, else the enclosing call's."""
        params = self._call_parameters
        if "training" in params:
            position = params.index("training")
            if len(args) > position:
                return args[position], args, kwargs
        if "training" in kwargs:
            training = kwargs["training"]
            if "training" not in params and not self._call_takes_var_kwargs():
                kwargs = {k: v for k, v in kwargs.items() if k != "training"}
            return training, args, kwargs
        training = call_context.training()
        if training is not None and "training" in params:
            kwargs = dict(kwargs, training=training)
        return training, args, kwargs

    def _call_takes_var_kwargs(self):
        return any(
            p.kind == p.VAR_KEYWORD for p in inspect.signature(self.call).parameters.values()
        )

    def __call__(self, *args, **kwargs):
        if not args:
            if "inputs" not in kwargs:
                raise TypeError(f'Layer "{self.name}" was called without inputs.')
            args = (kwargs.pop("inputs"),)
        if any(isinstance(x, KerasTensor) for x in tree.flatten([list(args), kwargs])):
            from loom.keras.engine import node as node_lib

            return node_lib.call_on_keras_tensors(self, args, kwargs)
        # Masks are read before autocasting, which may replace the input tensors.
        previous_mask, args, kwargs = self._resolve_mask(args, kwargs)
        inputs = tree.map_structure(self._autocast_input, args[0])
        args = (inputs,) + args[1:]
        training, args, kwargs = self._resolve_training(args, kwargs)
        if call_context.depth() == 0 and not call_context.probing():
            self._clear_losses()
        with call_context.layer_call(training):
            self._maybe_build(inputs)
            if self.input_spec is not None:
                assert_input_compatibility(self.input_spec, tree.flatten(inputs), self.name)
            outputs = self.call(*args, **kwargs)
            if self._activity_regularizer is not None:
                self._add_activity_loss(outputs)
            self._attach_output_masks(inputs, outputs, previous_mask)
        return outputs

    def _resolve_mask(self, args, kwargs):
        """The mask of the call's inputs: the explicit `mask` argument, else the masks
        attached to the input tensors (passed on as `mask=` when `call` takes one)."""
        params = self._call_parameters
        if "mask" in params and len(args) > params.index("mask"):
            return args[params.index("mask")], args, kwargs
        if "mask" in kwargs:
            return kwargs["mask"], args, kwargs
        masks = tree.map_structure(keras_mask.get_mask, args[0])
        if all(m is None for m in tree.flatten(masks)):
            return None, args, kwargs
        if "mask" in params:
            kwargs = dict(kwargs, mask=masks)
        return masks, args, kwargs

    def _attach_output_masks(self, inputs, outputs, previous_mask):
        """Attaches compute_mask's masks to the outputs, unless `call` attached them."""
        flat_outputs = tree.flatten(outputs)
        if all(keras_mask.get_mask(y) is not None for y in flat_outputs):
            return
        masks = self.compute_mask(inputs, previous_mask)
        if masks is None:
            return
        flat_masks = tree.flatten(masks)
        if len(flat_masks) == 1 and len(flat_outputs) > 1:
            flat_masks = flat_masks * len(flat_outputs)
        for y, m in zip(flat_outputs, flat_masks):
            keras_mask.set_mask(y, m)

    def _add_activity_loss(self, outputs):
        for y in tree.flatten(outputs):
            penalty = self._activity_regularizer(y)
            batch = loom.cast(loom.shape(y)[0], penalty.dtype)
            self.add_loss(penalty / batch)

    def compute_output_shape(self, input_shape):
        """Output shapes for input shapes: builds the layer, then traces `call` aside on
        placeholders of those shapes (the graph is discarded)."""
        from loom.keras.engine import node as node_lib

        specs = tree.map_structure(
            lambda s: KerasTensor(s, self._dtype),
            _as_shape_structure(input_shape),
        )
        self._maybe_build(specs)
        outputs = node_lib.trace_outputs(self, (specs,), {})
        return tree.map_structure(lambda t: t.shape if _is_tensor_like(t) else t, outputs)

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    # --- functional-graph views -------------------------------------------------------

    def _single_node(self, attribute):
        if not self._inbound_nodes:
            raise AttributeError(f"Layer {self.name} is not connected, no {attribute} to return.")
        if len(self._inbound_nodes) > 1:
            raise AttributeError(
                f"Layer {self.name} has multiple inbound nodes, hence the notion of "
                f'"layer {attribute}" is ill-defined.'
            )
        return self._inbound_nodes[0]

    @property
    def input(self):
        return self._single_node("input").input_tensors

    @property
    def output(self):
        return self._single_node("output").outputs

    @property
    def input_shape(self):
        shapes = tree.map_structure(lambda t: t.shape, self._single_node("input").input_tensors)
        return _as_tuples(shapes)

    @property
    def output_shape(self):
        shapes = tree.map_structure(lambda t: t.shape, self._single_node("output").outputs)
        return _as_tuples(shapes)

    # --- configuration ------------------------------------------------------------------

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self._dtype}
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        own_init = type(self).__init__
        if own_init is not Layer.__init__ and type(self).get_config is Layer.get_config:
            extra = [
                p
                for p in inspect.signature(own_init).parameters
                if p not in ("self", "args", "kwargs", "name", "trainable", "dtype")
            ]
            if extra:
                raise NotImplementedError(
                    f"Layer {type(self).__name__} has arguments {extra} in `__init__` and "
                    "therefore must override `get_config()`."
                )
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} name={self.name!r}>"


def _as_shape_structure(shape):
    """A TensorShape, or a list/dict of them, from Keras-style shape arguments."""
    if isinstance(shape, loom.TensorShape):
        return shape
    if isinstance(shape, dict):
        return {k: _as_shape_structure(v) for k, v in shape.items()}
    if (
        isinstance(shape, (list, tuple))
        and shape
        and all(isinstance(s, (list, tuple, loom.TensorShape)) for s in shape)
    ):
        return [_as_shape_structure(s) for s in shape]
    return loom.TensorShape(shape)


def _as_tuples(shapes):
    return tree.map_structure(
        lambda s: None if s.rank is None else tuple(s.as_list()),
        shapes,
    )
