"""Public path of ``course_utils.learner.netgraph`` (notebooks import ``course_utils.netgraph``)."""

from .learner.netgraph import *  # noqa: F401,F403
from .learner.netgraph import __all__  # noqa: F401
