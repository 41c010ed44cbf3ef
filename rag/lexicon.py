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
               "centaines", "quelques")

# -- months and time units ----------------------------------------------------------------------------------
MONTHS = ("janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre", "octobre",
          "novembre", "decembre")
# units of a duration (« soixante-cinq ans », « six décennies »), singular, folded
DURATION_UNITS = ("an", "annee", "siecle", "mois", "jour", "semaine", "decennie", "heure")

# -- numbers -------------------------------------------------------------------------------------------------
# words that count in the answer_types checks (« soixante », « un millier », « la moitié »)
NUMBER_WORDS = ("deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf", "dix", "onze", "douze", "vingt",
                "trente", "quarante", "cinquante", "soixante", "cent", "cents", "mille", "millier", "milliers",
                "million", "millions", "milliard", "milliards", "dizaine", "dizaines", "centaine", "centaines",
                "moitie", "tiers", "quart", "double", "triple")

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
OTHER_NAME_NOUNS = ("etat", "nation", "puissance", "localite", "quartier", "fleuve")
NAME_NOUNS = PLACE_NOUNS + ORG_NOUNS + PERSON_NOUNS + OTHER_NAME_NOUNS
# « à qui », « par qui », « avec qui »: a preposition before the interrogative « qui »
PREPOSITIONS_BEFORE_QUI = ("a", "par", "avec", "de", "pour", "contre", "chez")

# « qui a écrit l'article ? »: what a question about the article itself calls it
ARTICLE_NOUNS = ("article", "texte", "document", "extrait", "information")
# words of a question about the article's card (its author, date, source, title, address)
CARD_WORDS = ("ecrit redige signe auteur autrice auteurs journaliste publie publiee publication parution paru parue "
              "date source sources vient provient origine titre intitule s'intitule adresse url lien site journal "
              "media redaction").split()

# « En quelle année … et dans quel contexte ? »: a second question opens with « et », maybe a preposition,
# and one of these interrogatives; as written (lower case, accents kept: « ou » does not ask, « où » does)
PART_PREPOSITIONS = ("à", "a", "en", "dans", "de", "du", "par", "pour", "avec", "sur", "vers", "depuis", "jusqu'à")
PART_INTERROGATIVES = ("quel", "quelle", "quels", "quelles", "qui", "quand", "où", "comment", "pourquoi", "combien",
                       "que", "quoi")

# interrogative words: a follow-up that holds one asks its own question (« la Russie fait quoi ? »)
INTERROGATIVES = ("qui", "que", "quoi", "quel", "quelle", "quels", "quelles", "quand", "ou", "comment", "pourquoi",
                  "combien", "lequel", "laquelle", "lesquels", "lesquelles", "est-ce", "qu", "qu'")
# « quand le Mali a-t-il établi … »: the beginnings of words that ask when something began, and whole words
START_STEMS = ("commenc", "debut", "etabli", "noua", "noue", "crea", "cree", "fond", "naiss", "lanc", "ouvert",
               "signe")
START_WORDS = ("ne", "nee", "nes")

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

# -- sentence splitting --------------------------------------------------------------------------------------
# abbreviations whose full stop does not end a sentence (« M. Diop », « av. J.-C. »), as written
ABBREVIATIONS = ("m mm mme mmes mlle dr pr me st ste av apr j.-c jc etc cf p pp vol no n° art ch chap fig env "
                 "janv fev févr sept oct nov dec déc gén gen col cdt lt sgt mgr vs ex éd ed").split()
