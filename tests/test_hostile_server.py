"""Hostile conditions around the database and the server (issue 13, items 8, 11 and 12).

Reading works where writing cannot (a read-only mount), a killed load takes its worker processes
with it, and the web site neither trusts the Host header nor lets slow clients hold it. Real
files, real `claims` processes, a real `claims serve` on a free port; the seeds are this file's
own, written in code. Time only decides when to act; every wait has a deadline and says what it
waited for.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest

import conftest
from conftest import edit_one_claim, generate_corpus, load_seeds, loaded_copy, snapshot, wait_until, write_seed

Cli = Callable[..., Any]

CLAIM = "hc-ngo-shooting"
DOCUMENT = "hc-article"

_DOCUMENT_TEXT = """A test article

The Example Group says most of those executed were shot by firing squads.

Officials denied the report.
"""


def write_small_seeds(root: Path) -> Path:
    """Two claims in one held document: the smallest seeds that exercise every read command."""
    write_seed(root, "vocabularies.yaml", """\
vocabularies:
  organisation_kinds:
    label: Organisation kinds
    terms:
      ngo: {label: Non-governmental organisation, definition: A group independent of any government.}
      state: {label: State, definition: A country acting as a whole.}
      media_outlet: {label: Media outlet, definition: A news organisation.}
  attribution_modes:
    label: How a claim is attributed
    terms:
      reported: {label: Reported, definition: The document reports the claim in its own words.}
      own_voice: {label: The outlet's own voice, definition: The outlet asserts it itself.}
  execution_methods:
    label: Execution methods
    terms:
      shooting: {label: Shooting, definition: Death by firing squad or gunshot.}
""")
    write_seed(root, "organisations.yaml", """\
organisations:
  - id: hc-ngo
    name: Example Group
    kind: ngo
  - id: hc-state
    name: Example State
    kind: state
  - id: hc-news
    name: Example News
    kind: media_outlet
""")
    write_seed(root, "documents/hc-article.txt", _DOCUMENT_TEXT)
    write_seed(root, "hc-article.yaml", f"""\
document:
  id: {DOCUMENT}
  file: documents/hc-article.txt
  title: A test article
  publisher: hc-news
  published: 2020-05-01

claims:
  - id: {CLAIM}
    claimant: hc-ngo
    attribution: reported
    type: execution_method
    value: {{method: shooting}}
    statement: The Example Group says most of those executed were shot.
    quote: 'most of those executed were shot by firing squads'

  - id: hc-state-denial
    claimant: hc-state
    attribution: reported
    type: statement
    statement: Officials denied the report.
    quote: 'Officials denied the report'
""")
    return root


def _child_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CLAIMS_DB"}
    env.update(COLUMNS="250", NO_COLOR="1")
    return env


def claims_process(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`claims ARGS...` as a real child process."""
    return subprocess.run([sys.executable, "-m", "claimsdb", *args], capture_output=True, text=True, env=_child_env(),
                          cwd=cwd, timeout=300, check=False)  # fmt: skip


# --- 8. reading works where writing cannot --------------------------------------------------------


@contextmanager
def read_only_mount(folder: Path, mount_point: Path) -> Iterator[Path]:
    """`folder` seen through a read-only bind mount: the kernel refuses every write, even root's."""
    mount_point.mkdir()
    subprocess.run(["mount", "--bind", str(folder), str(mount_point)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", str(mount_point)], check=True)
        yield mount_point
    finally:
        subprocess.run(
            ["umount", "--lazy", str(mount_point)], check=True
        )  # lazy: even if a failed test left a file open


@contextmanager
def full_disk(folder: Path, mount_point: Path) -> Iterator[Path]:
    """A copy of `folder` on a small file system filled to the last byte."""
    mount_point.mkdir()
    size_kib = sum(path.stat().st_size for path in folder.iterdir()) // 1024 + 256
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "tmpfs", str(mount_point)], check=True)
    try:
        for path in folder.iterdir():
            shutil.copy2(path, mount_point / path.name)
        with pytest.raises(OSError, match="No space left"), (mount_point / "filler").open("wb") as filler:
            while True:
                filler.write(b"\0" * 4096)
                filler.flush()
        yield mount_point
    finally:
        subprocess.run(
            ["umount", "--lazy", str(mount_point)], check=True
        )  # lazy: even if a failed test left a file open


PLACES = {"read-only mount": read_only_mount, "full disk": full_disk}


@pytest.fixture(scope="module")
def small_loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small seeds loaded once for this module, into a folder of their own: `loaded_folder` copies it."""
    root = tmp_path_factory.mktemp("small")
    seeds = write_small_seeds(root / "seeds")
    folder = root / "data"
    folder.mkdir()
    load_seeds(str(folder / "claims.db"), seeds)
    assert sorted(p.name for p in folder.iterdir()) == ["claims.db"]  # no -wal or -shm left behind
    return folder / "claims.db"


@pytest.fixture
def loaded_folder(tmp_path: Path, small_loaded: Path) -> Path:
    """A folder holding claims.db with the small seeds (tmp_path/seeds) loaded, and nothing else."""
    seeds = write_small_seeds(tmp_path / "seeds")
    folder = tmp_path / "data"
    folder.mkdir()
    loaded_copy(small_loaded, seeds, folder / "claims.db")
    assert sorted(p.name for p in folder.iterdir()) == ["claims.db"]
    return folder


READ_COMMANDS = [
    ("list",),
    ("list", "--format", "json"),
    ("list", "--search", "firing"),
    ("show", CLAIM),
    ("sources",),
    ("claimants",),
    ("stats",),
    ("runs",),
    ("export",),
    ("anchor", DOCUMENT, "Officials denied"),
]


@pytest.mark.parametrize("journal", ["wal", "delete"])
@pytest.mark.parametrize("place", PLACES)
def test_every_read_command_works_where_nothing_can_be_written(
    loaded_folder: Path, tmp_path: Path, place: str, journal: str, cli: Cli
) -> None:
    """As claimsdb leaves it (WAL) or in SQLite's default rollback journal: both must be readable."""
    if journal == "delete":
        with sqlite3.connect(loaded_folder / "claims.db") as connection:
            connection.execute("PRAGMA journal_mode=DELETE")
    before = snapshot(str(loaded_folder / "claims.db"))
    with PLACES[place](loaded_folder, tmp_path / "ro") as mounted:
        db = mounted / "claims.db"
        for command in READ_COMMANDS:
            result = cli("--db", db, *command)
            assert result.exit_code == 0, f"claims {' '.join(command)}:\n{result.stderr}"
        shown = cli("--db", db, "show", CLAIM)
        assert "most of those executed were shot by firing squads" in shown.stdout
        listed = cli("--db", db, "list", "--format", "csv")
        assert CLAIM in listed.stdout and "hc-state-denial" in listed.stdout
        verified = cli("--db", db, "verify", tmp_path / "seeds")
        assert verified.exit_code == 0 and verified.stdout.startswith("OK: 2 quote anchors"), verified.stderr
        exported = cli("--db", db, "export", "--out", tmp_path / "out")
        assert exported.exit_code == 0, exported.stderr
        assert CLAIM in (tmp_path / "out" / "claims.csv").read_text(encoding="utf-8")
        assert (mounted / "claims.db").read_bytes() == (loaded_folder / "claims.db").read_bytes()
    assert snapshot(str(loaded_folder / "claims.db")) == before


def test_changes_still_in_the_wal_are_never_skipped(loaded_folder: Path, tmp_path: Path, cli: Cli) -> None:
    """A copy taken while a writer had committed changes only to its -wal file: where the WAL index
    cannot be made, reading the database file alone would silently miss them, so it is an error."""
    copy = tmp_path / "copy"
    copy.mkdir()
    with sqlite3.connect(loaded_folder / "claims.db") as writer:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE claims SET statement = 'Changed in the WAL only.' WHERE id = ?", (CLAIM,))
        writer.commit()
        for name in ("claims.db", "claims.db-wal"):
            shutil.copy2(loaded_folder / name, copy / name)
    assert (copy / "claims.db-wal").stat().st_size > 0
    with read_only_mount(copy, tmp_path / "ro") as mounted:
        result = cli("--db", mounted / "claims.db", "show", CLAIM)
    assert result.exit_code == 1 and result.stderr.startswith("Error: database error on "), result.output
    assert "unable to open database file" in result.stderr


def test_a_load_on_a_read_only_mount_fails_cleanly(loaded_folder: Path, tmp_path: Path) -> None:
    with read_only_mount(loaded_folder, tmp_path / "ro") as mounted:
        result = claims_process(
            "--db", str(mounted / "claims.db"), "load", str(tmp_path / "seeds"), "--force", "-q", cwd=tmp_path
        )
    assert result.returncode == 1 and result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["list", "show", "export", "verify", "stats"])
def test_a_missing_database_is_an_error_and_is_not_created(tmp_path: Path, command: str, cli: Cli) -> None:
    args = {"show": (CLAIM,), "verify": (str(tmp_path),)}.get(command, ())
    for db in (tmp_path / "none.db", f"sqlite:///{tmp_path / 'other.db'}"):
        result = cli("--db", db, command, *args)
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: no claims database at ") and "claims load" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# --- 11. a stopped load takes its workers with it -------------------------------------------------


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Enough files that a load parses them in worker processes, for seconds."""
    root = tmp_path_factory.mktemp("orphans") / "seeds"
    assert generate_corpus(root, 12_000, seed=11)["files"] >= 64  # collect.PARALLEL_FROM_FILES
    return root


def _children(pid: int) -> set[int]:
    """The live processes whose parent is `pid` (from /proc: no psutil needed)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None and stat[1] == pid and stat[0] != "Z":
            found.add(int(entry.name))
    return found


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    state, ppid = text.rsplit(")", 1)[1].split()[:2]  # the name, in parentheses, may hold spaces
    return state, int(ppid)


def _alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if (stat := _stat(pid)) is not None and stat[0] != "Z"}


def _load_process(db: Path, seeds: Path, err_out: IO[str], cwd: Path) -> subprocess.Popen[str]:
    """`claims load -q` as a child process, its errors to a file (not a pipe: orphaned workers would
    hold a pipe open)."""
    return subprocess.Popen(
        [sys.executable, "-m", "claimsdb", "--db", str(db), "load", str(seeds), "-q"],
        stdout=subprocess.DEVNULL, stderr=err_out, text=True, env=_child_env(), cwd=cwd,
    )  # fmt: skip


def _signalled_while_parsing(proc: subprocess.Popen[str], signum: int) -> set[int] | None:
    """Send `signum` to a load while its parsing workers run; their pids, or None if it finished
    parsing first. The load is frozen (SIGSTOP) before its workers are looked for again, so a busy
    machine cannot let it write and end between the test seeing its workers and signalling it."""
    wait_until("the load to start its parsing workers", 120, lambda: _children(proc.pid), proc)
    os.kill(proc.pid, signal.SIGSTOP)
    workers = _children(proc.pid)  # the pool is still open, so nothing has been written
    if workers:
        proc.send_signal(signum)
    os.kill(proc.pid, signal.SIGCONT)
    return workers or None


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=lambda s: signal.Signals(s).name
)
def test_a_stopped_load_leaves_no_worker_running(big_corpus: Path, tmp_path: Path, cli: Cli, signum: int) -> None:
    db = tmp_path / "claims.db"
    assert cli("--db", db, "load", write_small_seeds(tmp_path / "small"), "-q").exit_code == 0
    before = snapshot(str(db))
    pristine = shutil.copyfile(db, tmp_path / "pristine.sqlite")
    err_file = tmp_path / "stderr.txt"
    for _attempt in range(3):  # a load that ended its parsing before it was frozen is tried again
        with err_file.open("w") as err_out:  # a file, not a pipe: orphaned workers would hold a pipe open
            proc = _load_process(db, big_corpus, err_out, tmp_path)
        workers: set[int] | None = None
        try:
            workers = _signalled_while_parsing(proc, signum)
            proc.wait(timeout=120)
            if workers:
                wait_until(f"the workers {sorted(_alive(workers))} to end with their parent", 60,
                           lambda: not _alive(workers))  # fmt: skip
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            for pid in _alive(workers or set()):  # orphans of a failing run: do not leave them to the next test
                os.kill(pid, signal.SIGKILL)
        if workers:
            break
        for written in tmp_path.glob("claims.db*"):
            written.unlink()
        shutil.copyfile(pristine, db)
    assert workers, "the load finished parsing before it could be signalled, three times"
    err = err_file.read_text()
    assert "Traceback" not in err, err
    assert proc.returncode != 0
    assert snapshot(str(db)) == before


def _one_worker_killed(proc: subprocess.Popen[str]) -> set[int] | None:
    """SIGKILL one of a load's parsing workers, as the system's out-of-memory killer would; all
    their pids, or None if it finished parsing first (it is frozen meanwhile, as above)."""
    wait_until("the load to start its parsing workers", 120, lambda: _children(proc.pid), proc)
    os.kill(proc.pid, signal.SIGSTOP)
    workers = _children(proc.pid)
    if workers:
        os.kill(min(workers), signal.SIGKILL)
    os.kill(proc.pid, signal.SIGCONT)
    return workers or None


@pytest.mark.parametrize("case", ["existing database", "first load", "after an edit"])
def test_a_load_whose_worker_is_killed_fails_and_changes_nothing(
    big_corpus: Path, tmp_path: Path, cli: Cli, case: str
) -> None:
    """Many files parsed by a worker a core (into a database, or a new one), or one changed file
    parsed by the worker a load after an edit starts before it knows which (workers.parsers_ahead)."""
    db = tmp_path / "claims.db"
    first, seeds = case == "first load", big_corpus
    if case == "existing database":
        assert cli("--db", db, "load", write_small_seeds(tmp_path / "small"), "-q").exit_code == 0
    elif case == "after an edit":
        seeds = Path(shutil.copytree(big_corpus, tmp_path / "seeds"))
        assert cli("--db", db, "load", seeds, "-q").exit_code == 0
        edit_one_claim(seeds)
    if not first:
        shutil.copyfile(db, tmp_path / "pristine.sqlite")
    before = snapshot(str(db))
    err_file = tmp_path / "stderr.txt"
    for _attempt in range(3):  # a load that ended its parsing before a worker was killed is tried again
        with err_file.open("w") as err_out:
            proc = _load_process(db, seeds, err_out, tmp_path)
        workers: set[int] | None = None
        try:
            workers = _one_worker_killed(proc)
            proc.wait(timeout=120)  # a guard against the hang this test is about, not a timing
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            left = _alive(workers or set())
            for pid in left:
                os.kill(pid, signal.SIGKILL)
        if workers:
            break
        for written in tmp_path.glob("*claims.db*"):
            written.unlink()
        if not first:
            shutil.copyfile(tmp_path / "pristine.sqlite", db)
    assert workers, "the load finished parsing before a worker could be killed, three times"
    err = err_file.read_text()
    assert "Traceback" not in err, err
    assert proc.returncode == 1, err
    assert "a parsing worker process ended unexpectedly" in err and "nothing was written" in err, err
    assert not left, f"workers {sorted(left)} outlived their load"
    assert snapshot(str(db)) == before
    if first:
        assert not db.exists()
        assert not list(tmp_path.glob(".claims.db.loading-*"))


# --- 12. the web server: no trust in the Host header, limits on slow clients, a streamed CSV --------


@contextmanager
def serving(db: Path, tmp_path: Path, *options: str) -> Iterator[tuple[str, int]]:
    """`claims --db DB serve OPTIONS...` on a free loopback port, answering; stopped afterwards,
    having logged no traceback."""
    ready = (200, 503)  # 503: a database that is not ready, as the page says
    with conftest.serving(db, tmp_path, *options, env=_child_env(), cwd=tmp_path, ready=ready, timeout=120) as served:
        yield "127.0.0.1", served.port
    assert "Traceback" not in served.log.read_text(errors="replace"), served.log.read_text(errors="replace")


def get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
    """GET `path` over a new connection: status, every header, the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        connection.close()


@pytest.fixture
def small_db(loaded_folder: Path) -> Path:
    return loaded_folder / "claims.db"


HOSTILE_PATHS = [
    "/", "/?q=firing&claimant=", "/claims", "/claims?q=firing", f"/claims/{CLAIM}", f"/claims/{CLAIM}/",
    f"/claims/{CLAIM}.json", "/sources", "/sources/", f"/sources/{DOCUMENT}", f"/sources/{DOCUMENT}/",
    "/claims.csv", "/claims.json", "/figures", "/figures/", "/figures?measure=", "/figures.csv", "/no-such-page",
    "/static", "//evil.example/", "/claims/no-such-claim",
]  # fmt: skip


@pytest.mark.parametrize("base_url", [None, "https://claims.example.org/archive/"])
def test_the_host_header_never_reaches_a_page_a_link_or_a_redirect(
    small_db: Path, tmp_path: Path, base_url: str | None
) -> None:
    options = ("--base-url", base_url) if base_url else ()
    with serving(small_db, tmp_path, *options) as (_, port):
        hostile = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
        for path in HOSTILE_PATHS:
            status, headers, body = get(port, path, hostile)
            assert status < 500, (path, status)
            for name, value in headers:
                assert "evil.example" not in value, (path, name, value)
                if name.lower() == "location":
                    assert value.startswith("/") and not value.startswith("//"), (path, value)
            assert b"evil.example" not in body, (path, body[:2000])
        page = get(port, f"/claims/{CLAIM}", hostile)[2].decode()
    cited = (
        f"claimsdb claim {CLAIM}, " + ("https://claims.example.org/archive" if base_url else "") + f"/claims/{CLAIM}"
    )
    assert cited in page


def test_a_base_url_that_is_not_a_site_address_is_refused(small_db: Path, cli: Cli) -> None:
    for bad in (
        "javascript:alert(1)",
        "claims.example.org",
        "https://",
        "https://a.example/?x=1",
        "https://u@evil.example/",
    ):
        result = cli("--db", small_db, "serve", "--base-url", bad)
        assert result.exit_code == 1 and result.stderr.startswith("Error: --base-url "), (bad, result.output)


def _closed_by_server(sock: socket.socket) -> bool:
    """Does the server close the connection (rather than the 60 s this test gives it run out)?"""
    sock.settimeout(60)
    try:
        while sock.recv(4096):
            pass  # a response the server may send before closing (there should be none)
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
    return True


def test_a_slow_client_is_disconnected_at_the_header_timeout(small_db: Path, tmp_path: Path) -> None:
    with serving(small_db, tmp_path, "--header-timeout", "1") as address:
        with socket.create_connection(address) as silent:  # connects and sends nothing
            assert _closed_by_server(silent)
        with socket.create_connection(address) as slow:  # starts a request and never finishes its head
            slow.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
            assert _closed_by_server(slow)
        with socket.create_connection(address) as kept:  # a whole request, then a stalled second one
            kept.sendall(f"GET /claims/{CLAIM}.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            response = http.client.HTTPResponse(kept)
            response.begin()
            assert response.status == 200 and CLAIM.encode() in response.read()
            kept.sendall(b"GET / HTTP/1.1\r\nHo")
            assert _closed_by_server(kept)
        assert get(address[1], "/")[0] == 200  # and it still serves everyone else


def test_the_csv_download_is_streamed_and_is_the_export_byte_for_byte(small_db: Path, tmp_path: Path, cli: Cli) -> None:
    export = ("--db", small_db, "export", "-q")
    exported, filtered = cli(*export), cli(*export, "--claimant", "hc-state")  # in-process: the server is the process
    assert exported.exit_code == filtered.exit_code == 0, exported.output + filtered.output
    exported, filtered = exported.stdout_bytes, filtered.stdout_bytes
    assert CLAIM.encode() in exported and CLAIM.encode() not in filtered
    with serving(small_db, tmp_path) as (_, port):
        for path, expected in (("/claims.csv", exported), ("/claims.csv?claimant=hc-state", filtered)):
            status, headers, body = get(port, path)
            names = {name.lower(): value for name, value in headers}
            assert status == 200 and names["transfer-encoding"] == "chunked" and "content-length" not in names
            assert names["content-type"] == "text/csv; charset=utf-8"
            assert body == expected
        status, _, body = get(port, "/claims.csv?term=no-such-term")
        assert status in (400, 404) and b"no-such-term" in body  # a refused filter is a page, not a cut file


def test_serve_works_on_a_read_only_mount(loaded_folder: Path, tmp_path: Path) -> None:
    with (
        read_only_mount(loaded_folder, tmp_path / "ro") as mounted,
        serving(mounted / "claims.db", tmp_path) as (_, port),
    ):
        status, _, body = get(port, f"/claims/{CLAIM}")
        assert status == 200 and b"most of those executed were shot by firing squads" in body
        assert get(port, "/claims.csv")[0] == 200


def test_serve_on_a_missing_database_says_so_and_creates_nothing(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    with serving(folder / "claims.db", tmp_path, "--header-timeout", "5") as (_, port):
        status, _, body = get(port, f"/claims/{CLAIM}")
        assert status == 503 and b"no claims database at" in body
    assert list(folder.iterdir()) == []
