"""The `tactful` command: analyze, draft, train, eval, serve."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from pydantic import BeforeValidator, ConfigDict, ValidationError

from app.config import ROOT, Settings, get_settings
from app.errors import InputError
from app.schemas import MessageIn

app = typer.Typer(
    name="tactful",
    help="Calm, non-apologetic replies to hostile email.",
    no_args_is_help=True,
    add_completion=False,
)

JSONL_BATCH = 64


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _settings() -> Settings:
    """The settings, or exit 2 naming each invalid `TACTFUL_*` value."""
    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"TACTFUL_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors()
        )
        raise _fail(f"invalid setting: {problems}") from exc


def _input_file(path: Path) -> Path:
    """`path` if it is a file to read, else exit 2 saying what it is."""
    if not path.exists():
        raise _fail(f"no such file: {path}")
    if not path.is_file():
        raise _fail(f"not a file: {path}")
    return path


def _output(path: Path, folder: bool = False) -> Path:
    """`path`, with its parent folders made, checked before any long work is done."""
    if path.exists() and path.is_dir() != folder:
        wanted = "a folder" if folder else "a file name"
        raise _fail(f"{path} is {'a folder' if path.is_dir() else 'a file'}; give {wanted}")
    try:
        (path if folder else path.parent).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _fail(f"cannot write to {path}: {exc.strerror or exc}") from exc
    return path


def _load(settings: Settings):
    from app.pipeline.service import Tactful

    try:
        return Tactful.load(settings)
    except FileNotFoundError as exc:
        raise _fail(str(exc)) from exc


def _read_input(source: str) -> bytes:
    if source == "-":
        return sys.stdin.buffer.read()
    path = _input_file(Path(source))
    return path.read_bytes()


class JsonlLine(MessageIn):
    """One valid line of a JSONL input file: the API's message fields and an `id`."""

    model_config = ConfigDict(extra="ignore")

    id: Annotated[str, BeforeValidator(lambda v: str(v) if type(v) is int else v)]


def read_jsonl(path: Path) -> Iterator[tuple[int, JsonlLine | str]]:
    """(line number, the valid line or what is wrong with it) for each non-empty line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield number, "not UTF-8"
                continue
            if not text.strip():
                continue
            try:
                row = json.loads(text)
            except json.JSONDecodeError as exc:
                yield number, f"not JSON ({exc.msg})"
                continue
            if not isinstance(row, dict):
                yield number, "not a JSON object"
                continue
            missing = [k for k in ("id", "body") if row.get(k) in (None, "")]
            if missing:
                yield number, f"missing {' and '.join(missing)}"
                continue
            try:
                fields = JsonlLine.model_validate(row)
            except ValidationError as exc:
                first: dict[str, str] = {}
                for error in exc.errors():
                    first.setdefault(str(error["loc"][0]), error["msg"])
                yield number, "; ".join(f"{name}: {msg}" for name, msg in first.items())
                continue
            yield number, fields


def _run_jsonl(path: Path, settings: Settings, drafting: bool, strategy: str | None) -> None:
    from app.schemas import AnalysisOut, DraftOut

    _input_file(path)
    tactful = _load(settings)
    failures = 0
    pending: list[tuple[JsonlLine, object]] = []

    def flush() -> None:
        if not pending:
            return
        readings = tactful.read_many(
            [m for _, m in pending],
            languages=[i.lang for i, _ in pending],
            strategies=[strategy] * len(pending),
        )
        if drafting:
            outs = [DraftOut.of(r).model_dump(mode="json") for r in tactful.draft_many(readings)]
        else:
            outs = [AnalysisOut.of(r).model_dump(mode="json") for r in readings]
        for (item, _), out in zip(pending, outs, strict=True):
            typer.echo(json.dumps({"id": item.id, **out}, ensure_ascii=False))
        pending.clear()

    for number, item in read_jsonl(path):
        if isinstance(item, str):
            failures += 1
            typer.echo(f"{path}:{number}: {item}", err=True)
            continue
        try:
            message = tactful.parse(
                item.body, subject=item.subject, sender=item.sender, sent_at=item.sent_at
            )
        except InputError as exc:
            failures += 1
            typer.echo(f"{path}:{number}: id {item.id}: {exc}", err=True)
            continue
        pending.append((item, message))
        if len(pending) >= JSONL_BATCH:
            flush()
    flush()
    if failures:
        typer.echo(f"{failures} line(s) failed", err=True)
        raise typer.Exit(1)


def _single(source: str, settings: Settings, *, subject: str | None, sender: str | None):
    tactful = _load(settings)
    try:
        message = tactful.parse(_read_input(source), subject=subject, sender=sender)
    except InputError as exc:
        raise _fail(str(exc), 1) from exc
    return tactful, message


Source = Annotated[
    str, typer.Argument(help="An email file (plain text or raw MIME), or - for stdin.")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a summary.")]
Jsonl = Annotated[
    Path | None,
    typer.Option(
        "--jsonl",
        help="One JSON object per line with id, body and optional subject, sender, sent_at, lang.",
    ),
]
Subject = Annotated[str | None, typer.Option(help="Subject, when the input has no headers.")]
Sender = Annotated[str | None, typer.Option(help='Sender, "Name <address>".')]
StrategyOpt = Annotated[
    str | None, typer.Option(help="Force a strategy: resolve, boundary or exit.")
]


@app.command()
def analyze(
    source: Source = "-",
    as_json: AsJson = False,
    jsonl: Jsonl = None,
    subject: Subject = None,
    sender: Sender = None,
) -> None:
    """Classify a message: tone, hostility, threats, complaints, sentence roles."""
    from app.cli_output import format_analysis
    from app.schemas import AnalysisOut

    settings = _settings()
    if jsonl is not None:
        _run_jsonl(jsonl, settings, drafting=False, strategy=None)
        return
    tactful, message = _single(source, settings, subject=subject, sender=sender)
    out = AnalysisOut.of(tactful.read(message))
    typer.echo(out.model_dump_json(indent=2) if as_json else format_analysis(out))


@app.command()
def draft(
    source: Source = "-",
    as_json: AsJson = False,
    jsonl: Jsonl = None,
    subject: Subject = None,
    sender: Sender = None,
    strategy: StrategyOpt = None,
) -> None:
    """Draft a calm reply to a message."""
    from app.cli_output import format_draft
    from app.pipeline.types import STRATEGIES
    from app.schemas import DraftOut

    if strategy is not None and strategy not in STRATEGIES:
        raise _fail(f"--strategy must be one of {', '.join(STRATEGIES)}")
    settings = _settings()
    if jsonl is not None:
        _run_jsonl(jsonl, settings, drafting=True, strategy=strategy)
        return
    tactful, message = _single(source, settings, subject=subject, sender=sender)
    out = DraftOut.of(tactful.draft(message, strategy=strategy))
    typer.echo(out.model_dump_json(indent=2) if as_json else format_draft(out))


@app.command()
def check(
    source: Source = "-",
    client: Annotated[Path | None, typer.Option(help="The client's message (insults).")] = None,
) -> None:
    """Run the calm guard on a reply; exit 1 when a rule fails."""
    text = _read_input(source).decode("utf-8", "replace")
    client_text = (
        _input_file(client).read_text(encoding="utf-8", errors="replace") if client else None
    )
    settings = _settings()
    tactful = _load(settings)
    checks = tactful.check(text, client_text=client_text)
    for c in checks:
        typer.echo(f"{'ok  ' if c.passed else 'FAIL'} {c.rule}: {c.detail}")
    if not all(c.passed for c in checks):
        raise typer.Exit(1)


@app.command()
def train(
    corpus: Annotated[Path, typer.Option(help="Folder of training JSONL files.")] = (
        ROOT / "models" / "data" / "train"
    ),
    out: Annotated[Path | None, typer.Option(help="Where to save the heads.")] = None,
    real: Annotated[Path | None, typer.Option(help="Real public messages (tone, hostility).")] = (
        ROOT.parent / "shared" / "data" / "real"
    ),
    no_real: Annotated[bool, typer.Option("--no-real", help="Train on the corpus only.")] = False,
    wording: Annotated[
        Path, typer.Option(help="Short messages labelled hostile or not (hostile wording).")
    ] = ROOT / "models" / "data" / "wording",
    no_wording: Annotated[
        bool, typer.Option("--no-wording", help="Read hostile wording from real messages only.")
    ] = False,
    finetune_wording: Annotated[
        int, typer.Option(help="Wording-corpus rows that also tune the adapters (0: none).")
    ] = 0,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 13,
    hidden: Annotated[int, typer.Option(help="Hidden units per head (0: linear).")] = 0,
    epochs: Annotated[int, typer.Option(help="Full-batch epochs per head.")] = 300,
    finetune: Annotated[
        int, typer.Option(help="Epochs of encoder fine-tuning with LoRA adapters (0: frozen).")
    ] = 3,
    adapter_rank: Annotated[int, typer.Option(help="Rank of the LoRA adapters.")] = 8,
    members: Annotated[
        int,
        typer.Option(help="Adapter sets trained from successive seeds, their changes averaged."),
    ] = 3,
    adapter_targets: Annotated[
        str,
        typer.Option(help="Layers with adapters: attention, or all (feed-forward too)."),
    ] = "attention",
    complaint_weight: Annotated[
        float,
        typer.Option(help="Weight of the complaint loss while tuning the adapters (1: as tone)."),
    ] = 6.0,
    threat_weight: Annotated[
        float, typer.Option(help="Weight of the threat loss while tuning the adapters.")
    ] = 3.0,
    sentence_peak: Annotated[
        bool,
        typer.Option(help="Complaint scores also read the message's strongest sentence."),
    ] = True,
    threat_cuts: Annotated[
        bool,
        typer.Option(help="Also train on threatening emails with their threat sentences cut out."),
    ] = True,
    threat_inserts: Annotated[
        bool,
        typer.Option(help="Also train on complaint emails given another email's threat sentence."),
    ] = False,
    emotion_cuts: Annotated[
        bool,
        typer.Option(help="Also train on heated emails with their emotion sentences cut out."),
    ] = False,
    hostile_language: Annotated[
        bool,
        typer.Option(help="Hostility also reads the wording, learnt from short messages alone."),
    ] = True,
    lexicon_terms: Annotated[
        int,
        typer.Option(help="Word n-grams the message heads read beside the encoder (0: none)."),
    ] = 5000,
    balance_labels: Annotated[
        bool,
        typer.Option(help="Up-weight rare positives of the built-in complaint and threat labels."),
    ] = False,
) -> None:
    """Train the classifier heads from scratch (deterministic for a seed)."""
    from tqdm import tqdm

    from app.pipeline.encoder import TorchEncoder
    from app.pipeline.lora import TARGETS
    from app.training.train import TrainConfig, report_json
    from app.training.train import train as run_training

    if adapter_targets not in TARGETS:
        raise _fail(f"--adapter-targets must be one of: {', '.join(TARGETS)}")
    if adapter_rank < 1:
        raise _fail("--adapter-rank must be at least 1")
    if members < 1:
        raise _fail("--members must be at least 1")
    if lexicon_terms < 0:
        raise _fail("--lexicon-terms must be 0 (none) or more")
    if finetune_wording < 0:
        raise _fail("--finetune-wording must be 0 (none) or more")
    if not (complaint_weight >= 0 and threat_weight >= 0):
        raise _fail("--complaint-weight and --threat-weight must be 0 or more")
    if not no_wording and not wording.is_dir():
        raise _fail(f"--wording: no folder {wording} (--no-wording trains without it)")
    settings = _settings()
    target = _output(out or settings.model_dir, folder=True)
    config = TrainConfig(
        seed=seed,
        hidden=hidden,
        epochs=epochs,
        real_data=not no_real,
        finetune_epochs=finetune,
        adapter_rank=adapter_rank,
        members=members,
        adapter_targets=adapter_targets,
        complaint_weight=complaint_weight,
        threat_weight=threat_weight,
        sentence_peak=sentence_peak,
        threat_cuts=threat_cuts,
        threat_inserts=threat_inserts,
        emotion_cuts=emotion_cuts,
        hostile_language=hostile_language,
        wording=not no_wording,
        finetune_wording=finetune_wording,
        lexicon_terms=lexicon_terms,
        balance_labels=balance_labels,
    )
    bars: list[tqdm] = []

    def progress(total: int, stage: int):
        if bars:
            bars[-1].close()
        desc = ("encoding", "fine-tuning", "encoding sentences", "encoding wording")[stage]
        bars.append(tqdm(total=total, desc=desc, unit="text", file=sys.stderr))
        return bars[-1].update

    try:
        report = run_training(
            TorchEncoder(),
            corpus,
            target,
            config,
            real_dir=real,
            prompts_dir=settings.prompts_dir,
            templates_dir=settings.templates_dir,
            progress=progress,
            wording_dir=wording,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    finally:
        for bar in bars:
            bar.close()
    typer.echo(report_json(report))
    typer.echo(f"saved to {target}", err=True)


@app.command("eval")
def evaluate(
    split: Annotated[Path, typer.Option(help="Folder of evaluation JSONL files.")] = (
        ROOT / "models" / "data" / "eval"
    ),
    real: Annotated[Path | None, typer.Option(help="Real public messages for hostility AUC.")] = (
        ROOT.parent / "shared" / "data" / "real"
    ),
    out: Annotated[Path | None, typer.Option(help="Where to write the metrics JSON.")] = (
        ROOT / "models" / "metrics.json"
    ),
    plots: Annotated[
        Path | None, typer.Option(help="Folder for a reliability diagram and confusion matrix PNG.")
    ] = None,
    drafts: Annotated[bool, typer.Option("--drafts", help="Also draft every message.")] = False,
    second_reader: Annotated[
        Path | None,
        typer.Option(help="A second reader's labels of some of the split's emails (JSONL)."),
    ] = ROOT / "models" / "data" / "second-reader" / "eval-sample.jsonl",
) -> None:
    """Per-label precision/recall/F1, tone confusion, calibration, real-data AUCs."""
    from tqdm import tqdm

    from app.training.data import corpus_files, load_corpus
    from app.training.evaluate import (
        evaluate_reply_reading,
        evaluate_split,
        read_second_reader,
        real_aucs,
        second_reader_agreement,
    )
    from app.training.report import format_metrics

    settings = _settings()
    out = _output(out) if out is not None else None
    plots = _output(plots, folder=True) if plots is not None else None
    files = corpus_files(split)
    if not files:
        raise _fail(f"no *.jsonl files in {split}")
    examples = load_corpus(files)
    tactful = _load(settings)
    classifier = tactful.classifier
    reader = None
    if second_reader is not None and second_reader.exists():
        try:
            reader = read_second_reader(second_reader, classifier.complaint_labels)
        except (ValueError, KeyError) as exc:
            raise _fail(f"second reader: {exc}") from exc
    analyses = []
    with tqdm(total=len(examples), desc="evaluating", unit="email", file=sys.stderr) as bar:
        for start in range(0, len(examples), JSONL_BATCH):
            part = examples[start : start + JSONL_BATCH]
            analyses += classifier.analyze_many([e.text for e in part])
            bar.update(len(part))
    metrics = {
        "split": [f.name for f in files],
        **evaluate_split(analyses, examples, classifier.complaint_labels),
    }
    metrics["reply_reading"] = evaluate_reply_reading(classifier, examples)
    if reader is not None:
        try:
            metrics["second_reader"] = second_reader_agreement(
                analyses, examples, reader, classifier.complaint_labels
            )
        except ValueError as exc:
            raise _fail(f"second reader: {exc}") from exc
    if real is not None and real.exists():
        with tqdm(desc="real data", unit="text", file=sys.stderr) as bar:
            metrics["real_hostility_auc"] = real_aucs(classifier, real, tick=bar.update)
    if drafts:
        from app.training.drafts_eval import evaluate_drafts

        with tqdm(total=len(examples), desc="drafting", unit="email", file=sys.stderr) as bar:
            metrics["drafts"] = evaluate_drafts(tactful, examples, tick=bar.update)
    typer.echo(format_metrics(metrics))
    if out is not None:
        out.write_text(json.dumps(metrics, indent=2) + "\n")
        typer.echo(f"wrote {out}", err=True)
    if plots is not None:
        from app.training.report import write_plots

        for path in write_plots(metrics, plots):
            typer.echo(f"wrote {path}", err=True)


@app.command()
def export(
    force: Annotated[
        bool, typer.Option(help="Rebuild even when the cached file is current.")
    ] = False,
) -> None:
    """Export the encoder to ONNX: fused fp32 and int8 per-channel (cached beside the model)."""
    from app.pipeline.onnx_runtime import export_onnx, onnx_path

    model_dir = _settings().model_dir
    typer.echo(str(export_onnx(model_dir, force=force)))
    typer.echo(str(onnx_path(model_dir, quantized=True)))


@app.command()
def bench(
    emails: Annotated[int, typer.Option(help="Emails per size.")] = 32,
    http: Annotated[bool, typer.Option(help="Also load a running service over HTTP.")] = True,
    agreement: Annotated[
        bool, typer.Option(help="Also compare the ONNX runtimes with PyTorch on the eval split.")
    ] = True,
    out: Annotated[Path | None, typer.Option(help="Write the figures as JSON here.")] = None,
) -> None:
    """Latency, throughput, start-up and memory against a plain PyTorch forward."""
    from app.bench import format_results, run

    out = _output(out) if out is not None else None
    results = run(count=emails, http=http, agreement=agreement)
    typer.echo(format_results(results))
    if out is not None:
        out.write_text(json.dumps(results, indent=2) + "\n")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.", min=1, max=65535)] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1)] = 1,
) -> None:
    """Start the service (http://127.0.0.1:8000 by default)."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level,
    )


# ---- review queue: API keys and retention (app/auth.py, app/retention.py)

keys_app = typer.Typer(help="API keys: create, list, revoke.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _database():
    from app.storage.db import Database

    database = Database(_settings().database_url)
    database.migrate()
    return database


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what uses the key.")],
    scope: Annotated[
        list[str],
        typer.Option(help="ingest, review, approve or admin (repeat, or comma-separated)."),
    ],
) -> None:
    """Create a key and print it once (only its hash is stored)."""
    from app import auth

    try:
        scopes = auth.parse_scopes(scope)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    database = _database()
    try:
        with database.write() as session:
            row, key = auth.create_key(session, name, scopes)
            key_id, key_scopes = row.id, row.scope_list
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    finally:
        database.dispose()
    typer.echo(key)
    typer.echo(
        f"key {key_id} ({name}; scopes: {', '.join(key_scopes)}). "
        "Store it now: it is not shown again.",
        err=True,
    )


@keys_app.command("list")
def keys_list(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List the keys (never the keys themselves)."""
    from app import auth

    database = _database()
    try:
        with database.read() as session:
            rows = [auth.key_json(row) for row in auth.list_keys(session)]
    finally:
        database.dispose()
    for row in rows:
        if as_json:
            typer.echo(json.dumps(row, default=str))
            continue
        state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
        used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
        typer.echo(
            f"{row['id']}  {row['prefix']}...  {row['name']}  [{' '.join(row['scopes'])}]  "
            f"{state}, last used {used}"
        )


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[str, typer.Argument(help="The key's id or prefix.")]) -> None:
    """Revoke a key: it stops working at once."""
    from app import auth

    database = _database()
    try:
        with database.write() as session:
            row = auth.revoke_key(session, key_id)
            found = row is not None
    finally:
        database.dispose()
    if not found:
        raise _fail(f"no key {key_id}", 1)
    typer.echo(f"revoked {key_id}")


@app.command()
def purge(
    days: Annotated[
        int | None,
        typer.Option(help="Older than this many days (default: TACTFUL_RETENTION_DAYS)."),
    ] = None,
) -> None:
    """Delete message bodies and drafts older than N days; keep the anonymous statistics."""
    from app.retention import purge as run_purge

    days = days if days is not None else _settings().retention_days
    if days < 1:
        raise _fail("give --days N (N >= 1) or set TACTFUL_RETENTION_DAYS")
    database = _database()
    try:
        report = run_purge(database, days)
    finally:
        database.dispose()
    typer.echo(str(report))


def main() -> None:
    """Entry point of the `tactful` script."""
    app()


if __name__ == "__main__":
    main()
