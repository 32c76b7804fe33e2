"""Run a command against a throw-away PostgreSQL cluster.

Usage: python bin/with_postgres.py PG_BINDIR -- COMMAND...

The cluster lives in a temporary directory, listens on a free loopback port and is
removed afterwards. initdb refuses to run as root, so as root the cluster is created
and started as the `postgres` system user.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    if "--" not in sys.argv:
        print(__doc__)
        return 2
    split = sys.argv.index("--")
    bindir, command = sys.argv[1], sys.argv[split + 1 :]
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    workdir = tempfile.mkdtemp(prefix="maillage-pg-")
    datadir = os.path.join(workdir, "data")
    if as_root:
        shutil.chown(workdir, "postgres", "postgres")
    os.chmod(workdir, 0o755)  # noqa: S103 (the postgres user must enter it)
    port = free_port()
    log = os.path.join(workdir, "server.log")

    def run(*args):
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL)

    try:
        run(f"{bindir}/initdb", "-D", datadir, "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8" if os.path.exists("/usr/lib/locale/C.utf8") else "--locale=C")
        run(
            f"{bindir}/pg_ctl", "-D", datadir, "-l", log, "-w", "-t", "60", "start", "-o",
            f"-p {port} -h 127.0.0.1 -k {workdir} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200",
        )
        for _ in range(50):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        env = dict(os.environ, DATABASE_URL=f"postgres://postgres@127.0.0.1:{port}/maillage")
        print(f"PostgreSQL test cluster on 127.0.0.1:{port}", flush=True)
        return subprocess.run(command, env=env).returncode
    finally:
        subprocess.run(
            [*prefix, f"{bindir}/pg_ctl", "-D", datadir, "-m", "immediate", "-w", "stop"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
