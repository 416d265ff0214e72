"""`tactful eval`: the metrics it computes, and the command end to end."""

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from app import cli
from app.pipeline.types import Evidence
from app.training.data import Example
from app.training.evaluate import (
    evaluate_evidence,
    evaluate_split,
    expected_calibration_error,
    prf,
    read_second_reader,
    roc_auc,
    second_reader_agreement,
)
from tests.pipeline.factories import analysis

FIXTURES = Path(__file__).parents[1] / "fixtures" / "tiny_corpus"


def test_prf_counts_true_and_false_positives():
    pred = np.array([True, True, False, False])
    gold = np.array([True, False, True, False])
    assert prf(pred, gold) == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}


def test_calibration_error_is_zero_when_confidence_matches_accuracy():
    confidence = np.array([0.75] * 4)
    assert expected_calibration_error(confidence, np.array([1.0, 1.0, 1.0, 0.0])) == 0.0
    assert expected_calibration_error(confidence, np.array([1.0, 0.0, 0.0, 0.0])) == 0.5


def test_roc_auc_ranks():
    positive = np.array([True, True, False, False])
    assert roc_auc(np.array([0.9, 0.8, 0.2, 0.1]), positive) == 1.0
    assert roc_auc(np.array([0.1, 0.2, 0.8, 0.9]), positive) == 0.0
    assert roc_auc(np.array([0.5, 0.5, 0.5, 0.5]), positive) == 0.5


def _labelled(text: str, roles: dict[str, str], **labels) -> Example:
    spans = [(text.index(s), text.index(s) + len(s), role) for s, role in roles.items()]
    return Example(id=text[:8], text=text, roles=spans, **labels)


def _evidence_on(a, label: str, sentence: str) -> Evidence:
    start = a.text.index(sentence)
    return Evidence(label, sentence, start, start + len(sentence), 1.0)


def test_evidence_metric_checks_the_top_sentence_against_gold_roles():
    text = "Hi Sam,\nYou are useless. Refund order 12 now."
    roles = {"Hi Sam,": "other", "You are useless.": "emotion", "Refund order 12 now.": "request"}
    fitting = analysis(text, tone="abusive", complaints=("refund",))
    fitting.evidence = [
        _evidence_on(fitting, "abusive", "You are useless."),
        _evidence_on(fitting, "refund", "Refund order 12 now."),
    ]
    greeting = analysis(text, tone="abusive", complaints=("refund",))
    greeting.evidence = [_evidence_on(greeting, "abusive", "Hi Sam,")]
    gold = _labelled(text, roles, tone="abusive", complaints=["refund"])

    m = evaluate_evidence([fitting, greeting], [gold, gold])
    assert m["labels_decided"] == 4
    assert m["with_evidence"] == 0.75
    assert m["top_sentence_fits_gold_role"] == {"tone": 0.5, "threat": 0.0, "complaint": 1.0}


def test_split_metrics_include_evidence_and_roles():
    text = "Hi Sam,\nYou are useless. Refund order 12 now."
    roles = {"Hi Sam,": "other", "You are useless.": "emotion", "Refund order 12 now.": "request"}
    a = analysis(text, tone="abusive", complaints=("refund",), roles=roles)
    gold = _labelled(text, roles, tone="abusive", complaints=["refund"], threats=[])
    m = evaluate_split([a], [gold], ["refund", "billing"])
    assert m["tone"]["accuracy"] == 1.0
    assert m["complaints"]["micro"]["f1"] == 1.0
    assert m["roles"]["accuracy"] == 1.0 and m["roles"]["sentences"] == 3
    assert m["evidence"]["labels_decided"] == 2


def test_split_metrics_count_mail_scoring_as_hostile_by_tone():
    cases = [("frustrated", 0.6), ("frustrated", 0.2), ("angry", 0.7), ("calm", 0.8)]
    analyses = [analysis(f"Email {i}.", tone=t, hostility=h) for i, (t, h) in enumerate(cases)]
    gold = [
        _labelled(f"Email {i}.", {}, tone=t, complaints=[], threats=[])
        for i, (t, _) in enumerate(cases)
    ]
    h = evaluate_split(analyses, gold, ["refund"])["hostility"]
    assert h["share_hostile_by_tone"] == {"calm": 1.0, "frustrated": 0.5, "angry": 1.0}
    # the angry email (0.7) outranks the frustrated ones but not the calm one (0.8)
    assert h["auc_angry_abusive_vs_rest"] == pytest.approx(2 / 3, abs=1e-4)


def _reader_file(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "second-reader.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_second_reader_is_scored_against_the_gold_on_the_emails_it_read(tmp_path):
    texts = ["Refund me now.", "It was due Friday and nobody answers.", "Thanks, all good."]
    gold = [
        Example(id="a", text=texts[0], tone="angry", complaints=["refund"], threats=[]),
        Example(id="b", text=texts[1], tone="frustrated", complaints=["delay", "unresponsive"]),
        Example(id="c", text=texts[2], tone="calm", complaints=[], threats=[]),
    ]
    model = [
        analysis(texts[0], tone="angry", complaints=("refund", "billing")),
        analysis(texts[1], tone="angry", complaints=("delay",)),
        analysis(texts[2], tone="calm"),
    ]
    path = _reader_file(
        tmp_path,
        [
            {"id": "a", "tone": "angry", "complaints": ["refund"], "threats": []},
            {"id": "b", "tone": "frustrated", "complaints": ["delay"], "threats": []},
        ],
    )
    labels = ["refund", "billing", "delay", "unresponsive"]
    m = second_reader_agreement(model, gold, read_second_reader(path, labels), labels)
    assert m["emails"] == 2  # "c" was not read a second time
    assert m["reader"]["tone_accuracy"] == 1.0
    reader = m["reader"]["complaints"]
    assert reader == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3}
    assert m["model"]["tone_accuracy"] == 0.5
    assert m["model"]["complaints"]["precision"] == 0.6667
    assert m["model"]["complaints"]["recall"] == 0.6667


def test_second_reader_with_a_label_outside_the_taxonomy_is_refused(tmp_path):
    path = _reader_file(tmp_path, [{"id": "a", "tone": "calm", "complaints": ["rudeness"]}])
    with pytest.raises(ValueError, match="rudeness"):
        read_second_reader(path, ["refund"])


def test_second_reader_with_no_email_in_common_is_refused(tmp_path):
    path = _reader_file(tmp_path, [{"id": "zz", "tone": "calm", "complaints": []}])
    gold = [Example(id="a", text="Thanks.", tone="calm", complaints=[], threats=[])]
    with pytest.raises(ValueError, match="none of these emails"):
        second_reader_agreement(
            [analysis("Thanks.")], gold, read_second_reader(path, ["refund"]), ["refund"]
        )


def test_second_reader_line_that_is_not_an_object_is_refused(tmp_path):
    path = tmp_path / "reader.jsonl"
    path.write_text('["calm"]\n')
    with pytest.raises(ValueError, match="expected a JSON object"):
        read_second_reader(path, ["refund"])


@pytest.mark.slow
def test_eval_command_prints_and_writes_metrics_and_plots(monkeypatch, tactful, tmp_path):
    monkeypatch.setattr(cli, "_load", lambda settings: tactful)
    out = tmp_path / "metrics.json"
    reader = _reader_file(
        tmp_path,
        [
            {"id": "t1", "tone": "calm", "complaints": [], "threats": []},
            {"id": "t2", "tone": "calm", "complaints": ["payment"], "threats": []},
        ],
    )
    args = ["eval", "--split", str(FIXTURES), "--real", str(tmp_path / "none")]
    args += ["--second-reader", str(reader)]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(out), "--plots", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "tone accuracy" in result.stdout and "evidence:" in result.stdout
    assert "second reader labelled too" in result.stdout
    metrics = json.loads(out.read_text())
    assert metrics["emails"] == 15
    assert metrics["second_reader"]["emails"] == 2
    assert metrics["second_reader"]["reader"]["complaints"]["f1"] == 1.0
    assert set(metrics["complaints"]["per_label"]) >= {"payment", "refund"}
    assert 0.0 <= metrics["evidence"]["with_evidence"] <= 1.0
    assert (tmp_path / "reliability.png").stat().st_size > 0
    assert (tmp_path / "confusion.png").stat().st_size > 0


def test_eval_command_rejects_an_empty_split(tmp_path):
    result = CliRunner().invoke(cli.app, ["eval", "--split", str(tmp_path)])
    assert result.exit_code != 0
    assert "no *.jsonl files" in result.output
