"""French messages of the proxy and the cluster recipe."""

PROXY_ALL_DOWN = "Kalan est momentanément indisponible : aucun serveur ne répond. Réessayez dans un instant."
PROXY_EVENT_LOST = ("Le serveur qui préparait votre réponse ne répond plus : cette question est perdue. "
                    "Reposez-la, un autre serveur y répondra.")
PROXY_REQUEST_LOST = ("Le serveur a été interrompu pendant votre demande : elle n'a peut-être pas été prise en "
                      "compte. Reposez-la, un autre serveur y répondra.")
PROXY_READY = "Répartiteur prêt sur http://{listen} → {backends}"
CLUSTER_STEP = "==> Grappe Kalan : {step}"
CLUSTER_READY = (
    "Kalan (grappe) est prêt sur {proxy}\n"
    "  instances : {instances}\n  PostgreSQL : {database}\n  Chroma : {chroma}\n"
    "Ctrl-C arrête tout."
)
CLUSTER_FAILED = "La grappe n'a pas démarré ({what}) ; journal : {log}"
