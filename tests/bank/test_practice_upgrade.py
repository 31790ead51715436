"""An installation that imported the built-in banks before questions had `practice` still gets practice.

The built-in banks are imported once, on the first start; this test builds such an older database (the sample
and starter banks as they were shipped, closed to practice, with one question edited since) and starts it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from codesensei.bank.files import BankFile, read_bank
from codesensei.bank.service import import_files
from codesensei.bank.starter import PRACTICE_MARKER, SAMPLE_BANK, STARTER_BANK, StarterBank
from codesensei.platform import SAMPLE_BANK_MARKER, STARTER_BANK_MARKER, open_platform
from codesensei.sessions.practice import PracticeRequest, practice_topics, start_practice
from codesensei.settings import Settings
from codesensei.store.attempts import AttemptRepository
from codesensei.store.db import unit_of_work
from codesensei.store.meta import MetaRepository
from codesensei.store.questions import QuestionFilter, QuestionRepository
from codesensei.store.tables import MetaRow

EDITED = "py-is-vs-equals"


def _closed(files: list[BankFile]) -> list[BankFile]:
    """The files as an installation imported them before the `practice` field existed."""
    return [BankFile(f.path, [q.model_copy(update={"practice": False}) for q in f.questions]) for f in files]


def _versions(session: Session) -> dict[str, tuple[int, bool]]:
    rows = QuestionRepository(session).page(QuestionFilter(include_inactive=True), limit=100_000)
    return {row.id: (row.version, bool(row.body.get("practice", False))) for row in rows}


def test_an_older_installation_opens_its_untouched_built_in_questions_to_practice(
    database_url: str, tmp_path: Path
) -> None:
    sample, starter = read_bank(SAMPLE_BANK), StarterBank(STARTER_BANK).read()
    shipped = {q.id for f in [*sample, *starter] for q in f.questions}
    fresh = Settings(database_url=database_url, data_dir=tmp_path / "data", load_sample_bank=False)
    platform = open_platform(fresh)
    try:
        with unit_of_work(platform.sessions) as session:
            import_files(session, _closed([*sample, *starter]))
            # Someone edited one built-in question since: whether it is open is theirs to say.
            (edited,) = [q for f in sample for q in f.questions if q.id == EDITED]
            changed = edited.model_copy(update={"practice": False, "explanation": "Our own explanation."})
            import_files(session, [BankFile("edited.yaml", [changed])])
            meta = MetaRepository(session)
            meta.put(SAMPLE_BANK_MARKER, "1")
            meta.put(STARTER_BANK_MARKER, "1")
            session.delete(session.get(MetaRow, PRACTICE_MARKER))
        with unit_of_work(platform.sessions) as session:
            before = _versions(session)
            assert practice_topics(session) == []
    finally:
        platform.close()
    assert set(before) == shipped
    assert not any(is_open for _, is_open in before.values())

    upgraded = fresh.model_copy(update={"load_sample_bank": True})
    for start in range(2):  # the second start changes nothing
        platform = open_platform(upgraded)
        try:
            with unit_of_work(platform.sessions) as session:
                after = _versions(session)
                assert MetaRepository(session).get(PRACTICE_MARKER) == "1"
                topics = {t.topic for t in practice_topics(session)}
                practice = start_practice(session, PracticeRequest("python", count=50), f"c{start}@example.com")
                asked = {i.question_id for i in AttemptRepository(session).items(practice.started.attempt_id)}
        finally:
            platform.close()
        assert after[EDITED] == before[EDITED]
        opened = {qid for qid, (version, is_open) in after.items() if is_open}
        assert opened == shipped - {EDITED}
        assert all(after[qid][0] == before[qid][0] + 1 for qid in opened)
        assert {"python", "sql", "arrays", "graphs"} <= topics
        assert asked
        assert EDITED not in asked


def test_a_new_installation_imports_the_built_in_banks_open_and_never_re_imports(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", starter_bank_dir=tmp_path / "none")
    for _ in range(2):
        platform = open_platform(settings)
        try:
            with unit_of_work(platform.sessions) as session:
                versions = _versions(session)
        finally:
            platform.close()
        assert versions
        assert set(versions.values()) == {(1, True)}
