"""Whether a notebook should run its long parts (training, timing) in full.

One switch for every notebook: the test suite (which sets ``COURSE_UTILS_STRICT=1``) runs a
short version; a learner in JupyterLab, and an author refreshing stored outputs with
``COURSE_FULL_TRAINING=1 course-utils execute ...``, run the full one.
"""

from __future__ import annotations

import os

STRICT_ENV = "COURSE_UTILS_STRICT"
FULL_ENV = "COURSE_FULL_TRAINING"


def full_run() -> bool:
    """True unless the test suite runs the notebook (``COURSE_UTILS_STRICT=1``) without
    ``COURSE_FULL_TRAINING=1``: learners and stored outputs get the full run."""
    if os.environ.get(FULL_ENV) == "1":
        return True
    return os.environ.get(STRICT_ENV) != "1"
