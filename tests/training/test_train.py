"""Training on a tiny corpus: seconds, loadable, deterministic, custom labels."""

import json
from pathlib import Path

import numpy as np
import pytest

from app.pipeline.classify import Classifier
from app.pipeline.features import SURFACE_SIZE
from app.pipeline.heads import HOSTILE_LANGUAGE, TactfulHeads
from app.pipeline.lexical import LEXICON_FILE, terms
from app.pipeline.reply_reading import reply_sentences
from app.pipeline.types import COMPLAINTS, TONES
from app.training.train import TrainConfig, average_linear, fit_head, train

TINY = Path(__file__).resolve().parent.parent / "fixtures" / "tiny_corpus"
FAST = TrainConfig(
    epochs=60,
    real_data=False,
    finetune_epochs=0,
    augment=False,
    threat_cuts=False,
    emotion_cuts=False,
    members=1,
)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, classifier):
    out = tmp_path_factory.mktemp("heads")
    report = train(classifier.encoder, TINY, out, FAST)
    return out, report


def test_tiny_training_produces_a_loadable_model(trained, classifier):
    out, report = trained
    assert report.examples == 15
    model = Classifier(classifier.encoder, TactfulHeads.from_pretrained(out))
    analysis = model.analyze("You useless idiots broke my website.")
    assert set(analysis.tone_scores) == set(TONES)
    assert set(analysis.complaint_scores) == set(COMPLAINTS)
    assert abs(sum(analysis.tone_scores.values()) - 1) < 1e-5


def test_threat_cuts_add_a_threat_free_copy_of_each_threatening_email(tmp_path, classifier):
    config = TrainConfig(**{**FAST.__dict__, "threat_cuts": True})
    report = train(classifier.encoder, TINY, tmp_path, config)
    assert report.examples == 15 + 5  # five tiny emails carry a threat sentence
    assert report.label_counts["tone:angry"] == 2 * 3


def test_emotion_cuts_add_a_copy_of_each_heated_email_without_its_tone(tmp_path, classifier):
    config = TrainConfig(**{**FAST.__dict__, "emotion_cuts": True})
    report = train(classifier.encoder, TINY, tmp_path, config)
    assert report.examples == 15 + 3  # three heated tiny emails have emotion and facts
    assert sum(n for label, n in report.label_counts.items() if label.startswith("tone:")) == 15
    assert report.label_counts["complaint:delay"] == 3 + 3  # the copies keep their complaints
    assert TactfulHeads.from_pretrained(tmp_path).config["train"]["emotion_cuts"] is True


def test_complaints_read_the_strongest_sentence_unless_switched_off(trained, tmp_path, classifier):
    out, _ = trained
    assert TactfulHeads.from_pretrained(out)["complaints"].reads_sentences
    config = TrainConfig(**{**FAST.__dict__, "sentence_peak": False})
    train(classifier.encoder, TINY, tmp_path, config)
    plain = TactfulHeads.from_pretrained(tmp_path)
    assert not plain["complaints"].reads_sentences
    assert plain.config["train"]["sentence_peak"] is False
    analysis = Classifier(classifier.encoder, plain).analyze("Pay the overdue invoice.")
    assert set(analysis.complaint_scores) == set(COMPLAINTS)


def test_message_heads_read_the_lexicon_saved_beside_them(trained, tmp_path, classifier):
    out, _ = trained
    heads = TactfulHeads.from_pretrained(out)
    assert heads.lexicon is not None and heads.lexicon.size > 0
    texts = [json.loads(line)["text"] for line in (TINY / "train.jsonl").open()]
    common = {
        t
        for t in {t for text in texts for t in terms(text)}
        if sum(t in terms(x) for x in texts) >= 3
    }
    assert set(heads.lexicon.terms) <= common  # fitted on the corpus, three emails at least
    width = 2 * classifier.encoder.hidden + SURFACE_SIZE + heads.lexicon.size
    for name in ("tone", "hostility", "threat", "threat_kinds", "complaints"):
        assert heads[name].params["mean"].shape == (width,), name
    model = Classifier(classifier.encoder, heads)
    analysis = model.analyze("Where is my refund? I asked twice. Fix it or I call my lawyer.")
    for item in analysis.evidence:
        assert analysis.text[item.start : item.end] == item.text

    # without a lexicon (--lexicon-terms 0) the heads read the encoder alone, and
    # retraining into the same folder removes the stale lexicon
    config = TrainConfig(**{**FAST.__dict__, "lexicon_terms": 0})
    train(classifier.encoder, TINY, out, config)
    plain = TactfulHeads.from_pretrained(out)
    assert plain.lexicon is None and not (out / LEXICON_FILE).exists()
    assert plain["complaints"].params["mean"].shape == (width - heads.lexicon.size,)
    assert set(Classifier(classifier.encoder, plain).analyze("Refund me.").complaint_scores) == set(
        COMPLAINTS
    )
    train(classifier.encoder, TINY, out, FAST)  # leave the module's model as it was


def test_training_is_deterministic(trained, tmp_path, classifier):
    out, _ = trained
    train(classifier.encoder, TINY, tmp_path, FAST)
    with np.load(out / "heads.npz") as a, np.load(tmp_path / "heads.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        for key in a.files:
            assert np.array_equal(a[key], b[key]), key


def test_custom_label_appears_in_the_model_and_the_api(tmp_path, classifier, settings):
    prompts = tmp_path / "prompts"
    (prompts / "custom").mkdir(parents=True)
    examples = "\n".join(
        f"  - The parking permit for van {i} was never sent to us." for i in range(12)
    )
    (prompts / "custom" / "permits.yaml").write_text(
        f"name: permits\ndescription: Complains about missing permits.\nexamples:\n{examples}\n"
    )
    out = tmp_path / "heads"
    train(classifier.encoder, TINY, out, FAST, prompts_dir=prompts)
    model = Classifier(classifier.encoder, TactfulHeads.from_pretrained(out))
    assert model.complaint_labels[-1] == "permits"
    assert "permit" in model.heads.lexicon.terms  # its examples' words are read as words too
    permit = model.analyze("Where is the parking permit for our van? It was never sent.")
    other = model.analyze("Thank you for the lovely flowers at the wedding.")
    assert "permits" in permit.complaint_scores
    assert permit.complaint_scores["permits"] > other.complaint_scores["permits"] + 0.2

    # ... and in the API: the analysis and its schema
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.pipeline.service import Tactful

    with TestClient(create_app(settings, tactful=Tactful(model, settings))) as client:
        schemas = client.get("/openapi.json").json()["components"]["schemas"]
        analysis = client.post("/v1/analyze", json={"body": "Where is the permit for our van?"})
    assert "permits" in schemas["ComplaintOut"]["properties"]["label"]["enum"]
    assert "permits" in schemas["AnalysisOut"]["properties"]["complaint_scores"]["properties"]
    assert "permits" in analysis.json()["complaint_scores"]


def test_custom_label_needs_ten_examples(tmp_path, classifier):
    prompts = tmp_path / "prompts"
    (prompts / "custom").mkdir(parents=True)
    (prompts / "custom" / "x.yaml").write_text("name: permits\nexamples:\n  - one\n")
    with pytest.raises(ValueError, match="at least 10 examples"):
        train(
            classifier.encoder,
            TINY,
            tmp_path / "h",
            FAST,
            prompts_dir=prompts,
        )


@pytest.mark.slow
def test_fine_tuning_saves_adapters_that_change_the_encoder(tmp_path, classifier):
    config = TrainConfig(epochs=30, real_data=False, finetune_epochs=1, members=1)
    report = train(classifier.encoder, TINY, tmp_path, config)
    assert report.examples > 15  # greeting copies were added
    assert (tmp_path / "adapter.safetensors").exists()
    tuned = Classifier.from_pretrained(tmp_path)
    text = "You useless idiots broke my website."
    (base,) = classifier.encoder.encode([text])
    (adapted,) = tuned.encoder.encode([text])
    assert base.states.shape == adapted.states.shape
    assert not np.allclose(base.states, adapted.states, atol=1e-3)
    assert set(tuned.analyze(text).tone_scores) == set(TONES)
    # training without fine-tuning into the same folder removes the stale adapters
    train(classifier.encoder, TINY, tmp_path, FAST)
    assert not (tmp_path / "adapter.safetensors").exists()


def test_reply_heads_learn_from_rendered_replies(tmp_path, classifier, settings):
    report = train(classifier.encoder, TINY, tmp_path, FAST, templates_dir=settings.templates_dir)
    heads = TactfulHeads.from_pretrained(tmp_path)
    assert {"reply_tone", "reply_hostility"} <= set(heads.heads)
    assert heads["reply_tone"].source == "reply"
    assert report.examples == 15  # rendered replies train the reply heads only
    model = Classifier(classifier.encoder, heads)
    assert model.reply_memory is not None
    reply = "Hello Sam,\n\nThe files are attached.\n\nBest regards,\nAlex"
    tone, hostility = model.read_reply(reply)
    assert tone in TONES and 0.0 <= hostility <= 1.0
    assert len(model.reply_memory) == len(reply_sentences(reply)) > 1


def test_a_model_without_reply_heads_reads_replies_whole(tmp_path, classifier):
    config = TrainConfig(
        epochs=60, real_data=False, finetune_epochs=0, augment=False, reply_heads=False
    )
    train(classifier.encoder, TINY, tmp_path, config)
    model = Classifier(classifier.encoder, TactfulHeads.from_pretrained(tmp_path))
    assert "reply_tone" not in model.heads.heads
    assert model.reply_memory is None
    assert model.read_reply("The files are attached.")[0] in TONES


RUDE = ("shut up you idiot", "you are a pathetic moron", "screw you, clown", "what a loser")
KIND = ("thanks, lovely day", "see you at lunch", "great news about the job", "happy birthday")


def _real_messages(folder: Path) -> Path:
    """A tiny stand-in for ../shared/data/real: labelled tweets in both halves."""
    rows = [
        {"text": f"{text} #{n}", "labels": [label], "dataset": "tweeteval_offensive"}
        for n in range(6)
        for texts, label in ((RUDE, "offensive"), (KIND, "not-offensive"))
        for text in texts
    ]
    (folder / "tweeteval_offensive").mkdir(parents=True)
    lines = "\n".join(json.dumps(row) for row in rows)
    (folder / "tweeteval_offensive" / "dev.jsonl").write_text(lines, encoding="utf-8")
    return folder


def _hostile_language(heads: TactfulHeads, classifier) -> tuple[np.ndarray, np.ndarray]:
    """The `hostile_language` head's probabilities for the rude and the kind texts."""
    rude, kind = (
        heads.predict_proba(HOSTILE_LANGUAGE, np.stack([f.message for _, f in feats]))[:, 0]
        for feats in (classifier.featurize(RUDE), classifier.featurize(KIND))
    )
    return rude, kind


def test_hostility_reads_the_wording_of_real_messages_unless_switched_off(tmp_path, classifier):
    real = _real_messages(tmp_path / "real")
    config = TrainConfig(**{**FAST.__dict__, "real_data": True})
    train(classifier.encoder, TINY, tmp_path / "with", config, real_dir=real)
    heads = TactfulHeads.from_pretrained(tmp_path / "with")
    head = heads[HOSTILE_LANGUAGE]
    assert head.params["mean"].shape[0] == classifier.encoder.hidden
    rude, kind = _hostile_language(heads, classifier)
    assert rude.min() > kind.max()
    config = TrainConfig(**{**config.__dict__, "hostile_language": False})
    train(classifier.encoder, TINY, tmp_path / "without", config, real_dir=real)
    assert HOSTILE_LANGUAGE not in TactfulHeads.from_pretrained(tmp_path / "without").heads


def _wording(folder: Path) -> Path:
    """A tiny wording corpus: rude and kind short messages, labelled."""
    rows = [
        {"id": f"wd-t-{n}-{i}", "text": f"{text} ({n})", "hostile": hostile, "kind": kind}
        for n in range(4)
        for texts, hostile, kind in ((RUDE, True, "insult"), (KIND, False, "friendly"))
        for i, text in enumerate(texts)
    ]
    folder.mkdir(parents=True)
    (folder / "writer-t.jsonl").write_text("\n".join(json.dumps(r) for r in rows), "utf-8")
    return folder


def test_hostile_wording_is_learnt_from_the_wording_corpus_unless_switched_off(
    tmp_path, classifier
):
    wording = _wording(tmp_path / "wording")
    train(classifier.encoder, TINY, tmp_path / "with", FAST, wording_dir=wording)
    heads = TactfulHeads.from_pretrained(tmp_path / "with")
    assert heads.config["wording_files"] == ["writer-t.jsonl"]
    rude, kind = _hostile_language(heads, classifier)
    assert rude.min() > kind.max()
    config = TrainConfig(**{**FAST.__dict__, "wording": False})
    train(classifier.encoder, TINY, tmp_path / "without", config, wording_dir=wording)
    assert HOSTILE_LANGUAGE not in TactfulHeads.from_pretrained(tmp_path / "without").heads


def test_wording_rows_tune_the_adapters_only_when_asked(tmp_path, classifier):
    wording = _wording(tmp_path / "wording")
    totals: dict[int, list[int]] = {}

    def progress(total: int, stage: int):
        totals.setdefault(stage, []).append(total)
        return lambda n: None

    config = TrainConfig(**{**FAST.__dict__, "finetune_epochs": 1, "reply_heads": False})
    for rows in (0, 5):
        config = TrainConfig(**{**config.__dict__, "finetune_wording": rows})
        train(
            classifier.encoder,
            TINY,
            tmp_path / str(rows),
            config,
            progress=progress,
            wording_dir=wording,
        )
    assert totals[1][1] == totals[1][0] + 5
    assert totals[3] == [32, 32]  # every wording row still fits the head


def test_the_averaged_head_gives_the_mean_of_its_parts_logits():
    rng = np.random.default_rng(1)
    x = rng.normal(loc=2.0, scale=3.0, size=(200, 5)).astype(np.float32)
    config = TrainConfig(epochs=50)
    parts = [
        fit_head("h", "sigmoid", "message", ["hostile"], x, y, np.ones(200, np.float32), config)
        for y in ((x[:, :1] > 2).astype(np.float32), (x[:, 1:2] < 1).astype(np.float32))
    ]
    merged = average_linear(parts)
    expected = (parts[0].logits(x) + parts[1].logits(x)) / 2
    np.testing.assert_allclose(merged.logits(x), expected, rtol=1e-4, atol=1e-4)
    assert not np.allclose(parts[0].logits(x), parts[1].logits(x), atol=0.1)


def test_cli_can_switch_the_sentence_peak_off(tmp_path):
    from typer.testing import CliRunner

    from app import cli

    args = ["train", "--corpus", str(TINY), "--out", str(tmp_path), "--no-real"]
    args += ["--finetune", "0", "--epochs", "30", "--no-sentence-peak"]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    heads = TactfulHeads.from_pretrained(tmp_path)
    assert not heads["complaints"].reads_sentences


def test_cli_refuses_unknown_adapter_targets_and_a_negative_lexicon(tmp_path):
    from typer.testing import CliRunner

    from app import cli

    base = ["train", "--corpus", str(TINY), "--out", str(tmp_path), "--no-real"]
    for extra, message in (
        (["--adapter-targets", "mlp"], "--adapter-targets must be one of: attention, all"),
        (["--adapter-rank", "0"], "--adapter-rank must be at least 1"),
        (["--members", "0"], "--members must be at least 1"),
        (["--lexicon-terms", "-1"], "--lexicon-terms must be 0"),
        (["--finetune-wording", "-1"], "--finetune-wording must be 0"),
        (["--complaint-weight", "-1"], "--complaint-weight and --threat-weight must be 0"),
        (["--threat-weight", "-0.5"], "--complaint-weight and --threat-weight must be 0"),
        (["--wording", str(tmp_path / "missing")], "--wording: no folder"),
    ):
        result = CliRunner().invoke(cli.app, base + extra)
        assert result.exit_code == 2, extra
        assert message in result.output
    assert not (tmp_path / "heads.npz").exists()


def test_cli_names_the_file_and_line_of_a_bad_wording_row(tmp_path):
    from typer.testing import CliRunner

    from app import cli

    (tmp_path / "wording").mkdir()
    row = {"id": "wd-x-1", "text": "you clown", "hostile": False, "kind": "insult"}
    (tmp_path / "wording" / "writer-x.jsonl").write_text(json.dumps(row), "utf-8")
    args = ["train", "--corpus", str(TINY), "--out", str(tmp_path / "out"), "--no-real"]
    args += ["--finetune", "0", "--wording", str(tmp_path / "wording")]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2
    assert "writer-x.jsonl:1" in result.output
    assert not (tmp_path / "out" / "heads.npz").exists()


def test_unbalanced_label_heads_stay_calibrated_and_balanced_ones_lean_positive():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6)).astype(np.float32)
    y = (x[:, 0] + rng.normal(scale=1.0, size=400) > 2.0).astype(np.float32)[:, None]
    config = TrainConfig(epochs=400, lr=0.05)
    weights = np.ones(400, np.float32)
    heads = {
        balance: fit_head("c", "sigmoid", "message", ["c"], x, y, weights, config, balance=balance)
        for balance in (False, True)
    }
    mean_p = {balance: float(head.predict_proba(x).mean()) for balance, head in heads.items()}
    assert y.mean() < 0.15
    assert abs(mean_p[False] - y.mean()) < 0.03
    assert mean_p[True] > mean_p[False] + 0.1


def test_stage_one_loss_weights_scale_their_tasks():
    import torch

    from app.training.data import Example
    from app.training.finetune import FinetuneConfig, _message_loss

    torch.manual_seed(0)
    heads = torch.nn.ModuleDict(
        {
            name: torch.nn.Linear(4, n)
            for name, n in (("threat", 1), ("kinds", 5), ("complaints", 3))
        }
    )
    vector = torch.randn(4)
    labels = ["a", "b", "c"]
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    ce = torch.nn.functional.cross_entropy

    def loss(example, **weights):
        config = FinetuneConfig(**weights)
        return _message_loss(example, vector, heads, labels, config, bce, ce).item()

    complaint = Example(id="c", text="x", complaints=["b"])
    assert loss(complaint, complaint_weight=6.0) == pytest.approx(
        6 * loss(complaint, complaint_weight=1.0)
    )
    assert loss(complaint, complaint_weight=0.0) == 0.0
    threat = Example(id="t", text="x", threats=["legal"])
    kinds_only = loss(threat, threat_weight=0.0)
    presence = loss(threat, threat_weight=1.0) - kinds_only
    assert presence > 0
    assert loss(threat, threat_weight=3.0) == pytest.approx(kinds_only + 3 * presence)


def test_the_complaint_weight_changes_the_adapters_and_is_saved(tmp_path, classifier):
    from safetensors.numpy import load_file

    states = {}
    for weight in (0.0, 6.0):
        config = TrainConfig(
            **{
                **FAST.__dict__,
                "finetune_epochs": 1,
                "reply_heads": False,
                "complaint_weight": weight,
            }
        )
        train(classifier.encoder, TINY, tmp_path / str(weight), config)
        states[weight] = load_file(tmp_path / str(weight) / "adapter.safetensors")
        saved = json.loads((tmp_path / str(weight) / "config.json").read_text())
        assert saved["train"]["complaint_weight"] == weight
    assert any(not np.allclose(states[0.0][k], states[6.0][k]) for k in states[0.0])


def test_members_are_tuned_from_successive_seeds_and_averaged(tmp_path, classifier):
    from app.training.data import corpus_files, load_corpus
    from app.training.finetune import FinetuneConfig, finetune

    examples = load_corpus(corpus_files(TINY))
    labels = list(COMPLAINTS)
    states = {}
    for name, seed, members in (("a", 13, 1), ("b", 14, 1), ("both", 13, 2)):
        config = FinetuneConfig(epochs=1, seed=seed, members=members)
        encoder, states[name] = finetune(classifier.encoder, examples, labels, config)
    key = next(k for k in states["a"] if k.endswith("lora_a"))
    layer = key.removesuffix(".lora_a")
    assert states["both"][key].shape[0] == 2 * states["a"][key].shape[0]

    def change(state):
        return (state[f"{layer}.lora_b"] @ state[f"{layer}.lora_a"]).numpy()

    assert not np.allclose(change(states["a"]), change(states["b"]), atol=1e-6)
    mean = (change(states["a"]) + change(states["b"])) / 2
    assert np.allclose(change(states["both"]), mean, atol=1e-7)
    # the returned encoder carries the mean change
    text = ["You useless idiots broke my website."]
    assert not np.allclose(
        encoder.encode(text)[0].states, classifier.encoder.encode(text)[0].states, atol=1e-4
    )

    config = TrainConfig(
        **{**FAST.__dict__, "finetune_epochs": 1, "reply_heads": False, "members": 2}
    )
    train(classifier.encoder, TINY, tmp_path, config)
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["train"]["members"] == 2
    soup = Classifier.from_pretrained(tmp_path)
    assert set(soup.analyze(text[0]).tone_scores) == set(TONES)
