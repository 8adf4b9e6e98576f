"""A throwaway PostgreSQL server on 127.0.0.1, started from Debian's `postgresql` package binaries
for a test run and removed after it. As root, the server runs as the `postgres` user (it refuses root)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import free_port

USER = "rolebot"


def binaries() -> Path | None:
    """The folder with initdb and pg_ctl, or None when PostgreSQL's server is not installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


@dataclass
class PostgresServer:
    folder: Path
    port: int
    bin: Path

    @classmethod
    def start(cls) -> PostgresServer:
        bin_folder = binaries()
        if bin_folder is None:
            raise RuntimeError("PostgreSQL's server is not installed (Debian: apt-get install postgresql)")
        folder = Path(tempfile.mkdtemp(prefix="rolebot-pg-"))
        server = cls(folder, free_port(), bin_folder)
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres", "postgres")
        server._run("initdb", "-D", str(folder / "data"), "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {server.port} -k {folder} -c fsync=off -c full_page_writes=off"
        server._run("pg_ctl", "-D", str(folder / "data"), "-o", options, "-l", str(folder / "log"), "-w", "start")
        return server

    def database(self) -> str:
        """A new, empty database on this server; its SQLAlchemy URL."""
        name = f"rolebot_{uuid.uuid4().hex[:12]}"
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, program: str, *args: str) -> None:
        as_postgres = {"user": "postgres", "group": "postgres"} if os.geteuid() == 0 else {}
        done = subprocess.run(
            [str(self.bin / program), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=self.folder,
            **as_postgres,
        )
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")
