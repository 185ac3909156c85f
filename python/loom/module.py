"""tf.Module: a named container that finds its variables and submodules by walking its
attributes. The same walk names every object for object-based checkpoints."""

import collections
import re

from loom._api import export

_CAMEL_BOUNDARY = re.compile(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))")
_VALID_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def _snake_case(class_name):
    return _CAMEL_BOUNDARY.sub(r"_\1", class_name).lower()


def is_variable(obj):
    # Looked up at call time: this module is imported before loom.Variable exists.
    import loom

    variable_class = getattr(loom, "Variable", None)
    return variable_class is not None and isinstance(obj, variable_class)


def is_graph_node(obj):
    """Objects whose children are named edges of the object graph: Modules and anything
    (a Checkpoint, an optimizer) that lists its children with `_object_graph_children`."""
    return isinstance(obj, Module) or hasattr(type(obj), "_object_graph_children")


def node_children(node):
    """(name, child) pairs of a graph node, sorted by name as TF sorts attributes."""
    if isinstance(node, Module):
        items = vars(node).items()
        ignored = type(node)._TF_MODULE_IGNORED_PROPERTIES
        items = [(k, v) for k, v in items if k not in ignored]
    else:
        items = list(node._object_graph_children().items())
    return sorted(items, key=lambda kv: kv[0])


def _container_items(obj):
    """(name, element) pairs of a list, tuple or dict, or None for anything else.
    Dict entries come in sorted key order so the walk does not depend on insertion."""
    if isinstance(obj, dict):
        try:
            keys = sorted(obj)
        except TypeError:  # mixed key types: order by type, then text
            keys = sorted(obj, key=lambda k: (type(k).__name__, repr(k)))
        return [(str(k), obj[k]) for k in keys]
    if isinstance(obj, (list, tuple)):
        return [(str(i), v) for i, v in enumerate(obj)]
    return None


def walk_object_graph(root, recursive=True):
    """Yields (path, obj) for every leaf and graph node reachable from the graph node
    `root` (not `root` itself). Within a node, containers are flattened depth first in
    attribute order; nodes are expanded breadth first, each once, so cycles end. A path
    is a tuple of names: attribute names, list indices and dict keys."""
    expanded = {id(root)}
    queue = collections.deque([((), node_children(root))])
    while queue:
        prefix, children = queue.popleft()
        stack = [(prefix + (name,), child) for name, child in reversed(children)]
        while stack:
            path, obj = stack.pop()
            items = _container_items(obj)
            if items is not None:
                if id(obj) not in expanded:  # a list holding itself ends here
                    expanded.add(id(obj))
                    stack.extend((path + (n,), v) for n, v in reversed(items))
                continue
            yield path, obj
            if recursive and is_graph_node(obj) and id(obj) not in expanded:
                expanded.add(id(obj))
                queue.append((path, node_children(obj)))


# Called after state (a variable, module or container) is assigned to a Module attribute,
# so a pending checkpoint restore can reach objects created after it.
_state_listeners = []


def register_state_listener(callback):
    _state_listeners.append(callback)


def _may_hold_state(value):
    return is_variable(value) or is_graph_node(value) or isinstance(value, (list, tuple, dict))


class _ModuleNameScope:
    """The scope a module's ops are named under; `name` ends with "/" as in TF."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        return self.name

    def __exit__(self, *exc_info):
        return False

    def __repr__(self):
        return f"<name_scope {self.name!r}>"


@export("Module")
class Module:
    """Base class for objects that own variables: `variables`, `trainable_variables`
    and `submodules` are found through attributes, lists, tuples and dicts."""

    # Attributes never walked (bookkeeping, not state).
    _TF_MODULE_IGNORED_PROPERTIES = frozenset(("_name", "_scope_name"))

    def __init__(self, name=None):
        if name is None:
            name = _snake_case(type(self).__name__)
        elif not isinstance(name, str) or not _VALID_NAME.match(name):
            raise ValueError(
                f"{name!r} is not a valid module name. Module names must be valid Python "
                "identifiers (letters, digits, '_', '.', '-', not starting with a digit)."
            )
        self._name = name
        self._scope_name = name + "/"

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if _state_listeners and _may_hold_state(value):
            for listener in _state_listeners:
                listener()

    @property
    def name(self):
        return self._name

    @property
    def name_scope(self):
        return _ModuleNameScope(self._scope_name)

    @property
    def variables(self):
        """Every variable of this module and its submodules, each once."""
        return tuple(self._flatten(predicate=is_variable))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: is_variable(v) and v.trainable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=lambda v: is_variable(v) and not v.trainable))

    @property
    def submodules(self):
        """Modules reachable from this one (not itself), breadth first, each once."""
        return tuple(self._flatten(predicate=lambda m: isinstance(m, Module)))

    def _flatten(self, recursive=True, predicate=None, with_path=False):
        """Objects reachable from this module that satisfy `predicate`. Without
        `with_path` each object comes once; with it, as (path, obj) for every path."""
        seen = {id(self)}
        for path, obj in walk_object_graph(self, recursive):
            if predicate is not None and not predicate(obj):
                continue
            if with_path:
                yield path, obj
            elif id(obj) not in seen:
                seen.add(id(obj))
                yield obj

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs `method` inside the module's name scope."""

        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)

        wrapped.__name__ = getattr(method, "__name__", "wrapped")
        wrapped.__doc__ = getattr(method, "__doc__", None)
        wrapped.__wrapped__ = method
        return wrapped

    def __repr__(self):
        return f"<{type(self).__module__}.{type(self).__name__} name={self._name!r}>"
