"""How well post-hoc verification keeps faithful sentences and catches corrupted ones, and what it costs.

Usage: python benchmarks/generative.py [--data-dir DIR] [--questions evals/questions.jsonl]

No real LLM runs here, so a scripted "model" answers each answerable question of the set
from the excerpts it is actually shown, in five ways:

  quote        the gold evidence sentence, verbatim, cited to the excerpt holding it
  short        the expected answer as a bare phrase, cited the same way ("Independence Palace [2].")
  wrong-cite   the gold sentence cited to another excerpt (verification should re-cite it)
  number       the gold sentence with one number changed (should be dropped)
  name         the gold sentence with one name replaced by a name not in the corpus (should be dropped)

and prints the share of faithful sentences kept and of corrupted claims removed, plus the verification time per answer
(the LLM call excluded) against the extractive answer's time on the same questions.
Questions whose evidence is not in the excerpts (a retrieval miss) are counted apart.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOREIGN_NAME = "Wojciechowski"


class ScriptedLLM:
    """Stands in for llama-index's OpenAILike: .chat(messages) -> response with .message.content."""

    def __init__(self) -> None:
        self.reply = ""

    def chat(self, messages):
        return SimpleNamespace(message=SimpleNamespace(content=self.reply))


def corrupt_number(text: str) -> str | None:
    m = re.search(r"\b\d+\b", text)
    return None if not m else text[: m.start()] + str(int(m.group()) + 7) + text[m.end() :]


def corrupt_name(text: str, names: list[str]) -> str | None:
    for name in names:
        if name in text:
            return text.replace(name, FOREIGN_NAME)
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=ROOT / "data")
    ap.add_argument("--questions", type=Path, default=ROOT / "evals" / "questions.jsonl")
    ap.add_argument("--show", action="store_true", help="print corrupted claims that survived")
    args = ap.parse_args()

    from bot import services
    from bot.config import Settings
    from bot.generative import Generator

    settings = Settings(data_dir=args.data_dir, answer_mode="generative", llm_base_url="http://127.0.0.1:9/v1", llm_model="scripted")
    answerer = services.answerer(settings.model_copy(update={"answer_mode": "extractive"}))
    llm = ScriptedLLM()
    gen = Generator(answerer, settings, llm=llm)
    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if r.get("answerable") and r.get("evidence") and "question" in r]

    kept = {k: [0, 0] for k in ("quote", "short", "wrong-cite")}
    caught = {k: [0, 0] for k in ("number", "name")}  # corrupted claim absent from the answer / tried
    missed = 0
    verify_ms, extractive_ms = [], []
    for row in rows:
        q = row["question"]
        _, hits, cands = answerer.candidates(q, {})
        excerpts = gen.excerpts(hits, cands)
        gold = row["evidence"][0]["quote"]
        holder = next((ex for ex in excerpts if gold in gen.excerpt_text(ex)), None)
        if holder is None:
            missed += 1
            continue
        other = next((ex for ex in excerpts if ex.n != holder.n), None)
        sentence = next((s.text for j in holder.sentences for s in [answerer.library.sentences[j]] if gold[:40] in s.text), gold)
        names = [e[1] for j in holder.sentences for e in answerer.library.sentences[j].entities if e[0] in ("PERSON", "GPE", "ORG") and e[1] in sentence]
        variants = {
            "quote": f"{sentence} [{holder.n}]",
            "short": f"{(row.get('expected') or [[None]])[0][0]} [{holder.n}]." if row.get("expected") else None,
            "wrong-cite": f"{sentence} [{other.n}]" if other else None,
        }
        bad_number, bad_name = corrupt_number(sentence), corrupt_name(sentence, names)
        variants["number"] = bad_number and f"{bad_number} [{holder.n}]"
        variants["name"] = bad_name and f"{bad_name} [{holder.n}]"
        planted = {"number": bad_number and str(int(re.search(r"\b\d+\b", sentence).group()) + 7), "name": FOREIGN_NAME}
        for name, reply in variants.items():
            if not reply:
                continue
            llm.reply = reply
            answer = gen.ask(q)
            rejected = bool(answer.fallback) and answer.fallback.startswith("rejected")
            if answer.fallback and not rejected:  # the model's reply not judged (none usable)
                continue
            if name in caught:
                caught[name][1] += 1
                survived = not answer.refused and re.search(rf"\b{planted[name]}\b", answer.text)
                caught[name][0] += not survived
                if survived and args.show:
                    print("SURVIVED", reply, "=>", answer.text)
                continue
            if rejected:  # nothing of the reply kept: the extractive answer instead
                kept[name][1] += 1
                continue
            kept[name][1] += answer.support["sentences"] if answer.support else 1
            kept[name][0] += answer.support["supported"] if answer.support and not answer.refused else 0
            if name == "quote":
                verify_ms.append(answer.timings.get("verify_ms", 0.0))
        t = time.perf_counter()
        answerer.extractive(q)
        extractive_ms.append((time.perf_counter() - t) * 1000)

    print(f"{len(rows)} answerable questions with evidence; gold sentence not in the excerpts for {missed}")
    for name, (k, n) in kept.items():
        print(f"  {name:10s} faithful sentences kept     {k}/{n} = {k / n if n else float('nan'):.3f}")
    for name, (k, n) in caught.items():
        print(f"  {name:10s} corrupted claims removed    {k}/{n} = {k / n if n else float('nan'):.3f}")
    v50, e50 = statistics.median(verify_ms), statistics.median(extractive_ms)
    print(f"verification p50 {v50:.1f} ms per answer; extractive answer p50 {e50:.1f} ms; ratio {v50 / e50:.2f}")


if __name__ == "__main__":
    main()
