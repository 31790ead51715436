"""Schemathesis against `/openapi.json` of a live server, once as an administrator and once as a candidate.

The database is seeded first (a published assessment, an invited candidate who claimed the link and started
an attempt, and an attempt of the administrator's own), and the path parameters point at that data, so
generated requests reach the handlers instead of 404s. The run must find no 5xx and no response that breaks
the schema, and between the two identities at least 80% of the operations must answer a 2xx at least once:
counted from what schemathesis reports (its JSON run report and the HAR log of every request it sent).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from api.conftest import STRONG, Api, make_settings, serving

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MIN_2XX_SHARE = 0.8
SEED = 20261123


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, Any]]]:
    # SQLite only: the schema and the handlers are the same on both databases, and this run is long.
    tmp = tmp_path_factory.mktemp("schemathesis")
    with serving(make_settings(f"sqlite:///{tmp / 'sensei.db'}", tmp)) as api:
        author = api.user("author")
        reviewer_email = "reviewer@example.com"
        api.user("reviewer", email=reviewer_email)
        api.ok("POST", "/api/assessments", author, status=201, json={
            "id": "seeded", "title": "Seeded", "questions": ["py-is-vs-equals", "py-word-frequency"],
            "access": "public", "hints": {"allowed": True}, "assistant": {"mode": "full"},
            "feedback": {"mode": "immediate"},
        })
        api.ok("POST", "/api/assessments/seeded/publish", author)
        link = api.ok("POST", "/api/assessments/seeded/invitations", author, status=201,
                      json={"emails": ["candidate@example.com"]})["invitations"][0]
        candidate = api.ok("POST", "/api/invitations/claim", json={"token": link["token"], "password": STRONG})
        mine = api.ok("POST", "/api/assessments/seeded/attempts", candidate["access_token"], status=201)
        admins = api.ok("POST", "/api/assessments/seeded/attempts", api.admin, status=201)
        users = api.ok("GET", "/api/users", api.admin)["users"]
        reviewer_id = next(u["id"] for u in users if u["email"] == reviewer_email)
        yield api, {
            "candidate": candidate["access_token"], "candidate_attempt": mine["attempt_id"],
            "admin_attempt": admins["attempt_id"], "reviewer_id": reviewer_id,
        }


def operations(api: Api) -> list[tuple[str, re.Pattern[str]]]:
    document = api.ok("GET", "/openapi.json")
    found = []
    for path, methods in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(path)) + "$")
        found += [(f"{method.upper()} {path}", pattern) for method in methods]
    return found


def run(api: Api, token: str, parameters: dict[str, str], where: Path) -> tuple[dict[str, Any], list[Any]]:
    """One schemathesis run; its JSON report and the requests and responses it logged."""
    where.mkdir()
    config = where / "schemathesis.toml"
    config.write_text("[parameters]\n" + "".join(f'{k} = "{v}"\n' for k, v in parameters.items()))
    command = [
        str(SCHEMATHESIS), "--config-file", str(config), "run", f"{api.base_url}/openapi.json",
        "-H", f"Authorization: Bearer {token}", "--checks", CHECKS, "--phases", "examples,coverage,fuzzing",
        "--max-examples", "10", "--seed", str(SEED), "--workers", "1", "--request-timeout", "60",
        "--report", "json,har", "--report-json-path", str(where / "run.json"),
        "--report-har-path", str(where / "run.har"),
    ]
    # Run in the temporary directory: schemathesis keeps a cache (`.schemathesis/`) in its working directory.
    done = subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False, cwd=where)
    (where / "output.txt").write_text(done.stdout + done.stderr)
    report = json.loads((where / "run.json").read_text())
    entries = json.loads((where / "run.har").read_text())["log"]["entries"]
    return report, entries


def statuses(entries: list[Any], ops: list[tuple[str, re.Pattern[str]]]) -> dict[str, set[int]]:
    by_operation: dict[str, set[int]] = {name: set() for name, _ in ops}
    for entry in entries:
        method, path = entry["request"]["method"], urlsplit(entry["request"]["url"]).path
        for name, pattern in ops:
            if name.startswith(f"{method} ") and pattern.match(path):
                by_operation[name].add(entry["response"]["status"])
                break
    return by_operation


def test_schemathesis_finds_no_server_errors_or_schema_violations(
    seeded: tuple[Api, dict[str, Any]], tmp_path: Path
) -> None:
    api, seed = seeded
    ops = operations(api)
    common = {"assessment_id": "seeded", "question_id": "py-word-frequency", "position": "1",
              "user_id": seed["reviewer_id"]}
    runs = {
        "admin": run(api, api.admin, {**common, "attempt_id": seed["admin_attempt"]}, tmp_path / "admin"),
        "candidate": run(api, seed["candidate"], {**common, "attempt_id": seed["candidate_attempt"]},
                         tmp_path / "candidate"),
    }
    reached: set[str] = set()
    for who, (report, entries) in runs.items():
        output = (tmp_path / who / "output.txt").read_text()
        assert report["operations"]["tested"] == len(ops), (who, report["operations"], output[-3000:])
        assert report["operations"]["errored"] == 0, (who, output[-3000:])
        assert report["failures"] == [], (who, report["failures"], output[-6000:])
        assert report["test_cases"]["with_failures"] == 0, (who, output[-6000:])
        seen = statuses(entries, ops)
        server_errors = {name: codes for name, codes in seen.items() if any(c >= 500 for c in codes)}
        assert not server_errors, (who, server_errors)
        reached |= {name for name, codes in seen.items() if any(200 <= c < 300 for c in codes)}
        print(f"{who}: {len(entries)} requests, {report['test_cases']['generated']} cases, "
              f"{sum(any(200 <= c < 300 for c in codes) for codes in seen.values())}/{len(ops)} operations 2xx")
    missed = sorted(name for name, _ in ops if name not in reached)
    print(f"together: {len(reached)}/{len(ops)} operations answered 2xx; never: {missed}")
    assert len(reached) >= MIN_2XX_SHARE * len(ops), missed
