"""Issue areas of General Assembly roll calls: the rule classifier and counts per topic.

Pure: text in, codes out; tables in, tables out. The six codes (``me nu di hr co ec``) and
their names live in ``unvote/model/topics.py``; the rules below are documented in docs/topics.md,
which also gives their precision and recall against Erik Voeten's hand coding.

How a roll call is classified
-----------------------------
The text is the roll call's UNDL ``subjects``, ``agenda_title`` and ``title`` (the catalogue's
tail " : resolution / adopted by the General Assembly" dropped), joined and *folded*: accents
removed, lower case, every run of other characters than letters and digits one space; then the
``NOISE`` phrases (organ names such as the Economic and Social Council) are deleted.

A *phrase* is one or more words; a word ending in ``*`` matches any word it begins
(``palestin*`` matches "palestine", "palestinian"). A phrase matches where its words occur
in a row in the folded text; a phrase starting with ``^`` only at its start. For each topic:

the roll call gets the topic when an ``include`` phrase matches and no ``exclude`` phrase does,
or when a ``title`` phrase matches its title (an exclusion does not cancel a title phrase).

The rules are tuned on the roll calls of sessions 1–68 (1946–2014) as Voeten's newest release
codes them; sessions 69–74 (2014–2019) are kept back to measure them (scripts/topic_report.py,
docs/topics.md).
"""

from __future__ import annotations

import functools
import re

from ..model.sessions import regular_session
from ..model.text import words
from ..model.topics import CODES, NONE, name

TRAIN_LAST_SESSION = 68  # the rules are tuned on sessions 1–68; 69 and later measure them

# ---- the rules ----------------------------------------------------------------------------------
# Every phrase is folded like the text (see above). Keep each list sorted by theme, and say why
# an exclusion is there.

RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "me": {
        "include": (
            "palestin*", "israel*", "unrwa", "occupied arab territor*", "occupied syrian golan",
            "syrian golan", "jerusalem", "middle east", "near east", "arab territories", "lebanon",
        ),
        # a nuclear-weapon-free zone or proliferation "in the Middle East" is nuclear (and arms) only
        "exclude": ("nuclear weapon free zone", "nuclear proliferation"),
    },
    "nu": {
        "include": (
            "nuclear*", "atomic", "radioactive", "radiation", "fissile", "test ban", "denucleari*",
            "thermonuclear", "thermo nuclear", "fissionable", "weapons of mass destruction",
        ),
        "exclude": (),
    },
    "di": {
        "include": (
            "disarm*", "arms race", "arms control", "arms limitation", "arms trade", "arms transfers",
            "arms embargo", "armaments", "nuclear armament", "conventional arms", "small arms", "weapons",
            "weapon", "missile*", "military budget*", "non proliferation", "nonproliferation", "proliferation",
            "mines", "landmines", "cluster munitions", "bacteriological", "denucleari*",
            "remnants of war",
        ),
        # Voeten codes test bans, the IAEA and nuclear-weapon-free zones as nuclear only
        "exclude": (
            "test ban", "nuclear test*", "test explosions", "nuclear weapon tests", "testing of nuclear",
            "atomic energy", "peaceful uses", "radioactive waste*", "nuclear weapon free zone*",
            "southern hemisphere",
        ),
    },
    "hr": {
        "include": (
            "human rights", "fundamental freedoms", "racial discrimination", "racism", "against apartheid",
            "elimination of apartheid", "torture", "rights of the child", "women", "religious intolerance",
            "arbitrary executions", "capital punishment", "death penalty", "self determination", "mercenaries",
            "inalienable rights", "palestinian rights", "right to", "right of peoples", "crime",
            "enforced disappearance*", "indigenous", "disabilit*", "coercive", "intifadah", "uprising",
            "migrant*", "minorities", "housing",
        ),
        # Voeten leaves most Israeli-practices items (me), the Palestinians' self-determination
        # (me, co) and electoral non-interference out of hr ...
        "exclude": ("israeli practices", "electoral process*", "electoral assistance"),
        # ... but codes the occupation items themselves: the Geneva Convention's applicability, the
        # committee's work, the resolution on Israeli practices, the settlements, the occupied Golan
        "title": ("geneva convention", "^israeli practices", "^work of the special committee",
                  "^israeli settlements", "^the occupied syrian golan"),
    },
    "co": {
        "include": (
            "colonial*", "decoloni*", "non self governing", "trust territor*", "trusteeship",
            "self determination", "southern rhodesia", "portuguese", "east timor", "gibraltar", "new caledonia",
            "tokelau", "guam", "american samoa", "bermuda", "british virgin islands", "cayman islands", "montserrat",
            "turks and caicos", "anguilla", "pitcairn", "st helena", "saint helena",
            "united states virgin islands", "mayotte", "comorian island",
            # Voeten also codes liberation movements and (other than Israel's) occupation as colonialism
            "liberation", "occupation", "occupied territories of", "mercenaries",
        ),
        # the PLO's New York office is a host-country question; Abkhazia's displaced persons are not
        # a colonial question
        "exclude": ("palestine liberation", "internally displaced"),
        # the Israeli-occupation items: the committee's work, Israeli practices, the Geneva
        # Convention's applicability, the settlements, the occupied Golan (not the committee's report)
        "title": ("^work of the special committee", "^israeli practices", "geneva convention",
                  "^israeli settlements", "^the occupied syrian golan"),
    },
    "ec": {
        "include": (
            "economic*", "development", "developing countries", "trade", "debt", "embargo", "commodit*",
            "unctad", "industriali*", "scientific and technological", "social situation", "social development",
            "social life", "poverty", "good neighbourliness", "assistance to the palestinian people",
            "migrant*", "entrepreneurship",
            # the United Nations' own budget and money, and Voeten's recurrent economic items
            "budget*", "appropriation*", "income estimates", "financial emergency", "investments",
            "information and telecommunications",
        ),
        # peacekeeping budgets, weapons "development", disaster relief, the oil embargo against South
        # Africa, trade law and international law's "progressive development" are not economic development
        "exclude": ("financing of", "progressive development",
                    "economic and social consequences of the armaments race", "disaster relief",
                    "emergency assistance", "oil embargo", "international trade law", "crime"),
        # ... but the law of the new international economic order is
        "title": ("new international economic order",),
    },
}

# Organ names, deleted from the text before any rule reads it: "Report of the Economic and Social
# Council" says which body reported, not what the resolution is about.
NOISE: tuple[str, ...] = ("economic and social council", "economic and social commission")

_TITLE_TAIL = re.compile(r"\s*:\s*resolution\s*/\s*adopted by the general assembly\s*$", re.I)


def fold(text: str | None) -> str:
    """``model.text.words``, padded with a space at each end (so a phrase matches whole words)."""
    return f" {words(text)} " if text else " "


class _Phrases:
    """Phrases matched as plain substrings of a folded (space-padded) text: fast, no regex."""

    def __init__(self, phrases):
        self.anywhere, self.start = [], []
        for phrase in phrases:
            words = fold(phrase).strip()
            tail = "" if phrase.rstrip().endswith("*") else " "
            (self.start if phrase.startswith("^") else self.anywhere).append(" " + words + tail)

    def search(self, text: str) -> bool:
        return any(p in text for p in self.anywhere) or any(text.startswith(p) for p in self.start)


def _union(phrases) -> _Phrases | None:
    return _Phrases(phrases) if phrases else None


@functools.cache
def _compiled():
    return {code: (_union(rule["include"]), _union(rule.get("exclude", ())), _union(rule.get("title", ())))
            for code, rule in RULES.items()}


def roll_call_text(title: str | None = None, agenda_title: str | None = None,
                   subjects: str | None = None) -> tuple[str, str]:
    """The folded texts the rules read: (subjects + agenda title(s) + title, title alone)."""
    title = _TITLE_TAIL.sub("", title or "")
    return (_denoise(fold(" | ".join(x for x in (subjects, agenda_title, title) if x))),
            _denoise(fold(title)))


def _denoise(text: str) -> str:
    for phrase in _noise():
        while phrase in text:
            text = text.replace(phrase, " ")
    return text


@functools.cache
def _noise() -> tuple[str, ...]:
    return tuple(" " + fold(p).strip() + " " for p in NOISE)


def classify_text(text: tuple[str, str]) -> tuple[str, ...]:
    """The topic codes the rules give ``roll_call_text(...)``, in ``CODES`` order."""
    everything, title = text
    found = set()
    for code, (include, exclude, in_title) in _compiled().items():
        if (in_title is not None and in_title.search(title)) or (
                include is not None and include.search(everything)
                and not (exclude is not None and exclude.search(everything))):
            found.add(code)
    return tuple(c for c in CODES if c in found)


def classify(title: str | None = None, agenda_title: str | None = None,
             subjects: str | None = None) -> tuple[str, ...]:
    """The topic codes of one roll call from its UNDL title, agenda title and subjects."""
    return classify_text(roll_call_text(title, agenda_title, subjects))


def join(codes) -> str:
    """``("me", "hr")`` → ``"me;hr"`` (CODES order; empty string for none)."""
    have = set(codes)
    return ";".join(c for c in CODES if c in have)


def split(value: str | None) -> tuple[str, ...]:
    """``"me;hr"`` → ``("me", "hr")``; empty or missing → ``()``."""
    return tuple(c for c in (value or "").split(";") if c)


# ---- measuring the rules against Voeten's codes ------------------------------------------------

def scores(truth, predicted) -> list[dict]:
    """Per topic: support, tp, fp, fn, precision, recall, f1 of ``predicted`` against ``truth``.

    Both are sequences (one item per roll call) of codes joined by ``;`` or of code tuples.
    """
    def as_set(x):
        return set(split(x)) if isinstance(x, str) or x is None else set(x)

    truth = [as_set(t) for t in truth]
    predicted = [as_set(p) for p in predicted]
    if len(truth) != len(predicted):
        raise ValueError("truth and predicted differ in length")
    out = []
    for code in CODES:
        tp = sum(1 for t, p in zip(truth, predicted) if code in t and code in p)
        fp = sum(1 for t, p in zip(truth, predicted) if code not in t and code in p)
        fn = sum(1 for t, p in zip(truth, predicted) if code in t and code not in p)
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
        out.append({"topic": code, "support": tp + fn, "tp": tp, "fp": fp, "fn": fn,
                    "precision": precision, "recall": recall, "f1": f1})
    return out


def evaluate(pairs, last_train: int = TRAIN_LAST_SESSION, last_test: int | None = None,
             release: str | None = None) -> dict:
    """The rules against Voeten's codes on matched roll calls (``history.matched_pairs``).

    Only whole-resolution votes (Voeten's kind ``resolution``) whose flags are all present count,
    and, given ``release``, only those that release codes (``voeten_release``).
    Returns {"train": scores, "test": scores, "train_rollcalls": n, "test_rollcalls": n}: train
    is sessions ≤ ``last_train``, test the later ones (up to ``last_test``).
    """
    rows = pairs.to_pylist() if hasattr(pairs, "to_pylist") else list(pairs)
    sets: dict[str, tuple[list, list]] = {"train": ([], []), "test": ([], [])}
    for r in rows:
        if r["voeten_kind"] != "resolution" or r["voeten_topics"] is None:
            continue
        if release is not None and r.get("voeten_release") != release:
            continue
        number = regular_session(r["voeten_session"], r["date"], r.get("voeten_regular_session"))
        if number is None or not number.isdigit() or (last_test is not None and int(number) > last_test):
            continue
        truth, predicted = sets["train" if int(number) <= last_train else "test"]
        truth.append(r["voeten_topics"])
        predicted.append(classify(r["title"], r["agenda_title"], r["subjects"]))
    return {"train": scores(*sets["train"]), "test": scores(*sets["test"]),
            "train_rollcalls": len(sets["train"][0]), "test_rollcalls": len(sets["test"][0])}


def release_agreement(pairs, older: dict, first: int, last: int) -> dict:
    """Voeten's two releases against each other: the older codes (``older``: {rcid: "me;hr" or None})
    scored against the newer (``voeten_topics``) on the matched whole-resolution votes of sessions
    ``first``–``last`` that both code. Returns {"scores": scores, "rollcalls": n}."""
    rows = pairs.to_pylist() if hasattr(pairs, "to_pylist") else list(pairs)
    truth, predicted = [], []
    for r in rows:
        if r["voeten_kind"] != "resolution" or r["voeten_topics"] is None or older.get(r["voeten_rcid"]) is None:
            continue
        number = regular_session(r["voeten_session"], r["date"], r.get("voeten_regular_session"))
        if number is not None and number.isdigit() and first <= int(number) <= last:
            truth.append(r["voeten_topics"])
            predicted.append(older[r["voeten_rcid"]])
    return {"scores": scores(truth, predicted), "rollcalls": len(truth)}


# ---- counting -----------------------------------------------------------------------------------

def count_by_decade(rollcalls):
    """Roll calls per topic per decade: columns topic, name, then one per decade (``1940s`` …).

    ``rollcalls`` needs ``date`` and ``topics``. A roll call with several topics counts once
    under each; one with none (``topics`` empty) counts in the last row, ``none``; one without a
    date or with topics null (not classified: the Security Council) counts nowhere. Every decade
    from the first to the last dated roll call gets a column, zeros included.
    """
    import pyarrow as pa

    rows = (*CODES, NONE)
    dates = rollcalls["date"].to_pylist()
    topics = rollcalls["topics"].to_pylist()
    years = [d.year for d in dates if d is not None]
    decades = list(range(min(years) // 10 * 10, max(years) // 10 * 10 + 1, 10)) if years else []
    counts = {code: dict.fromkeys(decades, 0) for code in rows}
    for d, t in zip(dates, topics):
        if d is None or t is None:
            continue
        for code in split(t) or (NONE,):
            counts[code][d.year // 10 * 10] += 1
    cols = {"topic": pa.array(rows, pa.string()), "name": pa.array([name(c) for c in rows], pa.string())}
    for decade in decades:
        cols[f"{decade}s"] = pa.array([counts[c][decade] for c in rows], pa.int64())
    return pa.table(cols)
