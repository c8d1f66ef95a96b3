"""The child side of explorer.engine_process: open the engine, then answer the parent's calls,
one at a time, until told to close or the parent goes. Started by name
(``procs.run_named("explorer.engine_child:serve", ...)``), so the parent never imports this
module or the storage code it loads."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from explorer import procs
from explorer.query import Engine


def serve(conn, data: str) -> None:
    """The child: open the engine, then answer calls until told to close or the parent goes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in a terminal is the app's to handle
    try:
        engine = Engine(Path(data))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        _send(conn, "error", exc)
        return
    try:
        if not _send(conn, "ok", None):
            return
        while True:
            try:
                name, args, kwargs = conn.recv()
            except (EOFError, OSError):
                return  # the parent has gone
            if name == "close":
                return
            try:
                if name == "call":
                    fn, *rest = args
                    if isinstance(fn, str):  # "module:function", imported here only
                        fn = procs.named(fn)
                    kind, value = "ok", fn(engine, *rest, **kwargs)
                else:
                    kind, value = "ok", getattr(engine, name)(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - raised again in the parent
                kind, value = "error", exc
            if not _send(conn, kind, value):
                return
    finally:
        engine.close()


def _send(conn, kind: str, value: Any) -> bool:
    return procs.send(conn, kind, value, lambda what, exc: RuntimeError(
        f"{what} (cannot be passed back from the search process: {exc})"))
