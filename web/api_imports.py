"""Imports through the API: list runs, show one with its quarantined rows, upload a dataset
(scheduled sources run in ``graphsvc schedule``, not in the web server).

An upload (a ``.zip`` of interchange CSVs or NDJSON files, or one ``.csv``/``.ndjson``
file) goes through the same pipeline as ``graphsvc import`` (:func:`ingest.runner.run_import`:
validation, quarantine, batched idempotent upserts, the run record). Zip entries are
checked before extraction: no absolute paths or ``..``, at most :data:`MAX_FILES` files and
:data:`MAX_UNPACKED_BYTES` unpacked (a zip bomb is refused, nothing is written).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from flask import Response, request
from werkzeug.datastructures import FileStorage

from graphsvc.errors import NotFound, ValidationError
from ingest.runner import run_import
from web import params
from web.api import api, ok, state
from web.security import requires

#: an uploaded zip may unpack to at most this much, in at most this many files
MAX_UNPACKED_BYTES = 2 * 1024**3
MAX_FILES = 200
UPLOAD_SUFFIXES = (".zip", ".csv", ".ndjson", ".jsonl")


@api.get("/imports")
@requires("view_imports")
def import_runs() -> Response:
    """The most recent import runs (``limit``, default 20)."""
    limit = params.integer(request.args, "limit", 20, 1, 500)
    return ok({"items": [run.to_json() for run in state().store.import_runs(limit)]})


@api.get("/imports/<run_id>")
@requires("view_imports")
def import_run(run_id: str) -> Response:
    """One run with every quarantined row's message."""
    run = state().store.get_import_run(run_id)
    if run is None:
        raise NotFound("import run", run_id)
    return ok({"run": {**run.to_json(), "errors": list(run.errors)}})


@api.post("/imports")
@requires("run_imports")
def upload_import() -> Response:
    """Import an uploaded dataset (form field ``file``; ``strict=true`` loads nothing from a
    file with any error)."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("file", "attach a .zip of interchange files, or a .csv/.ndjson file")
    strict = params.one_of(request.form, "strict", ("true", "false"), "false") == "true"
    with tempfile.TemporaryDirectory(prefix="graphsvc-upload-") as folder:
        dataset = save_upload(upload, Path(folder))
        web = state()
        result = run_import(web.store, dataset, web.settings, strict=strict, source_system=None)
    state().analyses.invalidate()
    run = result.run
    return ok({"run": {**run.to_json(), "errors": list(run.errors)}})


def save_upload(upload: FileStorage, folder: Path) -> Path:
    """Write the upload under ``folder``; the dataset path to import."""
    name = PurePosixPath(upload.filename or "").name
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise ValidationError("file", f"{name}: expected one of {', '.join(UPLOAD_SUFFIXES)}")
    target = folder / name
    upload.save(target)
    if suffix != ".zip":
        return target
    unpacked = folder / "dataset"
    unpack_zip(target, unpacked)
    return unpacked


def unpack_zip(archive: Path, target: Path) -> None:
    """Extract ``archive`` into ``target`` after checking every entry (see the module)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            entries = [entry for entry in bundle.infolist() if not entry.is_dir()]
            _check_entries(archive.name, entries)
            target.mkdir()
            for entry in entries:
                destination = target / PurePosixPath(entry.filename).name
                # zipfile stops each entry at its declared size, checked above
                with bundle.open(entry) as source, destination.open("wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
    except zipfile.BadZipFile:
        raise ValidationError("file", f"{archive.name}: not a zip file") from None


def _check_entries(name: str, entries: list[zipfile.ZipInfo]) -> None:
    if not entries:
        raise ValidationError("file", f"{name}: the zip holds no files")
    if len(entries) > MAX_FILES:
        raise ValidationError("file", f"{name}: more than {MAX_FILES} files")
    if sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES:
        raise ValidationError("file", f"{name}: unpacks to more than {MAX_UNPACKED_BYTES:,} bytes")
    for entry in entries:
        path = PurePosixPath(entry.filename)
        if path.is_absolute() or ".." in path.parts:
            raise ValidationError("file", f"{name}: unsafe path {entry.filename!r}")
    names = [PurePosixPath(entry.filename).name for entry in entries]
    if len(set(names)) < len(names):
        raise ValidationError("file", f"{name}: two files share a name in different folders")
