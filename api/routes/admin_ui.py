"""The admin web page at `/admin`: static HTML, CSS and JS shipped in the package."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static" / "admin"
# The page talks only to this server; nothing loads from elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
_TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

router = APIRouter(include_in_schema=False)


@router.get("/admin")
def page() -> FileResponse:
    """The single-page admin app."""
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=_HEADERS)


@router.get("/admin/static/{name}")
def asset(name: str) -> FileResponse:
    """One static asset (flat directory; no path traversal possible)."""
    from persona.errors import NotFound

    path = STATIC / name
    if "/" in name or name.startswith(".") or path.suffix not in _TYPES or not path.is_file():
        raise NotFound(f"no admin asset {name!r}")
    return FileResponse(path, media_type=_TYPES[path.suffix], headers=_HEADERS)
