"""ESLint over the playground's page: the repository's pinned ESLint (package.json,
package-lock.json; installed by ``npm ci``) with eslint.config.js must report nothing.

A missing Node.js or ESLint fails the test rather than skipping it: the README's second
set-up line (and ``.ci/run``) installs both.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = "src/fcnn/playground/static/js"


def test_eslint_reports_nothing_on_the_page():
    node = shutil.which("node")
    assert node is not None, "Node.js is missing: run the README's second set-up line"
    eslint = ROOT / "node_modules" / "eslint" / "bin" / "eslint.js"
    assert eslint.is_file(), f"{eslint} is missing: run `npm ci` in {ROOT}"
    result = subprocess.run(
        [node, str(eslint), "--max-warnings", "0", PAGE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"ESLint:\n{result.stdout}{result.stderr}"
