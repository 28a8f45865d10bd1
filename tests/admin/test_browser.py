"""The admin page in a real browser: Debian's headless Chromium driven by playwright-core.

The Node script `browser/admin_flow.mjs` signs in, finds a user, opens a memory's history,
invalidates it and checks that the next chat's trace no longer uses it. It needs `chromium`
(apt) and `npm ci` in `tests/admin/browser/`; locally the test is skipped without them, in CI
it fails. `UPDATE_SCREENSHOTS=1` writes the screenshots to `docs/screenshots/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.admin.conftest import AdminServer
from tests.admin.seed import ACME_KEY
from tests.fakes.provider import FakeProvider

BROWSER_DIR = Path(__file__).parent / "browser"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FAST = "openai/fast-fake"


def _require(condition: bool, reason: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def test_find_inspect_and_invalidate_a_memory_in_the_browser(
    admin_server: Callable[..., AdminServer], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    _require(
        Path(chromium).exists(), "Debian's chromium is not installed (apt-get install chromium)"
    )
    _require(shutil.which("node") is not None, "node is not installed")
    _require(
        (BROWSER_DIR / "node_modules" / "playwright-core").is_dir(),
        "playwright-core is not installed: run `npm ci` in tests/admin/browser",
    )
    from persona.embed import get_embedder

    shots = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") else tmp_path
    shots.mkdir(parents=True, exist_ok=True)
    with FakeProvider() as fake:
        endpoint = {"api_base": fake.url, "api_key": "sk-fake"}
        srv = admin_server(
            chat=True,
            embedder=get_embedder(),  # the real model: retrieval decides what the trace shows
            fast_model=FAST,
            reasoning_model=FAST,
            model_endpoints={FAST: endpoint},
        )
        env = {
            **os.environ,
            "ADMIN_URL": srv.url,
            "ADMIN_KEY": srv.keys["acme"],
            "TENANT_KEY": ACME_KEY,
            "CHROMIUM": chromium,
            "SHOTS_DIR": str(shots),
        }
        proc = subprocess.run(
            ["node", "admin_flow.mjs"],
            cwd=BROWSER_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert sorted(p.name for p in shots.glob("*.png")) == [
        "01-sign-in.png",
        "02-user.png",
        "03-memory-history.png",
        "04-trace.png",
        "05-invalidated.png",
        "06-stats.png",
    ]
