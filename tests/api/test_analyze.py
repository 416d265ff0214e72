"""POST /v1/analyze and /v1/drafts and /v1/check: the JSON contract and bad input."""

from app.pipeline.types import COMPLAINTS, ROLES, TONES

ANGRY = (
    "Hi Sam,\n\nThe website was due LAST FRIDAY and the contact form still doesn't send "
    "anything!! Fix it by tomorrow or I'm calling my lawyer. This is a joke.\n\nMark"
)


def test_health_and_ready(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"


def test_analyze_contract(client):
    response = client.post("/v1/analyze", json={"body": ANGRY})
    assert response.status_code == 200
    data = response.json()
    assert data["tone"]["label"] in TONES
    assert set(data["tone"]["scores"]) == set(TONES)
    assert abs(sum(data["tone"]["scores"].values()) - 1) < 1e-3
    assert 0 <= data["hostility"] <= 1
    assert set(data["threat"]) >= {"present", "kinds", "score"}
    assert set(data["complaint_scores"]) >= set(COMPLAINTS)
    assert all(c["label"] in data["complaint_scores"] for c in data["complaints"])
    assert data["strategy"]["label"] in {"resolve", "boundary", "exit"}
    assert data["strategy"]["reason"]
    assert isinstance(data["cooldown_minutes"], int)
    text = data["message"]["new_text"]
    for s in data["sentences"]:
        assert s["role"] in ROLES
        assert text[s["start"] : s["end"]] == s["text"]
    assert data["language"] == "en"
    assert data["language_supported"] is True


def test_draft_contract(client):
    response = client.post("/v1/drafts", json={"body": ANGRY, "sender": "Mark Lee <mark@x.io>"})
    assert response.status_code == 200
    data = response.json()
    draft = data["draft"]
    assert set(draft) >= {"subject", "body", "strategy", "template", "send_not_before", "checks"}
    assert draft["checks"] and all({"rule", "passed", "detail"} <= set(c) for c in draft["checks"])
    assert all(c["passed"] for c in draft["checks"]), draft["checks"]
    assert "sorry" not in draft["body"].lower()
    assert "!" not in draft["body"]
    assert data["alternatives"] and all(a["strategy"] for a in data["alternatives"])
    assert data["analysis"]["tone"]["label"] in TONES


def test_forced_strategy(client):
    response = client.post("/v1/drafts", json={"body": ANGRY, "strategy": "exit"})
    assert response.status_code == 200
    assert response.json()["draft"]["strategy"] == "exit"
    assert client.post("/v1/drafts", json={"body": ANGRY, "strategy": "yell"}).status_code == 422


def test_check_endpoint_flags_apology(client):
    response = client.post("/v1/check", json={"text": "Sorry!!! We were SO busy."})
    assert response.status_code == 200
    data = response.json()
    assert data["passed"] is False
    failed = {c["rule"] for c in data["checks"] if not c["passed"]}
    assert "no_apology" in failed and "no_exclamation" in failed


def test_bad_input_gets_4xx_json(client):
    for body in ["", "   \n\t "]:
        r = client.post("/v1/analyze", json={"body": body})
        assert r.status_code == 422 and isinstance(r.json()["detail"], str), body
    big = client.post("/v1/analyze", json={"body": "a" * (256 * 1024 + 1)})
    assert big.status_code == 413 and "limit" in big.json()["detail"]
    missing = client.post("/v1/analyze", json={"subject": "hi"})
    assert missing.status_code == 422 and missing.json()["detail"]
    not_json = client.post(
        "/v1/analyze", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert not_json.status_code == 422
    malformed = client.post(
        "/v1/analyze",
        json={"body": "From: a@b.c\nContent-Type: multipart/mixed\n\nno boundary here"},
    )
    assert malformed.status_code == 422 and malformed.json()["detail"]
    for route in ("/v1/analyze", "/v1/drafts"):
        ancient = client.post(route, json={"body": ANGRY, "sent_at": "0001-01-01T00:00:00+14:00"})
        assert ancient.status_code == 422 and "sent_at" in ancient.json()["detail"], route
    # the service still works afterwards
    assert client.post("/v1/analyze", json={"body": ANGRY}).status_code == 200


def test_openapi_names_the_models_labels(client, classifier):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ComplaintOut"]["properties"]["label"]["enum"] == classifier.complaint_labels
    scores = schemas["AnalysisOut"]["properties"]["complaint_scores"]["properties"]
    assert list(scores) == classifier.complaint_labels
    assert schemas["LabelScores"]["properties"]["label"]["enum"] == list(TONES)


def test_openapi_lists_the_contract(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/analyze", "/v1/drafts", "/v1/check", "/healthz", "/readyz"} <= set(paths)
    assert client.get("/docs").status_code == 200


def test_openapi_documents_every_error_body_as_error_out(client):
    from app.schemas import ErrorOut

    schema = client.get("/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "422" in responses:
                assert responses["422"]["content"]["application/json"]["schema"] == error, path
            if "requestBody" in operation:
                assert responses["400"]["content"]["application/json"]["schema"] == error, (
                    method,
                    path,
                )
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    # both kinds of 422 body fit the documented shape
    missing = client.post("/v1/analyze")
    empty = client.post("/v1/analyze", json={"body": "   "})
    undecodable = client.post(
        "/v1/check", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert (missing.status_code, empty.status_code) == (422, 422)
    assert isinstance(ErrorOut.model_validate(missing.json()).detail, list)
    assert ErrorOut.model_validate(empty.json()).detail == "The message is empty."
    not_json = client.post(
        "/v1/check", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert undecodable.status_code == 400
    assert isinstance(ErrorOut.model_validate(undecodable.json()).detail, str)
    assert not_json.status_code == 422
    assert isinstance(ErrorOut.model_validate(not_json.json()).detail, list)


def test_full_queue_answers_503_with_retry_after(settings, tactful):
    from fastapi.testclient import TestClient

    from app.main import create_app

    tight = settings.model_copy(update={"batch_max_queue": 1, "batch_max_size": 1})
    app = create_app(tight, tactful=tactful)
    with TestClient(app) as test_client:
        serving = app.state.serving
        gate = __import__("threading").Event()
        real = serving.batcher.fn
        serving.batcher.fn = lambda items: (gate.wait(10), real(items))[1]
        import concurrent.futures

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = [
                pool.submit(test_client.post, "/v1/analyze", json={"body": ANGRY}) for _ in range(4)
            ]
            __import__("time").sleep(1.0)
            gate.set()
            codes = sorted(f.result().status_code for f in futures)
            busy = [f.result() for f in futures if f.result().status_code == 503]
        assert 200 in codes and 503 in codes, codes
        assert busy[0].headers["retry-after"] == "1"
        assert busy[0].json()["detail"].startswith("busy")
        assert test_client.get("/healthz").status_code == 200


def test_drafts_are_read_by_the_classifier_only_when_configured(settings, classifier):
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.pipeline.service import Tactful

    body = {"body": "Where is my refund?? Third email. Fix it or I go to my bank."}
    for reads, expected in ((False, False), (True, True)):
        configured = settings.model_copy(update={"guard_reads_drafts": reads})
        app = create_app(configured, tactful=Tactful(classifier, configured))
        with TestClient(app) as client:
            draft = client.post("/v1/drafts", json=body).json()["draft"]
            checked = client.post("/v1/check", json={"text": draft["body"]}).json()
        rules = {c["rule"] for c in draft["checks"]}
        assert ("calm_reading" in rules) is expected
        assert "calm_reading" in {c["rule"] for c in checked["checks"]}
