"""tf.nest: flatten and rebuild nested structures of lists, tuples, namedtuples and
dicts (dicts in sorted key order, as TF does). Other values are leaves."""

from loom._api import export


def _is_namedtuple(value):
    return isinstance(value, tuple) and hasattr(type(value), "_fields")


def _children(value):
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, (list, tuple)):
        return list(value)
    return None


@export("nest.is_nested")
def is_nested(structure):
    return isinstance(structure, (list, tuple, dict))


@export("nest.flatten")
def flatten(structure, expand_composites=False):
    out = []
    stack = [structure]
    while stack:
        value = stack.pop()
        children = _children(value)
        if children is None:
            out.append(value)
        else:
            stack.extend(reversed(children))
    return out


def _rebuild(template, leaves):
    children = _children(template)
    if children is None:
        return next(leaves)
    built = [_rebuild(c, leaves) for c in children]
    if isinstance(template, dict):
        return type(template)(zip(sorted(template), built))
    if _is_namedtuple(template):
        return type(template)(*built)
    return type(template)(built)


@export("nest.pack_sequence_as")
def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    flat_sequence = list(flat_sequence)
    expected = len(flatten(structure))
    if expected != len(flat_sequence):
        raise ValueError(
            f"Could not pack sequence. Structure had {expected} atoms, but flat_sequence "
            f"had {len(flat_sequence)} items."
        )
    return _rebuild(structure, iter(flat_sequence))


@export("nest.map_structure")
def map_structure(func, *structures, **kwargs):
    if not structures:
        raise ValueError("Must provide at least one structure")
    flats = [flatten(s) for s in structures]
    for f in flats[1:]:
        if len(f) != len(flats[0]):
            raise ValueError("The two structures don't have the same number of elements.")
    return pack_sequence_as(structures[0], [func(*xs) for xs in zip(*flats)])
