"""`persona serve`: run the HTTP server (OpenAI-compatible chat, REST, admin)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any) -> None:
    """Add `serve`."""
    p = sub.add_parser(
        "serve",
        help="run the HTTP server",
        description="Run the server. Defaults come from PERSONA_HOST / PERSONA_PORT "
        "(127.0.0.1:8000). On an empty database a tenant 'local' is created and its key printed.",
    )
    p.add_argument("--host", help="bind address (default: PERSONA_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: PERSONA_PORT or 8000)")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from api.app import create_app
    from persona.config import get_settings
    from persona.runtime import Runtime

    settings = get_settings()
    runtime = Runtime.build(settings)  # fails fast with a clear message on an old schema
    host = args.host or settings.host
    port = args.port if args.port is not None else settings.port
    print(
        "persona: loading models (embedder, router, local chat model; the first start on a "
        "machine also exports the embedder to ONNX, about 20 s)...",
        flush=True,
    )
    runtime.warm_up()
    print(f"persona: serving on http://{host}:{port} (database: {runtime.db.url!r})", flush=True)
    uvicorn.run(create_app(runtime), host=host, port=port, log_level=args.log_level)
    runtime.close()
    return 0
