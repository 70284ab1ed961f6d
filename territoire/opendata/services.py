"""Writes of the open data portal: catalogue, uploads, loads through the gate, publication.

A load never touches the published version: rows go into a new table (``storage``),
through the schema check and the privacy gate; only when everything passed does the
resource's pointer move to the new version, in one short transaction. A failed,
invalid or blocked load drops its table and leaves the previous version in place.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from itertools import chain, islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from territoire.core import datasources
from territoire.core.audit import audit_record
from territoire.core.events import DatasetSourceChanged, subscribe
from territoire.core.models import LocalAuthority
from territoire.opendata import schemas, storage
from territoire.opendata.coltypes import TypeMismatch, column_converter, converter, infer_types
from territoire.opendata.gate import Gate, Policy, generalise_source
from territoire.opendata.models import (
    Dataset,
    Frequency,
    Resource,
    ResourceKind,
    ResourceVersion,
    VersionStatus,
)
from territoire.opendata.readers import FORMATS, ReadError, open_table

logger = logging.getLogger(__name__)
SAMPLE_ROWS = 5000
BATCH = 20_000
SOURCE_FREQUENCIES = {
    "daily": Frequency.DAILY,
    "weekly": Frequency.WEEKLY,
    "monthly": Frequency.MONTHLY,
    "quarterly": Frequency.QUARTERLY,
    "annual": Frequency.ANNUAL,
    "irregular": Frequency.IRREG,
}
SOURCE_TYPES = {"geopoint": "string", "year": "integer"}


def opendata_dir() -> Path:
    path = Path(getattr(settings, "OPENDATA_DIR", settings.VAR_DIR / "opendata"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def max_upload_bytes() -> int:
    return int(getattr(settings, "OPENDATA_MAX_UPLOAD_MB", 1024)) * 1024 * 1024


# --- Catalogue -------------------------------------------------------------------------

DATASET_FIELDS = (
    "title",
    "description",
    "licence",
    "themes",
    "keywords",
    "frequency",
    "temporal_start",
    "temporal_end",
    "spatial",
    "contact_name",
    "contact_email",
    "schema",
    "documentation",
)


def _unique_slug(tenant: LocalAuthority, title: str, exclude: int | None = None) -> str:
    base = slugify(title)[:100] or "jeu-de-donnees"
    slug, n = base, 1
    qs = Dataset.objects.for_tenant(tenant)
    if exclude:
        qs = qs.exclude(pk=exclude)
    while qs.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def dataset_create(*, tenant: LocalAuthority, actor: Any, **fields: Any) -> Dataset:
    """Creates a dataset (unpublished unless ``published=True``) and audits it."""
    unknown = set(fields) - {*DATASET_FIELDS, "slug", "published", "source_code"}
    if unknown:
        raise TypeError(f"unknown fields {unknown}")
    if fields.get("schema") and fields["schema"] not in schemas.SCHEMAS:
        raise ValidationError(_("Schéma inconnu."))
    slug = fields.pop("slug", "") or _unique_slug(tenant, fields["title"])
    dataset = Dataset.objects.create(tenant=tenant, slug=slug, **fields)
    audit_record(actor=actor, action="opendata.dataset_create", tenant=tenant, obj=dataset)
    return dataset


@transaction.atomic
def dataset_update(*, dataset: Dataset, actor: Any, **fields: Any) -> Dataset:
    """Updates a dataset's metadata; records the changed field names in the audit log.

    A change of ``published`` goes through :func:`dataset_set_published`, so that the edit
    form and the publication button leave the same audit entry.
    """
    changed = []
    published = fields.pop("published", None)
    for name, value in fields.items():
        if name not in DATASET_FIELDS:
            raise TypeError(name)
        if getattr(dataset, name) != value:
            setattr(dataset, name, value)
            changed.append(name)
    if changed:
        dataset.modified_at = timezone.now()
        dataset.save()
        audit_record(
            actor=actor,
            action="opendata.dataset_update",
            tenant=dataset.tenant,
            obj=dataset,
            details={"fields": changed},
        )
    if published is not None:
        dataset_set_published(dataset=dataset, actor=actor, published=published)
    return dataset


@transaction.atomic
def resource_create(
    *,
    dataset: Dataset,
    actor: Any,
    title: str,
    description: str = "",
    kind: str = ResourceKind.UPLOAD,
    source_code: str = "",
    personal_columns: Iterable[str] = (),
    pseudonymise_columns: Iterable[str] = (),
    quasi_identifiers: Iterable[str] = (),
    count_columns: Iterable[str] = (),
    lon_column: str = "",
    lat_column: str = "",
) -> Resource:
    """Adds a resource to a dataset with its privacy declarations."""
    resource = Resource.objects.create(
        tenant=dataset.tenant,
        dataset=dataset,
        title=title,
        description=description,
        kind=kind,
        source_code=source_code,
        personal_columns=list(personal_columns),
        pseudonymise_columns=list(pseudonymise_columns),
        quasi_identifiers=list(quasi_identifiers),
        count_columns=list(count_columns),
        lon_column=lon_column,
        lat_column=lat_column,
        position=dataset.resources.count(),
    )
    audit_record(
        actor=actor, action="opendata.resource_create", tenant=dataset.tenant, obj=resource
    )
    return resource


@transaction.atomic
def resource_declare(*, resource: Resource, actor: Any, **declarations: list[str] | str) -> None:
    """Changes the privacy declarations (personal, pseudonymised, quasi, counts) of a file."""
    allowed = {
        "personal_columns",
        "pseudonymise_columns",
        "quasi_identifiers",
        "count_columns",
        "lon_column",
        "lat_column",
    }
    for name, value in declarations.items():
        if name not in allowed:
            raise TypeError(name)
        setattr(resource, name, value)
    resource.save()
    audit_record(
        actor=actor,
        action="opendata.resource_declare",
        tenant=resource.tenant,
        obj=resource,
        details={k: v for k, v in declarations.items()},
    )


@transaction.atomic
def dataset_set_published(*, dataset: Dataset, actor: Any, published: bool) -> Dataset:
    """Publishes or withdraws a dataset; while withdrawn it is absent from the public
    pages, the API, the catalogue search and the DCAT exports (``published_q``), and its
    tables are kept so that republishing is immediate."""
    if dataset.published == published:
        return dataset
    dataset.published = published
    dataset.modified_at = timezone.now()
    dataset.save(update_fields=["published", "modified_at"])
    audit_record(
        actor=actor,
        action="opendata.dataset_publish" if published else "opendata.dataset_unpublish",
        tenant=dataset.tenant,
        obj=dataset,
    )
    return dataset


def _drop_storage(versions: Iterable[ResourceVersion]) -> None:
    """Removes the rows table (or SQLite file) and the uploaded file of each version.

    Runs after the commit that deleted the rows: a rolled-back deletion keeps its data.
    A partial table left by a killed load has the version's table name without
    ``storage`` being set, so both names are dropped (dropping is idempotent).
    """
    store = storage.store()
    base = opendata_dir()
    for v in versions:
        for name in {v.storage, _table_name(v)} - {""}:
            store.drop(name)
        if v.file_path:
            (base / v.file_path).unlink(missing_ok=True)


def _delete_resources(resources: list[Resource]) -> int:
    versions = list(
        ResourceVersion.objects.filter(resource__in=resources).only(
            "pk", "tenant_id", "resource_id", "storage", "file_path"
        )
    )
    Resource.objects.filter(pk__in=[r.pk for r in resources]).update(current=None)
    ResourceVersion.objects.filter(pk__in=[v.pk for v in versions]).delete()
    Resource.objects.filter(pk__in=[r.pk for r in resources]).delete()
    transaction.on_commit(lambda: _drop_storage(versions))
    return len(versions)


@transaction.atomic
def resource_delete(*, resource: Resource, actor: Any) -> None:
    """Deletes a resource, its versions, their tables or SQLite files and uploaded files.

    Irreversible: the audit entry keeps the title and the number of versions removed.
    """
    audit_record(
        actor=actor,
        action="opendata.resource_delete",
        tenant=resource.tenant,
        obj=resource,
        details={"dataset": resource.dataset.slug, "versions": resource.versions.count()},
    )
    _delete_resources([Resource.objects.select_for_update().get(pk=resource.pk)])


@transaction.atomic
def dataset_delete(*, dataset: Dataset, actor: Any) -> None:
    """Deletes a dataset with every resource and version and all their stored rows/files.

    A platform source's dataset comes back at its next refresh (a new, empty history).
    """
    resources = list(Resource.objects.select_for_update().filter(dataset=dataset))
    audit_record(
        actor=actor,
        action="opendata.dataset_delete",
        tenant=dataset.tenant,
        obj=dataset,
        details={
            "slug": dataset.slug,
            "resources": len(resources),
            "versions": ResourceVersion.objects.filter(resource__in=resources).count(),
        },
    )
    _delete_resources(resources)
    Dataset.objects.filter(pk=dataset.pk).delete()


# --- Uploads and loads ---------------------------------------------------------------


def _next_number(resource: Resource) -> int:
    last = resource.versions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


def version_upload(
    *,
    resource: Resource,
    actor: Any,
    chunks: Iterable[bytes],
    filename: str,
    fmt: str,
    publish: bool = True,
    run: bool = True,
) -> ResourceVersion:
    """Stores an uploaded file (streamed, size-checked, checksummed) and queues its load.

    With ``publish=False`` the file only goes through the checks and the gate: the agent
    sees the report and nothing is published.
    """
    if fmt not in FORMATS:
        raise ValidationError(_("Format non pris en charge : %(f)s.") % {"f": fmt})
    folder = opendata_dir() / "files" / str(resource.tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}.{fmt}"
    digest = hashlib.sha256()
    size = 0
    limit = max_upload_bytes()
    try:
        with path.open("wb") as fh:
            for chunk in chunks:
                size += len(chunk)
                if size > limit:
                    raise ValidationError(
                        _("Fichier trop volumineux (plus de %(mb)d Mo).")
                        % {"mb": limit // (1024 * 1024)}
                    )
                digest.update(chunk)
                fh.write(chunk)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if size == 0:
        path.unlink(missing_ok=True)
        raise ValidationError(_("Le fichier est vide."))
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        version = ResourceVersion.objects.create(
            tenant=resource.tenant,
            resource=locked,
            number=_next_number(locked),
            format=fmt,
            filename=filename[:200],
            file_path=str(path.relative_to(opendata_dir())),
            size=size,
            checksum=digest.hexdigest(),
            publish=publish,
            created_by=getattr(actor, "email", str(actor))[:254],
        )
        audit_record(
            actor=actor,
            action="opendata.version_upload" if publish else "opendata.version_check",
            tenant=resource.tenant,
            obj=version,
            details={"checksum": version.checksum, "size": size, "format": fmt},
        )
    if run:
        from territoire.opendata.tasks import load_version

        transaction.on_commit(lambda: load_version.enqueue(version.pk))
    return version


def _set(version: ResourceVersion, **fields: Any) -> None:
    """Records a load's progress or outcome (and that it is alive: ``updated_at``).

    An outcome only replaces "loading": a load already declared stale stays failed.
    """
    fields.setdefault("updated_at", timezone.now())
    rows = ResourceVersion.objects.filter(pk=version.pk)
    if fields.get("status", VersionStatus.LOADING) != VersionStatus.LOADING:
        rows = rows.filter(status=VersionStatus.LOADING)
    if rows.update(**fields) == 0 and "status" in fields:
        version.refresh_from_db()
        return
    for k, v in fields.items():
        setattr(version, k, v)


def _table_name(version: ResourceVersion) -> str:
    return f"t{version.tenant_id}_r{version.resource_id}_v{version.pk}"


def _policy(resource: Resource) -> Policy:
    return Policy.from_settings(
        personal=set(resource.personal_columns) | set(resource.pseudonymise_columns),
        pseudonymise=set(resource.pseudonymise_columns),
        quasi=list(resource.quasi_identifiers),
        counts=set(resource.count_columns),
    )


def stale_minutes() -> int:
    return int(getattr(settings, "OPENDATA_STALE_LOAD_MINUTES", 30))


def versions_fail_stale(
    *, tenant: LocalAuthority | None = None, resource: Resource | None = None
) -> list[ResourceVersion]:
    """Marks failed the loads that stopped progressing (their process was killed).

    A "loading" version whose ``updated_at`` has not moved for
    ``OPENDATA_STALE_LOAD_MINUTES`` (30) is failed with a message for the agent and its
    partial table dropped; the resource keeps its published version. The update is
    conditional, so a load that progresses meanwhile is left alone.
    """
    cutoff = timezone.now() - timedelta(minutes=stale_minutes())
    qs = ResourceVersion.objects.filter(status=VersionStatus.LOADING, updated_at__lt=cutoff)
    if tenant is not None:
        qs = qs.for_tenant(tenant)
    if resource is not None:
        qs = qs.filter(resource=resource)
    message = _(
        "Chargement interrompu : aucune progression depuis plus de %(n)d minutes (le "
        "traitement a probablement été arrêté). Déposez le fichier à nouveau ; la version "
        "précédente reste publiée."
    ) % {"n": stale_minutes()}
    failed = []
    for version in qs.select_related("tenant"):
        with transaction.atomic():
            done = ResourceVersion.objects.filter(
                pk=version.pk, status=VersionStatus.LOADING, updated_at__lt=cutoff
            ).update(
                status=VersionStatus.FAILED,
                updated_at=timezone.now(),
                errors=[{"row": None, "column": "", "message": message}],
            )
            if not done:
                continue
            audit_record(
                actor="système",
                action="opendata.version_stale",
                tenant=version.tenant,
                obj=version,
                details={"progress": version.progress, "rows": version.row_count},
            )
        storage.store().drop(_table_name(version))
        version.refresh_from_db()
        failed.append(version)
    return failed


def version_load(version_id: int) -> ResourceVersion:
    """Loads one uploaded version: read, schema check, types, gate, table, publication."""
    version = ResourceVersion.objects.select_related("resource__dataset", "tenant").get(
        pk=version_id
    )
    if version.status not in (VersionStatus.PENDING, VersionStatus.LOADING):
        return version
    _set(version, status=VersionStatus.LOADING, progress=0)
    path = opendata_dir() / version.file_path
    dataset = version.resource.dataset
    try:
        table = open_table(path, version.format)
        _set(version, encoding=table.encoding, delimiter=table.delimiter)
        header = table.header
        forced: dict[int, str] = {}
        types: list[str] | None = None
        pending: list[Iterator[list[Any]]] = [table.rows]
        if dataset.schema:
            rows = list(table.rows)
            errors = schemas.validate_rows(dataset.schema, header, rows)
            if errors:
                _set(version, status=VersionStatus.INVALID, errors=errors[:500], progress=100)
                return version
            types = schemas.schema_types(dataset.schema, header)
            pending = [iter(rows)]

        def source() -> Iterator[list[Any]]:
            # The first attempt reads the stream already opened; a retry re-reads the file
            # (and the progress bar follows the new reader).
            nonlocal table
            if pending:
                return pending.pop()
            table = open_table(path, version.format)
            return table.rows

        if "points" in table.notes and not version.resource.lon_column:
            Resource.objects.filter(pk=version.resource_id).update(
                lon_column="longitude", lat_column="latitude"
            )
            version.resource.lon_column, version.resource.lat_column = "longitude", "latitude"
        # A value that does not fit the type inferred from the first rows widens the
        # column to text and the load starts again (at most once per column).
        for _attempt in range(len(header) + 1):
            try:
                rows_iter = source()
                return _load_rows(
                    version,
                    header,
                    rows_iter,
                    types=types,
                    forced=forced,
                    policy=_policy(version.resource),
                    position=table.position,
                    size=table.size,
                )
            except TypeMismatch as exc:
                if types is not None:
                    raise ReadError(
                        _("Colonne « %(c)s » : valeur « %(v)s » invalide.")
                        % {"c": header[exc.column], "v": exc.value}
                    ) from exc
                forced[exc.column] = "string"
        raise ReadError(_("Types de colonnes instables."))
    except ReadError as exc:
        _set(
            version,
            status=VersionStatus.FAILED,
            errors=[{"row": None, "column": "", "message": m} for m in exc.messages],
        )
    except Exception:
        logger.exception("opendata load failed", extra={"version": version.pk})
        _set(
            version,
            status=VersionStatus.FAILED,
            errors=[{"row": None, "column": "", "message": _("Erreur interne du chargement.")}],
        )
    return version


def _load_rows(
    version: ResourceVersion,
    header: list[str],
    rows: Iterator[list[Any]],
    *,
    types: list[str] | None,
    forced: dict[int, str],
    policy: Policy,
    position: Callable[[], int] | None,
    size: int,
    notes: Iterable[str] = (),
) -> ResourceVersion:
    store = storage.store()
    name = _table_name(version)
    sample = list(islice(rows, SAMPLE_ROWS))
    if types is None:
        types = infer_types(header, sample)
    types = [forced.get(i, t) for i, t in enumerate(types)]
    converters = [column_converter(t, i) for i, t in enumerate(types)]
    gate = Gate(header, types, policy)
    writer = store.create(name, gate.out_types)
    done = 0
    try:
        # Batches of rows, handled column by column (list comprehensions and regular
        # expressions over whole columns): the Python work per cell stays minimal.
        batches = chain([sample], iter(lambda: list(islice(rows, BATCH)), []))
        for batch in batches:
            if not batch:
                continue
            cols = [
                conv(col) for conv, col in zip(converters, zip(*batch, strict=True), strict=True)
            ]
            out = gate.process_columns(cols, first_line=2 + done)
            writer.write(zip(*out, strict=True))
            done += len(batch)
            known = position is not None and size
            pct = min(99, int(100 * position() / size)) if known and position else 50
            _set(version, progress=pct, row_count=done)
        store.finish(name, gate.out_types)
    except BaseException:
        store.drop(name)
        raise
    report = gate.report(list(notes))
    columns = [
        {"name": h, "type": t, "db": storage.physical(i)}
        for i, (h, t) in enumerate(zip(gate.out_header, gate.out_types, strict=True))
    ]
    if report["blocked"]:
        store.drop(name)
        _set(
            version, status=VersionStatus.BLOCKED, gate_report=report, columns=columns, progress=100
        )
        audit_record(
            actor=version.created_by or "système",
            action="opendata.gate_blocked",
            tenant=version.tenant,
            obj=version,
            details={"problems": [p["code"] for p in report["problems"]]},
        )
        return version
    if not version.publish:
        store.drop(name)
        _set(
            version, status=VersionStatus.CHECKED, gate_report=report, columns=columns, progress=100
        )
        return version
    _publish(version, name=name, columns=columns, report=report, rows=done)
    return version


def _publish(
    version: ResourceVersion,
    *,
    name: str,
    columns: list[dict[str, Any]],
    report: dict[str, Any],
    rows: int,
) -> None:
    store = storage.store()
    now = timezone.now()
    with transaction.atomic():
        resource = Resource.objects.select_for_update().get(pk=version.resource_id)
        # A load so slow that it was declared stale (``versions_fail_stale``) must not
        # publish afterwards: the agent has been told it failed.
        stale = not ResourceVersion.objects.filter(
            pk=version.pk, status=VersionStatus.LOADING
        ).exists()
        previous = None if stale else resource.current
        if not stale:
            resource.current = version
            resource.save(update_fields=["current"])
            ResourceVersion.objects.filter(pk=version.pk).update(
                status=VersionStatus.READY,
                storage=name,
                columns=columns,
                gate_report=report,
                row_count=rows,
                progress=100,
                published_at=now,
            )
            if previous is not None:
                ResourceVersion.objects.filter(pk=previous.pk).update(
                    status=VersionStatus.SUPERSEDED
                )
            Dataset.objects.filter(pk=resource.dataset_id).update(data_updated_at=now)
            audit_record(
                actor=version.created_by or "système",
                action="opendata.version_publish",
                tenant=version.tenant,
                obj=version,
                details={"rows": rows, "checksum": version.checksum},
            )
    if stale:
        store.drop(name)
    elif previous is not None and previous.storage:
        old = previous.storage
        transaction.on_commit(lambda: store.drop(old))
    version.refresh_from_db()


# --- Platform sources ----------------------------------------------------------------


def source_dataset(*, tenant: LocalAuthority, code: str, actor: Any = "système") -> Dataset:
    """The dataset fed by a platform source (created, published, the first time)."""
    source = datasources.get_source(code)
    if source is None:
        raise ValidationError(_("Source inconnue : %(c)s") % {"c": code})
    dataset = Dataset.objects.for_tenant(tenant).filter(source_code=code).first()
    if dataset is None:
        dataset = dataset_create(
            tenant=tenant,
            actor=actor,
            title=source.title,
            description=source.description,
            keywords=list(source.keywords),
            themes=list(source.themes),
            frequency=SOURCE_FREQUENCIES.get(source.frequency, Frequency.UNKNOWN),
            spatial=tenant.name,
            contact_name=tenant.name,
            contact_email=tenant.contact_email or "",
            source_code=code,
            published=True,
            documentation=_(
                "Données extraites automatiquement du module « %(m)s » de la plateforme, "
                "après contrôle de confidentialité."
            )
            % {"m": source.module},
        )
    if not dataset.resources.exists():
        resource_create(
            dataset=dataset,
            actor=actor,
            title=source.title,
            kind=ResourceKind.SOURCE,
            source_code=code,
            lon_column=source.lon_column,
            lat_column=source.lat_column,
        )
    return dataset


def source_publish(*, tenant: LocalAuthority, code: str, actor: Any = "système") -> ResourceVersion:
    """Extracts a platform source for one tenant and publishes it through the gate."""
    source = datasources.get_source(code)
    if source is None:
        raise ValidationError(_("Source inconnue : %(c)s") % {"c": code})
    dataset = source_dataset(tenant=tenant, code=code, actor=actor)
    resource = dataset.resources.order_by("pk").first()
    assert resource is not None
    header = [c.name for c in source.columns]
    types = [SOURCE_TYPES.get(c.type, c.type) for c in source.columns]
    convert = converter(types)
    raw = [convert([r.get(h) for h in header]) for r in source.rows(tenant)]
    digest = hashlib.sha256(repr(raw).encode()).hexdigest()
    policy = Policy.from_settings(
        personal={c.name for c in source.columns if c.personal},
        pseudonymise={c.name for c in source.columns if c.personal and c.pseudonymise},
        quasi=[c.name for c in source.columns if c.quasi_identifier],
        counts={c.name for c in source.columns if c.counts_people},
    )
    # Personal columns go before generalisation so they never count as quasi-identifiers.
    header, types, rows, notes = generalise_source(header, types, raw, policy)
    with transaction.atomic():
        locked = Resource.objects.select_for_update().get(pk=resource.pk)
        if source.lon_column in header and not locked.lon_column:
            locked.lon_column, locked.lat_column = source.lon_column, source.lat_column
            locked.save(update_fields=["lon_column", "lat_column"])
        elif source.lon_column and source.lon_column not in header:
            locked.lon_column = locked.lat_column = ""
            locked.save(update_fields=["lon_column", "lat_column"])
        version = ResourceVersion.objects.create(
            tenant=tenant,
            resource=locked,
            number=_next_number(locked),
            format="source",
            filename=code,
            size=0,
            checksum=digest,
            status=VersionStatus.LOADING,
            created_by=getattr(actor, "email", str(actor))[:254],
        )
    version.resource = locked
    try:
        return _load_rows(
            version,
            header,
            iter(rows),
            types=types,
            forced={},
            policy=policy,
            position=None,
            size=0,
            notes=notes,
        )
    except Exception:
        logger.exception("opendata source publish failed", extra={"source": code})
        _set(
            version,
            status=VersionStatus.FAILED,
            errors=[{"row": None, "column": "", "message": _("Erreur interne du chargement.")}],
        )
        return version


def refresh_sources(*, tenant: LocalAuthority | None = None) -> list[ResourceVersion]:
    """Republishes every platform source (for one tenant or all active ones)."""
    tenants = [tenant] if tenant else list(LocalAuthority.objects.filter(is_active=True))
    done = []
    for t in tenants:
        for source in datasources.sources():
            done.append(source_publish(tenant=t, code=source.code))
    return done


@subscribe(DatasetSourceChanged)
def on_source_changed(event: DatasetSourceChanged) -> None:
    if datasources.get_source(event.source_code) is None:
        return
    from territoire.opendata.tasks import publish_source

    publish_source.enqueue(event.tenant_id, event.source_code)
