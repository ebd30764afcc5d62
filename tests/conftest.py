"""Test configuration: make tests/ importable, turn any skipped test into a failure, and
give the tests small MNIST-format files of their own.

No test may skip to get green (the parity tests above all): a skip here means a
missing dependency or a broken check, so the session fails.

The suite passes on a fresh clone: no test reads a data folder outside the repository.
``fake_mnist`` writes tiny IDX files (see ``idx_support.py``) and puts their MD5s in
place of the published ones for the test's duration; the checks on the real MNIST are
in ``benchmarks/check_shared_data.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from idx_support import FakeMnist, write_fake_mnist

_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter) -> None:
    if _skipped:
        terminalreporter.write_line(
            f"FAILING THE RUN: {len(_skipped)} test(s) skipped; fcnn's suite allows no skips: "
            + ", ".join(_skipped[:10]),
            red=True,
        )


@pytest.fixture(scope="session")
def fake_mnist_files(tmp_path_factory: pytest.TempPathFactory) -> FakeMnist:
    """MNIST and Fashion-MNIST look-alikes, written once per session; do not modify them."""
    return write_fake_mnist(tmp_path_factory.mktemp("data"))


@pytest.fixture
def fake_mnist(fake_mnist_files: FakeMnist, monkeypatch, tmp_path) -> FakeMnist:
    """The look-alikes, with their MD5s standing in for the published ones, and an empty
    download cache (``$FCNN_CACHE``) so that no test sees the user's own."""
    from fcnn.data import MNIST_FILES  # imported here: the session starts without fcnn

    for kind, digests in fake_mnist_files.md5.items():
        monkeypatch.setitem(MNIST_FILES, kind, digests)
    monkeypatch.setenv("FCNN_CACHE", str(tmp_path / "fcnn-cache"))
    return fake_mnist_files
