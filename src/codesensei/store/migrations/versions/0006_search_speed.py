"""Search speed: filters inside the search index, fewer prefix indexes, a narrow search table on PostgreSQL.

- SQLite: `question_fts` gains a `facets` column with one token per filter value (type, difficulty level, each
  topic, skill, tag and language, inactive), so FTS5 filters while it matches and bm25 ranks only what passes;
  prefix indexes shrink from 2–6 characters to 2–4 (each one costs about a sixth of the FTS import time;
  a prefix of 4 can still stand for a hundred terms — `sort`* in the benchmark took 35 ms without its index
  and 3 ms with it — while 5 and 6 characters leave few terms for FTS5 to scan).
- PostgreSQL: the document moves from a generated column of the wide `questions` row into the narrow
  `question_search(question_id, difficulty_value, document)`, whose document also holds the facet tokens, so
  ranking reads small rows and the GIN index answers words and filters together.

Existing questions are carried over; the downgrade restores the shape of 0001 from `questions`.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-15
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from alembic import op

from codesensei.store.questions import facet_tokens, pg_document_sql, pg_facets

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"
# FTS5 keeps up to this many bytes of new terms in memory before writing a segment: a big import then writes
# a few large segments instead of many small ones that must be merged again (the memory is only used while a
# transaction writes that much).
_FTS_HASHSIZE = 32 * 1024 * 1024
_PAGE = 5000


def _questions(connection: sa.Connection, key: str) -> Iterator[list[Any]]:
    """All questions with their labels, a page at a time in id order."""
    after = ""
    while True:
        rows = connection.execute(
            sa.text(
                f"SELECT id, {key}, type, difficulty_level, difficulty_value, active, title, text, search_labels "
                "FROM questions WHERE id > :after ORDER BY id LIMIT :page"
            ),
            {"after": after, "page": _PAGE},
        ).all()
        if not rows:
            return
        labels: dict[str, dict[str, list[str]]] = {}
        for question_id, kind, value in connection.execute(
            sa.text("SELECT question_id, kind, value FROM question_labels WHERE question_id BETWEEN :first AND :last"),
            {"first": rows[0][0], "last": rows[-1][0]},
        ):
            labels.setdefault(question_id, {}).setdefault(kind, []).append(value)
        yield [
            (*row, facet_tokens(row[2], row[3], labels.get(row[0], {}), active=bool(row[5]))) for row in rows
        ]
        after = rows[-1][0]


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        op.execute("DROP TABLE question_fts")
        op.execute(
            f"CREATE VIRTUAL TABLE question_fts USING fts5(title, text, labels, facets, {_TOKENIZER}, prefix = '2 3 4')"
        )
        op.execute(f"INSERT INTO question_fts (question_fts, rank) VALUES ('hashsize', {_FTS_HASHSIZE})")
        for page in _questions(connection, "rowid"):
            connection.exec_driver_sql(
                "INSERT INTO question_fts (rowid, title, text, labels, facets) VALUES (?, ?, ?, ?, ?)",
                [(row[1], row[6], row[7], row[8], " ".join(row[9])) for row in page],
            )
        return
    op.execute(
        "CREATE TABLE question_search ("
        "question_id VARCHAR(128) PRIMARY KEY REFERENCES questions (id) ON DELETE CASCADE, "
        "difficulty_value DOUBLE PRECISION NOT NULL, document TSVECTOR NOT NULL)"
    )
    document = pg_document_sql("q.title", "q.search_labels", "q.text", "f.facets")
    for page in _questions(connection, "NULL"):
        connection.execute(
            sa.text(
                "INSERT INTO question_search (question_id, difficulty_value, document) "
                f"SELECT q.id, q.difficulty_value, {document} FROM questions AS q "
                "JOIN unnest(CAST(:ids AS text[]), CAST(:facets AS text[])) AS f(id, facets) ON f.id = q.id"
            ),
            {"ids": [row[0] for row in page], "facets": [pg_facets(row[9]) for row in page]},
        )
    # Built after the rows are in: one sorted build is much faster than growing the index row by row.
    op.execute("CREATE INDEX ix_question_search_document ON question_search USING gin (document)")
    op.execute("DROP INDEX ix_questions_search")
    op.execute("ALTER TABLE questions DROP COLUMN search_document")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE question_fts")
        op.execute(
            f"CREATE VIRTUAL TABLE question_fts USING fts5(title, text, labels, {_TOKENIZER}, prefix = '2 3 4 5 6')"
        )
        op.execute(
            "INSERT INTO question_fts (rowid, title, text, labels) SELECT rowid, title, text, search_labels "
            "FROM questions"
        )
        return
    op.execute(
        "ALTER TABLE questions ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple', title), 'A') || "
        "setweight(to_tsvector('simple', search_labels), 'B') || "
        "setweight(to_tsvector('simple', text), 'C')) STORED"
    )
    op.execute("CREATE INDEX ix_questions_search ON questions USING gin (search_document)")
    op.execute("DROP TABLE question_search")
