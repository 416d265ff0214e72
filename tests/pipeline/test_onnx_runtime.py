"""The optimised runtime: ONNX Runtime int8 agrees with PyTorch fp32 on fixed emails."""

import numpy as np
import pytest

from app.pipeline.classify import Classifier
from app.pipeline.onnx_runtime import OnnxEncoder, export_onnx, onnx_path

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
def onnx_classifier(settings, classifier):
    path = export_onnx(settings.model_dir)
    return Classifier(OnnxEncoder(path), classifier.heads)


@pytest.mark.slow
def test_export_is_cached_by_model_digest(settings, onnx_classifier):
    path = onnx_path(settings.model_dir)
    assert path.exists()
    assert export_onnx(settings.model_dir) == path  # no rebuild when nothing changed
    assert "int8" in path.name


@pytest.mark.slow
def test_onnx_and_torch_agree(classifier, onnx_classifier):
    torch_out = classifier.analyze_many(EMAILS)
    onnx_out = onnx_classifier.analyze_many(EMAILS)
    same_tone = [a.tone == b.tone for a, b in zip(torch_out, onnx_out, strict=True)]
    same_threat = [
        a.threat_present == b.threat_present for a, b in zip(torch_out, onnx_out, strict=True)
    ]
    assert sum(same_tone) >= len(EMAILS) - 1
    assert sum(same_threat) >= len(EMAILS) - 1
    for a, b in zip(torch_out, onnx_out, strict=True):
        assert abs(a.hostility - b.hostility) < 0.15
        ta = np.array(list(a.tone_scores.values()))
        tb = np.array(list(b.tone_scores.values()))
        assert np.abs(ta - tb).max() < 0.2
