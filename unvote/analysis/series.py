"""Recurring resolutions: how a series is recognised (the rule, in SQL), and who changed their vote
along it (pure Python).

A *series* is a family of resolutions: the roll calls whose titles are the same once normalised, plus
the families attached to it across a rename — never a text picked up only because it sat under the same
agenda item. The rule, run by ``api.explore.series`` as one SQL statement (``members_sql``):

1. **Normalised title** (``words_sql``): the title without the catalogue's ``: resolution / adopted by
   the General Assembly`` tail, folded (lower case, no accents, ``’`` as ``'``), cut into words of
   letters and digits, ``UN`` read as ``united nations``, and the small words in ``STOPWORDS`` left
   out. Roll calls with the same words in the same order are one *title family* ("The Syrian Golan"
   and "Syrian Golan" are one; so are "The situation in the Middle East : Syrian Golan" and "… - the
   Syrian Golan").
2. **A rename** attaches a smaller title family (fewer roll calls; ties: the key's order) to a bigger
   one only with evidence, all of:

   * the same agenda item: both have a roll call under one agenda title (UNDL's ``agenda_title``; each
     ``|``-separated part is an item, normalised as in 1);
   * never in the same session: a renamed text replaces its old title, it does not sit beside it;
   * a title overlap of at least ``MIN_OVERLAP`` (0.6): the weighted Jaccard index of the two titles'
     word sets, where a word that is also in that agenda item's own title weighs ``AGENDA_WEIGHT``
     (0.2) and every other word 1 — the agenda item's words say which item, not which text.

   A family attaches to the one candidate it overlaps most (ties: the bigger family, then the key).
3. The **series** of a roll call is the family at the top of its chain of attachments, with every
   family attached to it directly or through others. So every roll call is in exactly one series,
   and asking from any member gives the same series.

Checked on the real UNDL data: "The situation in the Middle East : the Syrian Golan" (A/RES/52/54,
53/38) joins "The Syrian Golan" (overlap 0.77); "The situation in the Middle East : Jerusalem" joins
"Jerusalem" (0.63); the 2004 Cuba text titled "… imposed by the Unites States …" joins its series
(0.65); the generic "The situation in the Middle East" (0.23 with the Golan title, 0.38 with the
Jerusalem one) joins neither; "Human rights in Bolivia" does not join "Human rights in Chile" (0.5).

What the rule does not do: link a retitled text whose new title shares too few words with the old
(below 0.6), or one moved to another agenda item; Voeten's data has no agenda titles, so there only
identical titles link roll calls. A session with no recorded vote, or with two roll calls of one
series, is named in a note by ``api.explore.series`` — never filled from another family.
"""

from __future__ import annotations

from ..model.text import fold_sql

# Words that say nothing about which text it is; left out of titles and agenda titles.
STOPWORDS = ("the", "of", "in", "and", "on", "to", "a", "an", "for", "by", "at", "with", "its", "their",
             "from", "as", "or")
AGENDA_WEIGHT = 0.2  # weight of a word that is also in the shared agenda item's title
MIN_OVERLAP = 0.6  # weighted Jaccard a rename needs

# The catalogue's tail: " : resolution / adopted by the General Assembly" (the colon is sometimes missing).
_TAIL = r"(?i)\s*:?\s*(draft\s+)?resolutions?\s*/.*$"


def words_sql(expr: str) -> str:
    """SQL: the normalised words of a title (rule 1) as a VARCHAR[]."""
    folded = fold_sql(f"regexp_replace(coalesce({expr}, ''), '{_TAIL}', '')")
    plain = f"regexp_replace({folded}, '\\b({'|'.join(STOPWORDS)})\\b', ' ', 'g')"
    return f"regexp_extract_all(regexp_replace({plain}, '\\bun\\b', 'united nations', 'g'), '[a-z0-9]+')"


def members_sql(calls: str, title: str, agenda: str) -> str:
    """SQL: the series of one roll call (rules 1–3) among ``calls``, a subquery of the selection's roll
    calls (with ``rollcall_id`` and ``session``). ``title`` and ``agenda`` are column expressions over
    ``r`` (``agenda`` may be ``NULL``). Parameters after those of ``calls``: the seed's rollcall_id, and
    whether the query named that roll call (its row is then linked by ``query``).

    Result: every column of ``calls`` plus ``linked_by`` — ``query``, ``title`` (the seed's title
    family) or ``agenda+title`` (a family attached by a rename)."""
    return f"""
WITH calls AS MATERIALIZED (SELECT r.*, {title} AS title_, {agenda} AS agenda_ FROM ({calls}) r),
-- the words of each distinct title and agenda title (fewer than the roll calls)
tws AS (SELECT title_, {words_sql('title_')} AS tw FROM (SELECT DISTINCT title_ FROM calls)),
aws AS (SELECT agenda_, list_filter(list_transform(string_split(coalesce(agenda_, ''), '|'), lambda p: {words_sql('p')}),
                                    lambda p: len(p) > 0) AS aws FROM (SELECT DISTINCT agenda_ FROM calls)),
k AS MATERIALIZED (SELECT c.*, tws.tw, aws.aws, array_to_string(tws.tw, ' ') AS tkey
                   FROM calls c JOIN tws ON tws.title_ IS NOT DISTINCT FROM c.title_
                   JOIN aws ON aws.agenda_ IS NOT DISTINCT FROM c.agenda_),
seed AS MATERIALIZED (SELECT rollcall_id, tkey FROM k WHERE rollcall_id = ?),
item AS MATERIALIZED (SELECT DISTINCT k.tkey, array_to_string(u.aw, ' ') AS akey, u.aw AS awords
                      FROM k, unnest(k.aws) AS u(aw) WHERE k.tkey <> ''),
-- only the families linked to the seed's through shared agenda items can be in its series or decide it
-- (a family's candidates share an item with it), so the rest is left out: same answer, less work
near AS MATERIALIZED (SELECT * FROM (
    WITH RECURSIVE reach(tkey) AS (
        SELECT tkey FROM seed WHERE tkey <> ''
        UNION SELECT b.tkey FROM reach JOIN item a ON a.tkey = reach.tkey JOIN item b ON b.akey = a.akey)
    SELECT tkey FROM reach)),
fam AS MATERIALIZED (SELECT tkey, count(*) AS n, list(DISTINCT session) AS sessions, list_distinct(any_value(tw)) AS words
        FROM k WHERE tkey IN (SELECT tkey FROM near) GROUP BY tkey),
-- each family's words under each of its agenda items, weighed (rule 2), with the family's size and sessions
fw AS MATERIALIZED (
    SELECT i.tkey, i.akey, u.w, f.n, f.sessions,
           CASE WHEN list_contains(i.awords, u.w) THEN {AGENDA_WEIGHT} ELSE 1 END AS wt
    FROM item i JOIN fam f USING (tkey), unnest(f.words) AS u(w)),
fwt AS (SELECT *, sum(wt) OVER (PARTITION BY tkey, akey) AS total FROM fw),
-- a smaller family (a) and a bigger one (b) never in one session, under one agenda item: their overlap
pair AS (
    SELECT a.tkey AS child, b.tkey AS parent, b.n, sum(a.wt) / (a.total + b.total - sum(a.wt)) AS overlap
    FROM fwt a JOIN fwt b ON a.akey = b.akey AND a.w = b.w
    WHERE (b.n > a.n OR (b.n = a.n AND b.tkey > a.tkey)) AND NOT list_has_any(a.sessions, b.sessions)
    GROUP BY a.tkey, b.tkey, b.n, a.akey, a.total, b.total),
up AS MATERIALIZED (SELECT child, arg_max(parent, (overlap, n, parent)) AS parent FROM pair
                    WHERE overlap >= {MIN_OVERLAP} GROUP BY child),
top AS (SELECT * FROM (
    WITH RECURSIVE chain(tkey, cur, depth) AS (
        SELECT tkey, tkey, 0 FROM fam
        UNION ALL SELECT chain.tkey, up.parent, chain.depth + 1 FROM chain JOIN up ON up.child = chain.cur)
    SELECT tkey, arg_max(cur, depth) AS root FROM chain GROUP BY tkey)),
root AS (SELECT top.root FROM seed JOIN top USING (tkey))
SELECT k.* EXCLUDE (title_, agenda_, tw, aws, tkey),
       CASE WHEN k.rollcall_id = seed.rollcall_id AND ? THEN 'query' WHEN k.tkey = seed.tkey THEN 'title'
            ELSE 'agenda+title' END AS linked_by
FROM k LEFT JOIN top USING (tkey) CROSS JOIN seed
WHERE k.rollcall_id = seed.rollcall_id OR top.root = (SELECT root FROM root)"""


def changes(calls: list[dict], votes: list[tuple], merge: dict[str, str] | None = None) -> list[dict]:
    """Who voted differently from their previous vote in the series.

    ``calls``: the series' roll calls oldest first (rollcall_id, resolution, date); ``votes``:
    (rollcall_id, country code, vote letter) for them; ``merge``: {old code: successor} (continuity).
    A country's previous vote is its vote on the latest earlier roll call it was listed in (X, not
    voting, is a vote here). Rows: rollcall_id, resolution, date, country, previous,
    previous_resolution, vote — in roll-call order, then by country.
    """
    merge = merge or {}
    by_call: dict[int, dict[str, str]] = {}
    for rid, code, vote in votes:
        code = merge.get(code, code)
        by_call.setdefault(rid, {})[code] = vote
    last: dict[str, tuple[str, str]] = {}
    out = []
    for c in calls:
        for code, vote in sorted(by_call.get(c["rollcall_id"], {}).items()):
            if code in last and last[code][0] != vote:
                out.append({"rollcall_id": c["rollcall_id"], "resolution": c["resolution"], "date": c["date"],
                            "country": code, "previous": last[code][0], "previous_resolution": last[code][1],
                            "vote": vote})
            last[code] = (vote, c["resolution"])
    return out
