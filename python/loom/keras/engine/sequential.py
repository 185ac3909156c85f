"""Sequential: a Model whose layers each take the previous layer's output."""

from loom.keras.engine import tree
from loom.keras.engine.base_layer import Layer
from loom.keras.engine.input_layer import Input, InputLayer
from loom.keras.engine.keras_tensor import KerasTensor
from loom.keras.engine.model import Model


class Sequential(Model):
    """Sequential(layers=None, name=None): a linear stack of layers. Weights are made
    as soon as the input shape is known (an Input first, a first layer with
    `input_shape`, build(input_shape)) or on the first call."""

    _TF_MODULE_IGNORED_PROPERTIES = Model._TF_MODULE_IGNORED_PROPERTIES | frozenset(
        ("_input_tensor",)
    )

    def __init__(self, layers=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self._layers = []  # tracked: checkpoints reach the weights through it
        self._input_tensor = None  # the KerasTensor of the Input, once known
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        return list(self._layers)

    @property
    def input_spec(self):
        return None

    @input_spec.setter
    def input_spec(self, value):
        pass  # each layer checks its own inputs

    def add(self, layer):
        """Appends a layer (or sets the input, for an Input tensor or InputLayer)."""
        if isinstance(layer, KerasTensor) and layer.node is not None:
            layer = layer.node.layer
        if not isinstance(layer, Layer):
            raise TypeError(
                "The added layer must be an instance of class Layer. "
                f"Received: layer={layer} of type {type(layer)}."
            )
        if isinstance(layer, InputLayer):
            if self._layers or self._input_tensor is not None:
                raise ValueError("An InputLayer can only be the first layer of a Sequential model.")
            self._input_tensor = layer._output
            self._rebuild_graph()
            return
        if any(existing.name == layer.name for existing in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. "
                f'Name "{layer.name}" is already the name of a layer in this model. Update '
                "the `name` argument to pass a unique name."
            )
        if not self._layers and self._input_tensor is None and layer._batch_input_shape:
            self._input_tensor = Input(batch_shape=layer._batch_input_shape, dtype=layer.dtype)
        self._layers = self._layers + [layer]
        if self._input_tensor is None:
            self.built = False
        elif self.outputs:
            self._append_to_graph(layer)
        else:
            self._rebuild_graph()

    def pop(self):
        """Removes the last layer."""
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._layers = self._layers[:-1]
        if self.outputs:  # the graph up to the new last layer is already recorded
            self._graph_nodes = self._graph_nodes[:-1]
            last = self._graph_nodes[-1].outputs if self._graph_nodes else self._input_tensor
            self.outputs = [last]
            self.output_names = [self._layers[-1].name] if self._layers else self.input_names

    def _append_to_graph(self, layer):
        x = layer(self.outputs[0])
        self._check_single_output(layer, x)
        self._graph_nodes = self._graph_nodes + [x.node]
        self.outputs = [x]
        self.output_names = [layer.name]

    @staticmethod
    def _check_single_output(layer, x):
        if len(tree.flatten(x)) != 1:
            raise ValueError(
                "All layers in a Sequential model should have a single output tensor. "
                f'Layer "{layer.name}" has {len(tree.flatten(x))} outputs.'
            )

    def _rebuild_graph(self):
        """Calls the layers on the Input tensor, building them and recording shapes."""
        if self._input_tensor is None:
            self.inputs = self.outputs = None
            return
        x = self._input_tensor
        nodes = []
        for layer in self._layers:
            x = layer(x)
            self._check_single_output(layer, x)
            nodes.append(x.node)
        self.inputs, self.outputs = [self._input_tensor], [x]
        self._graph_nodes = nodes
        self.input_names = [self._input_tensor.node.layer.name]
        self.output_names = [self._layers[-1].name] if self._layers else self.input_names
        self.built = True

    def build(self, input_shape=None):
        if input_shape is None and self._input_tensor is None:
            raise ValueError("You must provide an `input_shape` argument.")
        if input_shape is not None:
            self._input_tensor = Input(batch_shape=tuple(input_shape), dtype=self.dtype)
        self._build_input_shape = tuple(self._input_tensor.shape.as_list())
        self._rebuild_graph()

    def call(self, inputs, training=None, mask=None):
        if not self._layers:
            raise ValueError(f"Sequential model {self.name!r} has no layers to call.")
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training) if training is not None else layer(x)
        return x

    def compute_output_shape(self, input_shape):
        shape = input_shape
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def get_config(self):
        layer_configs = []
        if self._input_tensor is not None:
            input_layer = self._input_tensor.node.layer
            layer_configs.append({"class_name": "InputLayer", "config": input_layer.get_config()})
        for layer in self._layers:
            layer_configs.append({"class_name": type(layer).__name__, "config": layer.get_config()})
        return {"name": self.name, "layers": layer_configs}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from loom.keras import layers as layers_module

        model = cls(name=config.get("name"))
        for layer_config in config["layers"]:
            model.add(layers_module.deserialize(layer_config, custom_objects))
        return model
