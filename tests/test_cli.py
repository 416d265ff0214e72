"""The `tactful` command: analyze, draft, JSONL batches and bad lines."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from app import cli

ANGRY = (
    "Hi Sam,\nYou promised the logo files by Monday and I STILL have nothing!! "
    "Send them today or I'll leave a review everyone will read.\nThanks,\nDana"
)


@pytest.fixture()
def runner(monkeypatch, tactful) -> CliRunner:
    monkeypatch.setattr(cli, "_load", lambda settings: tactful)
    return CliRunner()


def test_analyze_file_json(runner, tmp_path):
    mail = tmp_path / "mail.txt"
    mail.write_text(ANGRY)
    result = runner.invoke(cli.app, ["analyze", str(mail), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["tone"]["label"] in {"angry", "frustrated", "abusive"}
    assert data["message"]["sender_name"] == "Dana"


def test_analyze_stdin_summary(runner):
    result = runner.invoke(cli.app, ["analyze", "-"], input=ANGRY)
    assert result.exit_code == 0, result.output
    assert "tone" in result.stdout and "strategy" in result.stdout


def test_draft_prints_a_calm_reply(runner):
    result = runner.invoke(cli.app, ["draft", "-"], input=ANGRY)
    assert result.exit_code == 0, result.output
    reply = result.stdout.split("--- draft", 1)[1]
    assert "Dana" in reply
    assert "sorry" not in reply.lower()
    assert "checks: all passed" in result.stdout


def test_jsonl_processes_good_lines_and_names_bad_ones(runner, tmp_path):
    lines = [
        json.dumps({"id": "a1", "body": ANGRY, "sent_at": "2026-03-02T09:00:00+00:00"}),
        "{not json",
        json.dumps({"body": "no id here"}),
        json.dumps({"id": "a3", "body": "   "}),
        json.dumps({"id": "a4", "body": "Thanks for the files, all good.", "subject": "Files"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    for command in ("analyze", "draft"):
        result = runner.invoke(cli.app, [command, "--jsonl", str(path)])
        assert result.exit_code == 1
        out = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
        assert [o["id"] for o in out] == ["a1", "a4"]
        if command == "draft":
            assert all(o["draft"]["body"] for o in out)
        assert f"{path}:2: not JSON" in result.stderr
        assert f"{path}:3: missing id" in result.stderr
        assert f"{path}:4: id a3:" in result.stderr


def test_missing_file_is_a_clear_error(runner, tmp_path):
    result = runner.invoke(cli.app, ["analyze", str(tmp_path / "nope.eml")])
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_bad_strategy_is_refused(runner):
    result = runner.invoke(cli.app, ["draft", "-", "--strategy", "shout"], input=ANGRY)
    assert result.exit_code == 2
    assert "--strategy must be one of" in result.stderr


@pytest.mark.slow
def test_installed_command_runs_end_to_end(tmp_path):
    mail = tmp_path / "mail.txt"
    mail.write_text(ANGRY)
    tactful = [sys.executable, "-m", "app.cli"]
    done = subprocess.run(
        [*tactful, "draft", str(mail), "--json"], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["draft"]["body"]


def test_undecodable_file_is_a_clear_error(runner, tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(bytes(range(256)) * 8)
    result = runner.invoke(cli.app, ["analyze", str(garbage)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: ")
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n")
    result = runner.invoke(cli.app, ["draft", str(empty)])
    assert result.exit_code == 1 and "empty" in result.stderr.lower()


def test_a_folder_is_not_read_as_a_message(runner, tmp_path):
    for args in (["analyze", str(tmp_path)], ["analyze", "--jsonl", str(tmp_path)]):
        result = runner.invoke(cli.app, args)
        assert result.exit_code == 2, result.output
        assert f"not a file: {tmp_path}" in result.stderr


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (["eval", "--out", "{folder}"], "is a folder; give a file name"),
        (["eval", "--plots", "{file}"], "is a file; give a folder"),
        (["bench", "--out", "{folder}"], "is a folder; give a file name"),
        (["train", "--out", "{file}"], "is a file; give a folder"),
        (["eval", "--out", "{file}/metrics.json"], "cannot write to"),
    ],
)
def test_outputs_that_cannot_be_written_are_refused_before_the_work(
    runner, tmp_path, monkeypatch, command, kind
):
    import app.bench
    import app.training.train

    def never(*args, **kwargs):
        raise AssertionError("the work started before the output was checked")

    monkeypatch.setattr(app.bench, "run", never)
    monkeypatch.setattr(app.training.train, "train", never)
    monkeypatch.setattr(cli, "_load", never)
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    args = [part.format(folder=tmp_path, file=a_file) for part in command]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 2, result.output
    assert kind in result.stderr
    assert a_file.read_text() == "x"


def test_a_missing_client_message_is_a_clear_error(runner, tmp_path):
    reply = tmp_path / "reply.txt"
    reply.write_text("Thank you for your message.")
    result = runner.invoke(cli.app, ["check", str(reply), "--client", str(tmp_path / "nope")])
    assert result.exit_code == 2, result.output
    assert "no such file" in result.stderr


def test_invalid_settings_and_ports_are_named_not_raised(runner, monkeypatch):
    from app.config import get_settings

    monkeypatch.setenv("TACTFUL_PORT", "eighty")
    get_settings.cache_clear()
    try:
        result = runner.invoke(cli.app, ["purge", "--days", "1"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2, result.output
    assert "invalid setting: TACTFUL_PORT" in result.stderr
    result = runner.invoke(cli.app, ["serve", "--port", "99999"])
    assert result.exit_code == 2 and "--port" in result.output


def test_jsonl_fields_of_the_wrong_type_are_bad_lines_not_a_crash(runner, tmp_path):
    lines = [
        {"id": "ok1", "body": "Where is the invoice?"},
        {"id": "l2", "body": "x", "lang": 5},
        {"id": "l3", "body": "x", "sender": {"name": "Dana"}},
        {"id": ["l4"], "body": "x"},
        {"id": "l5", "body": "x", "sent_at": "yesterday"},
        {"id": 6, "body": "Thanks, all good.", "note": "ignored"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = runner.invoke(cli.app, ["analyze", "--jsonl", str(path)])
    assert result.exit_code == 1
    assert [json.loads(o)["id"] for o in result.stdout.splitlines()] == ["ok1", "6"]
    for number, field in ((2, "lang"), (3, "sender"), (4, "id"), (5, "sent_at")):
        assert f"{path}:{number}: {field}: " in result.stderr
    assert "4 line(s) failed" in result.stderr
