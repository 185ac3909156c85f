"""tf.train.Checkpoint: object-based checkpoints. Variables are saved and matched by
their path in the object graph ("model/layers/0/kernel"), never by variable name."""

import os
import weakref

import numpy as np

from loom import errors
from loom import module as module_lib
from loom._api import export
from loom.checkpoint import checkpoint_format as fmt
from loom.checkpoint import checkpoint_state

SAVE_COUNTER = "save_counter"


def path_string(path):
    """("model", "layers", "0") -> "model/layers/0"; "/" and "%" in names are escaped."""
    return "/".join(str(p).replace("%", "%25").replace("/", "%2F") for p in path)


def variable_paths(root):
    """[(path string, variable)] for every path reaching a variable, in walk order."""
    found = []
    for path, obj in module_lib.walk_object_graph(root):
        if module_lib.is_variable(obj):
            found.append((path_string(path), obj))
    return found


def _is_trackable(obj):
    return (
        module_lib.is_variable(obj)
        or module_lib.is_graph_node(obj)
        or isinstance(obj, (list, tuple, dict))
    )


def _variable_dtype_name(variable):
    dtype = variable.dtype
    return getattr(dtype, "name", str(dtype))


def _variable_shape(variable):
    shape = variable.shape
    dims = getattr(shape, "dims", shape)
    return None if dims is None else [None if d is None else int(d) for d in dims]


# Statuses still holding values for objects that do not exist yet. Assigning state to a
# Module attribute gives them a chance to restore it (see Module.__setattr__).
_pending_statuses = weakref.WeakSet()


def _apply_pending_restores():
    for status in list(_pending_statuses):
        status._apply(raise_on_mismatch=False)


module_lib.register_state_listener(_apply_pending_restores)


class CheckpointLoadStatus:
    """What a restore matched. Values whose objects do not exist yet stay pending and are
    assigned when the objects appear: on Module attribute assignment, Checkpoint
    attribute assignment, `run_restore_ops()`, any `assert_*` call, or the next save."""

    def __init__(self, checkpoint, save_path, objects, tensors):
        self._checkpoint = checkpoint
        self._save_path = save_path
        self._objects = objects  # object path -> tensor key
        self._tensors = tensors  # tensor key -> (dtype name, ndarray)
        self._consumed_keys = set()
        self._restored = {}  # id(variable) -> variable restored by this status
        self._mismatches = {}  # path -> message, found while applying deferred values
        self._applying = False

    @property
    def save_path(self):
        return self._save_path

    def _plan(self):
        """(assignments, mismatches) for variables now in the graph that have values."""
        assignments, mismatches, planned = [], {}, set()
        for path, variable in variable_paths(self._checkpoint):
            key = self._objects.get(path)
            if key is None or id(variable) in self._restored or id(variable) in planned:
                continue
            planned.add(id(variable))
            dtype_name, value = self._tensors[key]
            want_dtype, want_shape = _variable_dtype_name(variable), _variable_shape(variable)
            if dtype_name != want_dtype or not _shape_matches(want_shape, value.shape):
                mismatches[path] = (
                    f"{path!r}: the checkpoint holds {dtype_name} {list(value.shape)} but the "
                    f"variable is {want_dtype} {want_shape}"
                )
                continue
            assignments.append((key, variable, value))
        return assignments, mismatches

    def _apply(self, raise_on_mismatch):
        if self._applying:
            return
        self._applying = True
        try:
            assignments, mismatches = self._plan()
            if mismatches and raise_on_mismatch:
                raise errors.InvalidArgumentError(
                    f"Cannot restore checkpoint {self._save_path!r}; no variable was changed. "
                    "Mismatched object(s): " + "; ".join(mismatches.values())
                )
            self._mismatches.update(mismatches)
            for key, variable, value in assignments:
                variable.assign(_as_assignable(value, variable))
                self._restored[id(variable)] = variable
                self._consumed_keys.add(key)
            if self._consumed_keys >= set(self._tensors):
                _pending_statuses.discard(self)
        finally:
            self._applying = False

    def _raise_deferred_mismatches(self):
        if self._mismatches:
            raise errors.InvalidArgumentError(
                f"Cannot restore checkpoint {self._save_path!r} into objects created after "
                "the restore: " + "; ".join(self._mismatches.values())
            )

    def _unrestored_variables(self):
        counter = self._checkpoint._save_counter
        return sorted(
            {
                path
                for path, v in variable_paths(self._checkpoint)
                if id(v) not in self._restored and v is not counter
            }
        )

    def run_restore_ops(self, session=None):
        """Assigns pending values to objects created since the restore."""
        del session
        self._apply(raise_on_mismatch=True)
        self._raise_deferred_mismatches()

    def assert_consumed(self):
        """Every checkpoint value was used and every variable got one."""
        self.run_restore_ops()
        unused = sorted(
            path for path, key in self._objects.items() if key not in self._consumed_keys
        )
        missing = self._unrestored_variables()
        if unused or missing:
            raise AssertionError(
                f"Checkpoint {self._save_path!r} was not fully consumed. "
                f"Values with no matching object: {unused}. Variables with no value: {missing}."
            )
        return self

    def assert_existing_objects_matched(self):
        """Every variable that exists now got a value."""
        self.run_restore_ops()
        missing = self._unrestored_variables()
        if missing:
            raise AssertionError(
                f"Variables with no value in checkpoint {self._save_path!r}: {missing}."
            )
        return self

    def assert_nontrivial_match(self):
        self.run_restore_ops()
        restored = {k for k in self._consumed_keys if k != SAVE_COUNTER}
        if not restored:
            raise AssertionError(f"Nothing was restored from checkpoint {self._save_path!r}.")
        return self

    def expect_partial(self):
        """Declares that unused values are expected (loom never warns about them)."""
        return self


class InitializationOnlyStatus:
    """Returned by restore(None): nothing to restore, variables keep their initializers."""

    def run_restore_ops(self, session=None):
        del session

    def assert_consumed(self):
        raise AssertionError("No checkpoint specified (save_path=None); nothing is being restored.")

    assert_existing_objects_matched = assert_consumed
    assert_nontrivial_match = assert_consumed

    def expect_partial(self):
        return self


def _shape_matches(variable_dims, stored_shape):
    if variable_dims is None:
        return True
    return len(variable_dims) == len(stored_shape) and all(
        d is None or d == s for d, s in zip(variable_dims, stored_shape)
    )


def _as_assignable(value, variable):
    if _variable_dtype_name(variable) == "bfloat16":
        import loom

        return loom.constant(value, dtype=variable.dtype)
    return value


@export("train.Checkpoint")
class Checkpoint:
    """Saves and restores the variables reachable from the objects given as keyword
    arguments; `save` numbers its checkpoints (prefix-1, prefix-2, ...)."""

    def __init__(self, root=None, **kwargs):
        object.__setattr__(self, "_root", root)
        object.__setattr__(self, "_children", {})
        object.__setattr__(self, "_save_counter", None)
        object.__setattr__(self, "_saves_without_variable", 0)
        object.__setattr__(self, "_status", None)
        if root is not None and not _is_trackable(root):
            raise ValueError(f"Checkpoint root must be trackable, got {type(root).__name__}.")
        for name, value in sorted(kwargs.items()):
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if name.startswith("_"):
            object.__setattr__(self, name, value)
            return
        if name == SAVE_COUNTER:
            raise ValueError(f"'{SAVE_COUNTER}' is reserved for the checkpoint's counter.")
        if not _is_trackable(value):
            raise ValueError(
                f"Checkpoint was expecting a trackable object (a Module, a Variable, or a "
                f"list/tuple/dict of them) for {name!r}, got {type(value).__name__}."
            )
        self._children[name] = value
        if self._status is not None:
            self._status._apply(raise_on_mismatch=False)

    def __getattr__(self, name):
        children = self.__dict__.get("_children", {})
        if name in children:
            return children[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    def _object_graph_children(self):
        children = {}
        root = self._root
        if root is not None and module_lib.is_graph_node(root):
            children.update(module_lib.node_children(root))
        elif root is not None:
            children["root"] = root
        children.update(self._children)
        if self._save_counter is not None:
            children[SAVE_COUNTER] = self._save_counter
        return children

    # ------------------------------------------------------------ save counter

    @property
    def save_counter(self):
        """How many times `save` ran (restored with the checkpoint): an int64 Variable."""
        self._maybe_create_save_counter()
        return self._save_counter

    def _maybe_create_save_counter(self):
        import loom

        if self._save_counter is None and getattr(loom, "Variable", None) is not None:
            counter = loom.Variable(
                np.int64(self._saves_without_variable),
                trainable=False,
                name=SAVE_COUNTER,
                dtype="int64",
            )
            object.__setattr__(self, "_save_counter", counter)

    def _next_save_number(self):
        self._maybe_create_save_counter()
        if self._save_counter is None:
            object.__setattr__(self, "_saves_without_variable", self._saves_without_variable + 1)
            return self._saves_without_variable
        number = int(np.asarray(self._save_counter.numpy())) + 1
        self._save_counter.assign(np.int64(number))
        return number

    # ------------------------------------------------------------ saving

    def _collect(self):
        """(tensors by key, object path -> key); a variable shared by several paths is
        stored once, under its first path, and every path points at it."""
        tensors, objects, key_of = {}, {}, {}
        for path, variable in variable_paths(self):
            key = key_of.get(id(variable))
            if key is None:
                key = path
                key_of[id(variable)] = key
                tensors[key] = (_variable_dtype_name(variable), np.asarray(variable.numpy()))
            objects.setdefault(path, key)
        return tensors, objects

    def write(self, file_prefix, options=None):
        """Writes a checkpoint at `file_prefix` (no numbering); returns the path."""
        del options
        file_prefix = os.fspath(file_prefix)
        if self._status is not None:
            self._status._apply(raise_on_mismatch=False)
        tensors, objects = self._collect()
        fmt.write_checkpoint(file_prefix, tensors, objects, metadata={})
        return file_prefix

    def save(self, file_prefix, options=None):
        """Writes `file_prefix-N` for the next save number N, records it as the
        directory's latest checkpoint, and returns the path."""
        file_prefix = os.fspath(file_prefix)
        path = self.write(f"{file_prefix}-{self._next_save_number()}", options)
        checkpoint_state.record_checkpoint(os.path.dirname(path) or ".", path)
        return path

    # ------------------------------------------------------------ restoring

    def read(self, save_path, options=None):
        """Restores from `save_path`: verifies the files completely, checks every
        matched variable's dtype and shape, then assigns; anything wrong changes nothing.
        Values for objects that do not exist yet are kept and restored later."""
        del options
        save_path = os.fspath(save_path)
        if os.path.isdir(save_path):
            latest = checkpoint_state.latest_checkpoint(save_path)
            if latest is None:
                raise errors.NotFoundError(f"No checkpoint found in directory {save_path!r}.")
            save_path = latest
        objects, tensors, _ = fmt.read_checkpoint(save_path)
        if SAVE_COUNTER in objects:
            self._maybe_create_save_counter()
        status = CheckpointLoadStatus(self, save_path, objects, tensors)
        status._apply(raise_on_mismatch=True)
        if self._status is not None:
            _pending_statuses.discard(self._status)
        object.__setattr__(self, "_status", status)
        if not status._consumed_keys >= set(tensors):
            _pending_statuses.add(status)
        if self._save_counter is None and SAVE_COUNTER in objects:
            number = int(tensors[objects[SAVE_COUNTER]][1])
            object.__setattr__(self, "_saves_without_variable", number)
        return status

    def restore(self, save_path, options=None):
        """Like `read`; `save_path=None` restores nothing and returns a status whose
        assertions fail, as in TF."""
        if save_path is None:
            return InitializationOnlyStatus()
        return self.read(save_path, options)
