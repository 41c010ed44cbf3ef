"""French messages of bringing files into the corpus (``kalan.ingest.formats``, ``kalan.ingest.upload``,
``kalan.ingest.corpus_admin``) and of the teachers' « Corpus » tab. Constants only, so a teacher can read
and correct them in one place."""

ACCEPTED = ".html, .htm, .pdf, .docx, .md, .txt"
UNSUPPORTED = "format non pris en charge (« {suffix} ») : formats acceptés : " + ACCEPTED + "."
TOO_LARGE = "fichier trop volumineux ({size:.1f} Mo > {limit:.1f} Mo, réglage upload.max_bytes)."
EMPTY = "le fichier est vide."
EMPTY_FOLDER = "dossier sans article à ajouter : formats acceptés : " + ACCEPTED + "."
DISGUISED = ("le contenu ne correspond pas à l'extension « {suffix} » : c'est {actual}. "
             "Renommez-le avec la bonne extension, ou exportez-le dans un format accepté (" + ACCEPTED + ").")
KIND_NAMES = {
    "pdf": "un PDF", "docx": "un document Word (.docx)", "zip": "une archive ZIP", "html": "une page HTML",
    "text": "du texte brut", "image": "une image", "executable": "un programme exécutable",
    "ole": "un ancien document Office (.doc/.xls) : enregistrez-le en .docx", "binary": "un fichier binaire",
}
ZIP_BOMB = ("document Word refusé : une fois décompressé il ferait {size:.0f} Mo (plus de {limit:.0f} Mo) "
            "ou se décompresse de façon anormale (archive piégée ?).")
DOCX_BROKEN = "document Word illisible ou endommagé : {error}."
PDF_BROKEN = "PDF illisible ou endommagé : {error}."
PDF_ENCRYPTED = "PDF protégé par un mot de passe : enregistrez-en une copie sans protection."
PDF_JAVASCRIPT = ("PDF refusé : il contient du JavaScript (code exécutable). Imprimez-le en PDF "
                  "(« Enregistrer au format PDF ») pour en obtenir une copie sans code, puis déposez cette copie.")
PDF_SCANNED = ("ce PDF ne contient pas de texte (document scanné, {pages} page(s) d'images) : Kalan ne lit pas les "
               "images. Passez-le d'abord dans un logiciel de reconnaissance de caractères (OCR), ou déposez le "
               "texte de l'article.")
HTML_NO_ARTICLE = "aucun texte d'article trouvé dans cette page HTML (seulement des menus, des liens ou des scripts ?)."
HTML_ACTIVE_REMOVED = "{scripts} script(s) et {frames} cadre(s) (iframe) retirés : seul le texte de l'article est gardé."
NOISE_REMOVED = "{n} ligne(s) de navigation retirée(s) (« Lire aussi », partage, menus…)."
APPARATUS_REMOVED = "section(s) {titles} retirée(s) : références et liens, pas le texte de l'article."
TOO_SHORT = "trop peu de texte ({words} mots) pour en faire un article."
NOT_FRENCH = ("ce texte ne semble pas être en français (peu de mots français courants) : Kalan ne répond que "
              "sur des articles en français.")
DUPLICATE = "déjà présent : même texte que l'article « {title} » ({article_id}). Rien n'a été ajouté."
DUPLICATE_BATCH = "déjà présent : même texte que le fichier {other} de ce même envoi. Rien n'a été ajouté."
NO_TITLE = "aucun titre trouvé : le nom du fichier sert de titre (modifiable avant confirmation)."
REPLACED = "remplace la version précédente de l'article « {article_id} »."

# kalan corpus list / remove
UNKNOWN_ARTICLE = "Article inconnu : « {article_id} ». Les identifiants se lisent avec « kalan corpus list »."
REMOVED = "Article « {article_id} » retiré : {chunks} passage(s) supprimé(s), fichier(s) {files} retiré(s) du corpus."
LIST_EMPTY = "Aucun article dans la base. Ajoutez-en avec « kalan ingest FICHIER… »."
