"""OpLayer: a weightless layer running one function, recorded when ops (x + y, x[0])
are applied to KerasTensors."""

from loom.keras import backend
from loom.keras.engine.base_layer import Layer


class OpLayer(Layer):
    def __init__(self, function, op_name="op", name=None, **kwargs):
        if name is None:
            name = backend.unique_object_name(f"tf.__operators__.{op_name}")
        super().__init__(name=name, **kwargs)
        self.function = function
        self.op_name = op_name

    def call(self, inputs, *args):
        return self.function(inputs, *args)

    def get_config(self):
        config = super().get_config()
        config["op_name"] = self.op_name
        return config
