"""A small Sphinx extension of the course site: alt text on every notebook picture.

myst-nb names each picture it writes after the SHA-256 of its bytes; the site's
``course_site_alts`` setting maps those digests to the descriptions stored in the
notebooks' cell metadata (see ``alttext``), and this extension puts them on the image
nodes. A notebook picture with no description is an error (the build stops), so the
site never shows an image a screen reader cannot describe.
"""

from __future__ import annotations

import os
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError


def _digest_of(uri: str) -> str:
    return os.path.splitext(os.path.basename(uri))[0]


def apply_alt_text(app: Sphinx, doctree: nodes.document) -> None:
    """Set ``alt`` on each image node whose file is a stored notebook picture; returns None.

    Raises ``ExtensionError`` naming the page when a notebook picture has no description.
    """
    alts: dict[str, str] = app.config.course_site_alts
    missing = []
    for image in doctree.findall(nodes.image):
        digest = _digest_of(str(image.get("uri", "")))
        if digest in alts:
            image["alt"] = alts[digest]
        elif len(digest) == 64 and not image.get("alt"):
            missing.append(digest[:12])
    if missing:
        source = doctree.get("source", "?")
        raise ExtensionError(f"{source}: notebook picture(s) {', '.join(missing)} have no alt text")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``course_site_alts`` setting and the alt-text pass; returns Sphinx metadata."""
    app.add_config_value("course_site_alts", {}, "env", types=(dict,))
    app.connect("doctree-read", apply_alt_text)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
