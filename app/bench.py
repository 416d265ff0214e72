"""`tactful bench`: Tactful's full analysis and draft against a plain PyTorch encoder forward.

Everything is measured in one run on the same emails: the reference is the fp32
all-MiniLM-L6-v2 forward through `transformers` (tokenise, forward, nothing else); Tactful
is parse + classify + detach + strategy + render + guard on its default runtime. Start-up
and peak RSS are those of a real `tactful serve` process, which then takes an HTTP load
from 1, 8 and 32 concurrent clients on loopback (bounded in count and time).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.config import ROOT

SIZES = {"short": 40, "typical": 180, "long": 400}


@dataclass
class Timing:
    """Latency figures in milliseconds."""

    median: float
    p95: float

    @classmethod
    def of(cls, seconds: list[float]) -> Timing:
        ms = np.array(seconds) * 1000
        return cls(round(float(np.median(ms)), 1), round(float(np.percentile(ms, 95)), 1))


def bench_emails(count: int = 32, start: int = 0) -> dict[str, list[str]]:
    """Emails of about 40, 180 and 400 tokens, cut from the corpus (eval split first).

    Email `i` of every size grows from corpus text `start + i`, so two calls with
    disjoint ranges share no opening text.
    """
    from app.pipeline.encoder import WindowedTokenizer, base_model_dir

    tokenizer = WindowedTokenizer(base_model_dir()).tokenizer
    texts = []
    for folder in (ROOT / "models" / "data" / "eval", ROOT / "models" / "data" / "train"):
        for path in sorted(folder.glob("*.jsonl")):
            texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    if not texts:
        texts = [(ROOT / "tests" / "fixtures" / "bench_email.txt").read_text()]
    out: dict[str, list[str]] = {}
    for name, tokens in SIZES.items():
        chosen = []
        for i in range(start, start + count):
            text = texts[i % len(texts)]
            while len(tokenizer.encode(text, add_special_tokens=False).ids) < tokens:
                text = text + "\n\n" + texts[(i * 7 + len(text)) % len(texts)]
            enc = tokenizer.encode(text, add_special_tokens=False)
            end = enc.offsets[min(tokens, len(enc.offsets)) - 1][1]
            chosen.append(text[:end])
        out[name] = chosen
    return out


def _time_each(
    fn: Callable[[str], object],
    texts: list[str],
    repeat: int = 1,
    before: Callable[[], object] | None = None,
) -> list[float]:
    fn(texts[0])
    if before:
        before()
    seconds = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            fn(text)
            seconds.append(time.perf_counter() - started)
    return seconds


def _throughput(
    fn: Callable[[list[str]], object],
    texts: list[str],
    batch: int,
    before: Callable[[], object] | None = None,
) -> float:
    fn(texts[:batch])
    if before:
        before()
    started = time.perf_counter()
    for i in range(0, len(texts), batch):
        fn(texts[i : i + batch])
    return round(len(texts) / (time.perf_counter() - started), 1)


def reference_forward() -> tuple[Callable[[list[str]], object], float]:
    """The reference: transformers' tokenizer and fp32 BertModel forward, padded batches."""
    started = time.perf_counter()
    import torch
    from transformers import AutoModel, AutoTokenizer

    from app.pipeline.encoder import base_model_dir

    torch.set_num_threads(2)
    path = str(base_model_dir())
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()

    def forward(texts: list[str]) -> object:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=512, return_tensors="pt")
        with torch.inference_mode():
            return model(**batch).last_hidden_state

    return forward, time.perf_counter() - started


def runtime_agreement(model_dir: Path, texts: list[str]) -> dict[str, dict[str, float]]:
    """Per ONNX runtime, the share of `texts` given the same labels as PyTorch fp32."""
    from app.pipeline.classify import Classifier, load_encoder

    reference = Classifier.from_pretrained(model_dir, "torch")
    expected = reference.analyze_many(texts, ["en"] * len(texts))
    out = {}
    for runtime in ("onnx", "onnx-int8"):
        optimised = Classifier(load_encoder(runtime, model_dir), reference.heads)
        pairs = list(zip(expected, optimised.analyze_many(texts, ["en"] * len(texts)), strict=True))
        same = {
            "tone": [x.tone == y.tone for x, y in pairs],
            "complaints": [set(x.complaints) == set(y.complaints) for x, y in pairs],
            "threat": [x.threat_present == y.threat_present for x, y in pairs],
        }
        same["all"] = [all(v) for v in zip(*same.values(), strict=True)]
        out[runtime] = {
            "emails": len(texts),
            **{k: round(sum(v) / len(v), 4) for k, v in same.items()},
        }
    return out


def evaluation_texts() -> list[str]:
    """The messages of the evaluation split."""
    texts = []
    for path in sorted((ROOT / "models" / "data" / "eval").glob("*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text().splitlines() if line]
    return texts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


async def _load(
    url: str, bodies: list[str], clients: int, requests: int, limit_s: float
) -> dict[str, float]:
    import httpx

    latencies: list[float] = []
    errors = 0
    status: dict[int, int] = {}
    deadline = time.perf_counter() + limit_s
    counter = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            if time.perf_counter() > deadline:
                return
            started = time.perf_counter()
            try:
                r = await client.post(url, json={"body": bodies[i % len(bodies)]})
                status[r.status_code] = status.get(r.status_code, 0) + 1
                if r.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)

    warm, bodies = bodies[: max(clients, 4)], bodies[max(clients, 4) :] or bodies
    async with httpx.AsyncClient(timeout=60) as client:
        for body in warm:  # warm-up, not measured
            await client.post(url, json={"body": body})
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ms = np.array(latencies) * 1000
    return {
        "clients": clients,
        "requests": len(latencies),
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "errors": errors,
        "status": status,
    }


def serve_and_load(
    bodies: list[str], concurrency: tuple[int, ...], per_client: int, limit_s: float
) -> dict:
    """Start `tactful serve`, time it to ready, load it, read its peak RSS."""
    import httpx

    port = _free_port()
    scratch = Path(tempfile.mkdtemp(prefix="tactful-bench-"))
    env = {
        **os.environ,
        "TACTFUL_AUTH_DISABLED": "true",
        "TACTFUL_LOG_LEVEL": "warning",
        "TACTFUL_DATABASE_URL": f"sqlite:///{scratch / 'bench.db'}",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ready = None
        while time.perf_counter() - started < 120:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    ready = time.perf_counter() - started
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None:
                raise RuntimeError("the server exited before it was ready")
            time.sleep(0.05)
        if ready is None:
            raise RuntimeError("the server was not ready within 120 s")
        url = f"http://127.0.0.1:{port}/v1/drafts"
        runs, used = [], 0
        for c in concurrency:
            requests = max(64, per_client * c)
            share = bodies[used : used + requests + max(c, 4)] or bodies
            used += requests + max(c, 4)
            runs.append(asyncio.run(_load(url, share, c, requests, limit_s)))
        return {"startup_s": round(ready, 2), "peak_rss_mb": _peak_rss_mb(server.pid), "http": runs}
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


def run(
    count: int = 32,
    http: bool = True,
    per_client: int = 16,
    limit_s: float = 60,
    agreement: bool = True,
) -> dict:
    """Measure everything; returns the figures (the CLI prints them)."""
    from app.config import get_settings
    from app.pipeline.service import Tactful

    settings = get_settings()
    agreed = runtime_agreement(settings.model_dir, evaluation_texts()) if agreement else None
    emails = bench_emails(count)
    forward, ref_load = reference_forward()
    started = time.perf_counter()
    tactful = Tactful.load(settings)
    tactful_load = time.perf_counter() - started

    def full_one(text: str) -> object:
        return tactful.draft(tactful.parse(text))

    def full_batch(texts: list[str]) -> object:
        readings = tactful.read_many([tactful.parse(t) for t in texts])
        return tactful.draft_many(readings)

    # The reply reading remembers sentences. Before each measurement it forgets them and
    # drafts other emails first, as a running service would have: the template sentences
    # are remembered, the sentences restating these emails are not.
    warm_up = bench_emails(count, start=count)

    def steady_state() -> None:
        if tactful.classifier.reply_memory is not None:
            tactful.classifier.reply_memory.clear()
            full_batch(warm_up["typical"])

    results: dict = {
        "runtime": tactful.classifier.encoder.name,
        "emails_per_size": count,
        "agreement_with_torch": agreed,
        "load_s": {"reference": round(ref_load, 2), "tactful": round(tactful_load, 2)},
        "sizes": {},
    }
    for name, texts in emails.items():
        ref_single = Timing.of(_time_each(lambda t: forward([t]), texts))
        ours_single = Timing.of(_time_each(full_one, texts, before=steady_state))
        ref_tp = _throughput(forward, texts, 32)
        ours_tp = _throughput(full_batch, texts, 32, before=steady_state)
        results["sizes"][name] = {
            "reference_forward": {"single_ms": ref_single.__dict__, "batch32_per_s": ref_tp},
            "tactful_full": {"single_ms": ours_single.__dict__, "batch32_per_s": ours_tp},
            "ratios": {
                "latency_median": round(ours_single.median / ref_single.median, 2),
                "throughput": round(ours_tp / ref_tp, 2),
            },
        }
    if http:
        # Every request of the load carries a different email, so that no reply sentence
        # restating an email is remembered from an earlier request.
        levels = (1, 8, 32)
        wanted = sum(max(64, per_client * c) + max(c, 4) for c in levels)
        bodies = bench_emails(wanted, start=2 * count)["typical"]
        results["service"] = serve_and_load(bodies, levels, per_client, limit_s)
        single = results["sizes"]["typical"]["tactful_full"]["single_ms"]["median"]
        worst = max(r["p99_ms"] for r in results["service"]["http"])
        results["service"]["p99_over_single"] = round(worst / single, 1)
    return results


def format_results(r: dict) -> str:
    """A table a person reads."""
    lines = [f"runtime: {r['runtime']}  ({r['emails_per_size']} emails per size)"]
    for runtime, a in (r.get("agreement_with_torch") or {}).items():
        lines.append(
            f"{runtime} vs torch fp32 on {a['emails']} evaluation emails: same tone"
            f" {a['tone']:.1%}, complaints {a['complaints']:.1%}, threat {a['threat']:.1%},"
            f" all {a['all']:.1%}"
        )
    lines += [
        "times in ms as median/p95; ratios are Tactful / reference",
        f"{'size':<9}{'ref 1 (ms)':>12}{'ours 1 (ms)':>13}{'ratio':>7}"
        f"{'ref /s':>9}{'ours /s':>9}{'ratio':>7}",
    ]
    for name, s in r["sizes"].items():
        ref, ours = s["reference_forward"], s["tactful_full"]
        lines.append(
            f"{name:<9}{ref['single_ms']['median']:>7.1f}/{ref['single_ms']['p95']:<5.0f}"
            f"{ours['single_ms']['median']:>8.1f}/{ours['single_ms']['p95']:<5.0f}"
            f"{s['ratios']['latency_median']:>6.2f}"
            f"{ref['batch32_per_s']:>9.1f}{ours['batch32_per_s']:>9.1f}{s['ratios']['throughput']:>7.2f}"
        )
    if "service" in r:
        svc = r["service"]
        lines.append(f"service: ready in {svc['startup_s']} s, peak RSS {svc['peak_rss_mb']} MB")
        for h in svc["http"]:
            lines.append(
                f"  {h['clients']:>2} clients: {h['throughput_rps']:>6.1f} req/s"
                f"  p50 {h['p50_ms']} p95 {h['p95_ms']} p99 {h['p99_ms']} ms"
                f"  errors {h['errors']} ({h['requests']} req)"
            )
        lines.append(f"  worst p99 / single-email median: {svc['p99_over_single']}x")
    typical = r["sizes"].get("typical")
    if typical:
        lines.append("targets (typical emails):")
        lines.append(_target("throughput ratio", typical["ratios"]["throughput"], ">=", 1.8))
        lines.append(_target("latency ratio", typical["ratios"]["latency_median"], "<=", 0.8))
    if "service" in r:
        svc = r["service"]
        errors = sum(h["errors"] for h in svc["http"])
        lines.append(_target("start-up to ready (s)", svc["startup_s"], "<=", 5))
        lines.append(_target("peak RSS (MB)", svc["peak_rss_mb"], "<=", 700))
        lines.append(_target("p99 / single latency", svc["p99_over_single"], "<=", 10))
        lines.append(_target("HTTP errors", errors, "<=", 0))
    return "\n".join(lines)


def _target(name: str, value: float, op: str, limit: float) -> str:
    met = value >= limit if op == ">=" else value <= limit
    return f"  {name:<24}{value:>8}  (target {op} {limit}: {'met' if met else 'NOT met'})"
