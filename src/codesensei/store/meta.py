"""Key/value facts about the installation (the meta table)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from codesensei.store.tables import MetaRow


class MetaRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(MetaRow, key)
        return None if row is None else row.value

    def put(self, key: str, value: str) -> None:
        row = self.session.get(MetaRow, key)
        if row is None:
            self.session.add(MetaRow(key=key, value=value))
        else:
            row.value = value
        self.session.flush()
