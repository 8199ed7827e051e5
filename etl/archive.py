"""The kept raw files: every accepted delivery, byte-identical, next to the warehouse.

Layout: `<warehouse stem>_bestanden/<bron>/<sha256>__<original name>` plus `huidig.json`, the
files that were current (accepted) per source after the last load. Together they are enough to
rebuild the warehouse when its file is damaged (wijkmonitor/pipeline.py).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from etl.faults import write_text_atomically
from core.errors import WijkmonitorError

MANIFEST = "huidig.json"
_TEMP_PREFIX = ".bewaren-"


def archive_folder(warehouse: Path) -> Path:
    """The folder holding the kept raw files of a warehouse."""
    return warehouse.with_name(f"{warehouse.stem}_bestanden")


def kept_path(archive: Path, bron: str, checksum: str, name: str) -> Path:
    """Where the delivery with this checksum and file name is kept."""
    return archive / bron / f"{checksum}__{name}"


def keep(archive: Path, bron: str, path: Path, checksum: str) -> Path:
    """Copy a delivered file into the archive unless its checksum is already kept; return the copy."""
    target = kept_path(archive, bron, checksum, path.name)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f"{_TEMP_PREFIX}{os.getpid()}-{target.name}")
    try:
        # Copy then rename: a kill mid-copy leaves a temp file, never a short kept file.
        shutil.copyfile(path, temp)
        os.replace(temp, target)
    except BaseException as error:
        temp.unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename is None:
            error.filename = str(target)
        raise
    return target


def write_manifest(archive: Path, current: dict[str, dict[str, str]]) -> None:
    """Record which file (name -> checksum) of each source is current, atomically; clear dead temp files."""
    archive.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_temp_files(archive)
    write_text_atomically(archive / MANIFEST, json.dumps(current, indent=1, sort_keys=True))


def read_manifest(archive: Path) -> dict[str, dict[str, str]]:
    """The current files per source of the last load; empty when nothing was kept yet."""
    path = archive / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise WijkmonitorError(f"{path}: lijst van bewaarde bestanden onleesbaar ({error})") from None


def restore_drop(archive: Path, current: dict[str, dict[str, str]], folder: Path) -> list[str]:
    """Lay the kept current files out as a drop in folder (<bron>/<name>); return those missing."""
    missing = []
    for bron, files in current.items():
        (folder / bron).mkdir(parents=True, exist_ok=True)
        for name, checksum in files.items():
            source = kept_path(archive, bron, checksum, name)
            if not source.exists():
                missing.append(f"{bron}/{name}")
                continue
            try:
                os.link(source, folder / bron / name)
            except OSError:  # another file system or no hard links: a copy does the same
                shutil.copyfile(source, folder / bron / name)
    return missing


def _remove_abandoned_temp_files(archive: Path) -> None:
    """Delete half-copied files of earlier processes that were killed while keeping a file."""
    for path in archive.rglob(f"{_TEMP_PREFIX}*"):
        pid_text = path.name.removeprefix(_TEMP_PREFIX).split("-", 1)[0]
        if pid_text.isdigit() and int(pid_text) != os.getpid() and not process_alive(int(pid_text)):
            path.unlink(missing_ok=True)


def process_alive(pid: int) -> bool:
    """True when a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
