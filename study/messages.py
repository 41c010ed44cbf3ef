"""French messages of the study features (timeline, glossary, quiz), kept in one place for teachers to read."""

UNKNOWN_ARTICLE = "Article inconnu : « {article} ». Voir les identifiants avec `kalan timeline --json`."
