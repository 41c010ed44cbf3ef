"""Section "coldstart": ``kalan serve --port P`` started as a subprocess, to the first answer of ``/ask``.

Timeline from the spawn: the "Kalan est prêt" line (model loaded, store opened, BM25
loaded, one warm-up answer, titles read, Gradio app built, uvicorn listening), then a
``gradio_client.Client`` connects and calls ``/ask`` (first answer), then a second
question (warm). ``gradio_client`` is imported before the spawn (not counted). The
server's RSS is read after the answers. Run on the PIAF store and, without --quick, on
the ≥100k store of the scale section (whose titles scan runs at start-up).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time

from benchmarks import common, corpora


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_once(data_dir, questions: list[str], timeout_s: float = 600) -> dict:
    from gradio_client import Client

    port = _free_port()
    env = common.child_env(data_dir)
    t0 = time.perf_counter()
    p = subprocess.Popen([str(common.VENV_BIN / "kalan"), "serve", "--port", str(port)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, env=env, cwd=common.ROOT, text=True, bufsize=1)
    lines: list[str] = []
    ready = threading.Event()
    t_ready = {}

    def reader():
        for line in p.stdout:
            lines.append(line.rstrip())
            if "Kalan est prêt" in line and not ready.is_set():
                t_ready["s"] = time.perf_counter() - t0
                ready.set()

    threading.Thread(target=reader, daemon=True).start()
    out: dict = {"port": port}
    try:
        if not ready.wait(timeout_s) or p.poll() is not None:
            out["error"] = "server not ready: " + " | ".join(lines[-10:])
            return out
        out["ready_s"] = round(t_ready["s"], 2)
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        out["client_connected_s"] = round(time.perf_counter() - t0, 2)
        t1 = time.perf_counter()
        a = client.predict(questions[0], api_name="/ask")
        out["first_answer_call_s"] = round(time.perf_counter() - t1, 2)
        out["first_answer_s"] = round(time.perf_counter() - t0, 2)
        out["first_answer_refused"] = bool(a.get("refused")) if isinstance(a, dict) else None
        warm = []
        for q in questions[1:]:
            t1 = time.perf_counter()
            client.predict(q, api_name="/ask")
            warm.append((time.perf_counter() - t1) * 1000)
        out["warm_ask"] = common.percentiles(warm)
        out["server_rss_mb"] = common.rss_mb(p.pid)
        out["server_peak_rss_mb"] = common.peak_rss_mb(p.pid)
        out["log"] = [ln for ln in lines if ln.strip()][:6]
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    return out


def run(quick: bool = False) -> dict:
    from benchmarks import child

    data, corpus, cases = corpora.piaf_store(quick)
    out: dict = {"ensure_store": child.call("corpora", "ensure_piaf", 1200, quick=quick).get("result")}
    qs = [c["question"] for c in cases[: 3 if quick else 6]]
    out["piaf"] = serve_once(data, qs)
    out["piaf"]["passages"] = "PIAF"
    if not quick:
        from benchmarks.bench_scale import BIG_DATA

        big = common.WORK / BIG_DATA
        if big.is_dir():
            vq = ["Comment faire la demande de carte grise ?", "Quelles sont les conditions pour toucher le RSA ?",
                  "Qui peut bénéficier de la prime d'activité ?", "Comment contester une amende ?"]
            out["big"] = serve_once(big, vq)
            out["big"]["passages"] = "≥100k (scale section store)"
    return out
