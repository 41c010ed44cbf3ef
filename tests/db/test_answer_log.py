"""The teacher-review log on SQLite and PostgreSQL: recording, filters, review, export, promotion, concurrency,
migration of SQLite files from before Alembic."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import threading

import pytest

from kalan.db.answer_log import SCHEMA_VERSION, WHOLE_CORPUS, AnswerLog, AnswerLogError
from kalan.db.migrate import SchemaTooNew, head


def make_answer(question="Quand Moscou a-t-elle signé l'accord ?", answer=None, refused=False, support=0.83,
                quote="L'accord a été signé à Moscou en 1960 par Modibo Keïta."):
    if refused:
        return {
            "question": question, "standalone_question": question,
            "answer": "Je ne trouve pas la réponse dans les articles du corpus.",
            "refused": True, "refusal_reason": "low_score", "mode": "extractive", "latency_ms": 12.5,
            "citations": [], "sentences": [], "passages": [], "notice": None,
        }
    answer = answer or "L'accord a été signé à Moscou en 1960 par Modibo Keïta [1]."
    return {
        "question": question, "standalone_question": question, "answer": answer,
        "refused": False, "refusal_reason": None, "mode": "extractive", "latency_ms": 42.0,
        "citations": [{"n": 1, "chunk_id": "mali-russie#3", "article_id": "mali-russie", "title": "Mali-Russie",
                       "section": "Histoire", "quote": quote, "text": quote + " Autre phrase."}],
        "sentences": [{"text": answer, "citations": [1], "support": support}],
        "passages": [
            {"chunk_id": "mali-russie#3", "title": "Mali-Russie", "section": "Histoire",
             "text": quote + " Autre phrase.", "score": 0.9, "dense_score": 0.88},
            {"chunk_id": "mali-russie#7", "title": "Mali-Russie", "section": "Coopération",
             "text": "En 2023, Bamako et Moscou ont renforcé leur coopération militaire.", "score": 0.7,
             "dense_score": 0.81},
        ],
        "notice": None,
    }


@pytest.fixture
def log(database_url):
    with AnswerLog(database_url) as lg:
        yield lg


def test_record_get_round_trip(log, database_url):
    ans = make_answer()
    history = [{"role": "user", "content": "Parle-moi du Mali."}, {"role": "assistant", "content": "…"}]
    id_ = log.record(ans, session_id="sess-A", history=history, source="cli")
    rec = log.get(id_)
    assert rec["id"] == id_
    assert rec["question"] == ans["question"] and rec["answer"] == ans["answer"]
    assert rec["standalone_question"] == ans["standalone_question"]
    assert rec["citations"] == ans["citations"] and rec["sentences"] == ans["sentences"]
    assert rec["passages"] == ans["passages"] and rec["history"] == history
    assert rec["refused"] is False and rec["mode"] == "extractive" and rec["latency_ms"] == 42.0
    assert rec["min_support"] == pytest.approx(0.83)
    assert rec["status"] == "unreviewed" and rec["feedback"] is None
    assert rec["session_id"] == "sess-A" and rec["source"] == "cli"
    assert rec["time"].endswith("+00:00")
    assert log.get("nope") is None
    # a schema version (SQLite: a WAL journal); reopening is idempotent
    assert log.schema_version == SCHEMA_VERSION
    if not database_url.startswith("postgresql"):
        conn = sqlite3.connect(database_url)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
    with AnswerLog(database_url) as again:
        assert again.get(id_)["answer"] == ans["answer"]


def test_numpy_like_values_are_serialised(log):
    class FakeScalar:  # what numpy.float32 looks like to json
        def item(self):
            return 0.5

    ans = make_answer()
    ans["passages"][0]["score"] = FakeScalar()
    rec = log.get(log.record(ans, "s"))
    assert rec["passages"][0]["score"] == 0.5


def test_list_newest_first_and_filters(log):
    a = log.record(make_answer(question="q1", support=0.9), "s1")
    b = log.record(make_answer(question="q2", support=0.2), "s2")
    c = log.record(make_answer(question="q3", refused=True), "s1")
    d = log.record(make_answer(question="q4", support=0.5), "s1")
    assert [r["id"] for r in log.list()] == [d, c, b, a]
    assert [r["id"] for r in log.list(limit=2)] == [d, c]
    assert [r["id"] for r in log.list(limit=2, offset=2)] == [b, a]

    log.set_feedback(b, "down", "faux !", session_id="s2")
    log.set_feedback(a, "up", None)
    assert [r["id"] for r in log.list(feedback="down")] == [b]
    assert [r["id"] for r in log.list(feedback="up")] == [a]
    assert [r["id"] for r in log.list(thumbs_down_first=True)] == [b, d, c, a]

    assert [r["id"] for r in log.list(refused=True)] == [c]
    assert [r["id"] for r in log.list(refused=False)] == [d, b, a]
    assert [r["id"] for r in log.list(max_support=0.5)] == [d, b]  # refusals have no support
    assert [r["id"] for r in log.list(session_id="s1")] == [d, c, a]

    log.approve(a)
    assert [r["id"] for r in log.list(status="approved")] == [a]
    assert [r["id"] for r in log.list(status="unreviewed")] == [d, c, b]
    assert log.count() == 4 and log.count(status="unreviewed") == 3
    with pytest.raises(ValueError):
        log.list(status="validé")


def test_feedback_only_by_owner(log):
    id_ = log.record(make_answer(), "owner")
    with pytest.raises(PermissionError) as exc:
        log.set_feedback(id_, "down", "non", session_id="intrus")
    assert "propres réponses" in str(exc.value)
    assert log.get(id_)["feedback"] is None
    rec = log.set_feedback(id_, "down", "c'est faux", session_id="owner")
    assert rec["feedback"] == "down" and rec["feedback_comment"] == "c'est faux"
    assert log.set_feedback(id_, None, None, session_id="owner")["feedback"] is None
    with pytest.raises(ValueError):
        log.set_feedback(id_, "meh", None)
    with pytest.raises(KeyError):
        log.set_feedback("inconnu", "up", None)


def test_review_actions(log):
    a = log.record(make_answer(), "s")
    rec = log.approve(a, comment="parfait", reviewer="prof")
    assert rec["status"] == "approved" and rec["review_comment"] == "parfait" and rec["reviewer"] == "prof"
    assert rec["review_time"]

    b = log.record(make_answer(), "s")
    assert log.reject(b, comment="hors sujet")["status"] == "rejected"

    c = log.record(make_answer(), "s")
    rec = log.correct(c, "Il a été signé en 1960 à Moscou.", chunk_ids=["mali-russie#3"], comment="date")
    assert rec["status"] == "corrected"
    assert rec["answer"] == make_answer()["answer"]  # the original is kept
    assert rec["corrected_answer"] == "Il a été signé en 1960 à Moscou."
    assert rec["corrected_chunk_ids"] == ["mali-russie#3"]

    rec = log.comment(c, "à revoir avec la classe", reviewer="prof")
    assert rec["status"] == "corrected" and rec["review_comment"] == "à revoir avec la classe"
    assert [e["action"] for e in log.get(c)["events"]] == ["correct", "comment"]

    for call in (lambda: log.approve("x"), lambda: log.reject("x"), lambda: log.correct("x", "r"),
                 lambda: log.comment("x", "t")):
        with pytest.raises(KeyError) as exc:
            call()
        assert "introuvable" in exc.value.args[0]
    with pytest.raises(ValueError):
        log.correct(c, "   ")
    with pytest.raises(ValueError):
        log.comment(c, "")


ACTIONS = {
    "approve": lambda log, id_, n: log.approve(id_, reviewer=f"prof{n}"),
    "reject": lambda log, id_, n: log.reject(id_, reviewer=f"prof{n}"),
    "correct": lambda log, id_, n: log.correct(id_, f"Signé en 1960, correction {n}.", chunk_ids=["mali-russie#3"]),
    "comment": lambda log, id_, n: log.comment(id_, f"commentaire {n}", reviewer=f"prof{n}"),
}
STATUS_OF = {"approve": "approved", "reject": "rejected", "correct": "corrected"}


@pytest.mark.parametrize("first", ACTIONS)
@pytest.mark.parametrize("second", ACTIONS)
def test_no_review_action_loses_what_an_earlier_one_wrote(log, first, second):
    """Issue 18: correct then approve dropped the correction. Every pair of actions, in every order."""
    id_ = log.record(make_answer(), "s")
    ACTIONS[first](log, id_, 1)
    rec = ACTIONS[second](log, id_, 2)
    assert rec == {k: v for k, v in log.get(id_).items() if k != "events"}
    done = [first, second]
    corrections = [n for n, a in enumerate(done, start=1) if a == "correct"]
    comments = [n for n, a in enumerate(done, start=1) if a == "comment"]
    statuses = [STATUS_OF[a] for a in done if a in STATUS_OF]
    assert rec["status"] == (statuses[-1] if statuses else "unreviewed")
    if corrections:
        assert rec["corrected_answer"] == f"Signé en 1960, correction {corrections[-1]}."
        assert rec["corrected_chunk_ids"] == ["mali-russie#3"]
    else:
        assert rec["corrected_answer"] is None and rec["corrected_chunk_ids"] is None
    assert rec["review_comment"] == (f"commentaire {comments[-1]}" if comments else None)
    assert rec["answer"] == make_answer()["answer"]  # the served answer is never touched
    assert [e["action"] for e in log.get(id_)["events"]] == done
    if corrections and statuses:  # a reviewed answer that has a correction becomes the corrected case
        case = log.to_eval_case(id_)
        assert case["answerable"] is True and [f[0] for f in case["expected_facts"]][:1] == ["1960"]


def test_a_second_correction_without_passages_keeps_the_first_ones(log):
    id_ = log.record(make_answer(), "s")
    log.correct(id_, "Signé en 1960.", chunk_ids=["mali-russie#7"])
    rec = log.correct(id_, "Signé à Moscou en 1960.")
    assert rec["corrected_answer"] == "Signé à Moscou en 1960." and rec["corrected_chunk_ids"] == ["mali-russie#7"]


def test_export_csv_and_jsonl(log, tmp_path):
    a = log.record(make_answer(question="=1+1 question piège"), "s")
    b = log.record(make_answer(), "s")
    log.record(make_answer(), "s")  # unreviewed: not exported by default
    log.approve(a, comment="ok")
    log.correct(b, "Réponse corrigée, 1960.", chunk_ids=["mali-russie#7"])

    n = log.export("csv", tmp_path / "out" / "review.csv")
    assert n == 2
    with open(tmp_path / "out" / "review.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["id"] for r in rows] == [a, b]
    assert rows[0]["status"] == "approved" and rows[0]["review_comment"] == "ok"
    assert rows[0]["refused"] == "false"
    assert rows[0]["question"] == "'=1+1 question piège"  # no formula injection in spreadsheets
    assert json.loads(rows[0]["citations"])[0]["chunk_id"] == "mali-russie#3"
    assert json.loads(rows[1]["corrected_chunk_ids"]) == ["mali-russie#7"]
    assert rows[1]["corrected_answer"] == "Réponse corrigée, 1960."

    n = log.export("jsonl", tmp_path / "review.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "review.jsonl").read_text(encoding="utf-8").splitlines()]
    assert n == 2 and [x["id"] for x in lines] == [a, b]
    assert lines[0]["question"] == "=1+1 question piège" and lines[0]["refused"] is False
    assert lines[1]["passages"][1]["chunk_id"] == "mali-russie#7"

    assert log.export("jsonl", tmp_path / "all.jsonl", statuses=None) == 3
    with pytest.raises(ValueError):
        log.export("xml", tmp_path / "x.xml")


def test_exports_carry_no_live_markup(log, tmp_path):
    """Issue 18: a title stored as markup left the log as markup; no export may carry a live tag."""
    title = "<img src=x onerror=alert(1)>Mali-Russie"
    ans = make_answer(question="<script>alert(1)</script> Qui ? 3 < 5")
    ans["citations"][0]["title"] = ans["passages"][0]["title"] = title
    log.approve(log.record(ans, "s"), comment="<b>ok</b>")
    log.export("csv", tmp_path / "r.csv")
    log.export("jsonl", tmp_path / "r.jsonl")
    for name in ("r.csv", "r.jsonl"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert not re.search(r"<[A-Za-z/!?]", text), name
        assert "&lt;img src=x" in text and "3 < 5" in text  # readable, only tag openers are neutralised
    line = json.loads((tmp_path / "r.jsonl").read_text(encoding="utf-8"))
    assert line["citations"][0]["title"] == "&lt;img src=x onerror=alert(1)>Mali-Russie"


def test_promote_cases(log, tmp_path):
    set_path = tmp_path / "sets" / "promoted.jsonl"
    history = [{"role": "user", "content": "Parle-moi du Mali."}]

    unreviewed = log.record(make_answer(), "s")
    with pytest.raises(ValueError) as exc:
        log.promote(unreviewed, set_path)
    assert "pas encore été relue" in str(exc.value)
    assert not set_path.exists()

    ok = log.record(make_answer(), "s", history=history)
    log.approve(ok)
    case = log.promote(ok, set_path)
    assert case["id"] == f"promoted-{ok}"
    assert case["question"] == make_answer()["question"] and case["history"] == history
    assert case["answerable"] is True
    assert case["evidence"] == [make_answer()["citations"][0]["quote"]]
    assert case["tags"] == ["promoted", "approved"]
    facts = [f[0] for f in case["expected_facts"]]
    assert 1 <= len(facts) <= 2 and all(isinstance(f, list) and len(f) == 1 for f in case["expected_facts"])
    assert facts[0] == "1960"
    assert all(f in make_answer()["answer"] for f in facts)

    refusal = log.record(make_answer(refused=True), "s")
    log.approve(refusal)
    rcase = log.promote(refusal, set_path)
    assert rcase["answerable"] is False and rcase["expected_facts"] == [] and rcase["evidence"] == []
    assert "history" not in rcase

    wrong = log.record(make_answer(), "s")
    log.reject(wrong)
    with pytest.raises(ValueError) as exc:
        log.promote(wrong, set_path)
    assert "corrigée" in str(exc.value)

    wrong_refusal = log.record(make_answer(refused=True), "s")
    log.reject(wrong_refusal)
    assert log.promote(wrong_refusal, set_path)["answerable"] is True

    fixed = log.record(make_answer(), "s")
    log.correct(fixed, "En 2023, Bamako et Moscou ont renforcé leur coopération.", chunk_ids=["mali-russie#7"])
    ccase = log.promote(fixed, set_path)
    assert ccase["tags"] == ["promoted", "corrected"] and ccase["answerable"] is True
    assert ccase["evidence"] == ["En 2023, Bamako et Moscou ont renforcé leur coopération militaire."]
    assert [f[0] for f in ccase["expected_facts"]] == ["2023", "Bamako"]

    lines = [json.loads(x) for x in set_path.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [case["id"], rcase["id"], f"promoted-{wrong_refusal}", ccase["id"]]
    for x in lines:
        assert {"id", "question", "answerable", "expected_facts", "evidence", "tags"} <= set(x)

    log.promote(ok, set_path)  # promoting again replaces, never duplicates
    assert len(set_path.read_text(encoding="utf-8").splitlines()) == 4
    with pytest.raises(KeyError):
        log.promote("inconnu", set_path)


def test_concurrent_writes_lose_nothing(database_url):
    path = database_url
    log = AnswerLog(path)
    ids: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n):
        try:
            # half the threads share the log, half open their own (like separate processes)
            lg = log if n % 2 else AnswerLog(path)
            for i in range(50):
                id_ = lg.record(make_answer(question=f"t{n} q{i}"), session_id=f"s{n}")
                with lock:
                    ids.append(id_)
            if lg is not log:
                lg.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert log.count() == 400
    assert len(ids) == 400 and len(set(ids)) == 400
    assert len(log.list(limit=None)) == 400
    log.close()


def test_write_waits_for_a_locked_database(tmp_path):
    path = tmp_path / "locked.sqlite3"
    log = AnswerLog(str(path), busy_timeout_s=0.02)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    release = threading.Timer(0.4, lambda: other.execute("COMMIT"))
    release.start()
    id_ = log.record(make_answer(), "s")  # retried with backoff until the lock goes
    release.join()
    other.close()
    assert log.get(id_) is not None and log.count() == 1
    log.close()


def test_ids_unguessable(log):
    ids = [log.record(make_answer(), "s") for _ in range(50)]
    assert len(set(ids)) == 50
    assert all(len(i) >= 16 and not i.startswith("-") for i in ids)


def test_an_unreachable_postgres_is_a_french_error_without_its_password():
    from kalan.db.local_postgres import free_port

    with pytest.raises(AnswerLogError) as exc:
        AnswerLog(f"postgresql://kalan:secret@127.0.0.1:{free_port()}/kalan", retry_s=0.1)
    assert "Journal de relecture illisible" in str(exc.value) and "secret" not in str(exc.value)


def test_memory_database():
    with AnswerLog(":memory:") as lg:
        id_ = lg.record(make_answer(), "s")
        assert lg.get(id_)["id"] == id_


# -- verified answers (schema 2) ------------------------------------------------------------------------

_V1_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE answers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, time TEXT NOT NULL, session_id TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'ui', question TEXT NOT NULL, standalone_question TEXT, answer TEXT NOT NULL,
    mode TEXT, refused INTEGER NOT NULL DEFAULT 0, refusal_reason TEXT, notice TEXT, latency_ms REAL,
    min_support REAL, citations TEXT NOT NULL DEFAULT '[]', sentences TEXT NOT NULL DEFAULT '[]',
    passages TEXT NOT NULL DEFAULT '[]', history TEXT NOT NULL DEFAULT '[]', feedback TEXT, feedback_comment TEXT,
    feedback_time TEXT, status TEXT NOT NULL DEFAULT 'unreviewed', reviewer TEXT, review_comment TEXT,
    review_time TEXT, corrected_answer TEXT, corrected_chunk_ids TEXT
);
CREATE TABLE review_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT NOT NULL, time TEXT NOT NULL,
    action TEXT NOT NULL, reviewer TEXT, comment TEXT, data TEXT);
INSERT INTO meta VALUES ('schema_version', '1');
INSERT INTO answers (id, time, session_id, question, answer, status) VALUES ('old', '2026-01-01', 's', 'Q ?', 'R.',
    'approved');
"""


def test_a_version_1_database_is_migrated_without_loss(tmp_path):
    path = tmp_path / "v1.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(_V1_SCHEMA)
    with AnswerLog(str(path)) as migrated:
        assert migrated.schema_version == SCHEMA_VERSION == 6
        old = migrated.get("old")
        assert old["answer"] == "R." and old["status"] == "approved" and old["withdrawn_time"] is None
        assert [r["id"] for r in migrated.verified()] == ["old"]
        new_id = migrated.record({**make_answer("Q2 ?"), "verified": {"answer_id": "old"}}, "s")
        assert migrated.get(new_id)["verified_from"] == "old"


def test_withdraw_and_served_counts(log):
    served_from = log.record(make_answer("Quand ?"), "s1")
    with pytest.raises(ValueError):
        log.withdraw(served_from)  # nothing to withdraw before a review
    log.approve(served_from)
    version = log.review_version()
    for _ in range(3):
        log.record({**make_answer("Quand ?"), "verified": {"answer_id": served_from, "status": "approved"}}, "s2")
    log.record(make_answer("Autre ?"), "s2")
    assert log.served_counts() == {served_from: 3}
    assert log.served_counts([served_from, "x"]) == {served_from: 3} and log.served_counts([]) == {}
    rec = log.withdraw(served_from, comment="réponse datée")
    assert rec["withdrawn_time"] and rec["status"] == "approved"
    assert log.review_version() > version
    assert served_from not in [r["id"] for r in log.verified()]
    assert log.get(served_from)["events"][-1]["action"] == "withdraw"
    log.correct(served_from, "Depuis 1960.")
    assert log.get(served_from)["withdrawn_time"] is None  # a new verdict stands again
    assert [r["id"] for r in log.verified()] == [served_from]


# Schema 2 exactly as the raw-SQL log (before Alembic) created it, and one reviewed answer in it.
_V2_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS answers (
    seq                 INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    time                TEXT NOT NULL,
    session_id          TEXT NOT NULL,
    source              TEXT NOT NULL DEFAULT 'ui',
    question            TEXT NOT NULL,
    standalone_question TEXT,
    answer              TEXT NOT NULL,
    mode                TEXT,
    refused             INTEGER NOT NULL DEFAULT 0 CHECK (refused IN (0, 1)),
    refusal_reason      TEXT,
    notice              TEXT,
    latency_ms          REAL,
    min_support         REAL,
    citations           TEXT NOT NULL DEFAULT '[]',
    sentences           TEXT NOT NULL DEFAULT '[]',
    passages            TEXT NOT NULL DEFAULT '[]',
    history             TEXT NOT NULL DEFAULT '[]',
    feedback            TEXT CHECK (feedback IN ('up', 'down')),
    feedback_comment    TEXT,
    feedback_time       TEXT,
    status              TEXT NOT NULL DEFAULT 'unreviewed'
                        CHECK (status IN ('unreviewed', 'approved', 'rejected', 'corrected')),
    reviewer            TEXT,
    review_comment      TEXT,
    review_time         TEXT,
    corrected_answer    TEXT,
    corrected_chunk_ids TEXT,
    withdrawn_time      TEXT,
    verified_from       TEXT
);
CREATE INDEX IF NOT EXISTS answers_status_seq ON answers (status, seq);
CREATE INDEX IF NOT EXISTS answers_feedback_seq ON answers (feedback, seq);
CREATE INDEX IF NOT EXISTS answers_session_seq ON answers (session_id, seq);
CREATE INDEX IF NOT EXISTS answers_min_support ON answers (min_support);
CREATE TABLE IF NOT EXISTS review_events (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_id TEXT NOT NULL REFERENCES answers (id) ON DELETE CASCADE,
    time      TEXT NOT NULL,
    action    TEXT NOT NULL,
    reviewer  TEXT,
    comment   TEXT,
    data      TEXT
);
CREATE INDEX IF NOT EXISTS review_events_answer ON review_events (answer_id, seq);
"""


def test_a_version_2_database_from_before_alembic_opens_without_loss(tmp_path):
    path = tmp_path / "v2.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(_V2_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '2')")
        conn.execute("INSERT INTO answers (id, time, session_id, question, answer, status, withdrawn_time, "
                     "verified_from, citations) VALUES ('a2', '2026-02-01', 's', 'Q ?', 'R [1].', 'corrected', NULL, "
                     "NULL, '[{\"n\": 1}]')")
        conn.execute("INSERT INTO review_events (answer_id, time, action) VALUES ('a2', '2026-02-02', 'correct')")
    with AnswerLog(str(path)) as migrated:
        assert migrated.schema_version == SCHEMA_VERSION
        old = migrated.get("a2")
        assert old["citations"] == [{"n": 1}] and old["status"] == "corrected"
        assert [e["action"] for e in old["events"]] == ["correct"]
        assert migrated.review_version() == 1
    with sqlite3.connect(path) as conn:  # Alembic now knows where this file stands
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head()


def test_a_database_from_a_newer_kalan_is_refused_untouched(tmp_path):
    path = tmp_path / "new.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.executescript(_V2_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('schema_version', '99')")
    with pytest.raises(SchemaTooNew) as exc:
        AnswerLog(str(path))
    assert "plus récente" in str(exc.value)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "alembic_version" not in tables and "counters" not in tables


# -- the studied article (schema 6) ---------------------------------------------------------------------

def test_a_schema_5_database_gains_the_article_and_its_answers_stay_whole_corpus(database_url):
    """A log written at schema 5 (Alembic revision 0005, the same on SQLite and PostgreSQL) is migrated on open: its
    answers keep everything and their article is NULL (asked over the whole corpus); new answers record theirs."""
    from alembic import command
    from sqlalchemy import inspect, text

    from kalan.db.engine import WRITE, make_engine, resolve
    from kalan.db.migrate import _config

    engine = make_engine(resolve(database_url))
    with engine.connect().execution_options(**{WRITE: True}) as conn, conn.begin():
        cfg = _config()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0005")
        assert "article" not in {c["name"] for c in inspect(conn).get_columns("answers")}
        conn.execute(text("INSERT INTO answers (id, time, session_id, question, answer, status) "
                          "VALUES ('old5', '2026-11-01', 's', 'Q ?', 'R.', 'approved')"))
    engine.dispose()

    with AnswerLog(database_url) as migrated:
        assert migrated.schema_version == SCHEMA_VERSION == 6
        old = migrated.get("old5")
        assert old["answer"] == "R." and old["status"] == "approved" and old["article"] is None
        assert "article" not in migrated.to_eval_case("old5")
        scoped = migrated.record(make_answer(), "s", article="mali-russie")
        whole = migrated.record(make_answer(), "s")
        assert migrated.get(scoped)["article"] == "mali-russie" and migrated.get(whole)["article"] is None
        assert [r["article"] for r in migrated.list()] == [None, "mali-russie", None]
    engine = make_engine(resolve(database_url))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head() == "0006"
    engine.dispose()


def test_the_article_is_exported_and_promoted(log, tmp_path):
    """CSV and JSONL carry the studied article (empty / null for the whole corpus); a promoted case asked within one
    article names it (``article``, as the news evaluation cases do), and only then."""
    scoped = log.record(make_answer(), "s", article="mali-russie")
    whole = log.record(make_answer(), "s")
    log.approve(scoped)
    log.approve(whole)

    log.export("csv", tmp_path / "r.csv")
    with open(tmp_path / "r.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["id"], r["article"]) for r in rows] == [(scoped, "mali-russie"), (whole, "")]
    log.export("jsonl", tmp_path / "r.jsonl")
    lines = [json.loads(x) for x in (tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [x["article"] for x in lines] == ["mali-russie", None]

    set_path = tmp_path / "promoted.jsonl"
    case = log.promote(scoped, set_path)
    assert case["article"] == "mali-russie" and case["question"] == make_answer()["question"]
    assert "article" not in log.promote(whole, set_path)
    assert json.loads(set_path.read_text(encoding="utf-8").splitlines()[0])["article"] == "mali-russie"


def test_an_article_id_cannot_be_a_spreadsheet_formula(log, tmp_path):
    log.approve(log.record(make_answer(), "s", article="=HYPERLINK(1)"))
    log.export("csv", tmp_path / "r.csv")
    with open(tmp_path / "r.csv", encoding="utf-8", newline="") as fh:
        assert next(csv.DictReader(fh))["article"] == "'=HYPERLINK(1)"


def test_list_and_count_filter_by_article(log):
    """The teacher narrows the log to the answers asked within one article, or to those asked over the whole corpus
    (NULL); the filter combines with the others and with paging, and the articles present are listed once each."""
    assert log.articles() == []
    a = log.record(make_answer(question="q1"), "s1", article="mali-russie")
    b = log.record(make_answer(question="q2"), "s2")
    c = log.record(make_answer(question="q3", refused=True), "s1", article="rail-dakar")
    d = log.record(make_answer(question="q4"), "s1", article="mali-russie")
    assert [r["id"] for r in log.list(article="mali-russie")] == [d, a]
    assert [r["id"] for r in log.list(article=WHOLE_CORPUS)] == [b]
    assert [r["id"] for r in log.list(article=None)] == [d, c, b, a]  # no filter
    assert [r["id"] for r in log.list(article="mali-russie", limit=1, offset=1)] == [a]
    assert [r["id"] for r in log.list(article="rail-dakar", refused=True)] == [c]
    assert log.list(article="rail-dakar", refused=False) == [] and log.list(article="inconnu") == []
    assert log.list(article="mali-russie' OR '1'='1") == []  # a bound parameter, never SQL text
    assert log.count(article="mali-russie") == 2 and log.count(article=WHOLE_CORPUS) == 1 and log.count() == 4
    log.approve(a)
    assert [r["id"] for r in log.list(status="unreviewed", article="mali-russie")] == [d]
    assert log.articles() == ["mali-russie", "rail-dakar"]  # distinct, sorted, the whole corpus left out
