"""Object-based checkpoints: tf.train.Checkpoint, CheckpointManager, latest_checkpoint."""

from loom.checkpoint.checkpoint import Checkpoint, CheckpointLoadStatus  # noqa: F401
from loom.checkpoint.checkpoint_manager import CheckpointManager  # noqa: F401
from loom.checkpoint.checkpoint_state import latest_checkpoint  # noqa: F401
