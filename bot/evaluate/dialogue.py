"""Follow-up metrics for conversation rows ("turns"): was the follow-up resolved to the right
entity, and was any follow-up answered about the wrong one?

A turn may carry "refers_to" (the entity its pronoun or ellipsis means, e.g. "Boris Shmelyev";
null for a standalone turn). It is optional: sets without it get the per-turn metrics only.
Only names can be checked mechanically, so a reference counts as checkable when it holds a
capitalised word ("Kit Kellogg", "the Prigozhin rebellion"); it is resolved when one of those
words (allowing spelling variants) appears in the rewritten question.
"""

from __future__ import annotations

import re

from bot.support import fold, name_in, words

_NAME_RE = re.compile(r"\b[A-Z][\w’'-]{2,}")
_SKIP = {"The", "And", "What", "Who", "Which", "When", "Where", "Why", "How", "US", "U.S."}


def name_words(reference: str) -> list[str]:
    # "Lukashenko (he) / Boeing airplanes (them)": only the part before a parenthesis or slash
    head = re.split(r"[(/]", reference)[0]
    return [fold(part) for w in _NAME_RE.findall(head) if w not in _SKIP for part in w.split("-") if len(part) > 2]


def resolved(reference: str, rewritten: str) -> bool | None:
    names = name_words(reference)
    if not names:
        return None
    found = set(words(rewritten))  # 'Polish-Belarusian border?' holds 'polish' and 'belarusian'
    return any(name_in((n,), found, 0.75) for n in names)


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
        ok = resolved(reference, row.get("rewritten") or row.get("question", ""))
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
