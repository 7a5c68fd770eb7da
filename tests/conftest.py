"""Test-session set-up shared by unit tests and the nbval notebook runs.

Set before any kernel starts, so every notebook kernel inherits them:
- MPLBACKEND=Agg: headless plots;
- COURSE_UTILS_STRICT=1: a failed check() raises, so a wrong solution notebook fails;
- COURSE_UTILS_PROGRESS: progress goes to a throw-away file, not the user's home.

Property tests (hypothesis) are derandomized: the same examples on every run, so CI's
verdict does not depend on a draw. `HYPOTHESIS_PROFILE=explore pytest ...` draws at
random instead, to look for new failures.
"""

import os
import tempfile

import pytest
from hypothesis import settings

settings.register_profile("course", derandomize=True, database=None)
settings.register_profile("explore", database=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))

os.environ["MPLBACKEND"] = "Agg"
os.environ["COURSE_UTILS_STRICT"] = "1"
os.environ["COURSE_UTILS_PROGRESS"] = os.path.join(
    tempfile.mkdtemp(prefix="course-progress-"), "progress.json")


@pytest.fixture(scope="session")
def shots_dir(tmp_path_factory):
    """Where the browser tests save screenshots: $COURSE_SCREENSHOTS, else a scratch folder."""
    path = os.environ.get("COURSE_SCREENSHOTS") or str(tmp_path_factory.mktemp("screenshots"))
    os.makedirs(path, exist_ok=True)
    return path
