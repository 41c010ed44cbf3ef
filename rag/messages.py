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

# -- relecture enseignante (kalan.rag.answer_log, kalan review) ---------------------------------------
REVIEW_UNKNOWN_ID = "Réponse introuvable dans le journal de relecture : « {id} »."
REVIEW_NOT_REVIEWED = (
    "La réponse « {id} » n'a pas encore été relue : approuvez-la, rejetez-la ou corrigez-la "
    "avant de l'ajouter à un jeu d'évaluation."
)
REVIEW_REJECTED_NEEDS_CORRECTION = (
    "La réponse « {id} » a été rejetée : elle ne peut devenir un cas d'évaluation qu'une fois corrigée "
    "(kalan review correct {id} --answer \"…\")."
)
REVIEW_FEEDBACK_FORBIDDEN = "Vous ne pouvez noter que vos propres réponses."
REVIEW_BAD_FEEDBACK = "Avis invalide « {value} » : attendu « up », « down » ou aucun."
REVIEW_BAD_STATUS = "Statut invalide « {value} » : attendu {allowed}."
REVIEW_BAD_FORMAT = "Format d'export invalide « {value} » : attendu « csv » ou « jsonl »."
REVIEW_EMPTY_ANSWER = "La réponse corrigée est vide : écrivez la réponse attendue."
REVIEW_EMPTY_COMMENT = "Le commentaire est vide."
REVIEW_POSTGRES_UNSUPPORTED = (
    "PostgreSQL n'est pas encore pris en charge pour le journal de relecture : "
    "indiquez un chemin de fichier SQLite (KALAN_REVIEW__DB_URL) ou laissez la valeur par défaut."
)
REVIEW_SCHEMA_TOO_NEW = (
    "Le journal de relecture {path} a été créé par une version plus récente de Kalan "
    "(schéma {found}, cette version connaît le schéma {known}) : mettez Kalan à jour."
)
REVIEW_DB_BUSY = "Le journal de relecture {path} reste verrouillé par un autre processus : réessayez dans un instant."
REVIEW_DB_ERROR = "Journal de relecture illisible ({path}) : {error}."
REVIEW_LIST_EMPTY = "Aucune réponse ne correspond à ces critères."
REVIEW_LIST_HEADER = "{n} réponse(s), les plus récentes d'abord :"
REVIEW_APPROVED = "Réponse {id} approuvée."
REVIEW_REJECTED = "Réponse {id} marquée comme fausse (rejetée)."
REVIEW_CORRECTED = "Réponse {id} corrigée."
REVIEW_COMMENTED = "Commentaire ajouté à la réponse {id}."
REVIEW_EXPORTED = "{n} réponse(s) exportée(s) vers {path}."
REVIEW_PROMOTED = "Cas d'évaluation « {case_id} » ajouté à {path}."
