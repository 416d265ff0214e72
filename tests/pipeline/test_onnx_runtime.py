"""The optimised runtimes: fused ONNX fp32 gives PyTorch's labels; int8 stays close."""

import numpy as np
import pytest

from app.pipeline.classify import Classifier, load_encoder
from app.pipeline.onnx_runtime import export_onnx, onnx_path

EMAILS = [
    "Hi Sam, thanks so much for the lovely photos. Have a great weekend!",
    "You useless idiots charged me twice for order 4821. Refund it today or I go to my bank.",
    "THIS IS UNACCEPTABLE!!! The site is down again. Fix it NOW or we are done.",
    "I have asked three times now and still nothing. When will the report be ready?",
    "Wow, brilliant work. Only three weeks late. Really impressive.",
    "We never signed anything, so the cancellation fee does not apply to us.",
    "Could you also add a blog and a shop? I assume that is included in the price.",
    "My cousin is a developer and he says you are doing it all wrong. Use his plugin.",
]


@pytest.fixture(scope="module")
def exported(settings):
    return export_onnx(settings.model_dir)


@pytest.fixture(scope="module")
def onnx_classifier(settings, classifier, exported):
    return Classifier(load_encoder("onnx", settings.model_dir), classifier.heads)


@pytest.fixture(scope="module")
def int8_classifier(settings, classifier, exported):
    return Classifier(load_encoder("onnx-int8", settings.model_dir), classifier.heads)


@pytest.mark.slow
def test_export_is_cached_by_model_digest(settings, exported):
    fp32, int8 = onnx_path(settings.model_dir, quantized=False), onnx_path(settings.model_dir)
    assert exported == fp32 and fp32.exists() and int8.exists()
    stamps = fp32.stat().st_mtime_ns, int8.stat().st_mtime_ns
    assert export_onnx(settings.model_dir) == fp32  # no rebuild when nothing changed
    assert (fp32.stat().st_mtime_ns, int8.stat().st_mtime_ns) == stamps
    assert sorted(p.name for p in fp32.parent.glob("encoder-*.onnx")) == sorted(
        [fp32.name, int8.name]
    )


@pytest.mark.slow
def test_fused_onnx_gives_the_same_labels_as_torch(classifier, onnx_classifier):
    assert onnx_classifier.encoder.name == "onnx"
    for a, b in zip(
        classifier.analyze_many(EMAILS), onnx_classifier.analyze_many(EMAILS), strict=True
    ):
        assert (a.tone, a.complaints, a.threat_present) == (b.tone, b.complaints, b.threat_present)
        assert abs(a.hostility - b.hostility) < 0.01
        ta = np.array(list(a.tone_scores.values()))
        tb = np.array(list(b.tone_scores.values()))
        assert np.abs(ta - tb).max() < 0.01


@pytest.mark.slow
def test_int8_stays_close_to_torch(classifier, int8_classifier):
    torch_out = classifier.analyze_many(EMAILS)
    int8_out = int8_classifier.analyze_many(EMAILS)
    same_tone = [a.tone == b.tone for a, b in zip(torch_out, int8_out, strict=True)]
    same_threat = [
        a.threat_present == b.threat_present for a, b in zip(torch_out, int8_out, strict=True)
    ]
    assert sum(same_tone) >= len(EMAILS) - 1
    assert sum(same_threat) >= len(EMAILS) - 1
    for a, b in zip(torch_out, int8_out, strict=True):
        assert abs(a.hostility - b.hostility) < 0.15
        ta = np.array(list(a.tone_scores.values()))
        tb = np.array(list(b.tone_scores.values()))
        assert np.abs(ta - tb).max() < 0.2
