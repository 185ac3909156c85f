"""The Keras engine: Layer, symbolic Keras tensors, Input, functional graphs, Model and
Sequential. Modules here import each other directly; nothing is loaded eagerly."""
