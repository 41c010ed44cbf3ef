"""Kalan's one typed settings tree.

Every knob Kalan has lives here, with a default and a description. Settings are
read once, at the entry point (CLI or app factory), from the environment
(prefix ``KALAN_``, nested fields with ``__``: ``KALAN_LLM__MODE=openai``) and
passed down; nothing deeper reads ``os.environ``.

Two short-hands exist because maintainers type them often:
``KALAN_CHROMA_URL`` (= ``store.url``) and ``KALAN_LLM_GGUF`` (= ``llm.gguf_path``).

Not here: prompts and user-facing messages (``kalan.rag.messages``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def source_checkout() -> bool:
    """Kalan runs from its source tree (an editable install: ``make``, the tests), not from an installed copy."""
    return (PROJECT_ROOT / "pyproject.toml").is_file()


def default_data_dir() -> Path:
    """``<checkout>/.kalan`` from a source tree; otherwise the user's data directory (``$XDG_DATA_HOME/kalan``,
    ``~/.local/share/kalan``): an installed package is never written into. ``KALAN_DATA_DIR`` overrides both."""
    if source_checkout():
        return PROJECT_ROOT / ".kalan"
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "kalan"


def default_corpus_dir() -> Path:
    """The checkout's ``corpus/`` (the seed article ships there); installed: ``corpus/`` in the data directory."""
    return PROJECT_ROOT / "corpus" if source_checkout() else default_data_dir() / "corpus"


class CosineCalibration(BaseModel):
    """How one embedder's cosines read, defined once: every place that turns a cosine into a score or a
    decision takes its numbers from here. A cosine is mapped linearly to [0, 1] between a ``low`` (unrelated
    text) and a ``high`` (a paraphrase) anchor. e5-small's cosines sit high (unrelated French ~0.75,
    paraphrase ~0.9); EmbeddingGemma's far lower (BENCHMARKS.md maps one to the other)."""

    sentence_low: float = Field(0.70, description="Extractive sentence scoring: cosine scored 0.")
    sentence_high: float = Field(0.95, description="Extractive sentence scoring: cosine scored 1.")
    support_low: float = Field(0.75, description="Citation support: cosine scored 0.")
    support_high: float = Field(0.95, description="Citation support: cosine scored 1.")
    rerank_low: float = Field(0.80, description="Passage rerank by its best sentence: cosine adding no bonus.")
    rerank_high: float = Field(0.90, description="Passage rerank: cosine adding the whole sentence_weight.")
    min_retrieval: float = Field(0.80, description="Below this dense cosine of the best passage, the corpus is "
                                 "deemed silent (answer.min_retrieval_score overrides).")
    strong: float = Field(0.855, description="Question-sentence cosine above which a reworded answer needs no "
                          "shared words (answer.strong_similarity overrides).")
    same_question: float = Field(0.88, description="Question-question cosine from which a new question asks what a "
                                 "teacher-verified one asked (verified.min_similarity overrides; calibrated on "
                                 "evals/sets/verified-pairs.jsonl, BENCHMARKS.md).")

    @staticmethod
    def scale(cosine: float, low: float, high: float) -> float:
        """``cosine`` mapped to [0, 1] between ``low`` and ``high``."""
        return min(1.0, max(0.0, (cosine - low) / ((high - low) or 1.0)))


# Gemma's anchors are e5's mapped through the cosine percentiles measured on the seed article and PIAF
# (benchmarks/bench_sentence_ranking.py); not yet tuned on the evaluation sets.
COSINE_DEFAULTS = {
    "e5": CosineCalibration(),
    "gemma": CosineCalibration(sentence_low=-0.09, sentence_high=0.83, support_low=0.015, support_high=0.835,
                               rerank_low=0.22, rerank_high=0.86, min_retrieval=0.16, strong=0.53),
}


class EmbeddingSettings(BaseModel):
    mode: Literal["e5", "gemma", "sentence_transformers", "fake"] = Field(
        "e5",
        description="e5: multilingual-e5-small provisioned offline (384 dims, default); gemma: EmbeddingGemma-300M "
        "(768 dims, 1.2 GB, Gemma Terms of Use), installed by `kalan models install --model gemma`, its cosines "
        "run lower than e5's and need their own calibration (BENCHMARKS.md); sentence_transformers: any local "
        "SentenceTransformer folder in `path`; fake: deterministic hash vectors (tests only). An index is tied "
        "to its embedder: use one data dir per mode.",
    )
    path: Path | None = Field(None, description="Local model folder; used first when set.")
    query_prefix: str | None = Field(
        None, description="Prefix added to questions; empty: the mode's convention (e5, sentence_transformers: "
        "'query: '; gemma: 'task: search result | query: ').",
    )
    passage_prefix: str | None = Field(
        None, description="Prefix added to passages; empty: the mode's convention (e5, sentence_transformers: "
        "'passage: '; gemma: 'title: none | text: ').",
    )
    backend: Literal["torch", "onnx", "onnx_int8"] = Field(
        "onnx", description="How the model runs: onnx (fp32, onnxruntime, no torch at question time; default: the "
        "same answers as torch on the seed set, a cold `kalan ask` several times cheaper), torch (fp32, "
        "sentence-transformers) or onnx_int8 (int8 weights: faster ingestion, but answers move: seed test-half "
        "pass rate 0.86 -> 0.82, BENCHMARKS.md). The ONNX files are exported from the local model by `kalan models "
        "install` (else on first use). gemma, and any folder with a Dense head or another pooling than mean, runs on "
        "torch whatever this says. A store's vectors can be searched "
        "with any of the three (same model, same cosine calibration).",
    )
    threads: int = Field(0, description="onnxruntime threads (0: one per physical core).")
    batch_size: int = Field(32, description="Encoding batch size.")
    device: str = Field("cpu", description="torch device: cpu, cuda, mps.")
    fake_dim: int = Field(64, description="Dimension of the fake embedder.")
    cosine: CosineCalibration | None = Field(
        None, description="How this embedder's cosines read (anchors and thresholds); empty: the mode's own "
        "(e5's for e5, sentence_transformers and fake; Gemma's for gemma).",
    )
    sentence_vectors: Literal["separate", "late"] = Field(
        "separate", description="How ingestion embeds each chunk's sentences: separate (each sentence encoded "
        "on its own: best retrieval, ~2x the encoding work) or late (pooled from the chunk's own forward pass: "
        "~2x faster ingestion, PIAF hit@1 0.772 vs 0.782). Applies to chunks embedded from then on.",
    )


class StoreSettings(BaseModel):
    url: str | None = Field(
        None, description="Chroma server URL (http://host:port). Empty: embedded store in the data dir."
    )
    collection: str = Field("kalan", description="Chroma collection name.")
    timeout_s: float = Field(10.0, description="Seconds before a Chroma server is declared unreachable.")
    hnsw_ef_search: int = Field(400, description="HNSW search breadth (Chroma's ef_search, its default 100) of "
                                "collections created from now on; an existing store keeps its own. Recall of the "
                                "dense top-40 at 100 / 200 / 400: 0.949 / 0.963 / 0.960 on 10k real VDD passages, "
                                "0.969 / 0.984 / 0.991 on 100k (+0.7 ms a query at 400; BENCHMARKS.md).")
    sentences: Literal["auto", "file", "chroma"] = Field(
        "auto", description="Where each chunk's sentence vectors live (read by chunk id, never searched): file "
        "(a float32 file in <data_dir>/sentences/, read by slice; an embedded store's Chroma collection of them is "
        "migrated once at the first open), chroma (a collection beside the chunks': needed with a Chroma server "
        "shared by instances with their own data dirs), auto (chroma with store.url, else file). At 100k passages "
        "the file saves ~380 MB of serving RSS (BENCHMARKS.md).")


class ChunkSettings(BaseModel):
    target_chars: int = Field(700, description="Preferred chunk size in characters.")
    max_chars: int = Field(1100, description="Hard upper bound of a chunk, except single long sentences.")
    max_article_bytes: int = Field(6_000_000, description="Larger corpus files are refused with a message.")
    entities: bool = Field(True, description="Store each chunk's named entities (spaCy, at ingestion): name "
                           "questions and suggestions then need no spaCy at question time (about 410 MB and a "
                           "2–6 s load saved); ingestion takes about a quarter longer (BENCHMARKS.md).")


class UploadSettings(BaseModel):
    max_bytes: int = Field(20_000_000, description="Files brought to the corpus (kalan ingest FILE, the teachers' "
                           "Corpus tab) larger than this are refused with a French message.")
    max_unzipped_bytes: int = Field(100_000_000, description="A Word file (.docx, a ZIP archive) whose entries "
                                    "would unpack to more than this is refused before it is read (zip bomb).")
    max_zip_ratio: float = Field(200.0, description="A .docx entry of over 1 MB compressed more than this many "
                                 "times is refused before it is read (zip bomb).")


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "dense", "bm25"] = Field("hybrid", description="Retrieval strategy.")
    k: int = Field(5, description="Passages returned.")
    fetch_k: int = Field(40, description="Candidates fetched from each retriever before fusion.")
    dense_weight: float = Field(0.45, description="Weight of dense scores in the fusion (BM25 gets the rest).")
    fusion: Literal["weighted", "rrf"] = Field("weighted", description="Fusion of dense and BM25 lists.")
    rrf_k: int = Field(60, description="Constant of reciprocal rank fusion.")
    sentence_weight: float = Field(
        0.4, description="Weight of the best sentence's similarity when reranking the fused candidates (0: off)."
    )
    rerank_k: int = Field(10, description="Fused candidates reranked by their best sentence.")
    title_card: bool = Field(
        True, description="A question on the article's title (« selon le titre », « le titre dit … ») gets the "
        "card of the best passage's article, which holds the title, in place of the last of the k passages (k > 1) "
        "when it is not among them (kalan.rag.retrieval). Tune halves: seed and students-fresh +1 each (« le titre "
        "dit que l'alliance a été forgée dans quoi ? » was refused); test halves unchanged.",
    )


LLMMode = Literal["extractive", "llamacpp", "openai", "ollama", "fake"]
LLM_MODES: tuple[str, ...] = get_args(LLMMode)  # the CLI's --mode choices


class LLMSettings(BaseModel):
    mode: LLMMode = Field(
        "extractive", description="Answer generation backend; extractive needs no LLM and is the fallback; fake "
        "(kalan.rag.llm.fake) quotes the first sentence of passage [1] with no model, for tests and development."
    )
    gguf_path: Path | None = Field(None, description="GGUF model for llamacpp mode.")
    base_url: str = Field("http://127.0.0.1:8080/v1", description="OpenAI-compatible server URL.")
    model: str = Field("local-model", description="Model name for openai / ollama modes.")
    api_key: SecretStr = Field(SecretStr("sk-no-key"), description="API key (env only, never printed).")
    ollama_url: str = Field("http://127.0.0.1:11434", description="Ollama server URL.")
    timeout_s: float = Field(60.0, description="LLM request timeout; on timeout Kalan falls back to extractive.")
    temperature: float = Field(0.0, description="Sampling temperature.")
    max_tokens: int = Field(350, description="Maximum tokens generated.")
    n_threads: int = Field(2, description="CPU threads for llamacpp.")
    passages: int = Field(
        3, description="Best passages given to the model (fewer: shorter prompt, faster first token; "
        "3 keeps a 1.5B local model's first token under 3 s on 2 cores, see BENCHMARKS.md).",
    )


class FactCheckSettings(BaseModel):
    """The relation-aware fact check of every answer sentence (kalan.rag.fact_check), in every mode."""

    enabled: bool = Field(True, description="Drop an answer sentence whose date, number or name does not stand in "
                          "the cited passage in the same sentence as the words it is attached to.")
    min_relation: float = Field(0.6, description="Share of a fact's clause words (those the passage holds at all) "
                                "that its passage sentence must hold (python -m kalan.evals.fact_swap).")
    head_weight: float = Field(2.0, description="Weight of the word a fact hangs on (its nearest content head) "
                               "among its clause words; the others weigh 1.")


class AnswerSettings(BaseModel):
    max_question_chars: int = Field(1000, description="Longer questions are politely refused.")
    max_sentences: int = Field(4, description="Most sentences in an extractive answer.")
    runner_up: float = Field(
        0.7, description="An extractive answer adds a sentence that brings new question words if it scores at "
        "least this share of the best sentence's score.",
    )
    second_sentence: float = Field(
        0.65, description="An extractive answer of one sentence adds the next best sentence, even without new "
        "question words, if it scores at least this share of the best (1: never). The answer often lies in the "
        "sentence beside the one that repeats the question's words (PIAF sample pass 0.658 -> 0.724). 0.75 -> 0.65 "
        "(38th pass): test halves, ten sets +3, PIAF kept +5, in conversation +2; 4 more words an answer.",
    )
    candidate_passages: int = Field(
        4, ge=1, description="An extractive answer chooses its sentences from the first N retrieved passages; "
        "retrieval.k may return more, for the student to read and the refusal rules to weigh. 5 -> 4 (38th pass): "
        "test halves, PIAF kept 479 -> 487 (fact first 317 -> 323), ten sets 481 -> 482, in conversation +1.",
    )
    one_article: bool = Field(
        True, description="An extractive answer quotes one article: the one whose passage retrieval ranks first "
        "(off: the best sentences of any retrieved article). Off, 23 % of answers on PIAF's tune half quoted two "
        "articles or more, the second one unrelated; on, answers holding their fact with a right direct answer are "
        "unchanged and fewer are wrong under a citation (BENCHMARKS.md, eleventh pass).",
    )
    namesakes: bool = Field(
        True, description="A question naming a person in full (« ousmane diallo ») is not answered by a sentence "
        "on another person of the same name (« Salimata Diallo »), and quotes the article that writes the name "
        "when the first retrieved one does not (``kalan.rag.namesakes``). Tune halves: presse +2 (wrong under a "
        "citation -2), nothing else moved; test halves: no verdict moved (BENCHMARKS.md, forty-ninth pass).",
    )
    restated_novelty: float = Field(
        0.75, description="An open question's best sentence whose novelty (the share of its words, weighted by "
        "rarity, that the question does not hold) is under this value only restates the question: the next "
        "sentence of its passage joins it, where the reason usually stands (0: off; flat from 0.65 to 0.85 on the "
        "tune halves, BENCHMARKS.md).",
    )
    reason_share: float = Field(
        0.5, description="A why-question whose chosen sentences give no reason (no connective of cause or purpose: "
        "« car », « en raison de », « afin de »; kalan.rag.reasons) takes the best sentence that gives one if it "
        "scores at least this share of the best (0: off; flat from 0.4 to 0.5 on the tune halves, BENCHMARKS.md).",
    )
    direct_answer: bool = Field(
        True, description="Open a date, number or name answer with the span of the cited sentence that answers "
        "(« Depuis 1960 [1]. »), before the quote; `short_answer` in the JSON.",
    )
    open_opening_words: int = Field(
        26, description="An open question (no date, number or name asked) whose first quoted sentence is longer "
        "than this many words plus four opens with « Selon l'article, <clauses> [n]. »: the run of that sentence's "
        "own clauses (cut at its commas, colons, dashes, parentheses) of at most this many words that holds the "
        "most question words, if it holds more than the quote's first words (kalan.rag.opening); the full quote "
        "follows (0: off). Direct-first, test halves: PIAF kept 0.567 -> 0.600, students and seed unchanged; "
        "no pass rate moved (BENCHMARKS.md).",
    )
    count_focus: bool = Field(
        True, description="A « combien de X » question's direct answer is a count that says X itself (« 256 "
        "couleurs »), not another number of a sentence that names X elsewhere (« au pont 7, … des cabines »); none: "
        "span_absent refuses. Test halves: students-piaf pass 0.634 -> 0.648, refused 0.531 -> 0.594; "
        "students-piaf2 0.623 -> 0.656; PIAF kept 0.620 -> 0.618, direct-first 0.608 -> 0.613 (BENCHMARKS.md). "
        "Likewise a sum asked by its verb and a bare « combien » (« le port a coûté combien ? », "
        "``lexicon.MONEY_VERBS``) is a count in a currency, not « 50 kilomètres » (forty-eighth pass: ten sets test "
        "+2, conversation +2).",
    )
    elapsed_years: bool = Field(
        True, description="One step of arithmetic: a question on the time between two events (« X combien "
        "d'années avant|après Y », « … entre X et Y ») that no chosen sentence answers with a length of time is "
        "answered with the years between the two events' years, each read from the chosen sentence that says it: "
        "« 5 ans (de 1755 à 1760) » (kalan.rag.short_answer.elapsed).",
    )
    year_ranges: bool = Field(
        True, description="One step of arithmetic: a question on how long one thing lasted (« … pendant combien "
        "d'années ? », « … a duré combien de temps ? ») that no chosen sentence answers with a length of time is "
        "answered with the years of a range the sentence gives beside the question's words: « du royaume de Prusse "
        "(1701-1871) » -> « 170 ans (de 1701 à 1871) » (kalan.rag.short_answer.ranged).",
    )
    corroborate_inferred: bool = Field(
        True, description="A date worked out rather than read (« 65ᵉ anniversaire en 2025 » -> 1960) is shown with "
        "the best sentence of the same article that writes that year (« Tout commence en 1960 … »), which takes "
        "the place of the other chosen sentences: the student sees the year in the article's own words "
        "(kalan.rag.chain, BENCHMARKS.md, thirty-first pass).",
    )
    kind_bonus_span: bool = Field(
        True, description="A date, number or name question's scoring bonus (score_kind_bonus) goes to a sentence "
        "only when the direct answer's span finder finds the asked fact in it (off: any date, number or name, "
        "« En 2025 » for « ça fait combien d'années »).",
    )
    lead_opening: bool = Field(
        True, description="An open question whose best sentence leans on the sentence before it (a pronoun: « Il "
        "évoluait au poste de gardien de but. » after « Martin Brodeur … est un joueur … ») opens with « Selon "
        "l'article, <that sentence, or its best run of clauses> [n]. » instead of the lead, which the quotes "
        "still give first (kalan.rag.opening.from_best).",
    )
    opening_clauses: bool = Field(
        False, description="An open question's opening (open_opening_words) is a run of clauses that stands alone "
        "as a sentence: a main clause whole (a finite verb and its subject, neither a relative's nor a "
        "subordinate's) and no joining word first (« et », « dont », « qui »), read from spaCy's parse of the "
        "sentence stored at ingestion (kalan.rag.clauses, kalan.rag.parses). Off: « Selon l'article, contenant une "
        "relique de la Crèche. », but the first sentence holds the fact more often (tune halves: ten sets "
        "direct-first -4, PIAF kept -1; BENCHMARKS.md, twenty-third and twenty-sixth passes).",
    )
    opening_joins: bool = Field(
        True, description="An open question's opening (open_opening_words) may also cut a clause longer than "
        "open_opening_words without punctuation before a word where the parse stored at ingestion says a joined "
        "clause begins (a coordinating conjunction, a relative pronoun: « … et les 1 000 kilomètres de Paris avec "
        "son compatriote Rolf Stommelen »), and between two sentences of one quote, so that a fact past the first 30 "
        "words of a long sentence can still open the answer (kalan.rag.opening.segments). Direct-first: PIAF kept "
        "tune 329 -> 332, test 316 -> 317; no pass moved (BENCHMARKS.md, thirty-seventh pass).",
    )
    opening_excerpt: bool = Field(
        True, description="An opening run that does not stand alone as a sentence (kalan.rag.clauses, read from the "
        "parse stored at ingestion) is quoted as a cut, « Selon l'article, « … de permettre l'accès … » [1]. », "
        "rather than framed as if it were a sentence (« Selon l'article, de permettre l'accès … »). The same words "
        "are shown: only the frame changes. Off: every run is framed as a sentence.",
    )
    open_opening_novelty: float = Field(
        0.0, description="Weight of a clause run's novelty (its words the question does not hold) against its "
        "share of the question's words, when choosing the opening of an open question (open_opening_words).",
    )
    open_opening_cosine: float = Field(
        0.0, description="Weight of a clause run's e5 cosine with the question (scaled to [0, 1] among the runs) "
        "when choosing an open question's opening (open_opening_words); each run is embedded (about 10 ms). Off: "
        "0.5 won one students case on the tune half but lost one on the test half.",
    )
    parts_asked_last: bool = Field(
        True, description="The direct answer also cuts a question at « et » when both sides ask and the right one "
        "asks last, as students write (« elle est arrivée à la cour en quelle année et invitée par qui ? », « … "
        "c'était qui et ça s'est passé en quelle année ? »): each part gets its span. A part whose span no chosen "
        "sentence holds, while another part has one, is then answered as an open part (the sentence that holds "
        "the other span opens). The refusal rules keep the plain cut (kalan.rag.answer_types.question_parts).",
    )
    open_part_sentence: bool = Field(
        True, description="A two-part question whose other part asks no date, number or name (« Quel traité … et "
        "en quelle année ? ») opens with the sentence that holds the span, or its run of clauses around it, framed "
        "« Selon l'article, … [n]. », instead of the span alone: the first sentence answers both parts "
        "(kalan.rag.chain; off: the span alone).",
    )
    require_span: bool = Field(
        True, description="Refuse when a part of the question asks a date, number or name and no chosen sentence "
        "holds a span of that kind (the direct answer's span finder).",
    )
    event_window: int = Field(
        8, ge=0, description="A date span answers only when a word of the question (its stem's first four "
        "letters) stands within this many words of it, or in the sentence that leans on its own: « (1571-1610) » "
        "beside another man's name does not date a birth (kalan.rag.short_answer.event_attached). Another chosen "
        "sentence may then give the span; with none, rule span_absent refuses. Dates only: on numbers it lost 12 "
        "PIAF kept tune answers for none gained (BENCHMARKS.md, twenty-second pass). 0: off.",
    )
    check_referent: bool = Field(
        True, description="A name question that says what it asks about (« le ministre russe de la Défense », "
        "« le projet de lithium ») takes no span the sentence describes as something else (« son homologue russe "
        "Sergueï Lavrov », « la société Rosatom »; kalan.rag.referents); with no other span, rule span_absent "
        "refuses.",
    )
    attach_names: bool = Field(
        True, description="A name's direct answer is said with the words right before it that attach it "
        "(kalan.rag.short_answer.attached, read from the words, no parse): its definite article, and for a place "
        "question or one asked through a preposition the preposition (« Où … ? » -> « Au Royaume-Uni », « Contre "
        "quel pays … ? » -> « Contre la Finlande »). PIAF kept direct-first, test half: 0.594 -> 0.608 "
        "(fourteenth pass); no pass rate moved.",
    )
    parse_spans: bool = Field(
        True, description="Read the direct answer's span with spaCy's parse of its sentence, stored at ingestion "
        "(kalan.rag.parses; no spaCy at answer time): a name with the title it stands in apposition to (« Le "
        "maréchal Ion Antonescu »), a person with what the sentence says they are (« Abdoulaye Diop, le ministre "
        "malien des Affaires étrangères »), a count cut before a verb (« 100 000 personnes », not « … personnes "
        "peuvent »). Test halves: PIAF kept direct-first 0.617 -> 0.621, passes unchanged; ten sets unchanged "
        "(BENCHMARKS.md, twenty-sixth pass).",
    )
    role_spans: bool = Field(
        True, description="A « qui » question's direct answer is the noun phrase the sentence's parse gives in the "
        "asked role, when there is one, before any named entity: the subject of the question's verb (« le bureau "
        "d'études »), its passive agent, or the phrase the preposition before « qui » introduces (« pour les "
        "habitants »; not « de qui »). The phrases are stored at ingestion with the named entities "
        "(kalan.rag.roles): no spaCy at answer time. Test halves: PIAF kept passes 475 =, direct-first +3 -0, "
        "direct answers right 112 -> 114; ten sets passes 476 =, direct-first -1 (BENCHMARKS.md, twenty-fourth "
        "pass).",
    )
    disabled_rules: list[str] = Field(
        default_factory=list, description="Refusal rules switched off, by name (kalan.rag.refusal.RULES): for "
        "ablations (python -m kalan.evals.ablate_rules); safety rules cannot be switched off.",
    )
    min_answerability: float | None = Field(
        None, description="Extractive mode: under this calibrated probability that the answer is right "
        "(kalan.rag.answerability, fitted per embedder on the tune halves), Kalan refuses; empty: the threshold "
        "fitted with the embedder's calibration; 0: off.",
    )
    direct_choices: int = Field(
        1, description="A one-part question's direct answer is said only when its sentence offers at most this many "
        "spans of the asked kind (0: always said). With two or more, the span finder picks the right one about half "
        "the time, and a wrong fact in bold above a quote that says the right one teaches the wrong one: the answer "
        "then opens with the sentence itself (its clauses around the question's words when it is long), and "
        "short_answer is null. Test halves: ten sets fact first 194 -> 201, wrong direct answers 30 -> 16; PIAF kept "
        "294 -> 317, 96 -> 43; no pass moves (BENCHMARKS.md, thirty-fifth pass).",
    )
    described_choice: bool = Field(
        True, description="A name question's span is said in bold among several names of its sentence "
        "(direct_choices) when the sentence describes it, and it alone, with the question's own head noun and a "
        "word of what follows it: « le ministre malien des Affaires étrangères, Abdoulaye Diop » for « Qui est le "
        "ministre des Affaires étrangères du Mali ? », beside « son homologue russe Sergueï Lavrov » "
        "(kalan.rag.referents.described_alone). Tune: 3 answers gain a right bold name, none a wrong one; test: 8 "
        "right, none wrong; no other figure moves (BENCHMARKS.md, thirty-seventh pass).",
    )
    direct_share: float = Field(
        0.75, description="The direct answer's span is taken from the best sentence, or from another selected "
        "sentence scoring at least this share of the best one.",
    )
    overview_sentences: int = Field(
        5, description="Most section openings quoted when a question asks for a whole article (\"Résume l'article\").",
    )
    min_retrieval_score: float | None = Field(
        None, description="Below this dense cosine of the best passage, the corpus is deemed silent; empty: the "
        "embedder's calibration (embedding.cosine.min_retrieval, 0.80 for e5)."
    )
    min_support: float = Field(0.35, description="Minimum support score for an answer sentence to be kept.")
    fact_check: FactCheckSettings = Field(
        FactCheckSettings(), description="Relation-aware check of each answer sentence's dates, numbers and names "
        "against the passage it cites (every mode; measured by python -m kalan.evals.fact_swap, BENCHMARKS.md).",
    )
    score_cosine: float = Field(
        0.55, description="A candidate sentence's score: this share goes to its calibrated cosine with the "
        "question, the rest to the share of the question's words it holds (each weighted by its rarity).",
    )
    fusion: Literal["off", "gemma"] = Field(
        "off", description="A second embedder whose question-sentence cosine is blended into each candidate "
        "sentence's cosine share (answer.fusion_weight): gemma (EmbeddingGemma-300M, installed by `kalan models "
        "install --model gemma`; its sentence vectors are computed at the first answer that needs them and kept in "
        "a bounded cache). Retrieval and the refusal thresholds keep the main embedder's cosine. Off by default: "
        "test halves, no pass moves (ten sets 476 of 680, PIAF kept 475 of 766), PIAF kept direct-first 0.617 -> "
        "0.642 and wrong answers under a citation 0.132 -> 0.119, at +270 ms a question for Gemma's question "
        "vector, +1.4 GB of RSS and Gemma's sentence vectors at 6 a second on 2 cores (BENCHMARKS.md).",
    )
    fusion_weight: float = Field(
        0.5, description="With answer.fusion: the second embedder's share of the sentence score's cosine part "
        "(each cosine mapped to [0, 1] by its own embedder's calibration).",
    )
    score_rank_prior: float = Field(
        0.08, description="Bonus of a sentence of the best-ranked passage, falling linearly to 0 with the rank.",
    )
    score_kind_bonus: float = Field(
        0.12, description="Bonus of a sentence that holds the kind of fact a date, number or name question asks.",
    )
    min_answer_score: float = Field(
        0.45, description="Extractive mode: below this score of the best answer sentence (similarity + weighted "
        "share of the question's words), the passages are on topic but do not answer; calibrated on PIAF with "
        "held-out paragraphs (python -m kalan.evals.piaf --holdout-percent).",
    )
    min_answer_score_follow_up: float = Field(
        0.40, description="The same for a follow-up, whose question carries the previous one's words too.",
    )
    strong_similarity: float | None = Field(
        None, description="Question-sentence cosine above which a reworded answer needs no shared words; empty: "
        "the embedder's calibration (embedding.cosine.strong, 0.855 for e5)."
    )
    min_type_coverage: float = Field(
        0.33, description="A sentence answering a date/number/name question must share this share of the "
        "question's own words (topic and question words aside)."
    )
    history_turns: int = Field(4, description="Turns of history used to condense follow-ups.")
    names_in_lower_case: bool = Field(
        True, description="A question naming in full a person the retrieved passages name (read off the entities "
        "stored at ingestion, so « qui est boubacar traore ? » counts) is not refused as weak retrieval; later "
        "rules decide (kalan.rag.refusal._weak_retrieval).",
    )
    follow_up_rewrite: bool = Field(
        True, description="Without a chat model, a follow-up fragment's standalone question is the previous "
        "question with the fragment in place of what it stands for (kalan.rag.ellipsis: « Et dans le domaine de "
        "l'énergie ? » replaces « en 2021 »); a follow-up asking its own question, and every follow-up when off: "
        "the previous question glued before it. Students test half 0.677 -> 0.698 (tune: same verdicts, direct-first "
        "0.775 -> 0.825), nothing else moved.",
    )
    follow_up_fresh_from_answer: bool = Field(
        True, description="A follow-up's words that the last answer already used (« domaine » after « … dans le "
        "domaine sécuritaire ») do not make that answer's sentence new again: only the words neither the last "
        "question nor the last answer held exempt it from the already-said penalty (when there are any). Students "
        "tune half 0.723 -> 0.747 (test 0.667 -> 0.677 alone, unchanged with follow_up_rewrite), nothing else moved.",
    )
    max_history_turns: int = Field(
        12, description="Most [question, answer] turns a request may send as history (API /ask); more are refused "
        "with a French message. The answer log keeps no more than this either.",
    )
    max_history_chars: int = Field(
        4000, description="Most characters of one history turn (question and answer together); a longer turn is "
        "refused. The answer log cuts each stored turn to this length.",
    )


class VerifiedSettings(BaseModel):
    reuse: bool = Field(True, description="Serve a teacher-verified answer (approved or corrected) again to a question "
                        "close in meaning, with a badge; and never serve again the sentences of an answer a teacher "
                        "marked wrong to a close question. False: every answer is composed anew.")
    min_similarity: float | None = Field(
        None, description="Question-question cosine from which a question is close to a verified one; empty: the "
        "embedder's calibration (embedding.cosine.same_question).",
    )
    same_names: bool = Field(True, description="A close question must also name nothing (names, numbers) that the "
                             "verified question does not: « … avec la Chine ? » is not « … avec la Russie ? ».")
    max_new_words: int | None = Field(
        0, description="Content words a close question may add to the verified one (typos, accents, endings and "
        "word order aside); empty: no word check, vectors only (false matches above 1 %, BENCHMARKS.md).",
    )
    max_missing_words: int = Field(2, description="Content words of the verified question a close one may leave out.")
    word_type: bool = Field(True, description="A question whose answer type the type detector does not see takes the "
                            "one its question word asks wherever it stands (« … dirigée par qui ? » asks a name, like "
                            "« Qui dirige … ? »); false: types as answer_types sees them (BENCHMARKS.md).")


class UISettings(BaseModel):
    host: str = Field("127.0.0.1", description="Bind address; keep loopback unless behind a proxy.")
    port: int = Field(7860, description="HTTP port.")
    concurrency_limit: int = Field(4, description="Answers computed at once; others wait in the queue.")
    max_queue: int = Field(200, description="Requests waiting before new ones are turned away.")


class ReviewSettings(BaseModel):
    db_url: str | None = Field(None, description="SQLite path, sqlite:/// or postgresql:// URL of the answer log; "
                               "database_url (KALAN_DATABASE_URL) wins; default <data_dir>/kalan.sqlite3.")
    teacher_user: str | None = Field(None, description="Teacher login (KALAN_REVIEW__TEACHER_USER).")
    teacher_password: SecretStr | None = Field(None, description="Teacher password, env only.")
    export_max_age_s: int = Field(
        600, description="Seconds an export (CSV, JSONL) stays downloadable from the review page before it is deleted.",
    )


class StudySettings(BaseModel):
    """Study features (kalan.study): guided mode and suggested questions."""

    mode: Literal["direct", "guided"] = Field(
        "direct", description="Default answer mode of this deployment: `direct` gives the cited answer at once; "
        "`guided` (« Guide-moi ») gives two hints, then checks the student's answer (chat toggle, `kalan ask`).",
    )
    suggestions: int = Field(3, description="Most suggested questions carried by an answer (0: none).")
    suggestion_checks: int = Field(
        6, description="Most candidate questions run through the answer path per answer to keep only those it "
        "answers (bounds the added latency).",
    )
    examples: int = Field(4, description="Example questions on the chat's landing page, generated from the corpus.")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KALAN_", env_nested_delimiter="__", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir, description="Where Kalan writes everything.")
    corpus_dir: Path = Field(default_factory=default_corpus_dir, description="Articles to ingest.")
    chroma_url: str | None = Field(None, description="Short-hand for store.url.")
    llm_gguf: Path | None = Field(None, description="Short-hand for llm.gguf_path.")
    database_url: str | None = Field(
        None, description="The database of the answer log, reviews and corpus version (KALAN_DATABASE_URL): "
        "postgresql://user:password@host:port/name to share it between instances; default: review.db_url, "
        "else the SQLite file <data_dir>/kalan.sqlite3.",
    )

    embedding: EmbeddingSettings = EmbeddingSettings()
    store: StoreSettings = StoreSettings()
    chunk: ChunkSettings = ChunkSettings()
    upload: UploadSettings = UploadSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    llm: LLMSettings = LLMSettings()
    answer: AnswerSettings = AnswerSettings()
    ui: UISettings = UISettings()
    review: ReviewSettings = ReviewSettings()
    verified: VerifiedSettings = VerifiedSettings()
    study: StudySettings = StudySettings()

    @model_validator(mode="after")
    def _apply_shorthands(self) -> "Settings":
        if self.chroma_url and not self.store.url:
            self.store.url = self.chroma_url
        if self.llm_gguf and not self.llm.gguf_path:
            self.llm.gguf_path = self.llm_gguf
        self.data_dir = Path(self.data_dir).expanduser().resolve()
        if self.embedding.cosine is None:
            self.embedding.cosine = COSINE_DEFAULTS.get(self.embedding.mode, COSINE_DEFAULTS["e5"])
        if self.answer.min_retrieval_score is None:
            self.answer.min_retrieval_score = self.embedding.cosine.min_retrieval
        if self.answer.strong_similarity is None:
            self.answer.strong_similarity = self.embedding.cosine.strong
        from kalan.rag.refusal import RULE_NAMES  # lazy: the rules module is not needed to read settings

        unknown = [r for r in self.answer.disabled_rules if r not in RULE_NAMES]
        if unknown:
            raise ValueError(f"règle de refus inconnue : {', '.join(unknown)} (connues : {', '.join(RULE_NAMES)})")
        if self.verified.min_similarity is None:
            self.verified.min_similarity = self.embedding.cosine.same_question
        return self

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def review_db(self) -> str:
        return self.database_url or self.review.db_url or str(self.data_dir / "kalan.sqlite3")


def with_overrides(settings: Settings, **sections: dict) -> Settings:
    """A copy of ``settings`` with some fields of some sections replaced (``llm={"mode": "openai"}``): command
    options derive new settings; the loaded ones are never changed. A section or field that does not exist, or a
    value its field refuses, is a ``ValueError`` (in French), not an override silently ignored."""
    update = {}
    for name, fields in sections.items():
        if not fields:
            continue
        current = getattr(settings, name, None)
        if not isinstance(current, BaseModel):
            raise ValueError(f"section de réglages inconnue : « {name} »")
        unknown = sorted(f for f in fields if f not in type(current).model_fields)
        if unknown:
            raise ValueError(f"champ inconnu dans « {name} » : {', '.join(unknown)}")
        # validated, so that a nested section given as a mapping (« embedding.cosine={…} ») becomes its model; a
        # refused value raises a ValueError
        update[name] = type(current).model_validate({**current.model_dump(), **fields})
    return settings.model_copy(update=update) if update else settings


def load_settings(**overrides) -> Settings:
    """Read the settings once (environment + explicit overrides)."""
    return Settings(**overrides)
