"""French messages of the study features (guided mode, suggested questions), as constants a teacher can correct."""

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
