"""Saves checkpoints in a loop until killed; every variable of save N holds the value N
(so a reader can tell a torn checkpoint from a whole one). Used by test_checkpoint.py."""

import sys

import numpy as np

import loom as tf


def main(directory):
    model = tf.Module()
    model.big = tf.Variable(np.zeros((256, 256), np.float32))
    model.small = [tf.Variable(np.zeros(7, np.int64)), tf.Variable(np.zeros((), np.float64))]
    ckpt = tf.train.Checkpoint(model=model)
    manager = tf.train.CheckpointManager(ckpt, directory, max_to_keep=2)
    step = 0
    while True:
        step += 1
        model.big.assign(np.full((256, 256), step, np.float32))
        model.small[0].assign(np.full(7, step, np.int64))
        model.small[1].assign(np.float64(step))
        manager.save(checkpoint_number=step)
        print(step, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
