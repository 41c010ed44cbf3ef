"""BM25 over chunk match texts, with French tokens (``kalan.rag.text.tokenize``).

Built with bm25s (sparse matrices: scoring a query touches only its terms'
postings) and saved under ``<data_dir>/bm25/`` with the list of chunk ids it
covers; it is rebuilt when the store's content changes (ingest does it, and a
search that finds the saved index out of date does it too).

Rebuilds are incremental: the saved index keeps each chunk's tokens (as token ids,
``tokens.npz``), so a rebuild lists the store's ids only, reads and tokenizes just
the chunks it has not seen, and re-indexes from the cached tokens. The result is the
index a full rebuild gives (same ids in the same order, same tokens); without a
usable cache (first build, damaged files, another tokenizer) everything is read and
tokenized. On 100k passages this turns a ~19 s rebuild into ~4 s (BENCHMARKS.md §5).

Not here: fusion with dense scores (``kalan.rag.retrieval``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from kalan.rag.chroma_limits import IDS_PAGE
from kalan.rag.documents import CARD_SECTION
from kalan.rag.text import FRENCH_STOPWORDS, tokenize

log = logging.getLogger(__name__)

FETCH_BATCH = 1000


# What the key of the token cache tokenizes: French (and a little English) with what tokenization handles —
# accents and ligatures, typographic and plain apostrophes, elisions (and words that look like one), hyphens,
# digits, ordinals, capitals, punctuation, Unicode spaces and dashes, stop words and near stop words, plurals and
# verb forms for the stemmer.
_PROBE = (
    "Aujourd'hui, l’Élysée et les ÉTATS-UNIS ont fêté le 65ᵉ anniversaire (1960-2025) de la coopération ; "
    "« Qu'est-ce que c'est ? » demanda-t-il jusqu'à l'aube, lorsqu'un porte-parole d’Air France-KLM répondit. "
    "Le 1er janvier, la XXIᵉ conférence réunit 3,5 % des 12 000 élèves — soit 2.500 enfants… n° 7 ; "
    "Œuvre naïve, cœur, ﬁnance, Æsop, prud'homme, aujourd’hui, quelqu'un, presqu'île, entr'ouvert. "
    "Elle est née à Kayes, il n'est pas né ici. "
    "Moussa Keïta a signé les accords ; elles signeraient, nous signions, ils avaient été signés. "
    "Il y a eu des élections nationales : les conseils municipaux, un conseil, des chevaux, le cheval. "
    "Les tirets - et – et — ; les espaces\u00a0insécables\u202fet fines ; le 14 octobre à 10 h 30. "
    "a au aux avec ce ces dans de des du elle en et eux il ils je la le les leur lui ma mais me même mes moi "
    "mon ne nos notre nous on ou où par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos "
    "votre vous y été étés êtes étant suis es est sommes sont serai sera seront serait était étaient fut "
    "furent ai as avons avez ont avait avaient eu aura auront aurait ceci cela ça cet cette celle celui ceux "
    "leurs quel quelle quels quelles dont lors si plus très aussi ainsi alors comme donc or ni car puis bien "
    "tout tous toute toutes autre autres quoi quand comment pourquoi combien est-ce qu'est-ce. "
    "entre sans sous chez vers depuis avant après selon contre pendant déjà encore toujours jamais rien "
    "chaque même être avoir fait faire dit peu beaucoup moins ici là non oui cependant toutefois parce "
    "The President's speech, don't, U.S.A., e-mail, COVID-19, 5G, iPhone 15 Pro, x2, 1er, 2e, 3ème, IIIe, (1247-1701). "
    "Soixante-cinq ans, le 65ᵉ, cinq, six ou sept, deux mille vingt-cinq, quatre-vingt-dix-neuf, dix-septième, "
    "la 1re, la 2nde. Lancée, créées, 7 800 km, 12 kg, 3 cm, 40 mm, 500 km2, 30 MW."
)


@lru_cache(maxsize=2)
def _tokenizer_key(stem: bool) -> str:
    """The key of the saved tokens: changes when tokenization does, not when ``kalan.rag.text``'s source merely
    changes (a comment, a refactor). It hashes the tokens of a fixed probe text (stemmed or not, as ``stem``)
    and the stop-word list (a stop word added changes tokens the probe may not hold). Computed once per process."""
    payload = {"stem": bool(stem), "tokens": tokenize(_PROBE, stem), "stopwords": sorted(FRENCH_STOPWORDS)}
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()[:16]


def _bm25s():
    import bm25s

    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on its own logger
    return bm25s


def fingerprint(ids: list[str]) -> str:
    h = hashlib.sha256()
    for i in sorted(ids):
        h.update(i.encode())
        h.update(b"\n")
    return h.hexdigest()[:24]


class LexicalIndex:
    def __init__(self, ids: list[str], texts: list[str], stem: bool = True):
        vocab: dict[str, int] = {}
        rows = [_to_ids(tokenize(t, stem) or ["∅"], vocab) for t in texts]
        self._setup(ids, rows, vocab, stem)

    @classmethod
    def from_token_ids(cls, ids: list[str], rows: list[list[int]], vocab: dict[str, int], stem: bool = True):
        """An index over documents already tokenized (token ids into ``vocab``)."""
        obj = cls.__new__(cls)
        obj._setup(ids, rows, vocab, stem)
        return obj

    def _setup(self, ids, rows, vocab, stem) -> None:
        bm25s = _bm25s()
        self.ids = list(ids)
        self.stem = stem
        self.fingerprint = fingerprint(self.ids)
        self.bm25 = bm25s.BM25(k1=1.2, b=0.75)
        # the tokens, compact, for the next incremental rebuild (written by save, not kept by load)
        self._offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows)), out=self._offsets[1:])
        self._flat = np.fromiter((t for r in rows for t in r), dtype=np.int32, count=int(self._offsets[-1]))
        rows, vocab = self._compact(rows, vocab)
        self._vocab = sorted(vocab, key=vocab.__getitem__)
        if rows:
            self.bm25.index((rows, dict(vocab)), show_progress=False)

    def _compact(self, rows, vocab):
        """Drop tokens that no document uses any more (chunks deleted since the cache was written)."""
        used = np.bincount(self._flat, minlength=len(vocab)) > 0
        if used.all():
            return rows, vocab
        new_id = np.cumsum(used) - 1
        self._flat = new_id[self._flat].astype(np.int32)
        words = sorted(vocab, key=vocab.__getitem__)
        vocab = {w: int(new_id[i]) for i, w in enumerate(words) if used[i]}
        off = self._offsets.tolist()
        return [self._flat[off[j] : off[j + 1]].tolist() for j in range(len(rows))], vocab

    def search(self, query: str, k: int, drop: str = "", only: set[str] | None = None) -> list[tuple[str, float]]:
        """The ``k`` best chunks for ``query``'s tokens, those of ``drop`` aside (words that say what kind of
        fact is asked, not what it is about); with ``only`` (chunk ids: one article's), the ``k`` best of those,
        ranked with the whole corpus's word weights."""
        if not self.ids:
            return []
        vocab = self.bm25.vocab_dict
        dropped = set(tokenize(drop, self.stem)) if drop else set()
        q = [t for t in tokenize(query, self.stem) if t in vocab and t not in dropped]
        if not q:
            return []
        scores = self.bm25.get_scores(q)
        rows = np.arange(len(scores)) if only is None else \
            np.sort(np.fromiter((self._rows[c] for c in only if c in self._rows), dtype=np.int64))
        if not len(rows):
            return []
        k = min(k, len(rows))
        top = rows[np.argpartition(-scores[rows], k - 1)[:k]]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]

    @cached_property
    def _rows(self) -> dict[str, int]:
        """Chunk id -> its row in the index (``ids`` never change once the index is built or loaded)."""
        return {cid: i for i, cid in enumerate(self.ids)}

    # -- persistence ---------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        self.bm25.save(str(tmp / "bm25"))
        if getattr(self, "_flat", None) is not None:
            np.savez(tmp / "tokens.npz", flat=self._flat, offsets=self._offsets)
            (tmp / "tokens-vocab.json").write_text(json.dumps(
                {"tokenizer": _tokenizer_key(self.stem), "n": len(self.ids), "vocab": self._vocab}, ensure_ascii=False))
        (tmp / "ids.json").write_text(json.dumps({"fingerprint": self.fingerprint, "stem": self.stem, "ids": self.ids,
                                                  "covered": covered(self), "tokenizer": _tokenizer_key(self.stem)}))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        bm25s = _bm25s()
        folder = Path(folder)
        try:
            meta = json.loads((folder / "ids.json").read_text())
            obj = cls.__new__(cls)
            obj.ids, obj.stem, obj.fingerprint = meta["ids"], meta["stem"], meta["fingerprint"]
            if meta.get("tokenizer") != _tokenizer_key(obj.stem):
                log.info("index BM25 écrit avec une autre tokenisation : reconstruit")
                return None  # its words were cut otherwise (« née » dropped as « ne »): a question would miss them
            obj.covered = int(meta.get("covered", len(obj.ids)))
            obj.bm25 = bm25s.BM25.load(str(folder / "bm25"))
            obj._flat = obj._offsets = obj._vocab = None  # tokens stay on disk (read by a rebuild only)
            return obj
        except Exception as exc:  # missing or damaged: rebuilt by the caller
            log.info("index BM25 à reconstruire (%s)", exc)
            return None


def _to_ids(tokens: list[str], vocab: dict[str, int]) -> list[int]:
    out = []
    for t in tokens:
        i = vocab.get(t)
        if i is None:
            i = vocab[t] = len(vocab)
        out.append(i)
    return out


def _token_cache(folder: Path, stem: bool):
    """(ids, rows by id, vocab) saved with the previous index, or None when unusable."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / "ids.json").read_text())
        tv = json.loads((folder / "tokens-vocab.json").read_text())
        if tv.get("tokenizer") != _tokenizer_key(stem) or meta.get("stem") != stem or tv.get("n") != len(meta["ids"]):
            return None
        with np.load(folder / "tokens.npz") as z:
            flat, offsets = z["flat"], z["offsets"]
        if len(offsets) != len(meta["ids"]) + 1:
            return None
        return meta["ids"], flat, offsets, {t: i for i, t in enumerate(tv["vocab"])}
    except Exception as exc:  # missing (older index) or damaged: a full rebuild
        log.info("cache de jetons BM25 inutilisable (%s)", exc)
        return None


def _store_ids(store) -> list[str]:
    ids: list[str] = []
    for got_ids, _, _ in store.scan(include=[], page=IDS_PAGE):  # ids only: no metadata, no text
        ids.extend(got_ids)
    return ids


def build_from_store(store, stem: bool = True, previous: Path | None = None) -> LexicalIndex:
    """The index of every passage of the store but the articles' cards; with ``previous`` (the folder of the last saved
    index), only chunks it did not cover are read and tokenized."""
    cache = _token_cache(previous, stem) if previous is not None else None
    if cache is None:
        ids, texts, n_cards = [], [], 0
        for cid, meta, doc in store.all_chunks():
            if (meta or {}).get("section") == CARD_SECTION:
                n_cards += 1  # an article's card is found by meaning only: its words (titre, auteur…) stay out
                continue
            ids.append(cid)
            texts.append((meta or {}).get("match_text") or doc or "")
        idx = LexicalIndex(ids, texts, stem)
        idx.covered = len(ids) + n_cards
        return idx
    old_ids, flat, offsets, vocab = cache
    pos = {cid: i for i, cid in enumerate(old_ids)}
    ids = _store_ids(store)
    new = [cid for cid in ids if cid not in pos]
    texts: dict[str, str] = {}
    cards: set[str] = set()
    for i in range(0, len(new), FETCH_BATCH):
        for p in store.get(new[i : i + FETCH_BATCH]):
            if p.section == CARD_SECTION:
                cards.add(p.chunk_id)
            else:
                texts[p.chunk_id] = (p.extra or {}).get("match_text") or p.text or ""
    ids = [cid for cid in ids if cid not in cards]
    off = offsets.tolist()
    rows = []
    for cid in ids:
        j = pos.get(cid)
        if j is None:
            rows.append(_to_ids(tokenize(texts.get(cid, ""), stem) or ["∅"], vocab))
        else:
            rows.append(flat[off[j] : off[j + 1]].tolist())
    log.info("index BM25 : %d passages relus sur %d", len(new), len(ids))
    idx = LexicalIndex.from_token_ids(ids, rows, vocab, stem)
    idx.covered = len(ids) + len(cards)
    return idx


def covered(idx: LexicalIndex) -> int:
    """How many stored passages the index stands for: its own, and the cards it leaves out."""
    return int(getattr(idx, "covered", len(idx.ids)))


def index_dir(settings) -> Path:
    key = hashlib.sha256(f"{settings.store.url or settings.chroma_dir}|{settings.store.collection}".encode()).hexdigest()[:12]
    return Path(settings.data_dir) / "bm25" / f"{settings.store.collection}-{key}"


def load_or_build(settings, store, rebuild: bool = False) -> LexicalIndex:
    """The saved index if it covers exactly what the store holds, else a fresh one (saved)."""
    folder = index_dir(settings)
    idx = None if rebuild else LexicalIndex.load(folder)
    if idx is not None and covered(idx) == store.count():
        return idx
    idx = build_from_store(store, previous=folder)
    if idx.ids:
        idx.save(folder)
    return idx
