"""The French words Kalan's answering rules know by name, in one place.

Every hand-written French word list of the answering core lives here, folded (lower case, no accents) unless
its name says otherwise, with what it is for. Rules name these lists in the phrases they look for
(``kalan.rag.phrases``) instead of spelling words inside regular expressions, so a word added here reaches
every rule that reads the list, and a reviewer sees the whole vocabulary at once.

Not here: the rules that use the words (``kalan.rag.answer_types``, ``kalan.rag.short_answer``,
``kalan.rag.refusal``), stop words for BM25 (``kalan.rag.text.FRENCH_STOPWORDS``, shared with indexing).
"""

from __future__ import annotations

# number words that make a span a count (« plus d'un millier »), as the span finder reads them
COUNT_WORDS = ("un", "une", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze",
               "quinze", "vingt", "trente", "quarante", "cinquante", "soixante", "cent", "cents", "mille", "millier",
               "milliers", "million", "millions", "milliard", "milliards", "dizaine", "dizaines", "centaine",
               "centaines", "douzaine", "douzaines", "quinzaine", "vingtaine", "trentaine", "quarantaine",
               "cinquantaine", "soixantaine", "tiers", "quart", "quarts", "quelques")

# -- months and time units ----------------------------------------------------------------------------------
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
          "novembre", "decembre")
# units of a duration (« soixante-cinq ans », « six décennies »), singular, folded
DURATION_UNITS = ("an", "annee", "siecle", "mois", "jour", "semaine", "decennie", "heure")
# a length of time asked between two events, not up to the article's day (« combien de temps après … »)
INTERVAL_WORDS = ("apres", "avant")

# elisions that open the next clause after a count (« 2025 n'est », « 12 qu'il »), unlike the count's own noun
# (« d'habitants », « l'an »): kalan.rag.short_answer ends a count before them
CLAUSE_ELISIONS = ("n", "qu", "s", "j", "c", "m", "t")

# -- numbers -------------------------------------------------------------------------------------------------
# unit abbreviations read as their words (folded): « combien de km » meets « 7 800 kilomètres », both ways. Only
# those no other word is spelt like (« m », « t », « h » are not here)
UNIT_ABBREVIATIONS = {"km": "kilometres", "kms": "kilometres", "kg": "kilogrammes", "kgs": "kilogrammes",
                      "cm": "centimetres", "mm": "millimetres", "km2": "kilometres carres", "mw": "megawatts"}
# words that count in the answer_types checks (« soixante », « un millier », « la moitié »)
NUMBER_WORDS = ("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "vingt",
                "trente", "quarante", "cinquante", "soixante", "cent", "cents", "mille", "millier", "milliers",
                "million", "millions", "milliard", "milliards", "dizaine", "dizaines", "centaine", "centaines",
                "douzaine", "douzaines", "quinzaine", "vingtaine", "trentaine", "quarantaine", "cinquantaine",
                "soixantaine", "moitie", "tiers", "quart", "double", "triple")

# folded endings that make digits a rank, not a count: « 65ᵉ », « 3ème », « 20ième », « 1er », « 1re », « 2nde »
ORDINAL_ENDS = ("e", "eme", "ieme", "er", "ere", "re", "nd", "nde")

# -- what a question asks for --------------------------------------------------------------------------------
# « quel est le nombre / montant / taux … » asks a number
COUNT_NOUNS = ("nombre", "montant", "somme", "chiffre", "pourcentage", "proportion", "taux", "budget", "cout", "prix",
               "valeur", "effectif", "population", "quantite", "superficie", "volume", "total", "age", "salaire",
               "investissement", "tonnage", "puissance", "capacite", "production", "distance", "hauteur",
               "longueur", "poids", "vitesse", "temperature", "rang", "classement")
# « quel est le montant de l'investissement » : the nouns after which « de … » names what is counted
FOCUS_NOUNS = ("nombre", "montant", "somme", "chiffre", "pourcentage", "proportion", "taux", "budget", "cout",
               "prix", "valeur", "effectif", "quantite", "volume", "total", "puissance", "capacite", "production",
               "distance", "hauteur", "longueur", "poids", "vitesse", "duree")
# « en mégawatts », « en euros »: the unit asked for says a number is wanted
UNITS_ASKED = ("megawatt", "megawatts", "mw", "kw", "euro", "euros", "dollar", "dollars", "franc cfa", "francs cfa",
               "tonne", "tonnes", "km", "kilometre", "kilometres", "metre", "metres", "pourcentage", "pour cent")

# « quel pays / quelle ville … » asks a place, « quelle entreprise » an organisation, « quel ministre » a person
PLACE_NOUNS = ("pays", "ville", "capitale", "region", "province", "lieu", "continent")
ORG_NOUNS = ("entreprise", "societe", "groupe", "firme", "compagnie", "organisation", "institution", "journal")
PERSON_NOUNS = ("ministre", "president", "personne", "personnalite", "homme", "femme", "dirigeant", "chef", "auteur")
# titles of one office each: two different titles name two different people (« le président » is not « le
# ministre »), read by kalan.rag.referents
ROLE_TITLES = ("ministre", "president", "presidente", "roi", "reine", "prince", "princesse",
               "empereur", "imperatrice", "pape", "maire", "gouverneur", "ambassadeur", "ambassadrice", "general",
               "directeur", "directrice", "secretaire", "senateur", "depute", "juge", "procureur")
# determiners that open the noun phrase in apposition to a name (« la société Rosatom », « son homologue russe
# Sergueï Lavrov »); « du », « des » stay inside it (« le ministre des Affaires étrangères »)
DESCRIBER_DETERMINERS = ("le", "la", "les", "l'", "son", "sa", "ses", "leur", "leurs", "un", "une", "ce", "cet",
                         "cette")
OTHER_NAME_NOUNS = ("etat", "nation", "puissance", "localite", "quartier", "fleuve")
NAME_NOUNS = PLACE_NOUNS + ORG_NOUNS + PERSON_NOUNS + OTHER_NAME_NOUNS
# « à qui », « par qui », « avec qui »: a preposition before the interrogative « qui »
PREPOSITIONS_BEFORE_QUI = ("a", "par", "avec", "de", "pour", "contre", "chez")

# « qui a écrit l'article ? »: what a question about the article itself calls it
ARTICLE_NOUNS = ("article", "texte", "document", "extrait", "information", "entretien", "interview", "reportage")
# words of a question about the article's card (its author, date, source, title, address)
CARD_WORDS = ("ecrit redige signe auteur autrice auteurs journaliste publie publiee publication parution paru parue "
              "date source sources vient provient origine titre intitule s'intitule adresse url lien site journal "
              "media redaction").split()
# the card's field each of those asks (kalan.rag.card); « spec »: the word names the field without the article
# being named (« qui est l'auteur ? »), the others need it (« d'où vient ce texte ? », « de quand date l'article ? »).
# « Dans quel journal ? » is not the source's field: a card's source may describe, not name (« texte reçu … »)
CARD_FIELDS = {
    "author": {"spec": "auteur autrice auteurs", "other": "ecrit redige signe redaction"},  # « journaliste » stems as « journal »
    "date": {"spec": "publication parution", "other": "publie publiee paru parue date"},
    "source": {"spec": "", "other": "source sources vient provient origine"},  # « quel journal ? » asks a name
    "url": {"spec": "url", "other": "adresse lien"},
    "title": {"spec": "titre intitule s'intitule", "other": "appelle"},
}
# of those, the words of a question about the article's title (« selon le titre », « le titre dit … »)
TITLE_WORDS = ("titre", "intitule", "s'intitule")

# the prepositions that place something (folded): « au Royaume-Uni », « en Libye », « dans les Aurès »; a place's
# direct answer says them (kalan.rag.short_answer.attached), not « entre », « par », « près de »
PLACE_PREPOSITIONS = ("a", "au", "aux", "en", "dans", "sur", "chez")

# « En quelle année … et dans quel contexte ? »: a second question opens with « et », maybe a preposition,
# and one of these interrogatives; as written (lower case, accents kept: « ou » does not ask, « où » does)
PART_PREPOSITIONS = ("à", "a", "en", "dans", "de", "du", "par", "pour", "avec", "sur", "vers", "depuis", "jusqu'à")
PART_INTERROGATIVES = ("quel", "quelle", "quels", "quelles", "qui", "quand", "où", "comment", "pourquoi", "combien",
                       "que", "quoi")

# interrogative words: a follow-up that holds one asks its own question (« la Russie fait quoi ? »)
INTERROGATIVES = ("qui", "que", "quoi", "quel", "quelle", "quels", "quelles", "quand", "ou", "comment", "pourquoi",
                  "combien", "lequel", "laquelle", "lesquels", "lesquelles", "est-ce", "qu", "qu'",
                  # as students type them (« et l'anniversaire de koi ? »)
                  "koi", "ki", "kel", "kelle", "kels", "kan", "komen", "koman", "pk", "pq", "pkoi", "pourkoi", "cb",
                  "cmb")
# SMS spellings as students type them, written out before a question is read (kalan.rag.guards.clean_question):
# « cmb de morts » asks a number as « combien de morts » does. Only as typed in lower case, as whole words
# (« PK 12 » stays); « c » becomes « c'est » only before an interrogative (« c koi », not « vitamine c »).
SMS_WORDS = {"cb": "combien", "cmb": "combien", "cbn": "combien", "ki": "qui", "koi": "quoi", "kel": "quel",
             "kelle": "quelle", "kels": "quels", "kelles": "quelles", "qd": "quand", "kan": "quand", "kand": "quand",
             "pk": "pourquoi", "pq": "pourquoi", "pkoi": "pourquoi", "pourkoi": "pourquoi", "komen": "comment",
             "koman": "comment", "ya": "il y a", "ds": "dans", "tjr": "toujours", "tjrs": "toujours"}
SMS_C_BEFORE = ("qui", "quoi", "quel", "quelle", "quels", "quelles", "quand", "combien", "comment", "où")
# the interrogative words after which a date question's preposition belongs to its frame (« depuis quand »,
# « jusqu'à quelle année », « depuis combien de temps »), folded
DATE_INTERROGATIVES = ("quand", "quel", "quelle", "quels", "quelles", "combien")
# « quand le Mali a-t-il établi … »: the beginnings of words that ask when something began, and whole words
START_STEMS = ("commenc", "debut", "etabli", "noua", "noue", "crea", "cree", "fond", "naiss", "lanc", "ouvert",
               "signe")
START_WORDS = ("ne", "nee", "nes")

# a follow-up question opens with a linking word (« Et dans l'énergie ? ») or refers back (« ce pays », « il »)
# « pourquoi » is not one: « Pourquoi ? », « pourquoi ça ? » lean back by their few words, « Pourquoi il a écrit ? » by
# its pronoun, and a why-question with its own words asks its own question (BENCHMARKS.md, thirty-fourth pass)
FOLLOW_UP_OPENERS = ("et", "mais", "alors", "puis", "ensuite", "aussi", "donc", "comment ca")
# a subject put first and repeated by its pronoun (« la russie elle … »: kalan.rag.ellipsis): the articles before
# it, and the pronouns that repeat it (not « lui »: « le ministre lui a écrit » is someone else)
DEFINITE_ARTICLES = ("le", "la", "les", "l'")
REPEATING_SUBJECTS = ("il", "elle", "ils", "elles")
# an impersonal « il » refers to nothing (« il y a », « y a-t-il », « il faut », « faut-il », « il s'agit »): the verbs
# it is the subject of (« agir » only after « s' »: « il agit » is someone), and the forms of « avoir » after « y »
IMPERSONAL_VERBS = ("faut", "fallait", "faudra", "faudrait", "fallut")
S_AGIR = ("agit", "agissait", "agira")
Y_AVOIR = ("a", "avait", "aura", "aurait", "eut")
FOLLOW_UP_REFERENCES = ("il", "elle", "ils", "elles", "lui", "leur", "celui-ci", "celle-ci", "ce dernier",
                        "cette derniere", "ces derniers", "ce pays", "cette entreprise", "cette societe", "cet homme",
                        "cette personne", "ce ministre")

# Resolving a follow-up fragment (kalan.rag.ellipsis). Linking words before what the follow-up says
# (« Et sinon, … »); prepositions that open an adjunct (« en 2021 », « dans le domaine de l'énergie »): a bare
# follow-up opening with one replaces the previous question's adjunct (« à » and « de » open its arguments:
# « écrire à Lavrov », « se rapprocher de la Russie », and stay); subject pronouns that make the follow-up a
# clause of its own (not rewritten); pronouns standing alone for whom the last answer named (« Et lui ? »);
# copulas after which a question names what it asks about (« Qui est … »).
ELLIPSIS_OPENERS = ("et", "mais", "alors", "puis", "ensuite", "aussi", "sinon", "donc")
ADJUNCT_PREPOSITIONS = ("en", "dans", "ds", "pour", "pendant", "apres", "avant", "depuis", "avec", "sur", "cote",
                        "concernant", "chez", "vers", "durant", "lors", "sans", "contre")
SUBJECT_PRONOUNS = ("il", "elle", "ils", "elles", "on", "ca", "c'", "ce", "je", "j'", "tu", "nous", "vous")
REFERRING_PRONOUNS = ("il", "elle", "lui", "ils", "elles", "eux")
COPULAS = ("est", "sont", "etait", "etaient", "fut")
# finite forms of « être » and « avoir » (folded): a clause has its verb (« ça a tenu », « l'URSS est tombée »);
# ``answer_types`` also reads an imperfect ending (« existait »). Not modals: « on peut savoir quand … » asks.
FINITE_AUXILIARIES = COPULAS + ("furent", "sera", "seront", "serait", "suis", "es", "sommes", "etes", "a", "ont",
                                 "avait", "avaient", "eut", "aura", "auront", "aurait", "ai", "as", "avons", "avez")
# words after which « quand » is the asked date itself (« depuis quand », « jusqu'à quand », « à partir de quand »)
WHEN_PREPOSITIONS = ("depuis", "jusqu'", "jusqu", "de", "d'", "des", "a", "pour", "partir")
# the prepositions of a length of time asked (« pendant combien de temps »): the question's frame, like « depuis »
DURING = ("pendant", "durant")

# a request for the whole article (« Peux-tu me résumer le texte ? », « Quel est le sujet de l'article ? »)
OVERVIEW_ASK = ("tu peux", "peux-tu", "pourrais-tu", "vous pouvez", "pouvez-vous", "pourriez-vous")
OVERVIEW_VERBS = ("resume", "resumez", "resumer", "synthetise", "synthetisez", "synthetiser")
OVERVIEW_MAKE = ("fais", "faites", "donne", "donnez", "ecris", "ecrivez", "redige", "redigez")
OVERVIEW_NOUNS = ("resume", "synthese", "apercu")
OVERVIEW_TOPICS = ("sujet", "theme", "themes", "idee", "idees", "point", "points", "message", "messages",
                   "grandes lignes", "essentiel")
OVERVIEW_MAIN = ("principal", "principaux", "principale", "principales", "essentiel", "essentiels", "essentielle",
                 "essentielles", "cles", "importants", "importantes", "central", "centrale")
OVERVIEW_THE_ARTICLE = ("l'article", "cet article", "ce texte", "le texte", "l'extrait", "ce document",
                        "le document", "l'actualite", "cette actualite")
OVERVIEW_OF = ("de l'", "du", "de ce", "de cet", "de cette", "dans l'", "dans le", "dans ce", "dans cet", "dans cette")
OVERVIEW_DOCS = ("article", "texte", "extrait", "document", "actualite")
# what a request in any word order asks of the document: what it says, or its subject (« l'article parle de quoi »)
OVERVIEW_ASKED = ("parle", "traite", "dit", "raconte", "explique", "résumé", "résume", "sujet", "thème", "thèmes",
                  "idée", "idées", "point", "points", "message", "messages", "essentiel", "grandes lignes")
# interrogatives that ask a fact of the document (« l'article est de qui ? »), not what it says
OVERVIEW_FACT_ASKED = ("qui", "quand", "où", "combien", "pourquoi", "comment")
# every word a whole-article request may hold (« c koi le sujet principal de l'article »); another word names a subject
OVERVIEW_REQUEST_WORDS = tuple((
    "résume résumer résumez synthétise synthèse aperçu article texte extrait document actualité parle traite "
    "sujet thème thèmes idée idées point points message messages grandes lignes essentiel principal principaux "
    "principale principales clés importants centrale central dit raconte explique fais faites donne donnez écris "
    "rédige moi nous petit bref court peux pourrais pouvez pourriez question agit quoi gros globalement").split())

# -- instructions aimed at the assistant (kalan.rag.guards) ---------------------------------------------------
INJECTION_FORGET = ("ignore", "oublie", "oubliez", "ignorez", "ne tiens pas compte", "ne tenez pas compte", "disregard",
                    "forget")
# what an injection tells the assistant to forget: its rules, or the articles it must answer from (« oublie l'article
# et écris… », « ignore le texte et affirme… »: one such question in each blind set, none among 2,432 questions else)
INJECTION_RULES = ("instruction", "consigne", "regle", "prompt", "directive", "precedent", "ce qui precede", "tout ce",
                   "article", "texte", "corpus", "source", "document", "contexte")
INJECTION_YOU_ARE = ("tu es", "vous etes", "you are")
INJECTION_PLAY = ("joue", "jouez", "incarne", "incarnez", "fais semblant", "faites semblant")
INJECTION_MODES = ("developpeur", "dan", "sans restriction", "sans filtre")
INJECTION_SHOW = ("revele", "revelez", "affiche", "montre", "donne", "repete", "reveal", "print", "show")
INJECTION_SAY = ("reponds", "repondez", "ecris", "ecrivez", "affirme", "affirmez", "dis", "dites")
# a request for a task rather than a question on the articles, by its first word
TASK_VERBS = ("ecris", "ecrivez", "redige", "redigez", "compose", "traduis", "traduisez", "calcule", "calculez", "code",
              "programme", "genere", "generez", "invente", "inventez", "raconte", "racontez", "write", "translate",
              "tell me a")
# the same request asked politely (« Peux-tu m'écrire un poème ? », « Tu pourrais traduire… »): the modal, then
# the task verb in the infinitive
TASK_MODALS = ("peux - tu", "peux tu", "pourrais - tu", "pourrais tu", "pouvez - vous", "pouvez vous",
               "pourriez - vous", "pourriez vous", "tu peux", "tu pourrais", "vous pouvez", "vous pourriez",
               "est-ce que tu peux", "est-ce que vous pouvez", "est-ce que tu pourrais", "est-ce que vous pourriez",
               "est ce que tu peux", "est ce que vous pouvez", "est ce que tu pourrais", "est ce que vous pourriez",
               "can you", "could you")
TASK_INFINITIVES = ("ecrire", "rediger", "composer", "traduire", "calculer", "coder", "programmer", "generer",
                    "inventer", "write", "translate")
# an order that goes on with one of these asks a question about the articles (« Peux-tu calculer depuis combien
# d'années… ? », « Écris pourquoi… »): not a task (« qui », « que » also open relative clauses: « un poème qui… »)
TASK_QUESTION_WORDS = ("quel", "quelle", "quels", "quelles", "quand", "comment", "pourquoi", "combien", "kel", "kelle",
                       "kan", "komen", "pk", "pq", "pkoi", "pourkoi", "cb", "cmb")

# -- sentences written for an AI assistant (kalan.rag.planted) ----------------------------------------------
PLANTED_ADDRESSEES = (
    "chatbot", "chatbots", "chat bot", "chat bots", "chatgpt", "llm", "llms", "ia", "ai", "intelligence artificielle",
    "intelligences artificielle", "intelligence artificielles", "intelligences artificielles",
    "artificial intelligence", "modele de langage", "modeles de langage", "modele de langue", "modeles de langue",
    "modele d'ia", "modeles d'ia", "modele linguistique", "modeles linguistique", "modele linguistiques",
    "modeles linguistiques", "modele generatif", "modeles generatif", "modele generatifs", "modeles generatifs",
    "language model", "language models", "large language model", "large language models", "robot conversationnel",
    "robots conversationnel", "robot conversationnels", "robots conversationnels", "agent conversationnel",
    "agents conversationnel", "agent conversationnels", "agents conversationnels", "agent ia", "agents ia",
    "agent ai", "agents ai", "bot", "bots", "copilot", "kalan")
PLANTED_DETERMINERS = ("l'", "le", "la", "les", "the", "a", "an", "un", "une", "cet", "ce", "tout", "toute", "tous les",
                       "any", "all", "chaque", "every")
PLANTED_CALLS = ("note a", "note au", "note aux", "note to", "note pour", "a l'attention de", "a l'attention du",
                 "a l'attention des", "attention", "dear", "cher", "chere", "hey", "hello", "bonjour")
PLANTED_IF_YOU_ARE = ("si tu es", "si vous etes", "if you are", "if you're", "you are")
PLANTED_SECOND_PERSON_ORDERS = (
    "tu dois", "vous devez", "tu vas", "tu ne dois", "vous ne devez", "n'oublie pas", "n'oubliez pas",
    "ne mentionne pas", "ne mentionnez pas", "reponds", "repondez", "dis", "dites", "ecris", "ecrivez", "ajoutez",
    "affichez", "incluez", "inserez", "citez", "mentionnez", "recommandez", "redirigez", "ignorez", "oubliez",
    "you must", "you should", "you will", "do not mention", "don't mention", "please answer", "please reply",
    "please say", "please add", "please include", "please tell")
PLANTED_AMBIGUOUS_ORDERS = (
    "ajoute", "affiche", "inclus", "insere", "cite", "mentionne", "recommande", "redirige", "ignore", "oublie", "say",
    "tell", "add", "include", "insert", "output", "print", "write", "consigne", "consignes", "instruction",
    "instructions", "directive", "directives", "prompt")
PLANTED_NOW = ("maintenant", "desormais", "dorenavant", "now", "please", "s'il te plait", "s'il vous plait")
PLANTED_SAY = ("reponds", "repondez", "dis", "dites", "ecris", "ecrivez", "affirme", "affirmez", "answer", "reply",
               "respond", "say", "tell the user")
PLANTED_TO_USER = ("a l'utilisateur", "a l'eleve", "aux eleves", "a l'usager", "the user", "to the user")
PLANTED_ADD = ("ajoute", "ajoutez", "insere", "inserez", "inclus", "incluez", "affiche", "affichez", "add", "insert",
               "include", "append")
PLANTED_MUST = ("doit", "doivent", "devra", "devront", "must", "should", "shall", "has to", "have to")
PLANTED_DUTIES = ("dire", "ecrire", "afficher", "ajouter", "inclure", "inserer", "affirmer", "answer", "reply",
                  "respond", "say", "write", "output", "print", "add", "include")
PLANTED_OVERRIDE = ("ignore", "ignorez", "ignorer", "oublie", "oubliez", "oublier", "disregard", "forget", "override",
                    "contourne", "contournez", "ne tiens pas compte", "ne tiens plus compte", "ne tenez pas compte",
                    "ne tenez plus compte")
PLANTED_YOUR = ("tes", "vos", "your", "toute les", "toute tes", "toute vos", "toutes les", "toutes tes", "toutes vos",
                "all", "any")
PLANTED_RULES = ("instruction", "instructions", "consigne", "consignes", "directive", "directives", "regles", "rules",
                 "prompt")
PLANTED_RULES_OR_MESSAGES = PLANTED_RULES + ("message", "messages")
PLANTED_EARLIER = ("precedent", "precedente", "precedents", "precedentes", "anterieur", "anterieure", "anterieurs",
                   "anterieures", "ci-dessus", "plus haut", "initial", "initiale", "initials", "initiales",
                   "d'origine", "previous", "prior", "above", "earlier", "original")
PLANTED_RULES_EN = ("instruction", "instructions", "prompt", "prompts", "directive", "directives", "rules")
PLANTED_WHAT_CAME_BEFORE = ("tout ce qui precede", "ce qui precede", "the above", "everything above", "everything before")
PLANTED_MACHINE_PROMPTS = (
    "prompt systeme", "prompt system", "prompt initial", "system prompt", "invite systeme", "message systeme",
    "instruction systeme", "instructions systeme", "mode developpeur", "mode dan", "mode sans restriction",
    "mode sans restrictions", "mode sans filtre", "mode sans filtres", "developer mode", "jailbreak")
PLANTED_CHAT_TAGS = ("im_start", "im_end", "system", "user", "assistant", "endoftext", "begin_of_text",
                     "start_header_id", "eot_id")
PLANTED_ROLES = ("systeme", "system", "assistant", "ia", "ai", "admin", "administrateur", "developpeur", "developer")

# « que s'est-il passé en 1960 ? »: the verbs that ask what happened, folded (``answer_types.HAPPENED_Q``)
HAPPENING_VERBS = ("passe", "passee", "passes", "passait", "passera", "produit", "produite", "produisait",
                   "deroule", "deroulee", "deroulait", "arrive", "arrivee", "arrivait")
EVENT_NOUNS = ("evenement", "evenements", "fait", "faits")
NOTABLE = ("important", "marquant", "special", "particulier", "notable", "nouveau", "neuf", "grave")  # « … d'important »

# words of a question that say what kind of fact is asked, not what it is about
TYPE_WORDS = ("quand date annee jour mois siecle epoque combien nombre montant somme chiffre quantite volume total "
              "nom appelle qui quel quelle quels quelles").split()

# -- nouns around a count ------------------------------------------------------------------------------------
# adjectives before the counted noun: « combien de jeunes Maliens » counts Maliens
PRENOMINAL = ("jeunes nouveaux nouvelles grands grandes petits petites premiers premieres derniers dernieres vieux "
              "anciens anciennes autres principaux principales gros grosses hauts hautes longs longues vrais "
              "differents").split()
# « combien de personnes » may be answered by « salariés », « habitants »: no noun to insist on
GENERIC_COUNTED = "personnes gens individus fois elements choses unites exemplaires".split()
# « combien d'argent » is counted in a currency (« 14,3 milliards de dollars »): a count of money holds one of these
MONEY_NOUNS = ("argent", "fric", "thune")
# verbs that ask a sum of money through a bare « combien » (« ça a coûté combien ? », « il est payé combien ? »);
# not nouns (« le prix a perdu combien ? » asks a change), nor « toucher », « gagner » (« combien sont touchés ? »)
MONEY_VERBS = ("coute", "coutent", "coutait", "coutaient", "couter", "coutera", "couteront", "paye", "payes",
               "payee", "payees", "payer", "paie", "paient", "depense", "depenses", "depensee", "depenser", "investi",
               "investis", "investie", "investir", "vaut", "valent", "valait")
CURRENCIES = ("dollar", "dollars", "euro", "euros", "franc", "francs", "cfa", "fcfa", "livre", "livres", "yen",
              "yuan", "yuans", "rouble", "roubles", "dinar", "dinars", "dirham", "dirhams", "roupie", "roupies")

# -- names -----------------------------------------------------------------------------------------------------
# capitalised only because they open a sentence: « Selon Bamako » names Bamako
SENTENCE_OPENERS = ("selon depuis pendant apres avant entre vers chez sous sans contre malgre parmi durant outre quant "
                    "lorsque puisque voici voila").split()
# capitalised common nouns: not names the corpus must contain
COMMON_CAPITALISED = ("etat etats est ouest nord sud occident orient gouvernement president ministre republique "
                      "union europe afrique monde histoire article").split()
# seats of power that news articles use for their government (« le Kremlin » for Moscow): a passage naming
# the city or the country mentions them
METONYMS = {
    "kremlin": ("moscou", "russie", "russe"), "elysee": ("paris", "france", "francais"),
    "matignon": ("paris", "france", "francais"), "orsay": ("paris", "france", "francais"),
    "koulouba": ("bamako", "mali", "malien"), "blanche": ("washington", "etats-unis", "americain"),
    "pentagone": ("washington", "etats-unis", "americain"), "downing": ("londres", "royaume-uni", "britannique"),
    "zhongnanhai": ("pekin", "chine", "chinois"), "bercy": ("paris", "france", "francais"),
}

# -- sentences that lean on the previous one (« Ce jour marque… »), as written, capital included --------------
ANAPHORA_OPENERS = ("Ce", "Cet", "Cette", "Ces", "Il", "Elle", "Ils", "Elles", "Cela", "Ceci")
ANAPHORA_OPENERS_CI = ("Celui", "Celle", "Ceux")  # with « -ci »

# -- sentence splitting --------------------------------------------------------------------------------------
# abbreviations whose full stop does not end a sentence (« M. Diop », « av. J.-C. »), as written
ABBREVIATIONS = ("m mm mme mmes mlle dr pr me st ste av apr j.-c jc etc cf p pp vol no n° art ch chap fig env "
                 "janv fev févr sept oct nov dec déc gén gen col cdt lt sgt mgr vs ex éd ed").split()

# -- reasons (kalan.rag.reasons), folded: questions that ask why, and the connectives that give a cause or a purpose
REASON_QUESTIONS = ("pourquoi", "pk", "pq", "pkoi", "pourkoi", "pour quelle raison", "pour quelles raisons",
                    "dans quel but", "a quoi sert", "a quoi servait", "a quoi servent", "a quoi servaient",
                    "a quoi devait servir", "a quoi doit servir")
_OF = ("de", "d'", "du", "des")
CAUSE_MARKERS = (("car", "parce que", "parce qu'", "puisque", "puisqu'", "c'est pourquoi", "pour permettre",
                  "pour que", "pour qu'", "afin que", "afin qu'", "si bien que", "de sorte que", "raison pour laquelle",
                  "grace a", "grace au", "grace aux", "suite a", "suite au", "suite aux", "du a", "due a", "dus a",
                  "dues a", "du au", "due au", "dus au", "dues au", "du aux", "due aux", "dus aux", "dues aux",
                  "permet", "permettent", "permettait", "permettaient", "permettant", "permettra", "permit",
                  "s'explique", "s'expliquent", "s'expliquait", "explique par", "expliquee par", "motive par")
                 + tuple(f"{lead} {of}" for lead in ("en raison", "a cause", "pour cause", "du fait", "faute", "afin",
                                                       "dans le but", "en vue", "a la suite") for of in _OF))
