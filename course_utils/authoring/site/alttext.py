"""Alt text of the pictures a notebook stores: where it lives and who is missing it.

A figure's description lives in the **cell metadata** of the code cell that draws it,
under the key ``alt`` (the key nbconvert's classic HTML template reads):

- a string, when the cell stores one picture (the usual case);
- a list of strings, one per stored picture in output order, when it stores several.

Cell metadata survives re-execution (``course-utils execute`` replaces outputs, not
metadata) and the release tool keeps it, so the text is written once by the author.
``course-utils site`` puts it on every ``<img>`` of the site; ``apply_to_outputs``
copies it into each picture output's metadata (``metadata["image/png"]["alt"]``), where
exporters that read per-output alt text find it. ``course-utils site --missing-alt``
lists the pictures that still lack a description.
"""

from __future__ import annotations

import base64
import glob
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from ...files import nbjson

ALT_KEY = "alt"
IMAGE_MIMES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")

Notebook = dict[str, Any]
Cell = dict[str, Any]


@dataclass(frozen=True)
class StoredImage:
    """One picture stored in a notebook's outputs.

    ``notebook`` is the file name, ``cell`` the cell's index, ``position`` the picture's
    place among the cell's pictures (0, 1, ...), ``mime`` its type, ``alt`` its
    description ("" when missing) and ``digest`` the SHA-256 of its decoded bytes.
    """

    notebook: str
    cell: int
    position: int
    mime: str
    alt: str
    digest: str

    def where(self) -> str:
        """Return a short location for messages, e.g. "03_x.ipynb cell 18 picture 1"."""
        return f"{self.notebook} cell {self.cell} picture {self.position + 1} ({self.mime})"


def image_bytes(mime: str, content: Any) -> bytes:
    """Return the raw bytes of one stored picture (base64 decoded, or SVG text encoded)."""
    text = "".join(content) if isinstance(content, list) else str(content)
    if mime == "image/svg+xml":
        return os.linesep.join(text.splitlines()).encode("utf-8")
    return base64.b64decode(text)


def image_outputs(cell: Cell) -> list[tuple[dict[str, Any], str]]:
    """Return the (output, mime) pairs of a code cell that show a picture, in order.

    An output offering several picture types counts once (its first type listed in
    IMAGE_MIMES), as a front end shows only one of them.
    """
    found = []
    for output in cell.get("outputs", []) or []:
        data = output.get("data") or {}
        for mime in IMAGE_MIMES:
            if mime in data:
                found.append((output, mime))
                break
    return found


def cell_alts(cell: Cell, count: int) -> list[str]:
    """Return the alt text of each of the cell's ``count`` pictures ("" where missing)."""
    value = (cell.get("metadata") or {}).get(ALT_KEY)
    if isinstance(value, str):
        texts = [value] * count if count else []
    elif isinstance(value, list):
        texts = [v if isinstance(v, str) else "" for v in value[:count]]
    else:
        texts = []
    texts += [""] * (count - len(texts))
    return [t.strip() for t in texts]


def stored_images(nb: Notebook, name: str = "notebook") -> list[StoredImage]:
    """Return every picture stored in the notebook's outputs, with its alt text."""
    images = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        pictures = image_outputs(cell)
        for position, ((output, mime), alt) in enumerate(zip(pictures, cell_alts(cell, len(pictures)), strict=True)):
            digest = hashlib.sha256(image_bytes(mime, output["data"][mime])).hexdigest()
            images.append(StoredImage(name, index, position, mime, alt, digest))
    return images


def missing(paths: list[str]) -> list[StoredImage]:
    """Return the stored pictures of the notebooks at ``paths`` that have no alt text.

    Raises ``ValueError`` naming the file when one is not a readable notebook.
    """
    lacking = []
    for path in paths:
        try:
            nb = nbjson.read(path)
        except (ValueError, OSError) as err:  # json.JSONDecodeError is a ValueError
            raise ValueError(f"{path}: {err}") from err
        lacking += [img for img in stored_images(nb, os.path.basename(path)) if not img.alt]
    return lacking


def notebooks_in(folder: str) -> list[str]:
    """Return the .ipynb files of ``folder``, sorted by name."""
    return sorted(glob.glob(os.path.join(folder, "*.ipynb")))


def apply_to_outputs(nb: Notebook) -> Notebook:
    """Copy each cell's alt text into its picture outputs' metadata, in place; returns ``nb``.

    Afterwards ``output["metadata"][mime]["alt"]`` holds the description (nbconvert's
    classic template and other exporters read it there).
    """
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        pictures = image_outputs(cell)
        for (output, mime), alt in zip(pictures, cell_alts(cell, len(pictures)), strict=True):
            if alt:
                meta = output.setdefault("metadata", {})
                entry = meta.get(mime)
                if not isinstance(entry, dict):
                    entry = meta[mime] = {}
                entry["alt"] = alt
    return nb
