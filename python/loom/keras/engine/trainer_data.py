"""Data handling for Model.fit/evaluate/predict: nested structures of arrays, batches,
shuffling and the validation split, as Keras' in-memory data adapter does it."""

import math

import numpy as np

import loom

# --- nested structures (tuples, lists, dicts of leaves) ----------------------------------


def flatten(structure):
    """Leaves of a nest of tuples, lists and dicts (dicts in sorted key order); None
    stands for nothing."""
    if structure is None:
        return []
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    """The same nest with `fn` applied to every leaf (None stays None)."""
    if structure is None:
        return None
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        mapped = [map_structure(fn, item) for item in structure]
        return type(structure)(mapped) if type(structure) in (list, tuple) else mapped
    return fn(structure)


def unpack_x_y_sample_weight(data):
    """(x, y, sample_weight) from what a step receives: x, (x,), (x, y) or (x, y, sw)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data!r}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The inverse of unpack_x_y_sample_weight (a 1-tuple holds a lone tuple x)."""
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


# --- in-memory arrays --------------------------------------------------------------------


def _to_numpy(value):
    """A leaf as a NumPy array; float arrays become float32 as Keras' floatx."""
    if value is None:
        return None
    if isinstance(value, loom.Variable) or loom.is_tensor(value):
        array = np.asarray(value.numpy())
    else:
        array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    if array.ndim == 0:
        raise ValueError(
            f"Expected arrays with a batch dimension for fit/evaluate/predict, got a scalar {value!r}."
        )
    return array


class ArrayData:
    """x, y and sample_weight nests held as NumPy arrays that share a first dimension."""

    def __init__(self, x, y=None, sample_weight=None):
        if x is None:
            raise ValueError("Expected `x` to be provided (got None).")
        self.x = map_structure(_to_numpy, x)
        self.y = map_structure(_to_numpy, y)
        self.sample_weight = map_structure(_to_numpy, sample_weight)
        self.num_samples = self._check_sizes()

    def _check_sizes(self):
        named = [("x", a) for a in flatten(self.x)] + [("y", a) for a in flatten(self.y)]
        named += [("sample_weight", a) for a in flatten(self.sample_weight)]
        sizes = {name: set() for name, _ in named}
        for name, array in named:
            sizes[name].add(int(array.shape[0]))
        distinct = set().union(*sizes.values())
        if len(distinct) > 1:
            described = ", ".join(f"{name} sizes: {sorted(s)}" for name, s in sizes.items())
            raise ValueError(
                f"Data cardinality is ambiguous: {described}. Make sure all "
                "arrays contain the same number of samples."
            )
        return distinct.pop()

    def take(self, indices):
        """An ArrayData of the samples at `indices` (a 1-D array or slice)."""
        pick = (
            (lambda a: a[indices])
            if isinstance(indices, slice)
            else (lambda a: np.take(a, indices, axis=0))
        )
        part = ArrayData.__new__(ArrayData)
        part.x = map_structure(pick, self.x)
        part.y = map_structure(pick, self.y)
        part.sample_weight = map_structure(pick, self.sample_weight)
        part.num_samples = (
            len(range(self.num_samples)[indices]) if isinstance(indices, slice) else len(indices)
        )
        return part

    def split(self, validation_split):
        """(train, validation): the last `validation_split` fraction is held out, as Keras
        takes it before shuffling."""
        if not 0.0 < validation_split < 1.0:
            raise ValueError(
                f"`validation_split` must be in the range (0, 1), got {validation_split}."
            )
        split_at = int(math.floor(self.num_samples * (1.0 - validation_split)))
        if split_at == 0 or split_at == self.num_samples:
            raise ValueError(
                f"Training data contains {self.num_samples} samples, which is not sufficient "
                f"to split it into a validation and training set as specified by "
                f"`validation_split={validation_split}`. Either provide more data, or a "
                "different value for the `validation_split` argument."
            )
        return self.take(slice(0, split_at)), self.take(slice(split_at, None))

    def batch_tensors(self, indices):
        """The step input for the samples at `indices`: x, (x, y) or (x, y, sw) tensors."""
        part = self.take(indices)
        to_tensor = loom.convert_to_tensor
        return pack_x_y_sample_weight(
            map_structure(to_tensor, part.x),
            map_structure(to_tensor, part.y),
            map_structure(to_tensor, part.sample_weight),
        )


def validation_data_of(validation_data):
    """ArrayData for fit's `validation_data`: (x, y) or (x, y, sample_weight)."""
    if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
        raise ValueError(
            "When passing a `validation_data` argument, it must contain either 2 items "
            f"(x_val, y_val), or 3 items (x_val, y_val, val_sample_weights). Received: "
            f"validation_data={validation_data!r}"
        )
    return ArrayData(*validation_data)


class BatchPlan:
    """Which samples each step of an epoch sees: `steps` batches of `batch_size`,
    shuffled per epoch when asked; with steps_per_epoch the order continues across
    epochs and wraps around the data."""

    def __init__(self, num_samples, batch_size, shuffle=False, steps=None):
        if batch_size is None:
            batch_size = 32
        if int(batch_size) <= 0:
            raise ValueError(f"`batch_size` must be a positive integer, got {batch_size}.")
        self.num_samples = num_samples
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self.batches_per_pass = max(1, math.ceil(num_samples / self.batch_size))
        self.steps = self.batches_per_pass if steps is None else int(steps)
        self._order = None
        self._position = 0  # next sample index into _order (steps_per_epoch mode)

    def _new_order(self):
        if self.shuffle:
            return np.random.permutation(self.num_samples)
        return np.arange(self.num_samples)

    def epoch(self):
        """The index arrays of one epoch's batches."""
        if self.steps == self.batches_per_pass and self._position == 0:
            order = self._new_order()
            for start in range(0, self.num_samples, self.batch_size):
                yield order[start : start + self.batch_size]
            return
        for _ in range(self.steps):
            if self._order is None or self._position >= self.num_samples:
                self._order, self._position = self._new_order(), 0
            end = min(self._position + self.batch_size, self.num_samples)
            yield self._order[self._position : end]
            self._position = end
