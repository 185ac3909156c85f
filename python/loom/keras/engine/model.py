"""Model: a Layer that can be trained (the Trainer mixin: compile, fit, evaluate,
predict), summarized and saved. Model(inputs, outputs) makes a functional model;
subclasses define their layers in __init__ and the computation in call."""

from loom.keras.engine import node as node_lib
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.keras_tensor import KerasTensor
from loom.keras.engine.trainer import Trainer


def _functional_arguments(args, kwargs):
    return len(args) >= 2 or "outputs" in kwargs or (len(args) == 1 and "inputs" in kwargs)


def _split_functional_arguments(args, kwargs):
    kwargs = dict(kwargs)
    values = list(args)
    inputs = values.pop(0) if values else kwargs.pop("inputs")
    outputs = values.pop(0) if values else kwargs.pop("outputs")
    if values:
        kwargs.setdefault("name", values.pop(0))
    return inputs, outputs, kwargs


class Model(Trainer, Layer):
    """A trainable graph of layers; see the module docstring."""

    _TF_MODULE_IGNORED_PROPERTIES = Layer._TF_MODULE_IGNORED_PROPERTIES | frozenset(
        (
            "_graph_nodes",
            "_nested_inputs",
            "_nested_outputs",
            "inputs",
            "outputs",
            "input_names",
            "output_names",
            "_is_graph_network",
        )
    )

    def __new__(cls, *args, **kwargs):
        if cls is Model and _functional_arguments(args, kwargs):
            from loom.keras.engine.functional import Functional

            return object.__new__(Functional)
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        if _functional_arguments(args, kwargs):
            from loom.keras.engine import functional

            inputs, outputs, kwargs = _split_functional_arguments(args, kwargs)
            functional.init_graph_network(self, inputs, outputs, **kwargs)
            return
        if args:
            raise TypeError(
                f"Model() takes inputs and outputs (functional API) or keyword arguments "
                f"only; received positional arguments {args}."
            )
        kwargs.pop("inputs", None)
        super().__init__(**kwargs)
        self._is_graph_network = False
        self.inputs, self.outputs = None, None

    def call(self, inputs, training=None, mask=None):
        if getattr(self, "_is_graph_network", False):
            from loom.keras.engine import functional

            return functional.run_graph(self, inputs)
        raise NotImplementedError(
            "Unimplemented `loom.keras.Model.call()`: if you intend to create a `Model` with "
            "the Functional API, please provide `inputs` and `outputs` arguments. Otherwise, "
            "subclass `Model` with an overridden `call()` method."
        )

    def build(self, input_shape=None):
        """Creates the weights by tracing `call` on placeholders of `input_shape`."""
        if self.built:
            return
        if input_shape is None:
            raise ValueError(
                "You must provide an `input_shape` argument to build a subclassed model."
            )
        from loom.keras.engine import tree
        from loom.keras.engine.base_layer import _as_shape_structure

        specs = tree.map_structure(
            lambda s: KerasTensor(s, self.dtype), _as_shape_structure(input_shape)
        )
        self.built = True  # the traced call must not build again
        try:
            node_lib.trace_outputs(self, (specs,), {})
        except BaseException:
            self.built = False
            raise
        self._build_input_shape = input_shape

    build._is_default = True  # a first call builds sublayers itself; build() is explicit

    # --- layers -----------------------------------------------------------------------

    @property
    def layers(self):
        if getattr(self, "_is_graph_network", False):
            return list(self._layers)
        return self._direct_sublayers()

    def get_layer(self, name=None, index=None):
        """The layer with this name, or at this index of `layers`."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index. Received: index={index}, name={name}."
            )
        layers = self.layers
        if index is not None:
            if len(layers) <= index:
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model only has "
                    f"{len(layers)} layers."
                )
            return layers[index]
        if name is not None:
            for layer in layers:
                if layer.name == name:
                    return layer
            raise ValueError(
                f"No such layer: {name}. Existing layers are: {[lay.name for lay in layers]}."
            )
        raise ValueError("Provide either a layer name or layer index at `get_layer`.")

    # --- inspection and saving --------------------------------------------------------

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Prints a table of the layers, their output shapes and parameter counts."""
        from loom.keras.engine import summary

        summary.print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
        )

    def save_weights(self, filepath, overwrite=True, save_format=None, options=None):
        """Writes every variable reachable from the model as a loom.train checkpoint."""
        from loom.keras.engine import saving

        return saving.save_weights(self, filepath, overwrite, save_format)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, options=None):
        """Restores weights written by save_weights (matched by object path); weights
        not created yet are restored when they are."""
        from loom.keras.engine import saving

        return saving.load_weights(self, filepath, by_name, skip_mismatch)

    def get_config(self):
        if getattr(self, "_is_graph_network", False):
            from loom.keras.engine import functional_config

            return functional_config.get_config(self)
        return {"name": self.name, "trainable": self.trainable}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        if "layers" in config and "input_layers" in config:
            from loom.keras.engine import functional_config

            return functional_config.from_config(config, custom_objects)
        return cls(**config)
