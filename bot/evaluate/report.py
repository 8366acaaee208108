"""DIR/report.html (self-contained: inline CSS, plots as base64 PNG) and DIR/report.md."""

from __future__ import annotations

import base64
import html
import io
from datetime import datetime, timezone
from pathlib import Path

from bot.evaluate import metrics
from bot.evaluate.run import pairs
from bot.evaluate.sweep import analyse

RATE_KEYS = [k for k, _ in metrics.LABELS if k in metrics.RATES]
BREAKDOWN_KEYS = ["answer_correct", "supporting_citation", "refused_unanswerable", "false_refusal", "hit_at_5"]
SMALL_SET_NOTE = (
    "The question sets are small, so every rate carries sampling noise: the 95 % confidence intervals are "
    "percentile bootstrap intervals (2,000 resamples of the questions, fixed seed). Differences smaller than "
    "the interval width between two runs are not evidence of a change."
)


_v = metrics.fmt


def span(p: dict) -> str:
    """A sweep point's threshold, or its range when it stands for a plateau."""
    low, high = p.get("low", p["threshold"]), p.get("high", p["threshold"])
    return f"{low:.2f}" if low == high else f"{low:.2f}–{high:.2f}"


def _ci(block: dict, key: str) -> str:
    ci = (block.get("ci") or {}).get(key)
    return f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else ""


# --- figures ---------------------------------------------------------------------------------
def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _figures(result, sweep: dict | None) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plain, turns = pairs(result.results, result.questions)
    rows = [r for r, _ in plain] + [r for r, _, _ in turns]
    figs = {}
    if sweep:
        fig, ax = plt.subplots(figsize=(7, 3.8))
        series = [(sweep["tuned_on"], sweep["points"], "-")] + [(f"the {s} split", pts, "--") for s, pts in sweep["by_split"].items()]
        for name, pts, style in series:
            xs = [p["threshold"] for p in pts]
            ax.plot(xs, [p["answer_correct"] for p in pts], style, color="tab:blue", label=f"answered correct ({name})")
            ax.plot(xs, [p["refused_unanswerable"] for p in pts], style, color="tab:orange", label=f"refused unanswerable ({name})")
        if sweep["operating"] is not None:
            ax.axvline(sweep["operating"], color="black", linestyle=":", label=f"operating point {sweep['operating']:.2f}")
        ax.set_xlabel("refusal threshold on p(answerable)")
        ax.set_ylabel("rate")
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, 1)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title("Refusal threshold sweep (one run, outcomes recomputed per threshold)")
        figs["sweep"] = _png(fig)
    latencies = [r["latency_ms"] for r in rows]
    if latencies:
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ax.hist(latencies, bins=min(30, max(5, len(latencies) // 4)), color="tab:gray")
        for p, style in ((0.5, "--"), (0.95, ":")):
            value = metrics._pct(latencies, p)
            ax.axvline(value, color="black", linestyle=style, label=f"p{int(p * 100)} {value:.0f} ms")
        ax.set_xlabel("latency per question (ms)")
        ax.set_ylabel("questions")
        ax.legend(fontsize=8)
        ax.set_title("Answer latency")
        figs["latency"] = _png(fig)
    ranked = [(r, q) for r, q in plain if "retrieval_rank" in r]
    if ranked:
        fig, ax = plt.subplots(figsize=(7, 3.2))
        ks = list(range(1, max(metrics.HIT_KS) + 1))
        groups = [("all", ranked)] + [(s, [(r, q) for r, q in ranked if metrics.tag(q, "split") == s])
                                      for s in sorted({metrics.tag(q, "split") for _, q in ranked if metrics.tag(q, "split")})]
        for name, items in groups:
            if items:
                ax.plot(ks, [sum(1 for r, _ in items if r["retrieval_rank"] and r["retrieval_rank"] <= k) / len(items) for k in ks],
                        marker="o", label=f"{name} ({len(items)})")
        ax.set_xlabel("k (retrieved chunks)")
        ax.set_ylabel("hit@k")
        ax.set_xticks(ks)
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        ax.set_title("Retrieval: gold evidence inside the top-k chunks")
        figs["hits"] = _png(fig)
    return figs


# --- HTML ------------------------------------------------------------------------------------
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em} h2{margin-top:1.8em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} th,td{border:1px solid #d0d0d0;padding:.3em .6em;vertical-align:top}
th{background:#f3f3f3;text-align:left} td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em .8em;font-size:.92em}
.meta{color:#555} img{max-width:100%;border:1px solid #eee}
.fail{border:1px solid #ddd;border-radius:6px;padding:.6em .8em;margin:.8em 0}
.fail .grid{display:grid;grid-template-columns:1fr 1fr;gap:.8em} .fail h3{font-size:1em;margin:.1em 0 .4em}
.tag{display:inline-block;border-radius:4px;padding:0 .4em;font-size:.85em;background:#fde2e1;color:#8a1c14}
blockquote{margin:.3em 0;padding:.2em .6em;border-left:3px solid #aaa;background:#fafafa;font-size:.92em}
.src{color:#555;font-size:.85em}
"""


def _e(text) -> str:
    return html.escape(str(text if text is not None else ""))


def _headline_html(block: dict) -> str:
    splits = block.get("by_split") or {}
    head = "".join(f"<th>{_e(s)} ({splits[s]['questions']})</th>" for s in splits)
    out = [f"<table><tr><th>metric</th><th>all ({block['questions']})</th><th>95 % CI</th>{head}</tr>"]
    for key, label in metrics.LABELS:
        cells = "".join(f"<td class=n>{_v(key, splits[s].get(key))}</td>" for s in splits)
        out.append(f"<tr><td>{_e(label)}</td><td class=n><b>{_v(key, block.get(key))}</b></td><td class=n>{_ci(block, key)}</td>{cells}</tr>")
    return "\n".join(out) + "</table>"


def _breakdown_html(parts: dict, title: str) -> str:
    labels = dict(metrics.LABELS)
    keys = [k for k in BREAKDOWN_KEYS if any(block.get(k) is not None for block in parts.values())]
    out = [f"<h3>{_e(title)}</h3><table><tr><th>{_e(title.split()[-1])}</th><th>questions</th>"
           + "".join(f"<th>{_e(labels[k])}</th>" for k in keys) + "</tr>"]
    for name, block in parts.items():
        out.append(f"<tr><td>{_e(name)}</td><td class=n>{block['questions']}</td>"
                   + "".join(f"<td class=n>{_v(k, block.get(k))}</td>" for k in keys) + "</tr>")
    return "\n".join(out) + "</table>"


def _citations_html(citations: list[dict]) -> str:
    if not citations:
        return "<p class=src>(no citations)</p>"
    return "".join(f"<blockquote>{_e(c.get('quote'))}<div class=src>{_e(c.get('source'))}, chars {c.get('start')}–{c.get('end')}</div></blockquote>"
                   for c in citations)


def _failures(result) -> list[tuple[str, dict, dict]]:
    plain, turns = pairs(result.results, result.questions)
    items = [(str(r["id"]), r, q) for r, q in plain]
    ids = {id(r): str(row["id"]) for row in result.results if "turns" in row for r in row["turns"]}
    items += [(f"{ids.get(id(r), '?')} turn {k + 1}", r, t) for r, t, k in turns]
    failed = [(i, r, q) for i, r, q in items if r.get("outcome") in metrics.FAILURES]
    return sorted(failed, key=lambda item: metrics.FAILURES.index(item[1]["outcome"]))  # grouped by kind, file order within


def _bot_answer_html(row: dict) -> str:
    if not row.get("refused"):
        return f"<b>Bot answer</b><p>{_e(row.get('answer'))}</p>{_citations_html(row.get('citations') or [])}"
    out = f"<b>Bot answer</b><p><i>Refused</i> ({_e(row.get('reason') or 'no reason given')}): “{_e(row.get('answer'))}”</p>"
    alt = row.get("if_answered")
    if alt:
        out += f"<b>Below the threshold it would have answered</b><p>{_e(alt.get('answer'))}</p>{_citations_html(alt.get('citations') or [])}"
    else:
        out += "<p class=src>(refused by a hard rule or before scoring: no answer at any threshold)</p>"
    return out


def _failure_html(ident: str, row: dict, q: dict) -> str:
    expected = " / ".join(" or ".join(g) for g in q.get("expected") or []) or "—"
    evidence = "".join(f"<blockquote>{_e(ev.get('quote'))}<div class=src>article {_e(ev.get('doc'))}</div></blockquote>"
                       for ev in q.get("evidence") or []) or "<p class=src>(none: the articles do not say)</p>"
    p = row.get("p_answerable")
    meta = [f"split {_e(metrics.tag(q, 'split'))}" if metrics.tag(q, "split") else "", f"type {_e(metrics.tag(q, 'type'))}" if metrics.tag(q, "type") else "",
            f"p(answerable) {p:.2f}" if p is not None else "", f"refusal reason {_e(row['reason'])}" if row.get("reason") else "",
            f"retrieval rank {row['retrieval_rank']}" if row.get("retrieval_rank") else ("gold evidence not retrieved in top 10" if "retrieval_rank" in row else "")]
    return (
        f"<div class=fail><h3>{_e(ident)} <span class=tag>{_e(metrics.OUTCOMES[row['outcome']])}</span></h3>"
        f"<p><b>Q:</b> {_e(row.get('question'))}<br><span class=src>{' · '.join(m for m in meta if m)}</span></p>"
        f"<div class=grid><div>{_bot_answer_html(row)}</div>"
        f"<div><b>Expected</b><p>{_e(expected)}</p><b>Gold evidence</b>{evidence}</div></div></div>"
    )


def _sweep_best_html(sweep: dict) -> str:
    cols = ["threshold", "balanced", "answer correct", "refused unanswerable", "false refusal", *sweep["other_labels"]]
    out = [f"<p>Best points on {_e(sweep['tuned_on'])} (balanced = mean of answer correct and refused unanswerable); "
           f"configured operating point: <b>{_v('threshold', sweep['operating'])}</b>.</p><table><tr>" + "".join(f"<th>{_e(c)}</th>" for c in cols) + "</tr>"]
    for p, others in sweep["best"]:
        vals = [span(p), *(_v(k, p[k]) for k in ("balanced", "answer_correct", "refused_unanswerable", "false_refusal")), *(_v("balanced", o) for o in others)]
        out.append("<tr>" + "".join(f"<td class=n>{v}</td>" for v in vals) + "</tr>")
    return "\n".join(out) + "</table>"


def render_html(result, title: str) -> str:
    m = result.metrics
    sweep = analyse(result)
    figs = _figures(result, sweep)
    failures = _failures(result)
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>citebot eval: {_e(title)}</title>"
             f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{CSS}</style></head><body>",
             f"<h1>citebot evaluation: {_e(title)}</h1>",
             f"<p class=meta>{when} · refusal operating point p(answerable) ≥ {_v('threshold', m.get('operating_threshold'))}</p>"]
    blocks = [("Questions", m)] if "questions" in m else []
    blocks += [(name, m[k]) for k, name in (("turns", "Conversation turns"), ("follow_up_turns", "Follow-up turns (2 onwards)")) if m.get(k)]
    for name, block in blocks:
        answerable = f", {block['answerable']} answerable, {block['unanswerable']} unanswerable" if block.get("answerable") is not None else ""
        parts.append(f"<h2>{_e(name)}: {block['questions']}{answerable}</h2>{_headline_html(block)}")
    parts.append(f"<p class=note>{_e(SMALL_SET_NOTE)}</p>")
    if sweep and sweep["best"]:
        parts.append("<h2>Refusal threshold sweep</h2>")
        parts.append(f"<img alt='threshold sweep' src='data:image/png;base64,{figs['sweep']}'>")
        parts.append(_sweep_best_html(sweep))
    if "hits" in figs:
        parts.append(f"<h2>Retrieval</h2><img alt='hit@k' src='data:image/png;base64,{figs['hits']}'>")
    if "latency" in figs:
        parts.append(f"<h2>Latency</h2><img alt='latency histogram' src='data:image/png;base64,{figs['latency']}'>")
    if m.get("by_type") or m.get("by_article"):
        parts.append("<h2>Breakdowns</h2>")
        if m.get("by_type"):
            parts.append(_breakdown_html(m["by_type"], "By question type"))
        if m.get("by_article"):
            parts.append(_breakdown_html(m["by_article"], "By evidence article"))
    kinds = ", ".join(f"{sum(1 for _, r, _ in failures if r['outcome'] == k)} {metrics.OUTCOMES[k]}" for k in metrics.FAILURES)
    parts.append(f"<h2>Failures ({len(failures)})</h2><p>{_e(kinds)}. Each with the bot's answer and citations beside the expected answer and gold evidence.</p>")
    parts.append("".join(_failure_html(*f) for f in failures) or "<p>None.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


# --- Markdown ---------------------------------------------------------------------------------
def render_markdown(result, title: str) -> str:
    m = result.metrics
    lines = [f"### citebot eval: {title}", ""]
    blocks = [("questions", m)] if "questions" in m else []
    blocks += [(k, m[k]) for k in ("turns", "follow_up_turns") if m.get(k)]
    for name, block in blocks:
        splits = block.get("by_split") or {}
        lines += [f"**{name}**: {block['questions']}" + (f" ({block['answerable']} answerable, {block['unanswerable']} unanswerable)" if block.get("answerable") is not None else ""), ""]
        def row(cells: list[str]) -> str:
            return "| " + " | ".join(cells) + " |"

        lines.append(row(["metric", "all", "95 % CI", *(f"{s} ({splits[s]['questions']})" for s in splits)]))
        lines.append(row(["---", *["---:"] * (2 + len(splits))]))
        for key, label in metrics.LABELS:
            lines.append(row([label, _v(key, block.get(key)), _ci(block, key), *(_v(key, splits[s].get(key)) for s in splits)]))
        lines.append("")
    sweep = analyse(result)
    if sweep and sweep["best"]:
        best = sweep["best"][0][0]
        lines.append(f"Refusal operating point {_v('threshold', sweep['operating'])}; best on {sweep['tuned_on']}: {span(best)} "
                     f"(answer correct {_v('answer_correct', best['answer_correct'])}, refused unanswerable {_v('refused_unanswerable', best['refused_unanswerable'])}).")
    failures = _failures(result)
    by_kind = {}
    for _, r, _ in failures:
        by_kind[r["outcome"]] = by_kind.get(r["outcome"], 0) + 1
    lines.append("Failures: " + (", ".join(f"{n} {metrics.OUTCOMES[k]}" for k, n in by_kind.items()) if by_kind else "none") + ".")
    lines += ["", f"_{SMALL_SET_NOTE}_", ""]
    return "\n".join(lines)


def write(result, out_dir: Path, title: str) -> list[Path]:
    out_dir = Path(out_dir)
    html_path, md_path = out_dir / "report.html", out_dir / "report.md"
    html_path.write_text(render_html(result, title), encoding="utf-8")
    md_path.write_text(render_markdown(result, title), encoding="utf-8")
    return [html_path, md_path]
