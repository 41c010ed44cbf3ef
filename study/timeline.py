"""The cited timeline: one event per date written in a sentence of the corpus, in chronological order.

An event is ``{"date", "precision", "text", "as_written", "citation"}``: ``date`` is « 1960 », « 2025-10 » or
« 2025-10-14 », ``as_written`` the date as the quoted sentence writes it, ``text`` the sentence itself.
A day without a year (« le 14 octobre ») and a relative date (« l'année suivante », « ce jour ») are kept
only when the same sentence, or an earlier sentence of the same section, gives the date they lean on; the
event then carries that ``anchor`` (its date as written and its own citation). Otherwise they are left
out, never guessed. Durations (« 65 ans ») are not dates (``kalan.study.dates``); headings, questions and
navigation noise give no event (``StudySentence.usable``).

Not here: reading the store (``kalan.study.source``).
"""

from __future__ import annotations

import datetime as dt

from kalan.study.dates import DateMention, find_dates, find_relative


def _iso(year: int, month: int = 0, day: int = 0) -> str:
    return f"{year:04d}" + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day and month else "")


def _event(year, month, day, written, sentence, anchor=None) -> dict:
    precision = "day" if day else ("month" if month else "year")
    ev = {"date": _iso(year, month, day), "precision": precision, "text": sentence.display,
          "as_written": written, "citation": sentence.citation()}
    if anchor is not None:
        mention, anchor_sentence = anchor
        ev["anchor"] = {"as_written": mention.text, "date": _iso(mention.year, mention.month, mention.day),
                        **anchor_sentence.citation()}
    return ev


def _shift(mention: DateMention, years: int, days: int) -> tuple[int, int, int] | None:
    try:
        if days:
            d = dt.date(mention.year, mention.month, mention.day) + dt.timedelta(days=days)
            return d.year, d.month, d.day
        if years:
            return mention.year + years, 0, 0  # « l'année suivante » says the year, not the day
        return mention.year, mention.month, mention.day
    except ValueError:
        return None


def build_timeline(sentences) -> list[dict]:
    """Events of ``sentences`` (``StudySentence``, in article order), sorted by date then by article order."""
    events: list[tuple[tuple, dict]] = []
    anchors: dict[tuple[str, str], tuple[DateMention, object]] = {}  # (article, section) -> last full date
    for s in sentences:
        if not s.usable:
            continue
        key = (s.article_id, s.section)
        resolved: list[tuple[DateMention, object]] = []  # this sentence's dates with their year, in order
        for m in find_dates(s.text):
            if m.year:
                resolved.append((m, s))
                events.append(((m.year, m.month, m.day, s.order), _event(m.year, m.month, m.day, m.text, s)))
                continue
            lean = next((r for r in reversed(resolved)), None) or anchors.get(key)
            if lean is None:
                continue  # « le 14 octobre » with no year in the sentence or the section before it
            full = DateMention(m.start, m.end, m.text, lean[0].year, m.month, m.day)
            resolved.append((full, s))
            anchor = None if lean[1] is s else lean
            events.append(((full.year, full.month, full.day, s.order),
                           _event(full.year, full.month, full.day, m.text, s, anchor)))
        for r in find_relative(s.text):
            before = [x for x in resolved if x[0].end <= r.start]
            lean = before[-1] if before else anchors.get(key)
            if lean is None or (r.needs == "day" and not lean[0].day):
                continue
            shifted = _shift(lean[0], r.years, r.days)
            if shifted is None:
                continue
            y, mo, d = shifted
            events.append(((y, mo, d, s.order), _event(y, mo, d, r.text, s, lean)))
        if resolved:
            anchors[key] = resolved[-1]
    seen: set[tuple[str, str, int]] = set()
    out = []
    for _, ev in sorted(events, key=lambda e: e[0]):
        k = (ev["date"], ev["citation"]["chunk_id"], ev["citation"]["quote"])
        if k not in seen:
            seen.add(k)
            out.append(ev)
    return out
