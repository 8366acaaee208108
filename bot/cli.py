"""`citebot` command line: argument wiring and printing only; the work is in the services."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

import prompts
from bot.config import Settings

EXIT_STALE = 1
EXIT_NO_INDEX = 2
EXIT_UNAVAILABLE = 3
EXIT_GATE = 4  # `eval --gate`: a metric missed its bound
EXIT_BUSY = 4  # `ingest`: another ingest is running
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as a shell reports a command it interrupted


EXIT_CONFIG = 78  # an invalid setting (environment, .env): sysexits' EX_CONFIG


def _settings(ctx: click.Context) -> Settings:
    """The settings, read when the group started; an invalid one is said here, when a command
    first needs them, so `citebot ask --help` still works with a broken .env."""
    settings = ctx.obj["settings"]
    if isinstance(settings, Exception):
        _err_console().print(f"[red]{_m(_settings_problem(settings))}[/red]")
        sys.exit(EXIT_CONFIG)
    return settings


# `ask` of a question it cannot take (empty, only punctuation, over MAX_QUESTION_CHARS): the polite
# message as usual, and this exit code; an answer or a refusal exits 0
INPUT_ERRORS = frozenset({"empty_question", "too_long"})
EXIT_BAD_QUESTION = 1


def _count(n: int, noun: str) -> str:
    """"1 article", "2 articles"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_skipped(console, skipped: list[tuple[str, str]]) -> None:
    for name, reason in skipped:
        console.print(f"[yellow]skipped {_m(name)}: {_m(reason)}[/yellow]")


def _m(value) -> str:
    """A value put inside rich markup: a path, a file name or an error message that holds
    brackets ("[draft]", "[null]") is shown as written, not read as tags (or fail as bad ones)."""
    from rich.markup import escape

    return escape(str(value))


def _err_console():
    from rich.console import Console

    # soft_wrap: a message is one line for a log file or a pipe, not cut at 80 columns
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stop_on_sigterm() -> None:
    """SIGTERM raises KeyboardInterrupt, so a terminated command unwinds (locks released,
    the serving index untouched) the way it does on Ctrl-C."""
    import signal

    def interrupt(signum, frame):  # noqa: ARG001
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def _open_answerer(settings: Settings, serving: bool = False, quick_start: bool = False, on_error=None):
    """The Answerer, or a clear message and exit when there is no usable index (or
    generative mode lacks its LLM settings).

    serving=True (long-running front ends): an Answerer that follows re-ingests and
    survives Chroma outages; at start it waits for an unreachable Chroma server,
    retrying with backoff, instead of exiting. quick_start=True (one question, then exit):
    spaCy loads in a worker process while the index opens (services.answerer). on_error(kind,
    message): told before the exit (`ask --json` prints it as JSON on stdout).

    Ctrl-C while they load (seconds; longer while a Chroma server is waited for) ends with one
    line and exit status 130, where click said "Aborted!" with status 1: loading only reads."""
    from bot import services
    from index.store import IndexMissing, IndexUnavailable
    from index.table import IndexFileDamaged

    def waiting(exc, seconds):
        _err_console().print(f"[yellow]{_m(exc)}[/yellow]\nRetrying in {seconds:.0f} s (Ctrl-C to stop)…")

    try:
        if serving:
            return services.serving_answerer(settings, wait=bool(settings.chroma_host), on_retry=waiting)
        return services.answerer(settings, quick_start=quick_start)
    except ValueError as exc:  # LLMConfigError: generative mode without LLM_BASE_URL / LLM_MODEL
        from bot.generative import LLMConfigError

        if not isinstance(exc, LLMConfigError):
            raise
        fail, code, message = "llm_not_configured", EXIT_NO_INDEX, str(exc)
        _err_console().print(f"[red]{_m(message)}[/red]")
    except IndexMissing:
        fail, code, message = "no_index", EXIT_NO_INDEX, prompts.render("no_index")
        _err_console().print(message)
    except IndexUnavailable as exc:
        fail, code, message = "index_unavailable", EXIT_UNAVAILABLE, str(exc)
        _err_console().print(f"[red]{_m(exc)}[/red]")
    except IndexFileDamaged as exc:  # set aside: the next start (or `citebot ingest`) makes it again
        fail, code, message = "index_damaged", EXIT_UNAVAILABLE, str(exc)
        _err_console().print(f"[red]{_m(exc)}[/red]")
    except KeyboardInterrupt:
        fail, code, message = "interrupted", EXIT_INTERRUPTED, prompts.render("interrupted")
        console = _err_console()
        if console.is_terminal:
            console.print()  # off the line the terminal echoed ^C on
        console.print(message)
    if on_error is not None:
        on_error(fail, message)
    sys.exit(code)


def mode_option(command):
    """--mode extractive|generative (overrides ANSWER_MODE)."""
    return click.option(
        "--mode", type=click.Choice(["extractive", "generative"]), default=None,
        help="extractive: the article's own sentence; generative: an LLM answer (LLM_BASE_URL), every sentence verified. Default: ANSWER_MODE.",
    )(command)


def _with_mode(ctx: click.Context, mode: str | None) -> Settings:
    settings = _settings(ctx)
    return settings.model_copy(update={"answer_mode": mode}) if mode else settings


def _settings_problem(exc: Exception) -> str:
    """One line per invalid setting, named as it is set (the environment variable, and its
    other names: MAX_FILE_BYTES / MAX_ARTICLE_BYTES)."""
    if isinstance(exc, UnicodeDecodeError):
        env_file = Settings.model_config.get("env_file")
        return f"Invalid settings: {env_file} is not UTF-8 text ({exc.reason} at byte {exc.start}). See .env.example."
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return f"Invalid settings: {exc}"
    lines = []
    for e in errors():
        loc = [str(p) for p in e.get("loc", ())]
        name = ".".join(loc).upper() or "settings"
        field = Settings.model_fields.get(loc[0]) if len(loc) == 1 else None
        choices = getattr(field.validation_alias, "choices", None) if field is not None else None
        if choices:
            name = " / ".join(dict.fromkeys(str(c).upper() for c in choices))
        given = e.get("input")
        shown = f" (got {given!r})" if isinstance(given, (str, int, float)) else ""
        lines.append(f"Invalid setting {name}: {e.get('msg', 'not valid')}{shown}. See .env.example.")
    return "\n".join(lines)


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Index location (DATA_DIR).")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-v info, -vv debug).")
@click.version_option(package_name="citebot")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, verbose: int) -> None:
    """citebot: answers questions about a news collection with verified, cited quotes."""
    overrides = {"data_dir": data_dir} if data_dir else {}
    try:
        settings = Settings(**overrides)
    except ValueError as exc:  # pydantic's ValidationError (a setting of the wrong kind), a .env that is not UTF-8
        ctx.obj = {"settings": exc}  # said by the command that needs them (`_settings`), not by its --help
        logging.basicConfig(level="WARNING", stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
        return
    level = [settings.log_level.upper(), "INFO", "DEBUG"][min(verbose, 2)]
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    from bot.services import quiet_libraries

    quiet_libraries()
    ctx.obj = {"settings": settings}


def _progress_columns():
    from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task):
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:.1f} articles/s", style="progress.data.speed")

    return (
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
    )


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(path_type=Path), help="Corpus directory (CORPUS_DIR).")
@click.option("--rebuild", is_flag=True, help="Embed everything again into a fresh index generation.")
@click.pass_context
def ingest(ctx: click.Context, corpus: Path | None, rebuild: bool) -> None:
    """Clean, chunk and embed the corpus into the index (incremental, resumable).

    The new index is written beside the one in use and switched to only when
    complete: interrupting ingest never breaks the index, and running it again
    picks up where it stopped."""
    from rich.progress import Progress

    from bot import services
    from index.ingest import EmptyCorpus, preflight
    from index.ingest import ingest as run_ingest
    from index.store import IndexUnavailable, IngestLocked

    settings = _settings(ctx)
    corpus = corpus or settings.corpus_dir
    console = _err_console()
    if not Path(corpus).is_dir():
        from index.corpus import corpus_problem

        console.print(f"[red]{_m(corpus_problem(Path(corpus)))}[/red]")
        sys.exit(EXIT_NO_INDEX)
    store = services.store(settings)
    try:
        preflight(store, settings.data_dir)
        # whether an interrupted run leaves an index answering (the previous one) or none at all
        had_index = store.pointer() is not None
    except IngestLocked as exc:
        console.print(f"[red]{_m(exc)}[/red]")
        sys.exit(EXIT_BUSY)
    except IndexUnavailable as exc:
        console.print(f"[red]{_m(exc)}[/red]")
        sys.exit(EXIT_UNAVAILABLE)
    _stop_on_sigterm()  # `docker stop`, `kill`: stop as cleanly as on Ctrl-C
    embed = services.embedding(settings)
    with console.status("Loading the embedding model…"):
        embed.load()
        from index.nlp import load

        load()
    try:
        with Progress(*_progress_columns(), console=console, transient=True) as bar:
            task = bar.add_task("Checking the corpus", total=None)

            def progress(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"Indexing {name[:40]}")

            report = run_ingest(
                corpus, store, embed, settings.data_dir,
                chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, rebuild=rebuild,
                max_file_bytes=settings.max_file_bytes, batch_articles=settings.ingest_batch_articles, progress=progress,
                delta_fraction=settings.ingest_delta_fraction,
            )
    except IngestLocked as exc:
        console.print(f"[red]{_m(exc)}[/red]")
        sys.exit(EXIT_BUSY)
    except IndexUnavailable as exc:
        console.print(f"[red]{_m(exc)}[/red]")
        sys.exit(EXIT_UNAVAILABLE)
    except EmptyCorpus as exc:
        _print_skipped(console, exc.skipped)
        console.print(f"[red]{_m(exc)}[/red]")
        sys.exit(EXIT_NO_INDEX)
    except KeyboardInterrupt:
        if had_index:
            console.print("[yellow]Interrupted. The previous index is still the one in use; run `citebot ingest` again to finish.[/yellow]")
        else:
            where = f"on the Chroma server at {settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else f"in {settings.data_dir}"
            console.print(f"[yellow]Interrupted. No index exists yet {_m(where)} (this was its first ingest); "
                          "run `citebot ingest` again to finish it: the articles already done are kept.[/yellow]")
        sys.exit(EXIT_INTERRUPTED)
    _print_skipped(console, report.skipped)
    changed = f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, {report.unchanged} unchanged"
    resumed = " (resumed an interrupted ingest)" if report.resumed else ""
    if report.restarted:
        resumed = " (an interrupted ingest had left its index unreadable: built again from the start)"
    shared = f", {report.chunks_shared} read from generation {report.base}" if report.base is not None else ""
    click.echo(
        f"Indexed {_count(report.articles, 'article')} ({changed}){resumed}; {_count(report.chunks_total, 'chunk')}, "
        f"{report.chunks_embedded} chunks + {report.sentences_embedded} sentences embedded, "
        f"{report.chunks_copied} chunks carried over{shared}; "
        f"{_count(len(report.skipped), 'file')} skipped; {report.seconds:.1f} s."
    )
    if report.chunks_embedded or report.removed:
        with console.status("Preparing the answerer's word vectors…"):
            services.warm_lexicon(settings, embed)


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(path_type=Path), help="Corpus directory to compare with (CORPUS_DIR).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.pass_context
def doctor(ctx: click.Context, corpus: Path | None, as_json: bool) -> None:
    """Check the index: configuration, connection, counts, freshness against the corpus.

    Exit status: 0 healthy, 1 index behind the corpus or settings (or the --corpus given
    is not a directory), 2 no index, 3 Chroma unreachable or the index unreadable (a damaged
    store, a file where DATA_DIR or one of its folders should be)."""
    from bot import services
    from index.health import diagnose

    settings = _settings(ctx)
    d = diagnose(
        services.store(settings), settings.data_dir, corpus or settings.corpus_dir, settings.chunk_size,
        settings.chunk_overlap, settings.max_file_bytes, settings.embed_backend, settings.model_cache_dir,
        settings.embed_precision, corpus_given=corpus is not None,
    )
    if as_json:
        click.echo(json.dumps(d.to_dict(), ensure_ascii=False, indent=2))
    else:
        from bot.render import output_console

        marks = {"ok": "[green]✓[/green]", "warn": "[yellow]![/yellow]", "fail": "[red]✗[/red]", "info": "·"}
        console = output_console()
        for c in d.checks:
            console.print(f"{marks[c.status]} [bold]{c.name}[/bold]: {_m(c.detail)}")
    sys.exit(d.exit_code)


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON (an eval result row).")
@mode_option
@click.pass_context
def ask(ctx: click.Context, question: tuple[str, ...], as_json: bool, mode: str | None) -> None:
    """Answer one QUESTION with cited quotes (or a refusal).

    Exit status: 0 an answer or a refusal, 1 no question to answer (empty, only punctuation or
    over MAX_QUESTION_CHARS), 2 no index, 3 index unavailable, 130 interrupted while loading."""
    text = " ".join(question)

    def as_json_error(kind: str, message: str) -> None:  # scripts reading --json get JSON either way
        click.echo(json.dumps({"question": text, "error": kind, "message": message}, ensure_ascii=False, indent=2))

    from bot.answer import no_question

    settings = _with_mode(ctx, mode)
    answer = no_question(text, settings.max_question_chars)  # said before the index loads
    if answer is None:
        answerer = _open_answerer(settings, quick_start=True, on_error=as_json_error if as_json else None)
        from index.table import IndexFileDamaged

        try:
            answer = answerer.ask(text)
        except IndexFileDamaged as exc:  # set aside: the next start (or `citebot ingest`) makes it again
            _err_console().print(f"[red]{_m(exc)}[/red]")
            if as_json:
                as_json_error("index_damaged", str(exc))
            sys.exit(EXIT_UNAVAILABLE)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        from bot.render import output_console, print_answer

        print_answer(output_console(), answer)
    if answer.reason in INPUT_ERRORS:  # nothing was asked: a script can tell it from an answer or a refusal
        sys.exit(EXIT_BAD_QUESTION)


@cli.command()
@mode_option
@click.pass_context
def repl(ctx: click.Context, mode: str | None) -> None:
    """Ask questions interactively."""
    from bot import repl as repl_mod

    settings = _with_mode(ctx, mode)
    answerer = _open_answerer(settings, serving=True)
    sys.exit(repl_mod.run(answerer, history_file=settings.data_dir / "repl_history", settings=settings))


class _DefaultCommandGroup(click.Group):
    """A group whose first argument may be a subcommand or, when it is not one, the
    arguments of `default_command` (so `citebot eval FILE` and `citebot eval compare A B` both work)."""

    default_command = "run"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)


def _fmt(key: str, value, signed: bool = False) -> str:
    from bot.evaluate.metrics import fmt

    text = fmt(key, value)
    return "+" + text if signed and isinstance(value, (int, float)) and value > 0 and text.strip("0.") else text


def _ci(block: dict, key: str) -> str:
    ci = (block.get("ci") or {}).get(key)
    return f"{ci[0]:.2f}–{ci[1]:.2f}" if ci else ""


@cli.group(name="eval", cls=_DefaultCommandGroup, invoke_without_command=False, no_args_is_help=True)
def eval_group() -> None:
    """Evaluate on a question set: `citebot eval QUESTIONS.jsonl --out DIR` runs it
    (see `citebot eval run --help`); `citebot eval compare RUN_A RUN_B` compares two runs."""


@eval_group.command(name="run")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Directory for results.jsonl, metrics.json, report.html and report.md.")
@click.option("--limit", type=click.IntRange(min=1), help="Answer only the first N questions (after --ids).")
@click.option("--ids", "ids", multiple=True, metavar="ID[,ID…]", help="Answer only these question ids (comma-separated or repeated).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Answer N questions at a time (threads sharing one index; same results as serial, higher per-question latency).")
@click.option("--sweep", is_flag=True, help="Also print the metrics across the refusal threshold and the best operating points.")
@click.option("--no-report", is_flag=True, help="Skip report.html / report.md.")
@click.option("--gate", "gate_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"Quality gate: exit with code {EXIT_GATE} when a metric misses its bound in this TOML file (evals/thresholds.toml).")
@mode_option
@click.pass_context
def eval_cmd(ctx: click.Context, questions: Path, out_dir: Path, limit: int | None, ids: tuple[str, ...], jobs: int,
             sweep: bool, no_report: bool, gate_file: Path | None, mode: str | None) -> None:
    """Run a question set (JSON Lines, see evals/EVAL_FORMAT.md) and report metrics."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.table import Table

    from bot.evaluate.metrics import GENERATIVE_LABELS, LABELS
    from bot.evaluate.run import QuestionFileError, load_questions, run, select

    from bot.evaluate import gate

    wanted = [i.strip() for part in ids for i in part.split(",") if i.strip()]
    try:
        rows = select(load_questions(questions), wanted, limit)
        bounds = gate.load(gate_file) if gate_file else None
    except (QuestionFileError, gate.GateFileError) as exc:
        _err_console().print(f"[red]{_m(exc)}[/red]")  # it quotes the file: "[null]" is not markup
        sys.exit(1)
    from index.atomic import write_problem

    problem = write_problem(out_dir)
    if problem is not None:  # found now, not after every question has been answered
        _err_console().print(f"[red]Cannot write the results to {_m(out_dir)}: {_m(problem.strerror or problem)}[/red]")
        sys.exit(1)
    settings = _with_mode(ctx, mode)
    answerer = _open_answerer(settings)
    conversations = None
    if any("turns" in r for r in rows):  # dialogues: each row in a fresh conversation
        from bot.conversation import Conversation, Rewriter

        rewriter = Rewriter.for_answerer(answerer)

        def conversations():
            return Conversation(answerer, settings.conversation_max_turns, settings.conversation_idle_minutes * 60,
                                rewriter=rewriter)
    err = _err_console()
    columns = (TextColumn("Answering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("Answering", total=len(rows))
        result = run(answerer, rows, out_dir, progress=lambda done, total: bar.update(task, completed=done), jobs=jobs,
                     conversation_factory=conversations)
    console = Console(highlight=False)
    blocks = [("questions", result.metrics)] if "questions" in result.metrics else []
    blocks += [(k, result.metrics[k]) for k in ("turns", "follow_up_turns") if result.metrics.get(k)]
    for name, block in blocks:
        splits = block.get("by_split") or {}
        table = Table(title=f"{_m(questions.name)}: {name} ({block['questions']})")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_column("95 % CI", justify="right")
        for split in splits:
            table.add_column(f"{split} ({splits[split]['questions']})", justify="right")
        for key, label in LABELS + [(k, lab) for k, lab in GENERATIVE_LABELS if k in block]:
            table.add_row(label, _fmt(key, block.get(key)), _ci(block, key), *[_fmt(key, splits[s].get(key)) for s in splits])
        console.print(table)
    refs = (result.metrics.get("follow_up_turns") or {}).get("references")
    if refs:
        resolved = refs["reference_resolved"]
        console.print(
            f"Follow-ups: {refs['follow_ups']}, rewritten {refs['rewritten_rate']:.0%}; reference resolved "
            f"{'n/a' if resolved is None else f'{resolved:.0%}'} of {refs['reference_checkable']} checkable; "
            f"answered about the wrong entity: {refs['answered_about_wrong_entity']}"
            + (f" ({', '.join(refs['wrong_entity_turns'])})" if refs["wrong_entity_turns"] else "")
        )
    if sweep:
        _print_sweep(console, result)
    written = [out_dir / "results.jsonl", out_dir / "metrics.json"]
    if not no_report:
        from bot.evaluate import report

        written += report.write(result, out_dir, title=questions.name)
    else:  # a report an earlier run left there would describe other results
        for stale in (out_dir / "report.html", out_dir / "report.md"):
            stale.unlink(missing_ok=True)
    console.print("Wrote " + ", ".join(_m(p) for p in written))
    if bounds is not None:
        misses = gate.check(result.metrics, bounds)
        if misses:
            _err_console().print(f"[red]Quality gate failed ({_m(gate_file)}):[/red]\n" + "\n".join(f"  [red]✗[/red] {_m(m)}" for m in misses))
            sys.exit(EXIT_GATE)
        console.print(f"Quality gate passed ({_m(gate_file)}).")


def _print_sweep(console, result) -> None:
    from rich.table import Table

    from bot.evaluate import sweep as sw

    analysis = sw.analyse(result)
    if not analysis or not analysis["best"]:
        why = "the run has no p_answerable scores (no support model)" if not analysis else "the questions carry no \"answerable\" labels"
        console.print(f"No threshold sweep: {why}.")
        return
    table = Table(title=f"Refusal threshold sweep on {_m(analysis['tuned_on'])} (operating point {_fmt('threshold', analysis['operating'])} ◀)")
    keys = ("answer_correct", "refused_unanswerable", "false_refusal", "supporting_citation", "balanced")
    for col in ("threshold", "correct", "refused unans.", "false refusal", "supporting", "balanced"):
        table.add_column(col, justify="right")
    for p in analysis["table"]:
        mark = " ◀" if p["threshold"] == analysis["operating_row"] else ""
        table.add_row(f"{p['threshold']:.2f}{mark}", *[_fmt(k, p[k]) for k in keys])
    console.print(table)
    from bot.evaluate.report import span

    best = Table(title=f"Best operating points on {_m(analysis['tuned_on'])}, by balanced = (correct + refused unanswerable) / 2")
    for col in ("threshold", "balanced", "correct", "refused unans.", "false refusal", *analysis["other_labels"]):
        best.add_column(col, justify="right")
    for p, others in analysis["best"]:
        best.add_row(span(p), *[_fmt(k, p[k]) for k in ("balanced", "answer_correct", "refused_unanswerable", "false_refusal")],
                     *[_fmt("balanced", o) for o in others])
    console.print(best)


@eval_group.command(name="compare")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False, path_type=Path))
def compare_cmd(run_a: Path, run_b: Path) -> None:
    """Metric deltas (B − A) and the questions whose outcome changed between two eval runs."""
    from rich.console import Console
    from rich.table import Table

    from bot.evaluate import compare
    from bot.evaluate.run import QuestionFileError

    try:
        diff = compare.compare(run_a, run_b)
    except QuestionFileError as exc:
        _err_console().print(f"[red]{_m(exc)}[/red]")
        sys.exit(1)
    console = Console(highlight=False)
    table = Table(title=f"A = {_m(run_a)}   B = {_m(run_b)}")
    for col in ("metric", "A", "B", "B − A"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for key, label, a, b, delta, verdict in diff.metrics:
        colour = {"better": "green", "worse": "red"}.get(verdict, "")
        shown = _fmt(key, delta, signed=True)
        table.add_row(label, _fmt(key, a), _fmt(key, b), f"[{colour}]{shown}[/{colour}]" if colour and delta else shown)
    console.print(table)
    if diff.only_a or diff.only_b:
        console.print(f"[yellow]The runs cover different questions ({len(diff.only_a)} only in A, {len(diff.only_b)} only in B): "
                      "the metric deltas compare different sets.[/yellow]")
    if not diff.changed:
        console.print(f"No question changed outcome ({diff.common} in common; {diff.answers_changed} answers worded differently).")
        return
    console.print(f"\n[bold]{len(diff.changed)} of {diff.common} questions changed outcome[/bold] "
                  f"({diff.answers_changed} answers differ in wording); regressions first:")
    for c in diff.changed:
        colour = {"better": "green", "worse": "red"}.get(c.verdict, "yellow")
        console.print(f"[{colour}]{c.verdict:>7}[/{colour}]  {_m(c.id)}: {_m(c.a)} → [{colour}]{_m(c.b)}[/{colour}]")
        console.print(f"         [dim]{_m(c.question)}[/dim]")


@cli.command()
@click.argument("questions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", help="Skip rows whose \"split\" field is another value (rows without one are kept), e.g. dev.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the model (default: bot/support_model.json).")
@click.option("--reader-k", type=click.IntRange(1, 20), default=4, show_default=True, help="Spans per question the reader reads (READER=0 or no reader model: none).")
@click.option("--reader-context", type=click.IntRange(0, 3), default=1, show_default=True, help="Sentences the reader reads on each side of a span.")
@click.pass_context
def calibrate(ctx: click.Context, questions: tuple[Path, ...], split: str | None, out_path: Path | None, reader_k: int, reader_context: int) -> None:
    """Fit the answer-ranking and refusal model on labelled question sets (never on the sets you report)."""
    from rich.progress import Progress

    from bot import services
    from bot.evaluate import calibrate as cal
    from bot.evaluate.run import QuestionFileError, load_questions

    rows = []
    try:
        for path in questions:
            rows += [r for r in load_questions(path) if split is None or r.get("split", split) == split]
    except QuestionFileError as exc:
        _err_console().print(f"[red]{_m(exc)}[/red]")
        sys.exit(1)
    settings = _settings(ctx)
    from index.store import IndexMissing

    try:
        answerer = services.answerer(settings.model_copy(update={"support_model": Path("none"), "answer_mode": "extractive"}))
    except IndexMissing:
        _err_console().print(prompts.render("no_index"))
        sys.exit(EXIT_NO_INDEX)
    with Progress(console=_err_console(), transient=True) as bar:
        task = bar.add_task("Scoring candidates", total=len(rows))
        samples = cal.collect(answerer, rows, progress=lambda n, total: bar.update(task, completed=n))
    name = " + ".join(p.name for p in questions) + (f" (split {split})" if split else "")
    answerable = sum(s.answerable for s in samples)
    gold = sum(s.answerable and any(s.positive) for s in samples)
    if min(answerable, len(samples) - answerable) < cal.MIN_PER_CLASS or gold < cal.MIN_PER_CLASS:
        _err_console().print(
            f"[red]Nothing to fit: calibrate needs labelled questions, at least {cal.MIN_PER_CLASS} with \"answerable\": true "
            f"(whose expected answer or evidence a retrieved span holds) and {cal.MIN_PER_CLASS} with false; "
            f"{_m(name)} has {answerable} answerable ({gold} of them with such a span) and {len(samples) - answerable} "
            f"unanswerable{f' of {len(rows)} rows' if len(rows) != len(samples) else ''}.[/red]")
        sys.exit(1)
    model, train = cal.fit(answerer, samples, name=name)
    click.echo(
        f"Fitted on {len(samples)} questions ({name}); threshold {model.threshold:.2f}; training-set: "
        + ", ".join(f"{k} {v:.3f}" for k, v in train.items())
    )
    from bot import reader

    answerer.reader = reader.load(settings.reader_dir) if settings.reader else None
    if answerer.reader is not None:
        model, train = cal.fit_reader(answerer, samples, model, k=reader_k, context=reader_context)
        click.echo(
            f"With the reader ({reader_k} spans a question, {reader_context} sentences around each): threshold {model.reader.threshold:.2f}; training-set: "
            + ", ".join(f"{k} {v:.3f}" for k, v in train.items())
        )
    model.save(out_path)


@cli.command()
@click.option("--webhook", "webhook_url", metavar="URL", help="Webhook mode: the public HTTPS URL (TELEGRAM_WEBHOOK_URL). Default: long polling.")
@click.option("--listen", help="Webhook: local address to listen on (TELEGRAM_WEBHOOK_LISTEN).")
@click.option("--port", type=click.IntRange(1, 65535), help="Webhook: local port (TELEGRAM_WEBHOOK_PORT).")
@click.option("--secret", help="Webhook: secret token Telegram sends with each update (TELEGRAM_WEBHOOK_SECRET).")
@mode_option
@click.pass_context
def telegram(ctx: click.Context, webhook_url: str | None, listen: str | None, port: int | None, secret: str | None, mode: str | None) -> None:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN) until Ctrl-C / SIGTERM."""
    from bot.telegram.app import check_api, run

    options = {"telegram_webhook_url": webhook_url, "telegram_webhook_listen": listen, "telegram_webhook_port": port, "telegram_webhook_secret": secret}
    settings = _with_mode(ctx, mode).model_copy(update={k: v for k, v in options.items() if v is not None})
    code = check_api(settings)  # settings, token and Bot API before the index and model load (waits while it is unreachable)
    if code is not None:
        sys.exit(code)
    sys.exit(run(settings, _open_answerer(settings, serving=True), wait=True))


def main() -> None:
    """The command line, with a Ctrl-C that no command handles itself (one while a command starts
    or finishes, or one that answers or evaluates) ending in one line and exit status 130, as the
    loading commands' own does, not click's "Aborted!" and status 1."""
    try:
        code = cli.main(prog_name="citebot", standalone_mode=False)
    except click.exceptions.Abort as exc:
        if not isinstance(exc.__cause__ or exc.__context__, KeyboardInterrupt):  # click turns an EOFError into Abort too
            click.echo("Aborted!", err=True)
            sys.exit(1)
        click.echo(prompts.render("interrupted_anywhere"), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:  # usage errors: as click shows them in its standalone mode
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)  # --help and friends return their exit code


if __name__ == "__main__":
    main()
