"""French messages of the study features (timeline, glossary, quiz), kept in one place for teachers to read."""

UNKNOWN_ARTICLE = "Article inconnu : « {article} ». Voir les identifiants avec `kalan timeline --json`."

QUIZ_UNKNOWN_ID = "Question de quiz introuvable : « {id} ». Voir les identifiants avec `kalan quiz list`."
QUIZ_BAD_STATUS = "Statut invalide « {value} » : attendu {allowed}."
QUIZ_BAD_FORMAT = "Format d'export invalide « {value} » : attendu gift, moodle-xml ou csv."
QUIZ_APPROVED = "Question {id} approuvée."
QUIZ_REMOVED = "Question {id} retirée : elle ne sera plus proposée."
QUIZ_EXPORTED = "{n} question(s) approuvée(s) exportée(s) vers {path} ({format})."
QUIZ_NOTHING_APPROVED = "Aucune question approuvée : approuvez-en d'abord (kalan quiz approve ID)."
QUIZ_ACTION_NEEDS_ID = "« kalan quiz {action} » attend l'identifiant d'une question (voir kalan quiz list)."
QUIZ_EXPORT_NEEDS = "« kalan quiz export » attend --format (gift, moodle-xml ou csv) et --output FICHIER."
QUIZ_EMPTY = "Aucune question : le corpus ne contient pas de phrase portant une date, un nombre ou un nom."
QUIZ_CATEGORY = "Kalan — questions approuvées"

# -- student page tabs ------------------------------------------------------------------------------
UI_TAB_QUIZ = "Quiz"
UI_TAB_TIMELINE = "Chronologie"
UI_TAB_GLOSSARY = "Lexique"
UI_QUIZ_INTRO = "Chaque question vient d'une phrase des articles : après votre réponse, Kalan montre la phrase qui la prouve."
UI_QUIZ_NEW = "Nouveau quiz"
UI_QUIZ_CHECK = "Valider"
UI_QUIZ_NEXT = "Question suivante"
UI_QUIZ_ANSWER = "Votre réponse"
UI_QUIZ_CHOICES = "Choisissez une réponse"
UI_QUIZ_RIGHT = "Bonne réponse !"
UI_QUIZ_WRONG = "Pas tout à fait : la bonne réponse est « {answer} »."
UI_QUIZ_NO_ANSWER = "Répondez d'abord (choisissez ou écrivez une réponse)."
UI_QUIZ_SCORE = "Score : {score} / {done} (question {i} sur {n})"
UI_QUIZ_DONE = "Quiz terminé : {score} / {n}. Cliquez « Nouveau quiz » pour recommencer."
UI_QUIZ_START = "Cliquez « Nouveau quiz » pour commencer."
UI_QUIZ_PROOF = "La phrase de l'article qui le prouve :"
UI_TRUE = "vrai"
UI_FALSE = "faux"
UI_TIMELINE_INTRO = "Les dates des articles, dans l'ordre. Cliquez un événement pour lire son passage."
UI_TIMELINE_EMPTY = "Aucune date trouvée dans les articles du corpus."
UI_TIMELINE_ANCHOR = "date déduite de « {anchor} »"
UI_GLOSSARY_INTRO = "Les personnes, organisations, lieux et termes clés des articles. Cliquez une question pour la poser à Kalan."
UI_GLOSSARY_EMPTY = "Aucun terme trouvé dans les articles du corpus."
UI_GLOSSARY_ASK = "Demander à Kalan"
UI_STUDY_UNAVAILABLE = "Indisponible pour l'instant : {error}"
KIND_LABELS = {"personne": "personne", "organisation": "organisation", "lieu": "lieu", "autre": "terme"}

# -- teachers' review -------------------------------------------------------------------------------
REVIEW_QUIZ_TITLE = "Questions de quiz générées"
REVIEW_QUIZ_INTRO = ("Approuvez les bonnes questions, retirez les autres (elles ne seront plus proposées), puis "
                     "exportez les questions approuvées pour Moodle (GIFT ou XML) ou un tableur (CSV).")
REVIEW_QUIZ_GENERATE = "Générer des questions"
REVIEW_QUIZ_APPROVE = "Approuver"
REVIEW_QUIZ_REMOVE = "Retirer"
REVIEW_QUIZ_ID = "Identifiant de la question"
REVIEW_QUIZ_NONE = "Choisissez d'abord une question dans la liste (ou saisissez son identifiant)."
REVIEW_QUIZ_COUNT = "{n} question(s) : {approved} approuvée(s), {removed} retirée(s)."

# -- guided mode and suggested questions ---------------------------------------------------------
GUIDED_HINT1 = "Indice 1 : la réponse se trouve dans la section « {section} » de l'article « {title} »."
GUIDED_HINT1_NO_SECTION = "Indice 1 : la réponse se trouve dans l'article « {title} »."
GUIDED_FOCUS = {
    "date": "Quelle date cette section donne-t-elle à propos de : {topic} ?",
    "number": "Quel nombre cette section donne-t-elle à propos de : {topic} ?",
    "name": "Quel nom cette section donne-t-elle à propos de : {topic} ?",
    None: "Que dit cette section à propos de : {topic} ?",
}
GUIDED_FOCUS_NO_TOPIC = "Relis cette section : quelle phrase répond à la question ?"
GUIDED_HINT2_LEAD = "Indice 2 : complète la phrase de l'article —"
GUIDED_HINT2 = GUIDED_HINT2_LEAD + " « {cloze} »"
GUIDED_ASK_ANSWER = "Écris ta réponse, ou demande l'indice suivant."
GUIDED_RIGHT = "Bravo, c'est juste : « {expected} »."
GUIDED_WRONG = "Ce n'est pas ça : la réponse attendue était « {expected} »."
GUIDED_EMPTY = "Ta réponse est vide : écris ce que tu as trouvé, même si tu n'es pas sûr."
GUIDED_QUOTE = "La phrase de l'article : « {quote} » ({title} — {section})."
BLANK = "_____"

SUGGESTIONS_LABEL = "Pour aller plus loin :"
SUGGEST_WHEN = "Que s'est-il passé {when} ?"
SUGGEST_WHO = "Qui est {name} ?"
SUGGEST_WHAT = "Qu'est-ce que {name} ?"
SUGGEST_HOW_MANY = "À quoi correspond le chiffre « {number} » ?"
GUIDED_ASK_LAST = "Écris ta réponse dans la case ci-dessous."
GUIDED_ANSWER_PLACEHOLDER = "Ta réponse…"
GUIDED_TOGGLE = "Guide-moi (indices au lieu de la réponse)"
GUIDED_HINT_BUTTON = "Indice suivant"
