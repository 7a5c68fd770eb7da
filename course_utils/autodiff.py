"""Public path of ``course_utils.learner.autodiff`` (notebooks import ``course_utils.autodiff``)."""

from .learner.autodiff import *  # noqa: F401,F403
from .learner.autodiff import __all__  # noqa: F401
