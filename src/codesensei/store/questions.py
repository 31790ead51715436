"""The question repository: every SQL statement about questions, versions, labels and the search index."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from codesensei.store.tables import Base, QuestionLabelRow, QuestionRow, QuestionVersionRow, utcnow

LABEL_KINDS = ("topic", "skill", "tag", "language")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_BATCH = 500


@dataclass(frozen=True)
class QuestionRecord:
    """What the repository stores for one question version (built by the bank service from the model)."""

    id: str
    type: str
    title: str
    text: str
    difficulty_level: str
    difficulty_value: float
    body: dict[str, Any]
    content_hash: str
    labels: dict[str, list[str]]

    def search_labels(self) -> str:
        return " ".join(v for values in self.labels.values() for v in values)


@dataclass(frozen=True)
class QuestionFilter:
    types: Sequence[str] = ()
    topics: Sequence[str] = ()
    skills: Sequence[str] = ()
    tags: Sequence[str] = ()
    languages: Sequence[str] = ()
    difficulty_levels: Sequence[str] = ()
    min_difficulty: float | None = None
    max_difficulty: float | None = None
    include_inactive: bool = False


@dataclass
class UpsertOutcome:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _table(row_class: type[Base]) -> Table:
    table = row_class.__table__
    assert isinstance(table, Table)
    return table


def _chunks(items: Sequence[Any], size: int = _BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class QuestionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    # ---- reads -------------------------------------------------------------------------------------

    def get(self, question_id: str) -> QuestionRow | None:
        return self.session.get(QuestionRow, question_id)

    def get_version(self, question_id: str, version: int) -> QuestionVersionRow | None:
        return self.session.get(QuestionVersionRow, (question_id, version))

    def versions(self, question_id: str) -> list[int]:
        rows = self.session.scalars(
            select(QuestionVersionRow.version)
            .where(QuestionVersionRow.question_id == question_id)
            .order_by(QuestionVersionRow.version)
        )
        return list(rows)

    def labels(self, question_ids: Sequence[str]) -> dict[str, dict[str, list[str]]]:
        found: dict[str, dict[str, list[str]]] = {}
        for chunk in _chunks(list(question_ids)):
            rows = self.session.execute(
                select(QuestionLabelRow.question_id, QuestionLabelRow.kind, QuestionLabelRow.value).where(
                    QuestionLabelRow.question_id.in_(chunk)
                )
            )
            for question_id, kind, value in rows:
                found.setdefault(question_id, {}).setdefault(kind, []).append(value)
        return found

    def _filtered(self, statement: Select[Any], flt: QuestionFilter) -> Select[Any]:
        if not flt.include_inactive:
            statement = statement.where(QuestionRow.active.is_(True))
        if flt.types:
            statement = statement.where(QuestionRow.type.in_(flt.types))
        if flt.difficulty_levels:
            statement = statement.where(QuestionRow.difficulty_level.in_(flt.difficulty_levels))
        if flt.min_difficulty is not None:
            statement = statement.where(QuestionRow.difficulty_value >= flt.min_difficulty)
        if flt.max_difficulty is not None:
            statement = statement.where(QuestionRow.difficulty_value <= flt.max_difficulty)
        for kind, values in (
            ("topic", flt.topics), ("skill", flt.skills), ("tag", flt.tags), ("language", flt.languages)
        ):
            if values:
                statement = statement.where(
                    select(QuestionLabelRow.question_id)
                    .where(
                        QuestionLabelRow.question_id == QuestionRow.id,
                        QuestionLabelRow.kind == kind,
                        QuestionLabelRow.value.in_(values),
                    )
                    .exists()
                )
        return statement

    def page(self, flt: QuestionFilter, *, limit: int = 50, offset: int = 0) -> list[QuestionRow]:
        statement = self._filtered(select(QuestionRow), flt).order_by(QuestionRow.id).limit(limit).offset(offset)
        return list(self.session.scalars(statement))

    def count(self, flt: QuestionFilter) -> int:
        return int(self.session.scalar(self._filtered(select(func.count()).select_from(QuestionRow), flt)) or 0)

    def ids(self, flt: QuestionFilter) -> list[str]:
        return list(self.session.scalars(self._filtered(select(QuestionRow.id), flt).order_by(QuestionRow.id)))

    def search(self, query: str, flt: QuestionFilter, *, limit: int = 20) -> list[QuestionRow]:
        """Full-text search over title, text, topics, skills, tags and languages, best match first."""
        tokens = _TOKEN.findall(query.lower())[:12]
        if not tokens:
            return self.page(flt, limit=limit)
        if self.dialect == "sqlite":
            # Whole words, except the last one, which may still be being typed: it matches as a prefix
            # when the prefix indexes (2 to 6 characters) cover it; a longer word is complete enough.
            last = tokens[-1]
            wildcard = "*" if 2 <= len(last) <= 6 else ""
            match = " ".join(f'"{t}"' for t in tokens[:-1]) + f' "{last}"{wildcard}'
            # MATERIALIZED: rank the full-text matches once, then join; otherwise SQLite may walk the
            # filtered questions and probe the index row by row.
            ranked = (
                select(text("rowid AS fts_rowid"), text("rank AS fts_rank"))
                .select_from(text("question_fts"))
                .where(text("question_fts MATCH :match"))
                .cte("ranked")
                .prefix_with("MATERIALIZED", dialect="sqlite")
            )
            statement = (
                select(QuestionRow.id)
                .join(ranked, text("questions.rowid = ranked.fts_rowid"))
                .order_by(text("ranked.fts_rank"))
                .params(match=match)
            )
        else:
            tsquery = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
            document = text("questions.search_document")
            condition = text("questions.search_document @@ to_tsquery('simple', :tsquery)")
            statement = (
                select(QuestionRow.id)
                .where(condition)
                .order_by(func.ts_rank(document, func.to_tsquery("simple", tsquery)).desc(), QuestionRow.id)
                .params(tsquery=tsquery)
            )
        # Rank and filter on narrow rows, then load only the winners: sorting thousands of full rows
        # (bodies included) cost more than the ranking itself.
        ids = list(self.session.scalars(self._filtered(statement, flt).limit(limit)))
        rows = {row.id: row for row in self.session.scalars(select(QuestionRow).where(QuestionRow.id.in_(ids)))}
        return [rows[question_id] for question_id in ids]

    # ---- writes ------------------------------------------------------------------------------------

    def upsert_many(self, records: Sequence[QuestionRecord]) -> UpsertOutcome:
        """Insert new questions, bump the version of changed ones, leave identical ones alone."""
        outcome = UpsertOutcome()
        current: dict[str, tuple[int, str]] = {}
        # Big chunks: within one import transaction PostgreSQL has no statistics for the rows just added
        # and plans each lookup as a scan of the table, so the number of lookups must stay small.
        for chunk in _chunks([r.id for r in records], 5000):
            for question_id, version, content_hash in self.session.execute(
                select(QuestionRow.id, QuestionRow.version, QuestionRow.content_hash).where(QuestionRow.id.in_(chunk))
            ):
                current[question_id] = (version, content_hash)
        now = utcnow()
        new_rows: list[dict[str, Any]] = []
        versions: list[dict[str, Any]] = []
        changed: list[QuestionRecord] = []
        for record in records:
            known = current.get(record.id)
            if known is not None and known[1] == record.content_hash:
                outcome.unchanged.append(record.id)
                continue
            version = 1 if known is None else known[0] + 1
            row = {
                "id": record.id, "version": version, "type": record.type, "title": record.title,
                "text": record.text, "difficulty_level": record.difficulty_level,
                "difficulty_value": record.difficulty_value, "body": record.body,
                "search_labels": record.search_labels(),
                "content_hash": record.content_hash, "updated_at": now,
            }
            if known is None:
                new_rows.append({**row, "created_at": now, "active": True, "times_shown": 0,
                                 "times_correct": 0, "total_time_s": 0.0})
                outcome.created.append(record.id)
            else:
                self.session.execute(update(QuestionRow).where(QuestionRow.id == record.id).values(**row))
                outcome.updated.append(record.id)
            versions.append({"question_id": record.id, "version": version, "body": record.body,
                             "content_hash": record.content_hash, "created_at": now})
            changed.append(record)
        # Core inserts on the tables: the ORM's bulk path costs several times more per row.
        for chunk in _chunks(new_rows):
            self.session.execute(insert(_table(QuestionRow)), list(chunk))
        for chunk in _chunks(versions):
            self.session.execute(insert(_table(QuestionVersionRow)), list(chunk))
        self._replace_labels(changed, fresh={r["id"] for r in new_rows})
        self._index(changed, fresh={r["id"] for r in new_rows})
        return outcome

    def _replace_labels(self, records: Sequence[QuestionRecord], *, fresh: set[str]) -> None:
        stale = [r.id for r in records if r.id not in fresh]
        for chunk in _chunks(stale):
            self.session.execute(delete(QuestionLabelRow).where(QuestionLabelRow.question_id.in_(chunk)))
        labels = [
            {"question_id": r.id, "kind": kind, "value": value}
            for r in records
            for kind, values in r.labels.items()
            for value in dict.fromkeys(values)
        ]
        for chunk in _chunks(labels, 2000):
            self.session.execute(insert(_table(QuestionLabelRow)), list(chunk))

    def _index(self, records: Sequence[QuestionRecord], *, fresh: set[str]) -> None:
        if not records:
            return
        if self.dialect != "sqlite":
            return  # PostgreSQL computes `search_document` itself (a generated column).
        rowids: dict[str, int] = {}
        for chunk in _chunks([r.id for r in records]):
            for question_id, rowid in self.session.execute(
                text("SELECT id, rowid FROM questions WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
                {"ids": list(chunk)},
            ):
                rowids[question_id] = rowid
        stale = [rowids[r.id] for r in records if r.id not in fresh]
        for chunk in _chunks(stale):
            self.session.execute(
                text("DELETE FROM question_fts WHERE rowid IN :rowids").bindparams(
                    bindparam("rowids", expanding=True)
                ),
                {"rowids": list(chunk)},
            )
        self.session.execute(
            text("INSERT INTO question_fts(rowid, title, text, labels) VALUES (:rowid, :title, :text, :labels)"),
            [{"rowid": rowids[r.id], "title": r.title, "text": r.text, "labels": r.search_labels()} for r in records],
        )

    def set_active(self, question_id: str, active: bool) -> None:
        self.session.execute(update(QuestionRow).where(QuestionRow.id == question_id).values(active=active))

    def record_use(self, question_id: str, *, correct: bool, time_s: float) -> None:
        """Update the statistics the bank shows: times shown, times correct, total time."""
        self.session.execute(
            update(QuestionRow)
            .where(QuestionRow.id == question_id)
            .values(
                times_shown=QuestionRow.times_shown + 1,
                times_correct=QuestionRow.times_correct + (1 if correct else 0),
                total_time_s=QuestionRow.total_time_s + time_s,
            )
        )
