"""``make cluster``: PostgreSQL, a Chroma server, two ``kalan serve`` instances and the proxy, on loopback.

Scope: ``Cluster(root)`` lays out one machine the way a district would lay out several: the database
(``LocalPostgres``), the vector store (``chroma run``), N instances that share both (each with its own
data dir: its BM25 index and logs) and ``kalan.deploy.proxy`` in front. It ingests the corpus once through
instance 0 (the others see it through the shared store and the corpus version), starts everything, and
can stop or kill any part (the load and fault tests use that). ``main()`` starts it and waits for Ctrl-C.

Not here: the real deployment (separate machines, passwords, TLS, backups: README "Plusieurs instances").
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from kalan.db.local_postgres import LocalPostgres, free_port
from kalan.deploy import messages as msg
from kalan.deploy.processes import stop_process, wait_port

PROJECT = Path(__file__).resolve().parent.parent
CHROMA = [sys.executable, "-c", "import sys; from chromadb.cli.cli import app; sys.argv[0] = 'chroma'; app()"]


@dataclass
class Instance:
    port: int
    data_dir: Path
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Cluster:
    root: Path
    instances_n: int = 2
    proxy_port: int = 0
    model_path: Path | None = None  # default: the model `make setup` prepared in .kalan/models
    env: dict = field(default_factory=dict)  # more settings for every instance (KALAN_LLM__MODE=…)
    startup_s: float = 600.0

    def __post_init__(self):
        self.root = Path(self.root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)  # PostgreSQL runs as its own user (we may be root): it must reach its folder
        self.postgres = LocalPostgres(self.root / "postgres")
        self.chroma_port = free_port()
        self.chroma: subprocess.Popen | None = None
        self.instances = [Instance(free_port(), self.root / f"instance-{i}") for i in range(self.instances_n)]
        self.proxy_port = self.proxy_port or free_port()
        self.proxy: subprocess.Popen | None = None
        if self.model_path is None:
            self.model_path = PROJECT / ".kalan" / "models" / "multilingual-e5-small"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    @property
    def chroma_url(self) -> str:
        return f"http://127.0.0.1:{self.chroma_port}"

    def instance_env(self, i: int) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KALAN_")}
        env.update(
            KALAN_DATA_DIR=str(self.instances[i].data_dir), KALAN_DATABASE_URL=self.postgres.url,
            KALAN_STORE__URL=self.chroma_url, KALAN_EMBEDDING__PATH=str(self.model_path), HF_HUB_OFFLINE="1",
            GRADIO_ANALYTICS_ENABLED="False", ANONYMIZED_TELEMETRY="False", TOKENIZERS_PARALLELISM="false",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        return env

    def _log(self, name: str):
        return open(self.root / f"{name}.log", "a", encoding="utf-8")

    def _kalan(self) -> list[str]:
        return [sys.executable, "-m", "kalan.cli"]

    # parts ---------------------------------------------------------------------------------------

    def start_postgres(self) -> None:
        self.postgres.init().start()

    def start_chroma(self) -> None:
        with self._log("chroma") as out:
            self.chroma = subprocess.Popen(
                [*CHROMA, "run", "--path", str(self.root / "chroma"), "--host", "127.0.0.1",
                 "--port", str(self.chroma_port)], stdout=out, stderr=subprocess.STDOUT, cwd=self.root)
        if not wait_port(self.chroma_port, self.chroma, 120):
            raise RuntimeError(msg.CLUSTER_FAILED.format(what="chroma run", log=self.root / "chroma.log"))

    def stop_chroma(self) -> None:
        stop_process(self.chroma)

    def ingest(self, corpus: Path) -> None:
        with self._log("ingest") as out:
            done = subprocess.run([*self._kalan(), "ingest", "--corpus", str(corpus), "--no-progress"],
                                  env=self.instance_env(0), stdout=out, stderr=subprocess.STDOUT, timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(msg.CLUSTER_FAILED.format(what="kalan ingest", log=self.root / "ingest.log"))

    def start_instance(self, i: int, wait: bool = True) -> None:
        inst = self.instances[i]
        with self._log(f"instance-{i}") as out:
            inst.proc = subprocess.Popen([*self._kalan(), "serve", "--port", str(inst.port)],
                                         env=self.instance_env(i), stdout=out, stderr=subprocess.STDOUT,
                                         cwd=self.root)
        if wait and not wait_port(inst.port, inst.proc, self.startup_s):
            raise RuntimeError(msg.CLUSTER_FAILED.format(what=f"kalan serve {i}", log=self.root / f"instance-{i}.log"))

    def kill_instance(self, i: int) -> None:
        stop_process(self.instances[i].proc, kill=True)

    def start_proxy(self) -> None:
        backends = [a for inst in self.instances for a in ("--backend", inst.url)]
        with self._log("proxy") as out:
            self.proxy = subprocess.Popen([sys.executable, "-m", "kalan.deploy.proxy", "--port", str(self.proxy_port),
                                           *backends], stdout=out, stderr=subprocess.STDOUT, cwd=self.root)
        if not wait_port(self.proxy_port, self.proxy, 60):
            raise RuntimeError(msg.CLUSTER_FAILED.format(what="proxy", log=self.root / "proxy.log"))

    # the whole -----------------------------------------------------------------------------------

    def start(self, corpus: Path | None = None, say=lambda line: None) -> "Cluster":
        say(msg.CLUSTER_STEP.format(step="PostgreSQL"))
        self.start_postgres()
        say(msg.CLUSTER_STEP.format(step="serveur Chroma"))
        self.start_chroma()
        if corpus is not None:
            say(msg.CLUSTER_STEP.format(step="indexation du corpus (instance 0)"))
            self.ingest(corpus)
        say(msg.CLUSTER_STEP.format(step=f"{len(self.instances)} instances kalan serve"))
        for i in range(len(self.instances)):  # started together, waited for together: warm-up is the slow part
            self.start_instance(i, wait=False)
        for i, inst in enumerate(self.instances):
            if not wait_port(inst.port, inst.proc, self.startup_s):
                raise RuntimeError(msg.CLUSTER_FAILED.format(what=f"kalan serve {i}", log=self.root / f"instance-{i}.log"))
        say(msg.CLUSTER_STEP.format(step="répartiteur"))
        self.start_proxy()
        return self

    def stop(self) -> None:
        stop_process(self.proxy)
        for inst in self.instances:
            stop_process(inst.proc)
        self.stop_chroma()
        self.postgres.stop("fast")

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m kalan.deploy.cluster",
                                description="grappe Kalan sur cette machine : PostgreSQL, chroma run, deux "
                                "instances kalan serve et un répartiteur")
    p.add_argument("--root", default=str(PROJECT / ".kalan" / "cluster"), help="dossier de la grappe")
    p.add_argument("--corpus", default=str(PROJECT / "corpus"), help="articles à indexer au démarrage")
    p.add_argument("--instances", type=int, default=2)
    p.add_argument("--port", type=int, default=8000, help="port du répartiteur")
    p.add_argument("--fresh", action="store_true", help="repartir d'un dossier vide")
    p.add_argument("--model", default=None, help="dossier du modèle d'embedding (défaut : .kalan/models/multilingual-e5-small)")
    args = p.parse_args(argv)
    if args.fresh:
        shutil.rmtree(args.root, ignore_errors=True)
    cluster = Cluster(Path(args.root), args.instances, args.port, model_path=Path(args.model) if args.model else None)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    try:
        cluster.start(Path(args.corpus), say=lambda line: print(line, flush=True))
        print(msg.CLUSTER_READY.format(proxy=cluster.url, instances=", ".join(i.url for i in cluster.instances),
                                       database=cluster.postgres.url, chroma=cluster.chroma_url), flush=True)
        while not stop:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
