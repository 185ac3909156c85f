"""Model.save_weights / load_weights through loom.train.Checkpoint (TF format: weights
are matched by their object path from the model, e.g. "_layers/1/kernel")."""

import os

import loom


def _checkpoint(model):
    return loom.train.Checkpoint(model=model)


def _check_format(filepath, save_format):
    path = os.fspath(filepath)
    if (save_format or "").lower() in ("h5", "keras") or path.endswith((".h5", ".hdf5", ".keras")):
        raise ValueError(
            f"loom.keras saves weights in the TensorFlow checkpoint format only; "
            f"received filepath={path!r}, save_format={save_format!r}."
        )
    return path


def save_weights(model, filepath, overwrite=True, save_format=None):
    path = _check_format(filepath, save_format)
    if not overwrite and os.path.exists(path + ".index"):
        raise FileExistsError(f"{path} already exists and overwrite=False.")
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    return _checkpoint(model).write(path)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    if by_name:
        raise ValueError(
            "by_name=True is only supported for HDF5 files, which loom.keras does not write."
        )
    path = _check_format(filepath, None)
    return _checkpoint(model).read(path)
