"""French messages of the proxy and the cluster recipe."""

PROXY_ALL_DOWN = "Kalan est momentanément indisponible : aucun serveur ne répond. Réessayez dans un instant."
PROXY_READY = "Répartiteur prêt sur http://{listen} → {backends}"
CLUSTER_STEP = "==> Grappe Kalan : {step}"
CLUSTER_READY = (
    "Kalan (grappe) est prêt sur {proxy}\n"
    "  instances : {instances}\n  PostgreSQL : {database}\n  Chroma : {chroma}\n"
    "Ctrl-C arrête tout."
)
CLUSTER_FAILED = "La grappe n'a pas démarré ({what}) ; journal : {log}"
