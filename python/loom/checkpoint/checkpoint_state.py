"""The per-directory "checkpoint" state file: which checkpoints exist, newest last.
Replaced atomically, so it always names checkpoints whose files were complete."""

import json
import os

from loom._api import export
from loom.checkpoint import checkpoint_format as fmt

STATE_FILENAME = "checkpoint"


def read_state(directory, latest_filename=None):
    """The state dict of `directory`, or None when absent or unreadable."""
    path = os.path.join(directory, latest_filename or STATE_FILENAME)
    try:
        with open(path, "rb") as f:
            state = json.loads(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(state, dict) or not isinstance(state.get("all_model_checkpoint_paths"), list):
        return None
    return state


def write_state(directory, paths, timestamps, last_preserved_timestamp):
    """Records `paths` (newest last) as the directory's checkpoints."""
    names = [_relative(directory, p) for p in paths]
    state = {
        "model_checkpoint_path": names[-1] if names else None,
        "all_model_checkpoint_paths": names,
        "all_model_checkpoint_timestamps": list(timestamps),
        "last_preserved_timestamp": last_preserved_timestamp,
    }
    text = json.dumps(state, indent=1).encode("utf-8")
    fmt.write_atomically(os.path.join(directory, STATE_FILENAME), [text])


def state_paths(directory, state):
    """Absolute-or-joined paths listed in `state`, oldest first."""
    return [
        _resolve(directory, p) for p in state["all_model_checkpoint_paths"] if isinstance(p, str)
    ]


def record_checkpoint(directory, path, timestamp=None):
    """Adds `path` as the newest checkpoint of `directory` (Checkpoint.save keeps all)."""
    import time

    state = read_state(directory) or {}
    paths = state_paths(directory, state) if state else []
    stamps = list(state.get("all_model_checkpoint_timestamps") or [])
    if len(stamps) != len(paths):
        stamps = [0.0] * len(paths)
    if path in paths:
        del stamps[paths.index(path)]
        paths.remove(path)
    paths.append(path)
    stamps.append(time.time() if timestamp is None else timestamp)
    write_state(directory, paths, stamps, state.get("last_preserved_timestamp"))


def _relative(directory, path):
    if os.path.dirname(os.path.abspath(path)) == os.path.abspath(directory):
        return os.path.basename(path)
    return path


def _resolve(directory, name):
    return name if os.path.isabs(name) else os.path.join(directory, name)


@export("train.latest_checkpoint")
def latest_checkpoint(checkpoint_dir, latest_filename=None):
    """The newest complete checkpoint recorded in `checkpoint_dir`, or None."""
    checkpoint_dir = os.fspath(checkpoint_dir)
    state = read_state(checkpoint_dir, latest_filename)
    if state is None:
        return None
    for path in reversed(state_paths(checkpoint_dir, state)):
        if fmt.checkpoint_exists(path):
            return path
    return None
