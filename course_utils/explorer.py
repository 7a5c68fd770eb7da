"""Public path of ``course_utils.learner.explorer`` (notebooks import ``course_utils.explorer``)."""

from .learner.explorer import *  # noqa: F401,F403
from .learner.explorer import __all__  # noqa: F401
