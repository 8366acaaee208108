"""`citebot` command line: argument wiring and printing only; the work is in the services."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

import prompts
from bot.config import Settings

EXIT_NO_INDEX = 2
EXIT_UNAVAILABLE = 3


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _open_answerer(settings: Settings):
    """The Answerer, or a clear message and exit when there is no usable index
    (or generative mode lacks its LLM settings)."""
    from bot import services
    from index.store import IndexMissing, IndexUnavailable

    try:
        return services.answerer(settings)
    except ValueError as exc:  # LLMConfigError: generative mode without LLM_BASE_URL / LLM_MODEL
        from rich.markup import escape

        from bot.generative import LLMConfigError

        if not isinstance(exc, LLMConfigError):
            raise
        _err_console().print(f"[red]{escape(str(exc))}[/red]")
        sys.exit(EXIT_NO_INDEX)
    except IndexMissing:
        _err_console().print(prompts.render("no_index"))
        sys.exit(EXIT_NO_INDEX)
    except IndexUnavailable as exc:
        _err_console().print(f"[red]{exc}[/red]")
        sys.exit(EXIT_UNAVAILABLE)


def mode_option(command):
    """--mode extractive|generative (overrides ANSWER_MODE)."""
    return click.option(
        "--mode", type=click.Choice(["extractive", "generative"]), default=None,
        help="extractive: the article's own sentence; generative: an LLM answer (LLM_BASE_URL), every sentence verified. Default: ANSWER_MODE.",
    )(command)


def _with_mode(ctx: click.Context, mode: str | None) -> Settings:
    settings = _settings(ctx)
    return settings.model_copy(update={"answer_mode": mode}) if mode else settings


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Index location (DATA_DIR).")
@click.option("-v", "--verbose", count=True, help="More log output on stderr (-v info, -vv debug).")
@click.version_option(package_name="citebot")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, verbose: int) -> None:
    """citebot: answers questions about a news collection with verified, cited quotes."""
    overrides = {"data_dir": data_dir} if data_dir else {}
    settings = Settings(**overrides)
    level = [settings.log_level.upper(), "INFO", "DEBUG"][min(verbose, 2)]
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    from bot.services import quiet_libraries

    quiet_libraries()
    ctx.obj = {"settings": settings}


@cli.command()
@click.option("--corpus", "corpus", type=click.Path(path_type=Path), help="Corpus directory (CORPUS_DIR).")
@click.option("--rebuild", is_flag=True, help="Drop the index and build it from scratch.")
@click.pass_context
def ingest(ctx: click.Context, corpus: Path | None, rebuild: bool) -> None:
    """Clean, chunk and embed the corpus into the index (incremental)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from bot import services
    from index.ingest import ingest as run_ingest
    from index.store import IndexUnavailable

    settings = _settings(ctx)
    corpus = corpus or settings.corpus_dir
    console = _err_console()
    if not Path(corpus).is_dir():
        console.print(f"[red]Corpus directory not found: {corpus}[/red]")
        sys.exit(EXIT_NO_INDEX)
    embed = services.embedding(settings)
    with console.status("Loading the embedding model…"):
        embed.load()
        from index.nlp import load

        load()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=console, transient=True) as bar:
            task = bar.add_task("Embedding articles", total=None)

            def progress(done: int, total: int, name: str) -> None:
                bar.update(task, completed=done, total=total, description=f"Embedding {name}")

            report = run_ingest(
                corpus, services.store(settings), embed, settings.data_dir,
                chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, rebuild=rebuild,
                max_file_bytes=settings.max_file_bytes, progress=progress,
            )
    except IndexUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        sys.exit(EXIT_UNAVAILABLE)
    for name, reason in report.skipped:
        console.print(f"[yellow]skipped {name}: {reason}[/yellow]")
    changed = f"{len(report.added)} added, {len(report.updated)} updated, {len(report.removed)} removed, {report.unchanged} unchanged"
    click.echo(
        f"Indexed {report.articles} articles ({changed}); {report.chunks_total} chunks, "
        f"{report.chunks_embedded} chunks + {report.sentences_embedded} sentences embedded; "
        f"{len(report.skipped)} files skipped; {report.seconds:.1f} s."
    )


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the Answer as JSON (an eval result row).")
@mode_option
@click.pass_context
def ask(ctx: click.Context, question: tuple[str, ...], as_json: bool, mode: str | None) -> None:
    """Answer one QUESTION with cited quotes (or a refusal)."""
    answerer = _open_answerer(_with_mode(ctx, mode))
    answer = answerer.ask(" ".join(question))
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    from rich.console import Console

    from bot.render import print_answer

    print_answer(Console(highlight=False), answer)


@cli.command()
@mode_option
@click.pass_context
def repl(ctx: click.Context, mode: str | None) -> None:
    """Ask questions interactively."""
    from bot import repl as repl_mod

    settings = _with_mode(ctx, mode)
    answerer = _open_answerer(settings)
    sys.exit(repl_mod.run(answerer, history_file=settings.data_dir / "repl_history"))


@cli.command(name="eval")
@click.argument("questions", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Directory for results.jsonl and metrics.json.")
@mode_option
@click.pass_context
def eval_cmd(ctx: click.Context, questions: Path, out_dir: Path, mode: str | None) -> None:
    """Run a question set (JSON Lines, see EVAL_FORMAT.md) and report metrics."""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from bot.evaluate.metrics import GENERATIVE_LABELS, LABELS
    from bot.evaluate.run import QuestionFileError, load_questions, run

    try:
        rows = load_questions(questions)
    except QuestionFileError as exc:
        _err_console().print(f"[red]{exc}[/red]")
        sys.exit(1)
    answerer = _open_answerer(_with_mode(ctx, mode))
    with Progress(console=_err_console(), transient=True) as bar:
        task = bar.add_task("Answering", total=len(rows))
        result = run(answerer, rows, out_dir, progress=lambda done, total: bar.update(task, completed=done))
    console = Console(highlight=False)
    blocks = [("questions", result.metrics)] if "questions" in result.metrics else []
    blocks += [(k, result.metrics[k]) for k in ("turns", "follow_up_turns") if result.metrics.get(k)]
    for name, block in blocks:
        table = Table(title=f"{questions.name}: {name} ({block['questions']})")
        table.add_column("metric")
        table.add_column("value", justify="right")
        for key, label in LABELS + [(k, lab) for k, lab in GENERATIVE_LABELS if k in block]:
            value = block.get(key)
            table.add_row(label, "n/a" if value is None else f"{value:g}" if isinstance(value, (int, float)) else str(value))
        console.print(table)
    console.print(f"Wrote {out_dir / 'results.jsonl'} and {out_dir / 'metrics.json'}")


@cli.command()
@click.argument("questions", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", help="Skip rows whose \"split\" field is another value (rows without one are kept), e.g. dev.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), help="Where to write the model (default: bot/support_model.json).")
@click.pass_context
def calibrate(ctx: click.Context, questions: tuple[Path, ...], split: str | None, out_path: Path | None) -> None:
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
        _err_console().print(f"[red]{exc}[/red]")
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
    model, train = cal.fit(answerer, samples, name=name)
    model.save(out_path)
    click.echo(
        f"Fitted on {len(samples)} questions ({name}); threshold {model.threshold:.2f}; training-set: "
        + ", ".join(f"{k} {v:.3f}" for k, v in train.items())
    )


@cli.command()
@click.option("--webhook", "webhook_url", metavar="URL", help="Webhook mode: the public HTTPS URL (TELEGRAM_WEBHOOK_URL). Default: long polling.")
@click.option("--listen", help="Webhook: local address to listen on (TELEGRAM_WEBHOOK_LISTEN).")
@click.option("--port", type=int, help="Webhook: local port (TELEGRAM_WEBHOOK_PORT).")
@click.option("--secret", help="Webhook: secret token Telegram sends with each update (TELEGRAM_WEBHOOK_SECRET).")
@mode_option
@click.pass_context
def telegram(ctx: click.Context, webhook_url: str | None, listen: str | None, port: int | None, secret: str | None, mode: str | None) -> None:
    """Run the Telegram bot (TELEGRAM_BOT_TOKEN) until Ctrl-C / SIGTERM."""
    from bot.telegram.app import EXIT_CONFIG, ConfigError, check_settings, run

    options = {"telegram_webhook_url": webhook_url, "telegram_webhook_listen": listen, "telegram_webhook_port": port, "telegram_webhook_secret": secret}
    settings = _with_mode(ctx, mode).model_copy(update={k: v for k, v in options.items() if v is not None})
    try:
        check_settings(settings)  # before the index and model load
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_CONFIG)
    sys.exit(run(settings, _open_answerer(settings)))


def main() -> None:
    cli(prog_name="citebot")


if __name__ == "__main__":
    main()
