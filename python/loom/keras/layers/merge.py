"""Merge layers: combine a list of tensors elementwise (Add, Multiply, ...), by
concatenation, or by a batched dot product; plus their functional forms (add, ...)."""

import loom
from loom.keras.engine.base_layer import Layer
from loom.tensor_shape import TensorShape

__all__ = [
    "Add",
    "Subtract",
    "Multiply",
    "Average",
    "Maximum",
    "Minimum",
    "Concatenate",
    "Dot",
    "add",
    "subtract",
    "multiply",
    "average",
    "maximum",
    "minimum",
    "concatenate",
    "dot",
]


def _shape_list(input_shape, what="A merge layer"):
    if not isinstance(input_shape, (list, tuple)) or (
        input_shape and not isinstance(input_shape[0], (list, tuple, TensorShape))
    ):
        raise ValueError(
            f"{what} should be called on a list of inputs. Received: input_shape="
            f"{input_shape} (not a list of shapes)"
        )
    return [TensorShape(s) for s in input_shape]


def _as_input_list(inputs, what):
    if not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"{what} should be called on a list of inputs. Received: inputs={inputs} "
            "(not a list of tensors)"
        )
    return list(inputs)


def _broadcast_dims(shape1, shape2):
    """Keras' elementwise output shape of two per-example shapes (aligned on the right);
    None for unknown ranks, raising ValueError when dims cannot broadcast."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return _broadcast_dims(shape2, shape1)
    if not shape2:
        return list(shape1)
    out = list(shape1[: -len(shape2)])
    for i, j in zip(shape1[-len(shape2) :], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(
                "Inputs have incompatible shapes. Received shapes "
                f"{tuple(shape1)} and {tuple(shape2)}"
            )
    return out


class _Merge(Layer):
    """Elementwise merge of a list of same-shaped (or broadcastable) tensors."""

    _min_inputs = 1

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def _merge_function(self, inputs):
        raise NotImplementedError

    def _check_count(self, count):
        if count < self._min_inputs:
            raise ValueError(
                f"A merge layer should be called on a list of at least {self._min_inputs} "
                f"input(s). Got {count} inputs."
            )

    def _output_dims(self, shapes):
        batch_sizes = {s[0] for s in shapes if s.rank} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. Got tensors with shapes "
                f"{[tuple(s) if s.rank is not None else None for s in shapes]}"
            )
        dims = None if shapes[0].rank is None else list(shapes[0])[1:]
        for shape in shapes[1:]:
            dims = _broadcast_dims(dims, None if shape.rank is None else list(shape)[1:])
        return dims, (batch_sizes.pop() if batch_sizes else None)

    def build(self, input_shape):
        shapes = _shape_list(input_shape)
        self._check_count(len(shapes))
        self._output_dims(shapes)
        self.built = True

    def call(self, inputs):
        inputs = _as_input_list(inputs, "A merge layer")
        self._check_count(len(inputs))
        ranks = [x.shape.rank for x in inputs]
        if None not in ranks and len(set(ranks)) > 1:
            # Lower-rank inputs gain axes after the batch axis, so dims align on the right.
            top = max(ranks)
            aligned = []
            for x, rank in zip(inputs, ranks):
                for _ in range(top - rank):
                    x = loom.expand_dims(x, 1)
                aligned.append(x)
            inputs = aligned
        return self._merge_function(inputs)

    def compute_output_shape(self, input_shape):
        shapes = _shape_list(input_shape)
        dims, batch = self._output_dims(shapes)
        if dims is None:
            return TensorShape(None)
        return TensorShape([batch] + dims)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        masks = [loom.cast(m, loom.bool) for m in mask if m is not None]
        merged = masks[0]
        for m in masks[1:]:
            merged = loom.logical_and(merged, m)
        return merged


def _fold(fn, inputs):
    out = inputs[0]
    for x in inputs[1:]:
        out = fn(out, x)
    return out


class Add(_Merge):
    """Sum of the inputs."""

    def _merge_function(self, inputs):
        return _fold(loom.add, inputs)


class Subtract(_Merge):
    """inputs[0] - inputs[1]; exactly two inputs."""

    def _check_count(self, count):
        if count != 2:
            raise ValueError(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: {count} inputs"
            )

    def _merge_function(self, inputs):
        return loom.subtract(inputs[0], inputs[1])


class Multiply(_Merge):
    """Elementwise product of the inputs."""

    def _merge_function(self, inputs):
        return _fold(loom.multiply, inputs)


class Average(_Merge):
    """Elementwise mean of the inputs."""

    def _merge_function(self, inputs):
        total = _fold(loom.add, inputs)
        return total / loom.cast(len(inputs), total.dtype)


class Maximum(_Merge):
    """Elementwise maximum of the inputs."""

    def _merge_function(self, inputs):
        return _fold(loom.maximum, inputs)


class Minimum(_Merge):
    """Elementwise minimum of the inputs."""

    def _merge_function(self, inputs):
        return _fold(loom.minimum, inputs)


class Concatenate(Layer):
    """Joins the inputs along `axis`; every other dimension must match."""

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def _checked_shapes(self, input_shape):
        shapes = _shape_list(input_shape, "A `Concatenate` layer")
        if len(shapes) < 1:
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least 1 input. "
                f"Received: input_shape={input_shape}"
            )
        known = [s for s in shapes if s.rank is not None]
        if not known:
            return shapes
        ranks = {s.rank for s in known}
        rank = known[0].rank
        axis = self.axis % rank if rank else 0
        mismatch = len(ranks) > 1
        if not mismatch:
            for shape in known[1:]:
                for i, (a, b) in enumerate(zip(known[0], shape)):
                    if i != axis and a is not None and b is not None and a != b:
                        mismatch = True
        if mismatch:
            raise ValueError(
                "A `Concatenate` layer requires inputs with matching shapes except for the "
                f"concatenation axis. Received: input_shape="
                f"{[tuple(s) if s.rank is not None else None for s in shapes]}"
            )
        return shapes

    def build(self, input_shape):
        self._checked_shapes(input_shape)
        self.built = True

    def call(self, inputs):
        inputs = _as_input_list(inputs, "A `Concatenate` layer")
        return loom.concat(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        shapes = self._checked_shapes(input_shape)
        if any(s.rank is None for s in shapes):
            return TensorShape(None)
        out = list(shapes[0])
        axis = self.axis % len(out)
        for i in range(len(out)):
            if out[i] is None:
                out[i] = next((s[i] for s in shapes if s[i] is not None), None)
        sizes = [s[axis] for s in shapes]
        out[axis] = None if None in sizes else sum(sizes)
        return TensorShape(out)

    def compute_mask(self, inputs, mask=None):
        if mask is None or all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                m = loom.ones_like(x, dtype=loom.bool)
            else:
                m = loom.cast(m, loom.bool)
                while m.shape.rank < x.shape.rank:
                    m = loom.expand_dims(m, -1)
                m = loom.logical_and(m, loom.ones_like(x, dtype=loom.bool))
            full.append(m)
        return loom.reduce_all(loom.concat(full, axis=self.axis), axis=-1)

    def get_config(self):
        config = super().get_config()
        config["axis"] = self.axis
        return config


_LETTERS = "bcdefghijklmnopqrstuvwxyz"


class Dot(Layer):
    """Batched dot product of two inputs, contracting axes[0] of the first with axes[1]
    of the second (the batch axis is kept); `normalize` l2-normalizes those axes first,
    which makes the result the cosine proximity."""

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be a list or an int. "
                    f"Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two elements. "
                    f"Received: axes={axes}"
                )
            if not all(isinstance(a, int) for a in axes):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should be integers. "
                    f"Received: axes={axes}"
                )
            axes = list(axes)
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolved_axes(self, shape1, shape2):
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [a % shape.rank if a < 0 else a for a, shape in zip(axes, (shape1, shape2))]

    def _checked(self, input_shape):
        shapes = _shape_list(input_shape, "A `Dot` layer")
        if len(shapes) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = shapes
        if shape1.rank is None or shape2.rank is None:
            raise ValueError(
                f"A `Dot` layer needs inputs of known rank. Received: input_shape={input_shape}"
            )
        axes = self._resolved_axes(shape1, shape2)
        if 0 in axes:
            raise ValueError(
                f"Cannot perform batch_dot over axis 0 (the batch axis). Received: axes={self.axes}"
            )
        if axes[0] >= shape1.rank or axes[1] >= shape2.rank:
            raise ValueError(
                f"Invalid `axes`={self.axes} for inputs of shapes {tuple(shape1)}, {tuple(shape2)}."
            )
        a, b = shape1[axes[0]], shape2[axes[1]]
        if a is not None and b is not None and a != b:
            raise ValueError(
                f"Incompatible input shapes: axis values {a} (at axis {axes[0]}) != {b} "
                f"(at axis {axes[1]}). Full input shapes: {tuple(shape1)}, {tuple(shape2)}"
            )
        return shape1, shape2, axes

    def build(self, input_shape):
        self._checked(input_shape)
        self.built = True

    def call(self, inputs):
        inputs = _as_input_list(inputs, "A `Dot` layer")
        if len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: {len(inputs)}"
            )
        x1, x2 = inputs
        shape1, shape2, axes = self._checked([x1.shape, x2.shape])
        if self.normalize:
            x1 = loom.nn.l2_normalize(x1, axis=axes[0])
            x2 = loom.nn.l2_normalize(x2, axis=axes[1])
        # An einsum: batch letter 'a', the contracted letter 'z', fresh letters otherwise.
        letters = iter(_LETTERS[:-1])
        spec1 = ["a"] + [next(letters) for _ in range(shape1.rank - 1)]
        spec2 = ["a"] + [next(letters) for _ in range(shape2.rank - 1)]
        spec1[axes[0]] = spec2[axes[1]] = "z"
        out = [c for c in spec1 if c != "z"] + [c for c in spec2[1:] if c != "z"]
        result = loom.einsum(f"{''.join(spec1)},{''.join(spec2)}->{''.join(out)}", x1, x2)
        if len(out) == 1:
            result = loom.expand_dims(result, 1)
        return result

    def compute_output_shape(self, input_shape):
        shape1, shape2, axes = self._checked(input_shape)
        dims1 = [d for i, d in enumerate(shape1) if i != axes[0]]
        dims2 = [d for i, d in enumerate(shape2) if i not in (0, axes[1])]
        dims = dims1 + dims2
        if len(dims) == 1:
            dims.append(1)
        return TensorShape(dims)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        config = super().get_config()
        config.update(axes=self.axes, normalize=self.normalize)
        return config


def add(inputs, **kwargs):
    """Add()(inputs)."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Subtract()(inputs)."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Multiply()(inputs)."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Average()(inputs)."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Maximum()(inputs)."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Minimum()(inputs)."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs, axis=-1, **kwargs):
    """Concatenate(axis)(inputs)."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs, axes, normalize=False, **kwargs):
    """Dot(axes, normalize)(inputs)."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
