"""What kind of fact a question asks for, and whether a sentence holds one.

"Quand", "en quelle année" ask for a date; "combien", "quel montant" for a
number; "qui", "quel est le nom" for a name. ``holds_type`` says whether some
sentences hold such a fact that the question does not already contain: the
extractive scorer favours those sentences, and the refusal decision refuses
when none does (the passages are on topic but lack what is asked).
"""

from __future__ import annotations

import re

from kalan.rag.text import fold

NUMBER_Q = re.compile(
    r"\bcombien\b|\bquel(?:le)?s?\s+(?:est|sont|etait|etaient|fut)?\s*(?:le|la|les|l')?\s*"
    r"(?:nombre|montant|somme|chiffre|pourcentage|proportion|taux|budget|cout|prix|valeur|effectif|"
    r"population|quantite|superficie|volume|total|age|salaire|investissement|tonnage)\b"
)
DATE_Q = re.compile(
    r"\bquand\b|\ben quelle annee\b|\bquelle annee\b|\bquelle (?:est la |etait la )?date\b|\bdepuis quand\b|"
    r"\ba quelle (?:date|epoque|periode)\b|\bquel jour\b|\ben quel (?:mois|siecle)\b|\bde quand\b|\bjusqu'a quand\b"
)
PERSON_Q = re.compile(r"^(?:et\s+)?(?:a |par |avec |de |pour |contre |chez )?qui\b|\bquel est le nom\b|\bcomment s'appelle\b")

NUMBER_WORDS = re.compile(
    r"\d|\b(?:un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|vingt|trente|quarante|cinquante|"
    r"soixante|cent|cents|mille|millier|milliers|million|millions|milliard|milliards|dizaine|dizaines|"
    r"centaine|centaines|moitie|tiers|quart|double|triple)\b"
)
DATE_WORDS = re.compile(
    r"\b(?:1[0-9]{3}|20[0-9]{2})\b|\b(?:janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|"
    r"novembre|decembre|siecle|decennie|decennies|annees)\b|\bau (?:moyen age|debut|milieu|cours)\b"
)
NAME = re.compile(r"\b([A-ZÀ-Ý][\w’'\-]+(?:\s+[A-ZÀ-Ý][\w’'\-]+)*)")


def expected_type(question: str) -> str | None:
    f = fold(question).strip()
    if DATE_Q.search(f):
        return "date"
    if NUMBER_Q.search(f):
        return "number"
    if PERSON_Q.search(f):
        return "name"
    return None


def _tokens(text: str, pattern: re.Pattern) -> set[str]:
    return {m.group(0) for m in pattern.finditer(fold(text))}


def holds_type(kind: str, question: str, sentences: list[str]) -> bool:
    text = " ".join(sentences)
    if kind == "number":
        return bool(_tokens(text, NUMBER_WORDS) - _tokens(question, NUMBER_WORDS))
    if kind == "date":
        return bool(_tokens(text, DATE_WORDS) - _tokens(question, DATE_WORDS))
    if kind == "name":
        qf = fold(question)
        for s in sentences:
            body = s.lstrip(" •·-*–—\t")
            for m in NAME.finditer(body):
                if m.start() > 0 and fold(m.group(1)) not in qf:  # the first word is capitalised anyway
                    return True
        return False
    return True
