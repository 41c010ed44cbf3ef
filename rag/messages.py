"""Every French message Kalan shows a user, in one place, so a teacher can read and correct them.

Prompts for language models live in ``kalan.rag.prompts``.
"""

QUESTION_EMPTY = "Votre question est vide : écrivez une question en français sur les articles du corpus."
QUESTION_TOO_LONG = (
    "Votre question est trop longue ({n} caractères, maximum {max}). "
    "Posez une question plus courte et plus précise."
)
REFUSAL = (
    "Je ne trouve pas la réponse dans les articles du corpus. "
    "Je préfère ne rien inventer : reformulez votre question ou posez-en une sur les sujets couverts."
)
REFUSAL_INJECTION = (
    "Je ne peux pas suivre ce type de consigne. Je réponds uniquement, avec des sources, "
    "aux questions sur les articles du corpus."
)
REFUSAL_OFF_TOPIC = (
    "Cette question sort du champ des articles du corpus : je ne peux y répondre sans inventer."
)
CORPUS_COVERS = "Le corpus couvre : {titles}."
STORE_DOWN = "La base de passages est inaccessible ({where}) : {error}. Réessayez dans un instant."
STORE_EMPTY = "La base de passages est vide : lancez d'abord `kalan ingest`."
LLM_FALLBACK = "Le modèle de langue ne répond pas ({error}) : réponse extractive à la place."
MODEL_MISSING = (
    "Modèle d'embedding introuvable : lancez `kalan models install` (ou `make setup`), "
    "ou indiquez un dossier local avec KALAN_EMBEDDING__PATH."
)
SOURCES_HEADER = "Sources :"
INGEST_SUMMARY = "{articles} article(s), {chunks} passage(s) : {added} ajouté(s), {unchanged} inchangé(s), {removed} supprimé(s)."
INGEST_FILE_ERROR = "Fichier ignoré — {error}"
INGEST_NO_FILES = "Aucun article trouvé dans {corpus} (formats acceptés : .md, .txt)."
CORPUS_MISSING = "Dossier de corpus introuvable : {corpus}."
SEARCH_HINT = 'Cherchez avec : .venv/bin/kalan search "votre question"'
BATCH_BAD_LINE = "Ligne {line} de {file} illisible (JSON attendu avec « id » et « question ») : {error}"
