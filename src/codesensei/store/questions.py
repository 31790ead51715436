"""The question repository: every SQL statement about questions, versions, labels and the search index.

The search index (migration 0006) holds, besides the words of a question, one *facet token* per filter value
(type, difficulty level, each topic, skill, tag and language, and a mark for inactive questions), so a search
filters inside the index and ranks only the questions that pass:

- SQLite: the FTS5 table `question_fts(title, text, labels, facets)`, keyed by the question's rowid;
- PostgreSQL: the narrow table `question_search(question_id, difficulty_value, document)` with a GIN index.

Both are written only here, in step with `questions` and `question_labels`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Integer, Select, Table, bindparam, delete, func, literal_column, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from codesensei.bulk import collector_paused
from codesensei.store.tables import Base, QuestionLabelRow, QuestionRow, QuestionVersionRow, utcnow

LABEL_KINDS = ("topic", "skill", "tag", "language")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_BATCH = 500
# Rows per statement when writing through the driver: big enough that per-statement costs vanish, small
# enough that one statement's parameters stay a few megabytes.
_WRITE_BATCH = 5000
# The user's words match these columns only; the facets column holds filter tokens, never words.
_SQLITE_WORD_COLUMNS = "{title text labels}"
# bm25 over the word columns; the facets column gets weight 0, so a filter adds nothing to a score. Facet tokens
# do count in a row's length, which bm25 normalises by: that shifts scores slightly (the benchmark keeps 98% of
# the previous top 20, in a slightly different order).
_SQLITE_RANK = "bm25(question_fts, 1.0, 1.0, 1.0, 0.0)"
# The weighted document PostgreSQL computed before migration 0006 (title A, labels B, text C), plus the facet
# lexemes: ts_rank without normalisation looks only at the lexemes a query names, so ranks are unchanged.
_PG_DOCUMENT = (
    "setweight(to_tsvector('simple', {title}), 'A') || setweight(to_tsvector('simple', {labels}), 'B') || "
    "setweight(to_tsvector('simple', {text}), 'C') || array_to_tsvector(string_to_array({facets}, ' '))"
)
# SQLite: the key of a question's row in `question_fts`.
_ROWID: ColumnClause[int] = literal_column("questions.rowid", Integer)
_QUESTION_COLUMNS = (
    "id", "version", "type", "difficulty_level", "difficulty_value", "active", "times_shown", "times_correct",
    "total_time_s", "created_at", "updated_at", "content_hash", "title", "search_labels", "text", "body",
)
# The body keeps `practice` only when true (files leave defaults out); JSON `true` reads as 1 on SQLite.
_OPEN_TO_PRACTICE = QuestionRow.body["practice"].as_boolean().is_(True)
# In PostgreSQL facet lexemes start with "~": the user's words are `\w+` and can never produce or prefix one.
_PG_FACET_MARK = "~"


@lru_cache(maxsize=65536)
def facet_token(kind: str, value: str) -> str:
    """One filter value (`topic`, `graphs`) as one index token: decimal digits, which no tokenizer splits and no
    stemmer changes, derived from 64 bits of a hash, so distinct values never share a token in practice."""
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), digest_size=8).digest()
    return str(int.from_bytes(digest, "big"))


INACTIVE_TOKEN = facet_token("state", "inactive")


def facet_tokens(type_: str, difficulty_level: str, labels: Mapping[str, Sequence[str]], *, active: bool) -> list[str]:
    """The facet tokens of one question, as the search index stores them."""
    tokens = [facet_token("type", type_), facet_token("level", difficulty_level)]
    tokens.extend(facet_token(kind, value) for kind, values in labels.items() for value in dict.fromkeys(values))
    if not active:
        tokens.append(INACTIVE_TOKEN)
    return tokens


def pg_facets(tokens: Iterable[str]) -> str:
    """Facet tokens as PostgreSQL stores them: space-separated lexemes, each marked with `~`."""
    return " ".join(_PG_FACET_MARK + token for token in tokens)


def pg_document_sql(title: str, labels: str, text_: str, facets: str) -> str:
    """The SQL expression of a question's search document, given SQL expressions for its parts."""
    return _PG_DOCUMENT.format(title=title, labels=labels, text=text_, facets=facets)


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
    # Only questions their author opened to practice (`practice: true` in the stored body).
    practice_only: bool = False

    def facet_groups(self) -> list[list[str]]:
        """The filters the search index answers: every group must match, any token within a group may."""
        groups: list[list[str]] = []
        for kind, values in (
            ("type", self.types), ("level", self.difficulty_levels), ("topic", self.topics),
            ("skill", self.skills), ("tag", self.tags), ("language", self.languages),
        ):
            if values:
                groups.append([facet_token(kind, value) for value in dict.fromkeys(values)])
        return groups


@dataclass
class UpsertOutcome:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Known:
    version: int
    content_hash: str
    active: bool
    rowid: int | None  # SQLite only: the key of the question's row in the FTS index


@dataclass(frozen=True)
class IndexEntry:
    """One question as the search index stores it."""

    id: str
    rowid: int | None
    fresh: bool
    title: str
    text: str
    labels: str
    facets: list[str]
    difficulty_value: float


def _table(row_class: type[Base]) -> Table:
    table = row_class.__table__
    assert isinstance(table, Table)
    return table


def _chunks(items: Sequence[Any], size: int = _BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _sqlite_fts_phrase(tokens: Sequence[str]) -> str:
    """Whole words, except the last one, which may still be being typed: it matches as a prefix when the
    prefix indexes (2 to 4 characters) or a short scan of the term list cover it; a longer word is complete
    enough. Every token is quoted, so punctuation never reaches FTS5 as syntax."""
    last = tokens[-1]
    wildcard = "*" if 2 <= len(last) <= 6 else ""
    return " ".join(f'"{t}"' for t in tokens[:-1]) + f' "{last}"{wildcard}'


def sqlite_match(tokens: Sequence[str], flt: QuestionFilter) -> str:
    """The FTS5 query: the words in the word columns, AND every filter group in the facets column."""
    parts = [f"{_SQLITE_WORD_COLUMNS}: ({_sqlite_fts_phrase(tokens)})"]
    parts.extend("{facets}: (" + " OR ".join(f'"{t}"' for t in group) + ")" for group in flt.facet_groups())
    expression = " AND ".join(f"({part})" for part in parts)
    if not flt.include_inactive:
        expression = f'({expression}) NOT {{facets}}: "{INACTIVE_TOKEN}"'
    return expression


def pg_queries(tokens: Sequence[str], flt: QuestionFilter) -> tuple[str, str | None]:
    """The ranked words (for `to_tsquery`) and the filter (a `tsquery` literal, or None without filters)."""
    words = " & ".join([*tokens[:-1], f"{tokens[-1]}:*"])
    groups = ["(" + " | ".join(f"'{_PG_FACET_MARK}{t}'" for t in group) + ")" for group in flt.facet_groups()]
    if not flt.include_inactive:
        groups.append(f"!'{_PG_FACET_MARK}{INACTIVE_TOKEN}'")
    return words, (" & ".join(groups) if groups else None)


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
        if flt.practice_only:
            statement = statement.where(_OPEN_TO_PRACTICE)
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

    def topic_counts(self, flt: QuestionFilter) -> list[tuple[str, str, int]]:
        """(topic, difficulty level, how many questions) over the questions `flt` matches, by topic."""
        counted = cast(
            Select[Any],
            select(QuestionLabelRow.value, QuestionRow.difficulty_level, func.count())
            .select_from(QuestionRow)
            .join(QuestionLabelRow, QuestionLabelRow.question_id == QuestionRow.id)
            .where(QuestionLabelRow.kind == "topic"),
        )
        statement = (
            self._filtered(counted, flt)
            .group_by(QuestionLabelRow.value, QuestionRow.difficulty_level)
            .order_by(QuestionLabelRow.value)
        )
        return [(topic, level, int(count)) for topic, level, count in self.session.execute(statement)]

    def search(self, query: str, flt: QuestionFilter, *, limit: int = 20) -> list[QuestionRow]:
        """Full-text search over title, text, topics, skills, tags and languages, best match first."""
        tokens = _TOKEN.findall(query.lower())[:12]
        if not tokens:
            return self.page(flt, limit=limit)
        if self.dialect == "sqlite":
            return self._search_sqlite(tokens, flt, limit)
        return self._search_postgresql(tokens, flt, limit)

    def _search_sqlite(self, tokens: Sequence[str], flt: QuestionFilter, limit: int) -> list[QuestionRow]:
        # FTS5 filters on the facet tokens while it intersects the words, so bm25 runs only on questions that
        # pass, and `ORDER BY … LIMIT` keeps just the best few; `questions` is read for the winners alone.
        ranked = (
            f"SELECT rowid FROM question_fts WHERE question_fts MATCH :match ORDER BY {_SQLITE_RANK}, rowid"
        )
        params: dict[str, Any] = {"match": sqlite_match(tokens, flt)}
        # A range or the practice mark is not a token, so either is checked on `questions` as the ranks come.
        ranged = flt.min_difficulty is not None or flt.max_difficulty is not None or flt.practice_only
        if not ranged:
            rowids = list(self.session.scalars(text(ranked + " LIMIT :limit"), {**params, "limit": limit}))
        else:
            rowids = self._in_difficulty_range(text(ranked), params, flt, limit)
        if not rowids:
            return []
        rows = {key: row for row, key in self.session.execute(select(QuestionRow, _ROWID).where(_ROWID.in_(rowids)))}
        return [rows[key] for key in rowids]

    def _in_difficulty_range(
        self, ranked: Any, params: dict[str, Any], flt: QuestionFilter, limit: int
    ) -> list[int]:
        """Walk the ranked matches best first and keep those in the difficulty range (and open to practice, when
        the filter asks), until `limit` are found.

        A range is not a token, so it is checked on `questions`; checking in rank order reads a few rows for
        each one kept instead of one row for every match.
        """
        check = select(_ROWID).where(_ROWID.in_(bindparam("keys", expanding=True)))
        if flt.min_difficulty is not None:
            check = check.where(QuestionRow.difficulty_value >= flt.min_difficulty)
        if flt.max_difficulty is not None:
            check = check.where(QuestionRow.difficulty_value <= flt.max_difficulty)
        if flt.practice_only:
            check = check.where(_OPEN_TO_PRACTICE)
        kept: list[int] = []
        result = self.session.execute(ranked, params)
        try:
            while len(kept) < limit:
                keys = [key for (key,) in result.fetchmany(max(64, 4 * limit))]
                if not keys:
                    break
                inside = set(self.session.scalars(check, {"keys": keys}))
                kept.extend(key for key in keys if key in inside)
        finally:
            result.close()
        return kept[:limit]

    def _search_postgresql(self, tokens: Sequence[str], flt: QuestionFilter, limit: int) -> list[QuestionRow]:
        # The narrow `question_search` row holds the document and the difficulty: the GIN index answers the
        # words and the facet tokens together, and ranking reads only those small rows.
        words, facets = pg_queries(tokens, flt)
        matched = "to_tsquery('simple', :words)"
        if facets is not None:
            matched = f"({matched} && CAST(:facets AS tsquery))"
        conditions = [f"s.document @@ {matched}"]
        params: dict[str, Any] = {"words": words, "facets": facets, "limit": limit}
        if flt.min_difficulty is not None:
            conditions.append("s.difficulty_value >= :min_difficulty")
            params["min_difficulty"] = flt.min_difficulty
        if flt.max_difficulty is not None:
            conditions.append("s.difficulty_value <= :max_difficulty")
            params["max_difficulty"] = flt.max_difficulty
        if flt.practice_only:
            # The same test as `_OPEN_TO_PRACTICE`, written for this text query over the narrow table.
            conditions.append(
                "EXISTS (SELECT 1 FROM questions AS q WHERE q.id = s.question_id "
                "AND CAST(q.body ->> 'practice' AS BOOLEAN) IS TRUE)"
            )
        statement = text(
            "SELECT s.question_id FROM question_search AS s WHERE " + " AND ".join(conditions)
            + " ORDER BY ts_rank(s.document, to_tsquery('simple', :words)) DESC, s.question_id LIMIT :limit"
        )
        ids = list(self.session.scalars(statement, params))
        if not ids:
            return []
        rows = {row.id: row for row in self.session.scalars(select(QuestionRow).where(QuestionRow.id.in_(ids)))}
        return [rows[question_id] for question_id in ids]

    # ---- writes ------------------------------------------------------------------------------------

    def upsert_many(self, records: Sequence[QuestionRecord]) -> UpsertOutcome:
        """Insert new questions, bump the version of changed ones, leave identical ones alone."""
        with collector_paused():
            return self._upsert_many(records)

    def _current(self, question_ids: Sequence[str]) -> dict[str, _Known]:
        columns: list[Any] = [QuestionRow.id, QuestionRow.version, QuestionRow.content_hash, QuestionRow.active]
        statements: list[Select[Any]] = []
        if self.dialect == "sqlite":
            columns.append(_ROWID)
            # SQLite caps a statement's parameters; 500 keeps well under every build's limit.
            statements = [select(*columns).where(QuestionRow.id.in_(chunk)) for chunk in _chunks(question_ids)]
        else:
            # One array parameter: PostgreSQL plans `= ANY` as probes of the primary key, and the driver does not
            # parse thousands of placeholders.
            statements = [
                select(*columns).where(QuestionRow.id == func.any(bindparam("ids", list(chunk))))
                for chunk in _chunks(question_ids, 10_000)
            ]
        current: dict[str, _Known] = {}
        for statement in statements:
            for question_id, version, content_hash, active, *key in self.session.execute(statement):
                current[question_id] = _Known(version, content_hash, bool(active), key[0] if key else None)
        return current

    def _upsert_many(self, records: Sequence[QuestionRecord]) -> UpsertOutcome:
        outcome = UpsertOutcome()
        sqlite = self.dialect == "sqlite"
        next_rowid = 0
        if sqlite:
            # Take SQLite's write lock before reading anything (an UPDATE takes it even when it changes no row):
            # what we read then stays true until we commit, and a concurrent import waits (busy_timeout) instead
            # of failing on a stale snapshot. New rows get their rowids from us — max + 1 onwards, free while we
            # hold the lock — so their FTS rows are written without reading the rowids back.
            self.session.execute(text("UPDATE questions SET version = version WHERE 0"))
            next_rowid = int(self.session.scalar(text("SELECT coalesce(max(rowid), 0) FROM questions")) or 0) + 1
        current = self._current([r.id for r in records])
        now = utcnow()
        stamp: Any = now
        if sqlite:
            # The exact text SQLAlchemy writes for a DateTime on SQLite, so the ORM reads these rows back.
            processor = _table(QuestionRow).c.created_at.type.bind_processor(self.session.get_bind().dialect)
            stamp = processor(now) if processor else now
        new_rows: list[tuple[Any, ...]] = []
        changed_rows: list[dict[str, Any]] = []
        versions: list[tuple[Any, ...]] = []
        labels: list[tuple[str, str, str]] = []
        entries: list[IndexEntry] = []
        for record in records:
            known = current.get(record.id)
            if known is not None and known.content_hash == record.content_hash:
                outcome.unchanged.append(record.id)
                continue
            # Serialised once, for both `questions` and `question_versions`.
            body = json.dumps(record.body)
            search_labels = record.search_labels()
            version = 1 if known is None else known.version + 1
            active = True if known is None else known.active
            rowid = known.rowid if known is not None else None
            if known is None:
                values: tuple[Any, ...] = (
                    record.id, version, record.type, record.difficulty_level, record.difficulty_value, True, 0, 0,
                    0.0, stamp, stamp, record.content_hash, record.title, search_labels, record.text, body,
                )
                if sqlite:
                    rowid = next_rowid
                    next_rowid += 1
                    values = (rowid, *values)
                new_rows.append(values)
                outcome.created.append(record.id)
            else:
                changed_rows.append({
                    "b_id": record.id, "version": version, "type": record.type, "title": record.title,
                    "text": record.text, "difficulty_level": record.difficulty_level,
                    "difficulty_value": record.difficulty_value, "body": record.body,
                    "search_labels": search_labels, "content_hash": record.content_hash, "updated_at": now,
                })
                outcome.updated.append(record.id)
            versions.append((record.id, version, body, record.content_hash, stamp))
            labels.extend(
                (record.id, kind, value) for kind, values in record.labels.items() for value in dict.fromkeys(values)
            )
            entries.append(IndexEntry(
                id=record.id, rowid=rowid, fresh=known is None, title=record.title, text=record.text,
                labels=search_labels, difficulty_value=record.difficulty_value,
                facets=facet_tokens(record.type, record.difficulty_level, record.labels, active=active),
            ))
        if changed_rows:
            self.session.execute(
                update(_table(QuestionRow)).where(_table(QuestionRow).c.id == bindparam("b_id")), changed_rows
            )
            for chunk in _chunks(outcome.updated):
                self.session.execute(delete(QuestionLabelRow).where(QuestionLabelRow.question_id.in_(chunk)))
        self._write("questions", (*(("rowid",) if sqlite else ()), *_QUESTION_COLUMNS), new_rows)
        self._write("question_versions", ("question_id", "version", "body", "content_hash", "created_at"), versions)
        self._write("question_labels", ("question_id", "kind", "value"), labels)
        self._index(entries)
        if not sqlite:
            self._after_bulk_write(len(entries))
        return outcome

    def _after_bulk_write(self, added: int) -> None:
        """After a big write on PostgreSQL, leave the search table ready for searching.

        - Merge the GIN index's pending list: new entries wait there, unsorted, and every search scans all of it
          until something merges it (after an import that took a search from 4 to 10 ms).
        - Refresh the statistics of the question tables whenever the search table has grown fourfold since they
          were taken: autovacuum cannot see an import's rows before it commits (and may be off), so the searches
          right after a big import were planned from the statistics of much smaller tables, or of none — the
          lookup of 20 questions' labels took 50 ms as a scan of the whole label table. ANALYZE counts this
          transaction's own rows; running it at each fourfold growth keeps it to two or three runs in any import,
          and planning needs the shape of the data more than its exact size (it scales by the table's pages).

        Both need the tables' owner (the role that ran the migrations); another role skips them.
        """
        if added < 1000:
            return
        owner, analyzed, pages = self.session.execute(
            text(
                "SELECT pg_has_role(relowner, 'USAGE'), relpages, "
                "pg_relation_size(oid) / current_setting('block_size')::int "
                "FROM pg_class WHERE oid = 'question_search'::regclass"
            )
        ).one()
        if not owner:
            return
        self.session.execute(text("SELECT gin_clean_pending_list('ix_question_search_document'::regclass)"))
        if analyzed <= 0 or pages >= 4 * analyzed:
            self.session.execute(text("ANALYZE questions, question_labels, question_search"))

    def _write(self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
        """Append rows through the driver: SQLite's `executemany`, PostgreSQL's COPY. Values must already be in
        the form the database stores (JSON as text, SQLite timestamps as SQLAlchemy writes them)."""
        if not rows:
            return
        connection = self.session.connection()
        if self.dialect == "sqlite":
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            for chunk in _chunks(rows, _WRITE_BATCH):
                connection.exec_driver_sql(statement, list(chunk))
            return
        driver = cast(Any, connection.connection.dbapi_connection)
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def _index(self, entries: Sequence[IndexEntry]) -> None:
        """Replace the search index rows of the questions just written."""
        if not entries:
            return
        connection = self.session.connection()
        stale = [e for e in entries if not e.fresh]
        if self.dialect == "sqlite":
            for chunk in _chunks([e.rowid for e in stale]):
                connection.execute(
                    text("DELETE FROM question_fts WHERE rowid IN :rowids").bindparams(
                        bindparam("rowids", expanding=True)
                    ),
                    {"rowids": list(chunk)},
                )
            rows = [(e.rowid, e.title, e.text, e.labels, " ".join(e.facets)) for e in entries]
            for chunk in _chunks(rows, _WRITE_BATCH):
                connection.exec_driver_sql(
                    "INSERT INTO question_fts (rowid, title, text, labels, facets) VALUES (?, ?, ?, ?, ?)", list(chunk)
                )
            return
        for chunk in _chunks([e.id for e in stale], 10_000):
            connection.execute(text("DELETE FROM question_search WHERE question_id = ANY(:ids)"), {"ids": list(chunk)})
        # PostgreSQL builds the documents from arrays of the parts, a few thousand questions per statement, sent
        # in binary: no quoting to add or parse, and no join with the rows just copied into `questions`.
        document = pg_document_sql("f.title", "f.labels", "f.text", "f.facets")
        statement = (
            "INSERT INTO question_search (question_id, difficulty_value, document) "
            f"SELECT f.id, f.difficulty_value, {document} FROM unnest("
            "%(ids)b::text[], %(difficulty)b::float8[], %(titles)b::text[], %(labels)b::text[], %(texts)b::text[], "
            "%(facets)b::text[]) AS f(id, difficulty_value, title, labels, text, facets)"
        )
        driver = cast(Any, connection.connection.dbapi_connection)
        with driver.cursor() as cursor:
            for chunk in _chunks(entries, _WRITE_BATCH):
                cursor.execute(statement, {
                    "ids": [e.id for e in chunk], "difficulty": [e.difficulty_value for e in chunk],
                    "titles": [e.title for e in chunk], "labels": [e.labels for e in chunk],
                    "texts": [e.text for e in chunk], "facets": [pg_facets(e.facets) for e in chunk],
                })

    def set_active(self, question_id: str, active: bool) -> None:
        self.session.execute(update(QuestionRow).where(QuestionRow.id == question_id).values(active=active))
        self._refresh_facets([question_id])

    def _refresh_facets(self, question_ids: Sequence[str]) -> None:
        """Rewrite the facet tokens of questions whose state changed outside an import."""
        labels = self.labels(question_ids)
        columns: list[Any] = [QuestionRow.id, QuestionRow.type, QuestionRow.difficulty_level, QuestionRow.active]
        if self.dialect == "sqlite":
            columns.append(_ROWID)
        for question_id, type_, level, active, *key in self.session.execute(
            select(*columns).where(QuestionRow.id.in_(question_ids))
        ):
            tokens = facet_tokens(type_, level, labels.get(question_id, {}), active=bool(active))
            if self.dialect == "sqlite":
                self.session.execute(
                    text("UPDATE question_fts SET facets = :facets WHERE rowid = :rowid"),
                    {"facets": " ".join(tokens), "rowid": key[0]},
                )
            else:
                document = pg_document_sql("q.title", "q.search_labels", "q.text", ":facets")
                self.session.execute(
                    text(
                        f"UPDATE question_search AS s SET document = {document} FROM questions AS q "
                        "WHERE q.id = s.question_id AND s.question_id = :id"
                    ),
                    {"facets": pg_facets(tokens), "id": question_id},
                )

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
