"""tf.train.CheckpointManager: numbered saves into one directory, keeping the newest
`max_to_keep`. Old files are deleted only after the state file names the new one."""

import os
import time

from loom._api import export
from loom.checkpoint import checkpoint_format as fmt
from loom.checkpoint import checkpoint_state


def _delete_checkpoint(prefix):
    # The manifest goes first: without it the data file is never read.
    try:
        os.unlink(prefix + fmt.INDEX_SUFFIX)
    except OSError:
        pass
    fmt.remove_stale_data_files(prefix)


@export("train.CheckpointManager")
class CheckpointManager:
    def __init__(
        self,
        checkpoint,
        directory,
        max_to_keep=5,
        keep_checkpoint_every_n_hours=None,
        checkpoint_name="ckpt",
        step_counter=None,
        checkpoint_interval=None,
        init_fn=None,
    ):
        if max_to_keep is not None and max_to_keep <= 0:
            raise ValueError(f"max_to_keep must be a positive integer or None, got {max_to_keep}.")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("step_counter must be given when checkpoint_interval is set.")
        self._checkpoint = checkpoint
        self._directory = os.fspath(directory)
        self._max_to_keep = max_to_keep
        self._keep_every_seconds = (
            None if keep_checkpoint_every_n_hours is None else keep_checkpoint_every_n_hours * 3600
        )
        self._prefix = os.path.join(self._directory, checkpoint_name)
        self._step_counter = step_counter
        self._checkpoint_interval = checkpoint_interval
        self._last_checkpoint_step = None
        self._init_fn = init_fn
        self._recover_state()
        self._remove_temp_files(checkpoint_name)

    def _remove_temp_files(self, checkpoint_name):
        """Temp files a writer killed mid-save left (one writer per directory, as in TF)."""
        stems = (f".{checkpoint_name}-", f".{checkpoint_state.STATE_FILENAME}.")
        try:
            names = os.listdir(self._directory)
        except OSError:
            return
        for name in names:
            if name.startswith(stems) and name.endswith(".tmp"):
                try:
                    os.unlink(os.path.join(self._directory, name))
                except OSError:
                    pass

    def _recover_state(self):
        state = checkpoint_state.read_state(self._directory)
        self._paths, self._timestamps = [], []
        self._last_preserved = time.time()
        if state is None:
            return
        paths = checkpoint_state.state_paths(self._directory, state)
        stamps = state.get("all_model_checkpoint_timestamps") or []
        if len(stamps) != len(paths):
            stamps = [time.time()] * len(paths)
        for path, stamp in zip(paths, stamps):
            if fmt.checkpoint_exists(path):
                self._paths.append(path)
                self._timestamps.append(float(stamp))
        if isinstance(state.get("last_preserved_timestamp"), (int, float)):
            self._last_preserved = float(state["last_preserved_timestamp"])

    @property
    def directory(self):
        return self._directory

    @property
    def checkpoint(self):
        return self._checkpoint

    @property
    def checkpoints(self):
        """Paths of the kept checkpoints, oldest first."""
        return list(self._paths)

    @property
    def latest_checkpoint(self):
        return self._paths[-1] if self._paths else None

    @property
    def checkpoint_interval(self):
        return self._checkpoint_interval

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        """Writes the next checkpoint, records it, then drops the oldest past
        `max_to_keep`. Returns the path, or None when `checkpoint_interval` skips it."""
        if self._checkpoint_interval is not None and check_interval:
            step = int(self._step_counter.numpy())
            last = self._last_checkpoint_step
            if last is not None and step < last + self._checkpoint_interval:
                return None
            self._last_checkpoint_step = step
        number = self._checkpoint._next_save_number()
        if checkpoint_number is not None:
            number = int(getattr(checkpoint_number, "numpy", lambda: checkpoint_number)())
        path = self._checkpoint.write(f"{self._prefix}-{number}", options)
        now = time.time()
        if path in self._paths:
            del self._timestamps[self._paths.index(path)]
            self._paths.remove(path)
        self._paths.append(path)
        self._timestamps.append(now)
        doomed = self._select_for_deletion()
        checkpoint_state.write_state(
            self._directory, self._paths, self._timestamps, self._last_preserved
        )
        for prefix in doomed:
            _delete_checkpoint(prefix)
        return path

    def _select_for_deletion(self):
        """Drops paths beyond `max_to_keep` from the kept list; returns those to delete.
        With `keep_checkpoint_every_n_hours`, one checkpoint per period survives."""
        doomed = []
        if self._max_to_keep is None:
            return doomed
        while len(self._paths) > self._max_to_keep:
            path, stamp = self._paths.pop(0), self._timestamps.pop(0)
            if (
                self._keep_every_seconds is not None
                and stamp - self._last_preserved >= self._keep_every_seconds
            ):
                self._last_preserved = stamp
                continue  # preserved on disk, no longer managed
            doomed.append(path)
        return doomed

    def restore_or_initialize(self):
        """Restores the latest checkpoint and returns its path, or runs `init_fn`."""
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None
