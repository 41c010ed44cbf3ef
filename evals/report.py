"""Write an evaluation report: report.md, report.json and PNG plots.

Plots: pass rate per tag, latency histogram. With a baseline, the Markdown
lists metric deltas and regressions case by case. matplotlib runs headless (Agg).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path


def pass_rate_by_tag(cases: list[dict]) -> dict[str, tuple[int, int]]:
    acc: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in cases:
        for t in c.get("tags") or ["(sans tag)"]:
            acc[t][0] += int(bool(c["passed"]))
            acc[t][1] += 1
    return {t: (p, n) for t, (p, n) in sorted(acc.items())}


def write_report(result: dict, folder: Path, set_name: str, comparison: dict | None = None,
                 failures: list[str] | None = None) -> Path:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    tags = pass_rate_by_tag(result["cases"])
    _plots(result, tags, folder)
    lines = [f"# Évaluation Kalan — {set_name}", "", f"{result['n']} cas.", "", "| métrique | valeur |", "| --- | --- |"]
    for k, v in result["metrics"].items():
        delta = ""
        if comparison and k in comparison["deltas"]:
            delta = f" ({comparison['deltas'][k]:+})"
        lines.append(f"| {k} | {v}{delta} |")
    lines += ["", "## Réussite par tag", "", "| tag | réussis | total |", "| --- | --- | --- |"]
    lines += [f"| {t} | {p} | {n} |" for t, (p, n) in tags.items()]
    lines += ["", "![réussite par tag](pass_by_tag.png)", "", "![latence](latency.png)", ""]
    if failures:
        lines += ["## Seuils non atteints", ""] + [f"- {f}" for f in failures] + [""]
    if comparison:
        lines += ["## Régressions par rapport à la référence", ""]
        lines += [f"- `{r['id']}` {r['question']}\n  - avant : {r['before']}\n  - maintenant : {r['now']}"
                  for r in comparison["regressions"]] or ["Aucune."]
        lines += ["", "## Corrigés depuis la référence", ""]
        lines += [f"- `{r['id']}` {r['question']}" for r in comparison["fixes"]] or ["Aucun."]
    failed = [c for c in result["cases"] if not c["passed"]]
    lines += ["", "## Cas échoués", ""]
    for c in failed:
        lines.append(f"- `{c['id']}` {c['question']}\n  - réponse : {(c['answer'] or '')[:300]}")
    if not failed:
        lines.append("Aucun.")
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plots(result: dict, tags: dict, folder: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4))
    names = list(tags)
    ax.barh(names, [p / n if n else 0 for p, n in tags.values()], color="#2a7")
    ax.set_xlim(0, 1)
    ax.set_xlabel("taux de réussite")
    ax.set_title("Réussite par tag")
    fig.tight_layout()
    fig.savefig(folder / "pass_by_tag.png", dpi=100)
    plt.close(fig)
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.hist([c["latency_ms"] for c in result["cases"] if c.get("latency_ms")], bins=30, color="#27a")
    ax.set_xlabel("latence (ms)")
    ax.set_ylabel("cas")
    ax.set_title("Latence par question")
    fig.tight_layout()
    fig.savefig(folder / "latency.png", dpi=100)
    plt.close(fig)
