"""A throwaway PostgreSQL server for the test suite: initdb + pg_ctl in a temporary folder, on loopback.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the server runs as the
`postgres` system user that Debian's package creates. No server binaries means a loud failure: the
PostgreSQL half of the suite is never skipped silently.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class NoPostgres(RuntimeError):
    pass


def _bindir() -> Path:
    explicit = os.environ.get("CLAIMS_TEST_PG_BINDIR")
    candidates = [explicit] if explicit else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").is_file():
            return Path(candidate)
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    raise NoPostgres(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found, so the PostgreSQL half of the test "
        "suite cannot run. Install them (Debian/Ubuntu: apt-get install postgresql) or set "
        "CLAIMS_TEST_PG_BINDIR to the folder holding initdb."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    base: Path
    port: int
    bindir: Path
    as_user: list[str]

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self.as_user, *args], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise NoPostgres(f"{' '.join(args[:2])} failed: {result.stdout}{result.stderr}")

    def start(self) -> None:
        data = self.base / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                  "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._run(
            str(self.bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.base / "log"), "-w", "start"
        )

    def stop(self) -> None:
        stop = [*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.base / "data"), "-m", "fast", "-w", "stop"]
        subprocess.run(stop, capture_output=True, check=False)
        shutil.rmtree(self.base, ignore_errors=True)


def start_server() -> PostgresServer:
    bindir = _bindir()
    base = Path(tempfile.mkdtemp(prefix="claimsdb-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres", group="postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    server = PostgresServer(base, free_port(), bindir, as_user)
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    return server
