"""Upload payloads shared by the API and browser tests."""

from __future__ import annotations

import io
import zipfile


def zip_of(files: dict[str, str]) -> bytes:
    """A zip archive holding ``files`` (name → text)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(name, text)
    return buffer.getvalue()
