"""One writer at a time per server and project family: the lock two concurrent `goldkit push` runs meet.

Two pushes at once both list the tasks before either imports, so each imports every new document and
the project ends with every task twice (Label Studio does not deduplicate, field notes). A push holds
an exclusive `flock` on `.goldkit/locks/<sha256(url, prefix)>.lock` while it plans and imports; a second
push finds it held and is refused at once with the holder's pid, never waiting silently. The lock is
the kernel's: it goes away with the process, so a killed push leaves nothing to clean up.

It guards pushes sharing this project's state folder (one machine, one checkout); pushes from other
machines to the same server are not seen — a later pull reports the duplicated tasks they leave.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from goldkit.errors import ConflictError
from goldkit.paths import state_dir


def lock_path(url: str, prefix: str) -> Path:
    key = hashlib.sha256(f"{url.rstrip('/')}\n{prefix}".encode()).hexdigest()[:16]
    return state_dir() / "locks" / f"push-{key}.lock"


@contextmanager
def project_lock(url: str, prefix: str, what: str = "goldkit push") -> Iterator[Path]:
    """Hold the lock of (server, project prefix) for the block; raise ConflictError if another process holds it."""
    path = lock_path(url, prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise ConflictError(
                f"another {what} to {url} (projects '{prefix} · …') is running (pid {holder}); "
                "nothing was imported, so no task is duplicated",
                url=url,
                prefix=prefix,
                pid=holder,
                path=str(path),
                hint="wait for it to finish, then run again: goldkit push",
            ) from e
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield path
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
