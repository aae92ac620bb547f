"""Issue 6, `ordna route evaluate [FILE|-]`: one need as JSON in, the receipt as JSON out,
nothing saved; a bad need ends with exit status 2 and a one-line reason."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ordna.audit.models import AuditEvent
from ordna.procurement import defaults
from ordna.procurement.models import RouteAssessment, RuleSetVersion

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db

NEED = {
    "date": "2025-06-02",
    "purchaser": "TF",
    "category": "services",
    "annual_value_sek": 200000,
    "contract_years": 2,
    "extension_years": 2,
}


def _counts() -> tuple[int, int]:
    return RouteAssessment.objects.count(), AuditEvent.objects.count()


def _evaluate(*args, stdin: str | None = None, monkeypatch=None) -> dict:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    out = io.StringIO()
    call_command("route", "evaluate", *args, stdout=out)
    return json.loads(out.getvalue())


def _check_receipt(receipt: dict) -> None:
    published = RuleSetVersion.objects.get(rule_set__name=defaults.NAME, status="published")
    assert receipt["route"] == "national_procedure"
    assert receipt["law"] == "LOU"
    assert receipt["estimated_value_sek"] == 800_000
    assert receipt["direct_award_limit_sek"] == 700_000
    assert receipt["threshold_sek"] == 2_389_585
    assert receipt["documentation_required"] is False
    assert receipt["provisional"] is False
    assert receipt["reasons"] and all(
        set(reason) >= {"rule", "text", "legal_basis"} for reason in receipt["reasons"]
    )
    assert receipt["reasons"][0] == {
        "rule": "under-troskelvarde",
        "text": receipt["reasons"][0]["text"],
        "legal_basis": "LOU 19 kap.",
    }
    assert receipt["rule_set"] == {
        "name": defaults.NAME,
        "version": 1,
        "sha256": published.sha256,
    }


def test_evaluate_a_file_prints_the_receipt_and_saves_nothing(demo, tmp_path):
    path = tmp_path / "need.json"
    path.write_text(json.dumps(NEED), encoding="utf-8")
    before = _counts()
    _check_receipt(_evaluate(str(path)))
    assert _counts() == before


@pytest.mark.parametrize("args", [("-",), ()])
def test_evaluate_reads_standard_input(demo, monkeypatch, args):
    before = _counts()
    _check_receipt(_evaluate(*args, stdin=json.dumps(NEED), monkeypatch=monkeypatch))
    assert _counts() == before


def test_evaluate_shows_the_splitting_warning_without_saving(demo, monkeypatch):
    need = {
        "date": "2026-07-01",
        "purchaser": "TF",
        "category": "services",
        "one_off_value_sek": 50000,
    }
    before = _counts()
    receipt = _evaluate("-", stdin=json.dumps(need), monkeypatch=monkeypatch)
    assert receipt["route"] == "direct_award"
    assert [w["rule"] for w in receipt["warnings"]] == ["splitting_guard"]
    assert _counts() == before


@pytest.mark.parametrize(
    "text, words",
    [
        (json.dumps({**NEED, "purchaser": "NOPE"}), ["purchaser", "NOPE"]),
        (json.dumps({**NEED, "category": "food"}), ["category"]),
        (json.dumps({**NEED, "service_code": "NO-SUCH"}), ["service_code", "NO-SUCH"]),
        (json.dumps({**NEED, "contract_years": 0}), ["contract_years"]),
        ('{"date": "2025-06-02", "purchaser": ', ["malformed JSON", "line 1"]),
        ("", ["malformed JSON"]),
        ("[1, 2]", ["need"]),
    ],
)
def test_a_bad_need_exits_2_with_a_one_line_reason(demo, monkeypatch, text, words):
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    before = _counts()
    with pytest.raises(CommandError) as caught:
        call_command("route", "evaluate", "-", stdout=io.StringIO())
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message
    assert _counts() == before


def test_a_file_that_does_not_exist_exits_2(demo, tmp_path):
    missing = tmp_path / "saknas.json"
    with pytest.raises(CommandError) as caught:
        call_command("route", "evaluate", str(missing), stdout=io.StringIO())
    assert caught.value.returncode == 2
    assert str(missing) in str(caught.value) and "\n" not in str(caught.value)


# a real process -------------------------------------------------------------------------------


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(s['NAME']).resolve()}"
    auth = quote(s["USER"] or "")
    if s.get("PASSWORD"):
        auth += ":" + quote(s["PASSWORD"])
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _ordna(*args, stdin: str = "") -> subprocess.CompletedProcess:
    """`.venv/bin/ordna` against the test database, where the demo is committed."""
    env = {**os.environ, "DATABASE_URL": _database_url()}
    return subprocess.run(
        [str(ROOT / ".venv" / "bin" / "ordna"), *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_real_command_reads_stdin_and_prints_json(demo):
    before = _counts()
    done = _ordna("route", "evaluate", "-", stdin=json.dumps(NEED))
    assert done.returncode == 0, done.stderr
    _check_receipt(json.loads(done.stdout))
    assert _counts() == before


def test_the_real_command_fails_with_status_2(demo, tmp_path):
    for args, stdin, word in [
        (("route", "evaluate", "-"), json.dumps({**NEED, "purchaser": "NOPE"}), "NOPE"),
        (("route", "evaluate", "-"), json.dumps({**NEED, "category": "food"}), "category"),
        (("route", "evaluate", "-"), "{not json", "malformed JSON"),
        (("route", "evaluate", str(tmp_path / "saknas.json")), "", "saknas.json"),
    ]:
        done = _ordna(*args, stdin=stdin)
        assert done.returncode == 2, (args, stdin, done.stderr)
        assert done.stdout == ""
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0], done.stderr
