"""Finding and hashing seed files: light enough for commands that never parse a seed."""

from __future__ import annotations

import datetime as dt
import errno
import functools
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

SEED_SUFFIXES = (".yaml", ".yml", ".json")
"""YAML for curators; JSON, with the same schema, for machine-made bulk imports."""


def _is_seed_file(name: str) -> bool:
    """A YAML or JSON file, not hidden (an editor's swap or backup file is not a seed)."""
    return name.endswith(SEED_SUFFIXES) and not name.startswith(".")


def seed_paths(root: Path) -> list[Path]:
    """Every seed file (YAML or JSON) under `root`, sorted, so a load is deterministic."""
    found = [
        Path(dirpath) / name
        for dirpath, _dirnames, filenames in os.walk(root)
        for name in filenames
        if _is_seed_file(name)
    ]
    return sorted(found)


def stored_seed_paths(root: Path) -> dict[str, Path]:
    """{stored_path: path} of every seed file under `root`, in seed_paths order, from one walk."""
    return {name: Path(path) for name, path in stored_seed_files(root).items()}


def stored_seed_files(root: Path) -> dict[str, str]:
    """{stored_path: the file's path, as a string} of every seed file under `root`, in seed_paths
    order, from one walk.

    The same as `{stored_path(root, p): str(p) for p in seed_paths(root)}`, without a Path per
    comparison while sorting or a relative_to per file (a third of a second at 4,000 files), nor a
    Path per file at all: os.stat and open take the string, and a Path costs more than the stat.
    Walked with os.scandir itself, as os.walk does but without its look at each folder's link
    (a system call each) or a join per file (a load with nothing changed walks every folder).
    """
    if os.sep != "/" or os.path.normcase("A") != "A":  # Path orders otherwise here: let it
        return {stored_path(root, path): str(path) for path in seed_paths(root)}
    found: list[tuple[list[str], str, str]] = []  # (parts to sort by, relative path, path)
    folders = [("", str(root))]  # (relative path, path) of each folder still to look in
    while folders:
        relative, folder = folders.pop()
        try:
            entries = os.scandir(folder)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed holds no seeds
        with entries:
            for entry in entries:
                name = entry.name
                inside = f"{relative}/{name}" if relative else name
                if _is_folder(entry):
                    if not entry.is_symlink():  # as os.walk: a linked folder is not walked into
                        folders.append((inside, entry.path))
                elif _is_seed_file(name):
                    found.append((inside.split("/"), inside, entry.path))
    found.sort(key=lambda item: item[0])  # as Paths sort on POSIX: part by part
    folder = folder_name(root)
    return {f"{folder}/{inside}": path for _, inside, path in found}


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """A folder, or a link to one (os.walk's test): the kind of most entries is known without a system call."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def stored_path(root: Path, path: Path) -> str:
    """How the database names a file under the seeds directory: "<dir name>/<relative path>".

    The folder's own name, whatever it was called on the command line: `load .` inside `seeds/`,
    `load ../seeds` and `load /abs/seeds` all store `seeds/...` (`.` has no name of its own).
    """
    return f"{folder_name(root)}/{path.relative_to(root).as_posix()}"


def disk_path(root: Path, stored: str) -> Path:
    """Where a file the database names `stored` ("<dir name>/<relative path>") is under `root`: the
    inverse of stored_path. The stored folder name is dropped, since the folder may have been
    renamed or given as `.` since (a name without a folder, from older rows, is taken as relative)."""
    return root / stored.split("/", 1)[-1]


def disk_file(root: Path, stored: str) -> str:
    """disk_path as a string, for os.stat and open."""
    return os.path.join(root, stored.split("/", 1)[-1])


def folder_name(root: Path) -> str:
    """The seeds folder's real name: `.`, `..` and `seeds/` resolved, and so are links to it."""
    return _real_name(root.absolute())  # `.` names another folder after a chdir: never cache it as given


@functools.lru_cache(maxsize=64)
def _real_name(root: Path) -> str:
    return root.resolve().name


RACY_NS = 2_000_000_000
"""A fingerprint is trusted only if the file had last changed this long (2 s) before the load that
recorded it began reading: an edit in the same clock tick as the read could leave the file's size and
times as they were ("racy git"), so such a file is hashed next time."""


class RealPaths:
    """Where files under the seeds folder really are, for the check that none leads outside it.

    `Path.resolve` costs a system call for every part of a path; a load asks for two paths a file
    (the seed file and its document), each as deep as the folder. Here the folder is resolved once
    and each directory once: a file that is not itself a link is where its directory really is.
    Made for one batch of files (a worker's task), so a link changed between loads is seen.
    """

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._folders: dict[str, str] = {}

    def real(self, path: Path) -> Path:
        """`path.resolve()`, for a path that need not exist."""
        name = path.name
        if not name or name in (".", "..") or os.path.islink(path):
            return path.resolve()
        folder = str(path.parent)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        return Path(real, name)

    def inside(self, path: Path) -> bool:
        return self.real(path).is_relative_to(self.root)


def file_fingerprint(path: str | os.PathLike[str]) -> str | None:
    """Size, modification and change times (ns) and inode of a file, taken *before* it is read.

    A later load that finds the same fingerprint skips hashing the file (if `trusted`). Restoring a
    file's size and mtime by hand (touch -d, os.utime) still changes its ctime, which only the kernel
    sets, and a copied or checked-out file has a new inode or ctime, so either is hashed again. None
    (always hash) when the file cannot be stat'ed.
    """
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    return fingerprint_of(stat)


def fingerprint_of(stat: os.stat_result) -> str:
    """file_fingerprint of a file already stat'ed (before it was read)."""
    return f"{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ctime_ns}:{stat.st_ino}"


def trusted(fingerprint: str, read_from_ns: int) -> bool:
    """Had the file last changed at least RACY_NS before `read_from_ns`, when its load began reading?"""
    try:
        _size, mtime, ctime, _inode = fingerprint.split(":")
        return max(int(mtime), int(ctime)) < read_from_ns - RACY_NS
    except ValueError:
        return False


def sha256_if_changed(
    path: str | os.PathLike[str], sha256: str | None, fingerprint: str | None
) -> tuple[str, str | None]:
    """(sha256, fingerprint) of a file now: the recorded sha256 when its fingerprint is the recorded
    one, else its bytes hashed. Raises OSError when it cannot be read."""
    now = file_fingerprint(path)
    if sha256 is not None and now is not None and now == fingerprint:
        return sha256, now
    return file_sha256(path), now


READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
"""How a seed file is opened to be read: O_NONBLOCK, so that a named pipe called `x.yaml` opens at
once (to be refused: not a plain file) instead of waiting for a writer for ever."""


def read_at_most(descriptor: int, size: int, limit: int) -> bytes:
    """An open file's bytes, up to `limit` of them (`size`: as fstat gave it; a file may grow while read)."""
    parts: list[bytes] = []
    read = 0
    while read < limit and (part := os.read(descriptor, min(max(size + 1, 1 << 16), limit - read))):
        parts.append(part)  # size + 1: the end of the file is seen in one more call
        read += len(part)
    return b"".join(parts)


def leading_bytes(path: str | os.PathLike[str], limit: int) -> bytes:
    """Up to `limit` bytes of a plain file; none of anything else (a pipe, a device, a folder) or of a
    file that cannot be read."""
    try:
        descriptor = os.open(path, READ_FLAGS)
    except OSError:
        return b""
    try:
        stat = os.fstat(descriptor)
        return read_at_most(descriptor, stat.st_size, limit) if S_ISREG(stat.st_mode) else b""
    except OSError:
        return b""
    finally:
        os.close(descriptor)


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a plain file's bytes; OSError for anything else (a pipe would never end)."""
    descriptor = os.open(path, READ_FLAGS)
    try:
        if not S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a plain file", str(path))
        digest = hashlib.sha256()
        while block := os.read(descriptor, 1 << 20):
            digest.update(block)
        return digest.hexdigest()
    finally:
        os.close(descriptor)


@dataclass
class FileSurvey:
    """What the nothing-changed check found on disk, handed on to the load that follows it, so that
    a load after an edit walks and stats the seeds folder once, not twice.

    `started` is taken before any file is looked at: the load run starts then (files.trusted).
    """

    started: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    paths: dict[str, str] | None = None
    """stored_seed_files(root), once walked."""
    looked: dict[str, tuple[str, str | None] | None] = field(default_factory=dict)
    """Stored path -> (sha256, fingerprint) as sha256_if_changed gave them; None: it could not be read."""
