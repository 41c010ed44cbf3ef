"""The cited timeline: one event per date written in a sentence of the corpus, in chronological order.

An event is ``{"date", "precision", "text", "as_written", "citation"}``: ``date`` is « 1960 », « 2025-10 » or
« 2025-10-14 », ``as_written`` the date as the quoted sentence writes it, ``text`` the sentence itself.
A day without a year (« le 14 octobre ») and a relative date (« l'année suivante », « ce jour ») are kept
only when the same sentence, or an earlier sentence of the same section, gives the date they lean on; the
event then carries that ``anchor`` (its date as written and its own citation). A day without a year takes
its anchor's year only when its month is the anchor's or up to two after (« le 11 décembre » after « le 9
janvier 1879 » may be 1878). Otherwise they are left out, never guessed. Durations (« 65 ans ») are not dates (``kalan.study.dates``); headings, questions and
navigation noise give no event (``StudySentence.usable``).

Not here: reading the store (``kalan.study.source``).
"""

from __future__ import annotations

import datetime as dt

from kalan.study.dates import DateMention, find_dates, find_relative

MAX_MONTHS_AFTER_ANCHOR = 2  # a day without a year takes its anchor's year only this close after its month


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


def _shift(mention: DateMention, years: int, days: int, needs: str) -> tuple[int, int, int] | None:
    try:
        if needs == "day" and not days:
            return mention.year, mention.month, mention.day  # « ce jour », « le jour même »
        if days:
            d = dt.date(mention.year, mention.month, mention.day) + dt.timedelta(days=days)
            return d.year, d.month, d.day
        return mention.year + years, 0, 0  # « l'année suivante », « la même année » say the year, not the day
    except ValueError:
        return None


def build_timeline(sentences) -> list[dict]:
    """Events of ``sentences`` (``StudySentence``, in article order), sorted by date then by article order."""
    events: list[tuple[tuple, dict]] = []
    # (article, section) -> its last date with a written year: a resolved date never anchors another (no chains)
    anchors: dict[tuple[str, str], tuple[DateMention, object]] = {}
    for s in sentences:
        if not s.usable:
            continue
        key = (s.article_id, s.section)
        resolved: list[tuple[DateMention, object]] = []  # this sentence's dates with a written year, in order
        written = find_dates(s.text)
        for m in written:
            if m.year:
                resolved.append((m, s))
                events.append(((m.year, m.month, m.day, s.order), _event(m.year, m.month, m.day, m.text, s)))
                continue
            lean = next((r for r in reversed(resolved)), None) or anchors.get(key)
            if lean is None or not 0 <= m.month - lean[0].month <= MAX_MONTHS_AFTER_ANCHOR:
                # « le 14 octobre » with no year in the sentence or the section before it; or far from the
                # anchor's month (« les demandes du 11 décembre » after « 9 janvier 1879 »: 1878 or 1879?)
                continue
            full = DateMention(m.start, m.end, m.text, lean[0].year, m.month, m.day)  # never an anchor itself
            anchor = None if lean[1] is s else lean
            events.append(((full.year, full.month, full.day, s.order),
                           _event(full.year, full.month, full.day, m.text, s, anchor)))
        for r in find_relative(s.text):
            before = [x for x in resolved if x[0].end <= r.start]
            if not before and any(m.start >= r.end for m in written):
                continue  # « L'année suivante sera 1442 de l'hégire, qui débutera le 20 août 2020 »: which anchor?
            lean = before[-1] if before else anchors.get(key)
            if lean is None or (r.needs == "day" and not lean[0].day):
                continue
            shifted = _shift(lean[0], r.years, r.days, r.needs)
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
