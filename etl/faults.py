"""Storage faults an operator can act on (full disk, read-only location, no write permission) in one line.

They reach us as OSError (Python's own file operations) or as a DuckDB error whose text carries
the operating system's message; both are recognised here so every step reports them alike.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import duckdb

# errno -> (Dutch cause, the operating system's English text as DuckDB quotes it)
_CAUSES = {
    errno.ENOSPC: ("schijf vol", "no space left on device"),
    errno.EDQUOT: ("schijf vol (quotum)", "disk quota exceeded"),
    errno.EROFS: ("alleen-lezen", "read-only file system"),
    errno.EACCES: ("geen schrijfrechten", "permission denied"),
    errno.EPERM: ("geen schrijfrechten", "operation not permitted"),
}


def storage_cause(error: BaseException) -> str | None:
    """'schijf vol', 'alleen-lezen' or 'geen schrijfrechten' when error is such a fault, else None."""
    if isinstance(error, OSError) and error.errno in _CAUSES:
        return _CAUSES[error.errno][0]
    if isinstance(error, (duckdb.Error, OSError)):
        text = str(error).lower()
        for cause, marker in _CAUSES.values():
            if marker in text:
                return cause
    return None


def storage_problem(error: BaseException, file: object = None, fallback: object = None) -> str | None:
    """'<file>: <cause>' for a storage fault, else None.

    The file is `file`, else the one the error names, else `fallback` (the file the failing step
    writes): "schijf vol" alone would not tell the operator where.
    """
    cause = storage_cause(error)
    if cause is None:
        return None
    if file is None:
        quoted = re.search(r'"([^"]+)"', str(error))
        file = getattr(error, "filename", None) or (quoted.group(1) if quoted else None) or fallback
    return f"{file}: {cause}" if file else cause


def write_text_atomically(path: Path, text: str) -> None:
    """Write a text file through a temp file and a rename, so it is whole or absent, never cut off.

    A storage fault is raised as OSError naming path (a failing write() itself names no file).
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(path)
        raise
