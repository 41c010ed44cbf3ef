"""A throw-away PostgreSQL server on loopback, from Debian's ``postgresql`` binaries (tests, ``make cluster``).

Scope: ``LocalPostgres(root)`` runs ``initdb`` into ``root`` (trust authentication, loopback only),
``start()`` / ``stop()`` / ``restart()`` it with ``pg_ctl`` on a free port, and gives its ``url``. PostgreSQL
refuses to run as root: when we are root, the server runs as the ``postgres`` user Debian creates (else
``nobody``) through ``runuser``, and ``root`` is handed to that user.

Not here: production set-up (a real server has passwords, TLS, backups: see the README), the schema
(``kalan.db.migrate``).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
from pathlib import Path


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries here; ``str()`` says how to get them (French)."""


def find_bindir() -> Path:
    """The directory of ``initdb`` / ``pg_ctl`` (Debian keeps them out of PATH, under /usr/lib/postgresql)."""
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(candidate) / "pg_ctl").exists():
            return Path(candidate)
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    raise PostgresUnavailable("PostgreSQL introuvable (pg_ctl) : installez le paquet Debian « postgresql ».")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_user() -> str | None:
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("PostgreSQL ne tourne pas en root et aucun utilisateur « postgres » n'existe.")


class LocalPostgres:
    def __init__(self, root: str | Path, port: int | None = None, database: str = "kalan"):
        self.root = Path(root)
        self.data = self.root / "pgdata"
        self.port = port or free_port()
        self.database = database
        self.bindir = find_bindir()
        self.user = _server_user()

    @property
    def url(self) -> str:
        return f"postgresql://kalan@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{args[0]} a échoué ({done.returncode}) : {(done.stderr or done.stdout).strip()[-800:]}")
        return done

    def init(self) -> "LocalPostgres":
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            info = pwd.getpwnam(self.user)
            os.chown(self.root, info.pw_uid, info.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            self._run("initdb", "-D", str(self.data), "-U", "kalan", "--auth=trust", "-E", "UTF8",
                      "--locale=C.UTF-8", "--no-sync")
            with open(self.data / "postgresql.conf", "a") as fh:  # loopback only, small and quick
                fh.write(f"\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                         "fsync = off\nmax_connections = 200\nshared_buffers = 32MB\n")
        return self

    def start(self) -> "LocalPostgres":
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", f"-p {self.port}", "start")
        done = self._run("psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kalan", "-d", "postgres", "-tAc",
                         f"SELECT 1 FROM pg_database WHERE datname = '{self.database}'")
        if done.stdout.strip() != "1":
            self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kalan", self.database)
        return self

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> "LocalPostgres":
        return self.init().start()

    def __exit__(self, *exc) -> None:
        self.stop("immediate")
