"""Per-source file locks: never two imports of one source at once, across processes too.

A lock is ``<lock_dir>/<source name>.lock`` held with ``flock`` (:class:`filelock.FileLock`),
so the kernel releases it when its process ends in any way, ``kill -9`` included; a stale
lock file left behind is harmless. Taking a lock never waits: a run that finds its source
locked is skipped (the process holding the lock is importing that source already).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from graphsvc.errors import ConfigError


def lock_path(lock_dir: Path, name: str) -> Path:
    """The lock file of source ``name``."""
    return lock_dir / f"{name}.lock"


def prepare_lock_dir(lock_dir: Path) -> None:
    """Create ``lock_dir`` now, so that an unusable one stops the command before any run."""
    try:
        lock_dir.mkdir(parents=True, exist_ok=True)
        probe = lock_path(lock_dir, ".writable")
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"lock_dir {lock_dir}: {exc.strerror or exc} (set lock_dir in [scheduler])"
        ) from None


@contextmanager
def source_lock(lock_dir: Path, name: str) -> Iterator[bool]:
    """Hold the lock of source ``name`` for the ``with`` block if it is free.

    Yields True while holding it, False (without waiting) when another holder has it —
    another process, or another thread of this one. Creates ``lock_dir`` when missing.
    """
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(lock_path(lock_dir, name), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()
