"""Follow-up metrics for conversation rows ("turns"): was the follow-up resolved to the right
entity, and was any follow-up answered about the wrong one?

A turn may carry "refers_to" (the entity its pronoun or ellipsis means, e.g. "Boris Shmelyev";
null for a standalone turn). It is optional: sets without it get the per-turn metrics only.
Only names can be checked mechanically, so a reference counts as checkable when it holds a
capitalised word ("Kit Kellogg", "the Prigozhin rebellion"); it is resolved when one of those
words (allowing spelling variants) appears in the rewritten question, or — for a description of
a thing whose names only qualify its noun ("Lukashenko's mediation proposal") — when the rewrite
put that noun in place of the follow-up's pronoun ("the proposal's conditions").
"""

from __future__ import annotations

import re

from bot.support import fold, name_in, words

_NAME_RE = re.compile(r"\b[A-Z][\w’'-]{2,}")
_SKIP = {"The", "And", "What", "Who", "Which", "When", "Where", "Why", "How", "US", "U.S."}


_PREPOSITION_RE = re.compile(r"\s(?:in|on|of|to|for|with|from|through|between|by|against|about|at)\s")


def name_words(reference: str) -> list[str]:
    # "Lukashenko (he) / Boeing airplanes (them)": only the part before a parenthesis or slash;
    # "Trump's credit": the name without its possessive ending
    head = re.split(r"[(/]", reference)[0]
    return [fold(part) for w in _NAME_RE.findall(head) if w not in _SKIP
            for part in re.sub(r"['’]s$", "", w).split("-") if len(part) > 2]


def head_noun(reference: str) -> str | None:
    """The common noun a description of a thing is about: "prisoners" in "the remaining
    political prisoners in Belarus", "proposal" in "Lukashenko's mediation proposal"; None when
    the reference ends in a name ("John Kellogg", "Babariko and Kolesnikova")."""
    head = _PREPOSITION_RE.split(" " + re.split(r"[(/]", reference)[0].strip() + " ")[0].split()
    if not head or not head[-1][:1].islower():
        return None
    return fold(head[-1])


def resolved(reference: str, rewritten: str, question: str | None = None) -> bool | None:
    """Is the reference in the rewritten question? Its names (spelling variants allowed); or,
    for a description whose names only qualify a common noun ("the remaining political
    prisoners in Belarus", "Lukashenko's mediation proposal"), that noun when the rewrite
    supplied it (the follow-up itself said "they" or "its"): "the political prisoners" is the
    thing meant, not another entity."""
    names = name_words(reference)
    if not names:
        return None
    found = set(words(rewritten))  # 'Polish-Belarusian border?' holds 'polish' and 'belarusian'
    if any(name_in((n,), found, 0.75) for n in names):
        return True
    noun = head_noun(reference)
    if noun is None or question is None:
        return False
    asked = set(words(question))
    return name_in((noun,), found, 0.75) and not name_in((noun,), asked, 0.75)


def follow_up_report(pairs: list[tuple[dict, dict]]) -> dict:
    """pairs: (result row, question turn) for follow-up turns (turn 2 onwards)."""
    checkable = rewritten = right = wrong = 0
    wrong_ids: list[str] = []
    for row, turn in pairs:
        was_rewritten = row.get("rewritten", row.get("question")) != row.get("question")
        rewritten += was_rewritten
        reference = turn.get("refers_to")
        if not reference:
            continue
        ok = resolved(reference, row.get("rewritten") or row.get("question", ""), row.get("question", ""))
        if ok is None:
            continue
        checkable += 1
        if ok:
            right += 1
        elif was_rewritten and not row.get("refused"):
            wrong += 1  # rewritten to someone else, and answered
            wrong_ids.append(str(row.get("turn_id", "")))
    n = len(pairs)
    return {
        "follow_ups": n,
        "rewritten_rate": round(rewritten / n, 4) if n else None,
        "reference_checkable": checkable,
        "reference_resolved": round(right / checkable, 4) if checkable else None,
        "answered_about_wrong_entity": wrong,
        "wrong_entity_turns": [t for t in wrong_ids if t],
    }
