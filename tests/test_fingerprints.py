"""A load skips hashing files whose fingerprint (size, mtime, ctime, inode) is unchanged, yet never misses an edit.

A fingerprint is trusted only for a file that had not changed for two seconds when its load began
reading (an edit in the same clock tick could hide), so these tests let the copied seeds age past
that once before loading. They shorten that window (seeds.files.RACY_NS) to half a second, to wait
less; the test of a file changed just before its load keeps the real one.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest

from claimsdb import api
from claimsdb.errors import SeedError
from claimsdb.load.write import last_run_files, last_run_fingerprints
from claimsdb.seeds import files

SHORT_WINDOW_NS = 500_000_000

HERALD = "herald-2018-06-14-hrdc-executions.yaml"


@pytest.fixture
def aged_seeds(basic_seeds: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tests/fixtures/basic, old enough that a load records every file's fingerprint."""
    monkeypatch.setattr(files, "RACY_NS", SHORT_WINDOW_NS)
    time.sleep(files.RACY_NS / 1e9 + 0.2)
    return basic_seeds


def _fingerprints(db: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as connection:
        run = connection.execute("SELECT max(run_id) FROM load_run_files").fetchone()[0]
        return connection.execute("SELECT path, fingerprint FROM load_run_files WHERE run_id = ?", (run,)).fetchall()


def _rewrite_keeping_size_and_mtime(path: Path, old: bytes, new: bytes) -> None:
    """Change the bytes, keep the size, put the modification time back as it was, and let the edit
    age past the racy window: then only the change time (which only the kernel sets) tells."""
    assert len(old) == len(new)
    before = path.stat()
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(raw.replace(old, new, 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    time.sleep(files.RACY_NS / 1e9 + 0.2)


def test_a_load_records_a_fingerprint_for_every_file_it_read(aged_seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    api.load(str(db), aged_seeds)
    recorded = _fingerprints(db)
    assert len(recorded) == len(list(aged_seeds.rglob("*.yaml"))) + len(list(aged_seeds.rglob("*.txt")))
    assert all(fingerprint for _, fingerprint in recorded)
    with api.reading(str(db)) as session:
        assert len(last_run_fingerprints(session, last_run_files(session)[0])) == len(recorded)  # all trusted
    assert api.load(str(db), aged_seeds).nothing_changed


def test_the_fingerprint_of_a_file_changed_just_before_its_load_is_not_trusted(
    basic_seeds: Path, tmp_path: Path
) -> None:
    db = tmp_path / "claims.db"
    api.load(str(db), basic_seeds)  # copied a moment ago: every file changed within the racy window
    assert all(fingerprint for _, fingerprint in _fingerprints(db))
    with api.reading(str(db)) as session:
        run_id, files = last_run_files(session)
        assert files and last_run_fingerprints(session, run_id) == {}


def test_a_seed_edited_with_its_size_and_mtime_restored_is_still_seen_as_changed(
    aged_seeds: Path, tmp_path: Path
) -> None:
    db = tmp_path / "claims.db"
    api.load(str(db), aged_seeds)
    _rewrite_keeping_size_and_mtime(aged_seeds / HERALD, b"on river banks.", b"on river beds. ")
    report = api.load(str(db), aged_seeds)
    assert not report.nothing_changed
    assert report.changed == ["hrdc-2018-location-river-banks"]
    assert api.show(str(db), "hrdc-2018-location-river-banks").statement.endswith("on river beds.")


def test_a_document_edited_with_its_size_and_mtime_restored_is_still_refused(aged_seeds: Path, tmp_path: Path) -> None:
    db = tmp_path / "claims.db"
    api.load(str(db), aged_seeds)
    _rewrite_keeping_size_and_mtime(aged_seeds / "documents" / "herald-2018-06-14.txt", b"Jane Doe", b"Jane Roe")
    with pytest.raises(SeedError, match="the bytes of document 'herald-2018-06-14-hrdc-executions' changed"):
        api.load(str(db), aged_seeds)


def test_the_seed_walk_finds_what_seed_paths_finds_links_and_all(tmp_path: Path) -> None:
    """stored_seed_files walks with os.scandir itself; it must find exactly what os.walk does:
    files and links to files (a dangling one too, to be reported), not hidden files or other
    suffixes, nothing inside a linked folder, in the order Paths sort."""
    from claimsdb.seeds.files import seed_paths, stored_path, stored_seed_files

    root = tmp_path / "seeds"
    for folder in ("a/b", "a/c", "z", "Z", "a b"):
        (root / folder).mkdir(parents=True)
    for name in ("top.yaml", "a/x.yml", "a/b/y.json", "a/c/.hidden.yaml", "a/c/notes.txt", "z/1.yaml", "Z/2.yaml",
                 "a b/3.yaml", "a/10.yaml", "a/9.yaml"):  # fmt: skip
        (root / name).write_text("organisations: []\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "o.yaml").write_text("organisations: []\n")
    (root / "linked").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "a" / "link.yaml").symlink_to(root / "z" / "1.yaml")
    (root / "a" / "dangling.yaml").symlink_to(root / "gone.yaml")
    (root / "a" / "folder.yaml").mkdir()  # a folder named like a seed file is a folder
    walked = stored_seed_files(root)
    assert walked == {stored_path(root, path): str(path) for path in seed_paths(root)}
    assert list(walked) == [stored_path(root, path) for path in seed_paths(root)]
    assert "seeds/a/dangling.yaml" in walked and "seeds/a/link.yaml" in walked
    assert not any("linked" in name or "hidden" in name for name in walked)
