"""Several processes upgrading one PostgreSQL schema at once take turns."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import text

from db.engine import make_engine
from db.migrate import current_tables, upgrade
from tests.conftest import PG_URL


@pytest.mark.postgres
def test_concurrent_upgrades_of_a_fresh_schema_all_succeed():
    schema = f"t_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engines = [make_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
               for _ in range(3)]
    errors: list[BaseException] = []

    def run(engine) -> None:
        try:
            upgrade(engine)
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert errors == []
        assert {"task", "notification", "officer"} <= current_tables(engines[0])
    finally:
        for e in engines:
            e.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
