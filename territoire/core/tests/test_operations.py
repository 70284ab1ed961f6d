"""Operations: health check, deploy checks, backup/restore round trip, background tasks."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from conftest import require_service

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_healthz(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def _run(
    args: list[str], env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "territoire", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd or REPO,
        timeout=600,
    )


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("x7Yk2pQ9vLm3Rt8Zw4Nc6Hb1Jd5Fg0Sa-Ue_Io+Py=Tr.Ew!Qz,Xc;Vb", encoding="utf-8")
    env = {
        "DEBUG": "false",
        "HTTPS": "true",
        "SECRET_KEY_FILE": str(secret),
        "DATABASE_URL": "postgres://territoire@127.0.0.1:5432/territoire",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "ALLOWED_HOSTS": "services.example.fr",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "TERRITOIRE_VAR_DIR": str(tmp_path),
    }
    result = _run(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_dev_settings_fail_check_deploy(tmp_path: Path) -> None:
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {"TERRITOIRE_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"},
    )
    assert result.returncode != 0
    assert "territoire.E001" in result.stderr and "security.W009" in result.stderr


def test_unparsable_setting_fails_loudly(tmp_path: Path) -> None:
    result = _run(["check"], {"DEBUG": "maybe", "TERRITOIRE_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "DEBUG='maybe' is not a boolean" in result.stderr


def _counts(env: dict[str, str]) -> str:
    code = (
        "from django.apps import apps;"
        "print(sorted((m._meta.label, m._base_manager.count()) for m in apps.get_models()"
        " if m._meta.managed and not m._meta.proxy))"
    )
    result = _run(["shell", "-c", code], env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite round trip")
def test_backup_restore_round_trip_sqlite(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/demo.sqlite3",
        "TERRITOIRE_VAR_DIR": str(tmp_path),
    }
    assert _run(["demo", "--reset"], env).returncode == 0
    before = _counts(env)
    archive = tmp_path / "backup.tar.gz"
    result = _run(["backup", "-o", str(archive)], env)
    assert result.returncode == 0, result.stderr
    fresh = {
        "DATABASE_URL": f"sqlite:///{tmp_path}/fresh.sqlite3",
        "TERRITOIRE_VAR_DIR": str(tmp_path),
    }
    assert _run(["restore", str(archive), "--yes"], fresh).returncode == 0
    assert _counts(fresh) == before
    assert "('core.auditentry', 0)" not in before  # the demo did write audit entries


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL round trip")
def test_backup_restore_round_trip_postgres(tmp_path: Path) -> None:
    import psycopg

    db = settings.DATABASES["default"]
    host, port, user = db["HOST"] or "127.0.0.1", db["PORT"] or 5432, db["USER"]
    base = f"postgres://{user}@{host}:{port}"
    src, dst = f"bk_src_{uuid.uuid4().hex[:8]}", f"bk_dst_{uuid.uuid4().hex[:8]}"
    # CREATE DATABASE cannot run in the test's transaction: use a separate connection.
    admin = psycopg.connect(host=host, port=port, user=user, dbname="postgres", autocommit=True)
    cursor = admin.cursor()
    cursor.execute(f'CREATE DATABASE "{src}"')
    cursor.execute(f'CREATE DATABASE "{dst}"')
    try:
        env = {"DATABASE_URL": f"{base}/{src}", "TERRITOIRE_VAR_DIR": str(tmp_path)}
        result = _run(["demo"], env)
        assert result.returncode == 0, result.stderr[-3000:]
        before = _counts(env)
        archive = tmp_path / "pg.tar.gz"
        assert _run(["backup", "-o", str(archive)], env).returncode == 0
        fresh = {"DATABASE_URL": f"{base}/{dst}", "TERRITOIRE_VAR_DIR": str(tmp_path)}
        result = _run(["restore", str(archive), "--yes"], fresh)
        assert result.returncode == 0, result.stderr
        assert _counts(fresh) == before
    finally:
        cursor.execute(f'DROP DATABASE IF EXISTS "{src}" WITH (FORCE)')
        cursor.execute(f'DROP DATABASE IF EXISTS "{dst}" WITH (FORCE)')
        admin.close()


def test_restore_refuses_garbage(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    result = _run(
        ["restore", str(bogus), "--yes"],
        {"DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3", "TERRITOIRE_VAR_DIR": str(tmp_path)},
    )
    assert result.returncode != 0 and "not a readable Territoire backup" in result.stderr


def test_tasks_run_on_redis_worker(tmp_path: Path) -> None:
    """Enqueue through Django's tasks API on the RQ backend; a real worker runs it."""
    require_service("Redis", "127.0.0.1", 6379)
    env = {
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "TASKS_BACKEND": "rq",
        "DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
        "TERRITOIRE_VAR_DIR": str(tmp_path),
    }
    code = "from territoire.core.tasks import ping;r = ping.enqueue(21); print(r.id, r.status)"
    enqueued = _run(["shell", "-c", code], env)
    assert enqueued.returncode == 0, enqueued.stderr
    task_id, status = enqueued.stdout.split()[-2:]
    assert status == "READY"
    worker = _run(["worker", "--burst"], env)
    assert worker.returncode == 0, worker.stderr
    check = (
        "from territoire.core.tasks import ping;"
        f"r = ping.get_result('{task_id}'); print(r.status, r.return_value)"
    )
    done = _run(["shell", "-c", check], env)
    assert done.stdout.split()[-2:] == ["SUCCESSFUL", "42"], done.stdout + done.stderr


def test_inline_tasks_by_default() -> None:
    from territoire.core.tasks import ping

    assert settings.TASKS["default"]["BACKEND"].endswith("ImmediateBackend") or os.environ.get(
        "REDIS_URL"
    )
    result = ping.enqueue(5)
    assert result.return_value == 10
