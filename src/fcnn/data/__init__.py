"""Floor 3: data sets, splits and scaling.

- ``toy``: the course's planar "flower" and extra sets, scikit-learn-exact ``circles`` /
  ``moons`` / ``blobs`` / ``gaussian_quantiles``, ``xor``, ``spirals``.
- ``tfplayground``: the TensorFlow Neural Network Playground's sets (``playground``).
- ``playground_sets``: the browser playground's sets by name (``playground_set``, with
  ``ring_blobs`` and ``spiral_arms`` for k classes) and its reader of uploaded points
  (``parse_points_csv``).
- ``registry``: ``DATASETS`` (the 2-D sets by name) and ``load(name, **kw)``.
- ``images``: scikit-learn's 8x8 ``digits``; ``mnist`` / Fashion-MNIST from IDX files,
  MD5-verified, with an optional download into a cache (``fetch``).
- ``idx``: ``read_idx``, the IDX file reader.
- ``tabular``: ``csv``, a user's own table, with errors that name line and column, and
  ``detect_delimiter``.
- ``task``: ``infer_task``, the rule that tells class labels from values in a target
  column (``TASKS``, ``MAX_CLASSES``).
- ``source``: data sets by name with their preparation recorded (``make_source``,
  ``load_source``, ``apply_preprocess``), for the CLI, the playground and sweeps.
- ``split``: ``train_test_split``, ``train_val_test_split`` (stratified on request).
- ``scaling``: ``Standardizer``.
- ``encoding``: ``one_hot``.
- ``transform``: ``check_dataset``, and the names above in one import.
- ``stream``: data larger than memory, read batch by batch (``BatchSource``,
  ``as_source``, ``ParquetSource``, ``CSVSource``, ``NpySource``, ``DaskSource``,
  ``IterableSource``, ``stream_statistics``); imported as ``fcnn.data.stream``.
"""

from __future__ import annotations

from .fetch import DownloadError, cache_dir, fetch, md5sum, verify_md5
from .idx import read_idx
from .images import MIRRORS, MNIST_FILES, digits, mnist
from .playground_sets import (
    PLAYGROUND_SETS,
    POINTS_CSV_MIN_ROWS,
    parse_points_csv,
    playground_set,
    ring_blobs,
    spiral_arms,
)
from .registry import DATASETS, REGRESSION, load
from .source import SOURCE_NAMES, Dataset, apply_preprocess, load_source, make_source
from .tabular import CSVData, csv, csv_features, detect_delimiter
from .task import MAX_CLASSES, TASKS, infer_task
from .tfplayground import playground
from .toy import (
    blobs,
    circles,
    gaussian_quantiles,
    moons,
    no_structure,
    noisy_circles,
    noisy_moons,
    planar,
    spirals,
    xor,
)
from .transform import (
    Standardizer,
    check_dataset,
    one_hot,
    train_test_split,
    train_val_test_split,
)

__all__ = [
    "DATASETS",
    "MAX_CLASSES",
    "MIRRORS",
    "MNIST_FILES",
    "PLAYGROUND_SETS",
    "POINTS_CSV_MIN_ROWS",
    "REGRESSION",
    "SOURCE_NAMES",
    "TASKS",
    "CSVData",
    "Dataset",
    "DownloadError",
    "Standardizer",
    "apply_preprocess",
    "blobs",
    "cache_dir",
    "check_dataset",
    "circles",
    "csv",
    "csv_features",
    "detect_delimiter",
    "digits",
    "fetch",
    "gaussian_quantiles",
    "infer_task",
    "load",
    "load_source",
    "make_source",
    "md5sum",
    "mnist",
    "moons",
    "no_structure",
    "noisy_circles",
    "noisy_moons",
    "one_hot",
    "parse_points_csv",
    "planar",
    "playground",
    "playground_set",
    "read_idx",
    "ring_blobs",
    "spiral_arms",
    "spirals",
    "train_test_split",
    "train_val_test_split",
    "verify_md5",
    "xor",
]
