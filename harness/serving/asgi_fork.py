"""The fork server of an `asgi:` target (run as `python -m harness.serving.asgi_fork`).

It imports the app once, then serves each request on stdin (one JSON line: settings, log path)
by forking a child: the child gets its own session, a listening socket bound before the fork
(so the port is known at once), its output in the log file, `WSGM_SETTINGS`, and runs uvicorn.
Each child starts from the state right after import, so module state never leaks between runs.
This process runs no thread and no event loop, so forking it is safe. Children are reaped by
the kernel (SIGCHLD ignored); EOF on stdin ends the fork server.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import signal
import socket
import sys
import traceback
from typing import Any

HOST = "127.0.0.1"


def _asgi_problem(app: Any) -> str | None:
    if not callable(app):
        return f"not an ASGI callable: {type(app).__name__}"
    try:
        inspect.signature(app).bind(None, None, None)
    except TypeError:
        return "not an ASGI callable: it does not take (scope, receive, send)"
    except ValueError:  # no signature to inspect (a builtin): let uvicorn judge
        pass
    return None


def load(module_name: str, attr: str) -> tuple[Any, str | None]:
    """The app (or factory) and what is wrong with it, if anything (one line)."""
    factory = attr.endswith("()")
    name = attr.removesuffix("()")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        return None, f"cannot import {module_name!r}: {type(exc).__name__}: {exc}"
    if not hasattr(module, name):
        return None, f"{module_name!r} has no attribute {name!r}"
    found = getattr(module, name)
    if factory:
        return found, None if callable(found) else f"{name} is not callable (a factory is called with no arguments)"
    return found, _asgi_problem(found)


def _child(found: Any, factory: bool, sock: socket.socket, request: dict, grace: float) -> None:
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ["WSGM_SETTINGS"] = json.dumps(request.get("settings") or {})
    import uvicorn

    app = found() if factory else found
    problem = _asgi_problem(app)
    if problem is not None:
        raise SystemExit(f"the factory returned {problem}")
    config = uvicorn.Config(app, lifespan="auto", log_level="warning", access_log=False,
                            timeout_graceful_shutdown=grace)
    uvicorn.Server(config).run(sockets=[sock])


def _fork(found: Any, factory: bool, request: dict, grace: float) -> dict:
    sock = socket.socket()
    sock.bind((HOST, 0))
    sock.listen(128)
    port = sock.getsockname()[1]
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _child(found, factory, sock, request, grace)
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    sock.close()
    return {"pid": pid, "port": port}


def main(argv: list[str]) -> int:
    module_name, attr, paths, grace = argv[0], argv[1], json.loads(argv[2]), float(argv[3])
    sys.path[:0] = [p for p in paths if p not in sys.path]
    found, problem = load(module_name, attr)
    if problem is None:
        import uvicorn  # noqa: F401  (imported once here, so children start fast)
    print(json.dumps({"error": problem} if problem else {"ok": True}), flush=True)
    if problem:
        return 1
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    for line in sys.stdin:
        print(json.dumps(_fork(found, attr.endswith("()"), json.loads(line), grace)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
