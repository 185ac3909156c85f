"""Nested structures (lists, tuples, dicts) as Keras layers see their inputs."""


def flatten(structure):
    """Leaves in order; dicts by sorted key."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for key in sorted(structure) for leaf in flatten(structure[key])]
    return [structure]


def map_structure(fn, structure):
    """The same structure with fn applied to every leaf."""
    if isinstance(structure, tuple) and hasattr(structure, "_fields"):  # namedtuple
        return type(structure)(*(map_structure(fn, v) for v in structure))
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_structure(fn, v) for v in structure)
    if isinstance(structure, dict):
        return {k: map_structure(fn, v) for k, v in structure.items()}
    return fn(structure)


def pack_like(structure, flat):
    """Builds `structure`'s shape from the leaves in `flat` (inverse of flatten)."""
    leaves = iter(flat)

    def rebuild(s):
        if isinstance(s, tuple) and hasattr(s, "_fields"):
            return type(s)(*(rebuild(v) for v in s))
        if isinstance(s, (list, tuple)):
            return type(s)(rebuild(v) for v in s)
        if isinstance(s, dict):
            return {k: rebuild(s[k]) for k in sorted(s)}
        return next(leaves)

    return rebuild(structure)
