"""The database's half of the append-only audit trail: triggers that refuse any UPDATE of
an audit row, and any DELETE of a row younger than MIN_RETENTION_DAYS, on SQLite and on
PostgreSQL. Installed by migration core 0003; the purge of rows past the retention period
(`maillage audit-purge`) is the only deletion they let through.

On SQLite a migration that rebuilds the table (most ALTERs of core_auditevent) drops its
triggers: such a migration must call `install()` again. tests/core/test_audit_append_only.py
fails if they are missing.
"""

MIN_RETENTION_DAYS = 365
TABLE = "core_auditevent"

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete BEFORE DELETE ON {TABLE}
    WHEN OLD.at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-{MIN_RETENTION_DAYS} days')
    BEGIN SELECT RAISE(ABORT, 'audit rows are append-only: DELETE refused'); END""",
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update",
                f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]  # fmt: skip

_POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit rows are append-only: UPDATE refused'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      IF OLD.at > now() - interval '{MIN_RETENTION_DAYS} days' THEN
        RAISE EXCEPTION 'audit rows are append-only: DELETE refused'
          USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN OLD;
    END $$ LANGUAGE plpgsql""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()""",
]
_POSTGRESQL_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
                    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()"]  # fmt: skip


def install_sql(vendor: str) -> list[str]:
    return {"sqlite": _SQLITE, "postgresql": _POSTGRESQL}.get(vendor, [])


def remove_sql(vendor: str) -> list[str]:
    return {"sqlite": _SQLITE_DROP, "postgresql": _POSTGRESQL_DROP}.get(vendor, [])


def install(connection) -> None:
    with connection.cursor() as cursor:
        for statement in install_sql(connection.vendor):
            cursor.execute(statement)


def remove(connection) -> None:
    with connection.cursor() as cursor:
        for statement in remove_sql(connection.vendor):
            cursor.execute(statement)
