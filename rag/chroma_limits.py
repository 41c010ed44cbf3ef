"""How many records Kalan sends to or reads from Chroma at once: one place for the chunk store
(``kalan.rag.store``), the sentence vectors' collection and its migration (``kalan.rag.sentence_store``) and the
lexical index's id scans (``kalan.rag.lexical``).

Chroma on SQLite binds one SQL variable per id or metadata value: a page or batch must stay under SQLite's
limit (32 766 variables). Does not talk to Chroma itself.
"""

WRITE_BATCH = 256  # records per upsert or update (and per delete of chunks)
IDS_PAGE = 20_000  # ids-only scans: Chroma pages by offset, so fewer pages are much faster
# reads with metadata (or documents, vectors), and deletes of sentence ids: larger pages barely help, and
# 50 000 exceeds SQLite's variable limit
META_PAGE = 5_000
