"""A throw-away PostgreSQL cluster for tests: initdb in a temp folder, a free loopback port,
fsync off (nothing here must survive), stopped and deleted at the end.

PostgreSQL refuses to run as root, so as root the cluster belongs to the ``postgres`` system
user (created by Debian's package) and its commands run through ``runuser``.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SUPERUSER = "paysage"
PASSWORD = "paysage-test"
# The variable CI (and a developer) sets to reuse a running server instead.
URL_ENV = "TEST_POSTGRES_URL"


def find_bin_dir() -> Path | None:
    """Where initdb / pg_ctl live: PATH first, then Debian's versioned folders."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "initdb").exists():
            return Path(candidate)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresCluster:
    bin_dir: Path
    folder: Path
    port: int
    run_as: str | None  # system user the server runs as (None = this user)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self) -> PostgresCluster:
        data = self.folder / "data"
        pwfile = self.folder / "pw"
        pwfile.write_text(PASSWORD)
        if self.run_as:
            shutil.chown(self.folder, user=self.run_as)
            shutil.chown(pwfile, user=self.run_as)
        self._run(
            "initdb", "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}",
            "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(data), "-o", options, "-l", str(self.folder / "log"), "-w",
            "start",
        )  # fmt: skip
        return self

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> PostgresCluster | None:
    """A running cluster, or None when no PostgreSQL server binaries are installed."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None
    run_as = "postgres" if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="paysage-pg-"))
    return PostgresCluster(bin_dir, folder, free_port(), run_as).start()


_database_numbers = itertools.count(1)


def admin_execute(server_url: str, statement: str) -> None:
    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def fresh_database(server_url: str, template: str | None = None) -> Iterator[str]:
    """The URL of a new database on the server — empty, or a copy of database ``template``
    (which nobody may be connected to) — dropped (connections and all) at the end. Names
    carry the process id, so parallel test processes never collide."""
    name = f"paysage_t{os.getpid()}_{next(_database_numbers)}"
    admin_execute(
        server_url, f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else "")
    )
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin_execute(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
