"""Files that hold personal data (the SQLite database, media, exports) are
readable by the service's own user only: 0600 files in 0700 folders, set
explicitly so the process umask does not decide."""
from __future__ import annotations

import logging
import os
import re
from typing import IO, Any

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: str | os.PathLike[str]) -> str:
    """Create the folder (and missing parents) if needed, and make it 0700."""
    path = os.fspath(path)
    os.makedirs(path, mode=DIR_MODE, exist_ok=True)
    _chmod(path, DIR_MODE)
    return path


_METRICS_FILE = re.compile(r"(counter|gauge|histogram|summary)_[a-z_]*\d+\.db")


def empty_dir(path: str | os.PathLike[str]) -> str:
    """Create the folder if needed (0700) and delete the metrics files in it
    (prometheus_client's counter_<pid>.db, gauge_all_<pid>.db, ...), nothing
    else: a folder named by mistake (the instance, with its database, spool and
    media) loses nothing. The folder itself stays (it may be a tmpfs mount)."""
    path = os.fspath(path)
    os.makedirs(path, mode=DIR_MODE, exist_ok=True)
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if _METRICS_FILE.fullmatch(name) and os.path.isfile(full) and not os.path.islink(full):
            os.unlink(full)
    return path


def private_file(path: str | os.PathLike[str]) -> None:
    """Make an existing file 0600 (a database or export written by a library)."""
    _chmod(os.fspath(path), FILE_MODE)


def open_private(path: str | os.PathLike[str], mode: str = "wb", **kw: Any) -> IO[Any]:
    """Open a new or truncated file for writing, created 0600 (never briefly wider)."""
    path = os.fspath(path)
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, FILE_MODE)
    _chmod(path, FILE_MODE)  # an existing file keeps its old mode through O_CREAT
    return os.fdopen(fd, mode, **kw)


def sqlite_path(url: str) -> str | None:
    """The file behind a sqlite:/// URL; None for memory databases and other engines."""
    if not url.startswith("sqlite"):
        return None
    _, sep, rest = url.partition(":///")
    rest = rest.split("?", 1)[0]
    if not sep or not rest or rest == ":memory:":
        return None
    return rest


def prepare_sqlite(url: str) -> None:
    """Create the database file 0600 before SQLite does (SQLite gives its WAL
    and shared-memory files the database file's mode), or tighten an old one."""
    path = sqlite_path(url)
    if path is None:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return  # SQLite will refuse with its own error
    if not os.path.exists(path):
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        except OSError as exc:
            log.warning("could not create the database file 0600: %s", type(exc).__name__)
            return
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            _chmod(path + suffix, FILE_MODE)


def _chmod(path: str, mode: int) -> None:
    try:
        if os.stat(path).st_mode & 0o777 != mode:
            os.chmod(path, mode)
    except OSError as exc:  # not ours (a mounted volume): say so, do not stop
        log.warning("could not restrict %s to %o: %s", os.path.basename(path), mode, type(exc).__name__)


def checkpoint_sqlite(engine: Any) -> None:
    """Fold SQLite's write-ahead log into the database and empty it, so the
    pages from before an erase do not linger in the -wal file (best effort:
    a reader holding an old snapshot keeps part of it until it lets go)."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
