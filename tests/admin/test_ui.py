"""The admin page's files: served from the package, self-contained, locked down by CSP."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from api.routes.admin_ui import CSP, STATIC
from tests.admin.conftest import AdminServer


def test_page_and_assets_are_served_with_a_strict_policy(
    admin_server: Callable[..., AdminServer],
) -> None:
    srv = admin_server(seeded=False)
    for path, kind, name in (
        ("/admin", "text/html; charset=utf-8", "index.html"),
        ("/admin/static/admin.css", "text/css; charset=utf-8", "admin.css"),
        ("/admin/static/admin.js", "text/javascript; charset=utf-8", "admin.js"),
    ):
        r = httpx.get(srv.url + path)  # the page itself needs no key; its API calls do
        assert (r.status_code, r.headers["content-type"]) == (200, kind), path
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.content == (STATIC / name).read_bytes()
    for bad in ("../app.py", "..%2Fapp.py", ".hidden.js", "index.html", "nope.js"):
        assert httpx.get(f"{srv.url}/admin/static/{bad}").status_code == 404, bad


def test_nothing_loads_from_the_internet() -> None:
    for path in STATIC.iterdir():
        text = path.read_text()
        assert not re.search(r"https?://", text), path.name
        # server text is only ever set as text, never parsed as markup
        assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write", text)


def test_markup_is_accessible() -> None:
    html = (STATIC / "index.html").read_text()
    assert '<html lang="en">' in html
    # every form control has a label
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    assert ids and set(ids) <= labelled, set(ids) - labelled
    assert 'role="status"' in html and 'aria-live="polite"' in html
    assert 'class="skip" href="#main"' in html
