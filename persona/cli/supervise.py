"""N API processes, each listening on a socket of its own on the same port (`SO_REUSEPORT`).

uvicorn's `--workers N` shares one listening socket between its processes, and asyncio
accepts every pending connection at each wake-up: a burst of keep-alive connections (a chat
frontend's pool, a load generator) lands on whichever process woke first and stays there, so
one process serves most requests while the others idle. With a socket per process the kernel
spreads new connections over the processes (by a hash of each connection's addresses).

Each API process binds its socket when it starts and listens only once its app is warmed up,
so no connection waits on a process still loading models. The parent holds the port (bound,
never listening; a second `persona serve` on the same port fails as "address in use"),
restarts an API process that dies after it was serving, stops everything if one fails to
start, and on SIGINT/SIGTERM stops them gracefully (each finishes its in-flight requests).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import signal
import socket
import sys
import threading
from multiprocessing.synchronize import Event as ProcessEvent
from typing import Any

from persona.errors import InvalidInput

APP = "api.app:serve_app"  # by import string: persona never imports api
ALL_LISTENING = "every API process is listening"  # printed once, when all have warmed up


def reuse_port_supported() -> bool:
    """Whether the kernel balances connections over sockets sharing a port (Linux)."""
    return hasattr(socket, "SO_REUSEPORT") and sys.platform.startswith("linux")


def supervised(workers: int) -> bool:
    """Whether `persona serve` runs `workers` API processes under a `Supervisor` (else one
    process, or uvicorn's own workers where the kernel does not balance `SO_REUSEPORT`)."""
    return workers > 1 and reuse_port_supported()


def _socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise InvalidInput(f"{host}:{port} is already in use (another server?)") from exc
        raise InvalidInput(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(False)
    return sock


def hold_port(host: str, port: int) -> socket.socket:
    """The parent's hold on `host:port` (port 0: a free one is chosen): a plain bind first, so
    a port any other socket holds is refused, then a bound, non-listening `SO_REUSEPORT` socket
    that keeps the port for the API processes' sockets."""
    if port:
        _socket(host, port, reuse_port=False).close()
    return _socket(host, port, reuse_port=True)


def die_with_parent() -> None:
    """In a child: get SIGTERM when the parent dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _api_process(
    host: str, port: int, uvicorn_options: dict[str, Any], ready: ProcessEvent
) -> None:
    """One API process: its own socket on the shared port, uvicorn serving the app on it."""
    die_with_parent()
    import uvicorn

    sock = _socket(host, port, reuse_port=True)

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)  # the app is warmed up; now listening
            if self.started:
                ready.set()

    config = uvicorn.Config(APP, factory=True, **uvicorn_options)
    Server(config).run(sockets=[sock])


class Supervisor:
    """Runs `workers` API processes until SIGINT/SIGTERM (see the module's docstring)."""

    def __init__(
        self, host: str, port: int, workers: int, uvicorn_options: dict[str, Any], graceful_s: float
    ) -> None:
        self.host, self.workers, self.options = host, workers, uvicorn_options
        self.graceful_s = graceful_s
        self.holder = hold_port(host, port)
        self.port = int(self.holder.getsockname()[1])
        self._mp = multiprocessing.get_context("spawn")
        self._stop = threading.Event()

    def _start(self) -> tuple[Any, ProcessEvent]:
        ready = self._mp.Event()
        proc = self._mp.Process(
            target=_api_process,
            args=(self.host, self.port, self.options, ready),
            name="persona-api",
        )
        proc.start()
        return proc, ready

    def run(self) -> int:
        """Serve until stopped; 0 after a clean stop, 1 when an API process failed to start."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self._stop.set())
        procs = [self._start() for _ in range(self.workers)]
        code = 0
        announced = False
        try:
            while not self._stop.wait(0.2 if not announced else 0.5):
                if not announced and all(ready.is_set() for _, ready in procs):
                    announced = True
                    print(f"persona: {ALL_LISTENING} ({len(procs)})", flush=True)
                for i, (proc, ready) in enumerate(procs):
                    if proc.is_alive():
                        continue
                    if not ready.is_set():  # it never served: restarting would fail again
                        print(
                            f"persona: an API process failed to start (exit {proc.exitcode})",
                            file=sys.stderr,
                            flush=True,
                        )
                        code = 1
                        self._stop.set()
                        break
                    print(
                        f"persona: API process {proc.pid} exited ({proc.exitcode}); restarting",
                        file=sys.stderr,
                        flush=True,
                    )
                    procs[i] = self._start()
        finally:
            self._shutdown([proc for proc, _ in procs])
            self.holder.close()
        return code

    def _shutdown(self, procs: list[Any]) -> None:
        """SIGTERM to each (uvicorn finishes in-flight requests), then wait; kill stragglers."""
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(self.graceful_s + 5)
            if proc.is_alive():
                proc.kill()
                proc.join()
