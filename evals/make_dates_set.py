"""The « what happened at this date » set (``evals/sets/students-dates.jsonl``), generated from a corpus folder.

Years are drawn with a fixed seed from the corpus's articles: answerable cases ask about a year written in one
article only (the evidence is the text around it), unanswerable ones about a year written in none; the phrasings
are those students type (« ke s'est il passé en 1019 ? », « il y a eu quoi en 1896 ? »). Run on the corpus that
``make eval-piaf`` builds: ``python -m kalan.evals.make_dates_set .kalan/piaf-eval/corpus evals/sets/students-dates.jsonl``.
Not here: the set's integrity test (``tests/evals/test_students_dates_set.py``).
"""

from __future__ import annotations

import collections
import glob
import json
import random
import re
import sys
from pathlib import Path


def make(corpus: str, out: str) -> int:
    random.seed(20261205)
    arts = {}
    for f in sorted(glob.glob(str(Path(corpus) / '*.md'))):
        t = open(f, encoding="utf-8").read()
        title = re.search(r'^title: "(.*)"', t, re.M).group(1)
        body = t.split('\n---', 1)[1] if t.startswith('---') else t
        arts[f] = (title, body)
    YR = r'(?<![\d-])(1[0-9]{3}|20[0-2][0-9])(?![\d])'
    where = collections.defaultdict(set)
    for f, (title, body) in arts.items():
        for y in re.findall(YR, body): where[y].add(f)
    one = sorted(y for y, fs in where.items() if len(fs) == 1)
    absent = [str(y) for y in range(1050, 2020) if str(y) not in where]

    def evidence(body, y):
        ev = []
        for line in body.splitlines():
            for m in re.finditer(YR, line):
                if m.group(1) != y: continue
                a = max(0, m.start() - 50); b = min(len(line), m.end() + 50)
                s = line[a:b].strip()
                if 20 <= len(s) <= 120 and s not in ev: ev.append(s)
        return ev

    PLAIN = ["Que s'est-il passé en {y} ?", "que s'est il passe en {y}", "il s'est passé quoi en {y} ?",
             "qu'est ce qui s'est passé en {y}", "qu'est-ce qui est arrivé en {y} ?", "quel evenement a eu lieu en {y} ?",
             "ke s'est il passé en {y} ?", "en {y} il se passe quoi ?", "que se passe-t-il en {y} ?",
             "c quoi qui s'est passé en {y}", "Qu'est-ce qui se produit en {y} ?", "que s'est-il passé d'important en {y} ?",
             "que c'est il passé en {y} ?", "quels evenements en {y} ?", "il y a eu quoi en {y} ?",
             "y a quoi qui s'est passé en {y}"]
    TOPIC = ["que s'est-il passé pour {t} en {y} ?", "{t} en {y}, il s'est passé quoi ?", "qu'est ce qui arrive a {t} en {y}",
             "que se passe t il en {y} pour {t}", "en {y} que s'est il passé pour {t} ?", "{t} : quel evenement en {y} ?"]
    cases = []; n = 0
    def add(q, ans, ev, y, tags):
        nonlocal n; n += 1
        cases.append({"id": f"sdate-{n:03d}", "question": q, "answerable": ans,
                      "expected_facts": [[y]] if ans else [], "evidence": ev, "tags": tags})
    pres = random.sample(one, 60)
    k = 0
    for y in pres:
        f = next(iter(where[y])); title, body = arts[f]; ev = evidence(body, y)
        if not ev: continue
        if k < 24: add(random.choice(PLAIN).format(y=y), True, ev, y, ["date-event", "inference"])
        elif k < 36:
            t = title.split(" (")[0].lower() if random.random() < .5 else title.split(" (")[0]
            add(random.choice(TOPIC).format(y=y, t=t), True, ev, y, ["date-event", "inference", "reworded"])
        else: break
        k += 1
    for i, y in enumerate(random.sample(absent, 24)):
        if i < 16: add(random.choice(PLAIN).format(y=y), False, [], y, ["date-event", "unanswerable-on-topic"])
        else:
            f = random.choice(list(arts)); t = arts[f][0].split(" (")[0]
            add(random.choice(TOPIC).format(y=y, t=t), False, [], y, ["date-event", "unanswerable-on-topic", "plausible"])
    with open(out, "w", encoding="utf-8") as fh:
        for c in cases: fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    return len(cases)


if __name__ == "__main__":
    print(make(sys.argv[1], sys.argv[2]))
