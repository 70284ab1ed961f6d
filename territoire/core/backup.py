"""Backups: one .tar.gz holding the database and the uploaded files.

SQLite is copied with its online backup API (consistent while the site runs);
PostgreSQL with ``pg_dump --format=custom`` and restored with ``pg_restore``.
The archive holds ``manifest.json``, ``database.sqlite3`` or ``database.pgdump``,
and ``media/``.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def _db() -> dict[str, Any]:
    return dict(settings.DATABASES["default"])


def _pg_env(db: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(db.get("HOST") or "localhost"), "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    if shutil.which(cmd[0]) is None:
        raise BackupError(f"{cmd[0]} is not installed (PostgreSQL client tools are needed).")
    result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[:2000]}")


def create_backup(output: Path) -> Path:
    db = _db()
    engine = db["ENGINE"]
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        if engine.endswith("sqlite3"):
            target = tmpdir / "database.sqlite3"
            connections["default"].close()
            src = sqlite3.connect(str(db["NAME"]))
            dst = sqlite3.connect(str(target))
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
            kind = "sqlite"
        elif engine.endswith("postgresql"):
            target = tmpdir / "database.pgdump"
            args, env = _pg_env(db)
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    str(target),
                    str(db["NAME"]),
                ],
                env,
            )
            kind = "postgresql"
        else:
            raise BackupError(f"Unsupported database engine: {engine}")
        manifest = {
            "format": FORMAT_VERSION,
            "database": kind,
            "created": timezone.now().isoformat(),
        }
        (tmpdir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as tar:
            tar.add(tmpdir / "manifest.json", arcname="manifest.json")
            tar.add(target, arcname=target.name)
            media = Path(settings.MEDIA_ROOT)
            if media.exists():
                tar.add(media, arcname="media")
    return output


def restore_backup(archive: Path) -> dict[str, Any]:
    """Replace the current database (and media) by the archive's content."""
    db = _db()
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(tmpdir, filter="data")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"{archive} is not a readable Territoire backup: {exc}") from exc
        try:
            manifest = json.loads((tmpdir / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BackupError(f"{archive} has no valid manifest.json") from exc
        kind = manifest.get("database")
        connections["default"].close()
        if db["ENGINE"].endswith("sqlite3"):
            if kind != "sqlite":
                raise BackupError("This backup comes from PostgreSQL; restore it on PostgreSQL.")
            src = sqlite3.connect(str(tmpdir / "database.sqlite3"))
            dst = sqlite3.connect(str(db["NAME"]))
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        elif db["ENGINE"].endswith("postgresql"):
            if kind != "postgresql":
                raise BackupError("This backup comes from SQLite; restore it on SQLite.")
            args, env = _pg_env(db)
            _run(
                [
                    "pg_restore",
                    *args,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    "--dbname",
                    str(db["NAME"]),
                    str(tmpdir / "database.pgdump"),
                ],
                env,
            )
        media = tmpdir / "media"
        if media.exists():
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return manifest
