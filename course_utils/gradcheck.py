"""Public path of ``course_utils.portable.gradcheck`` (notebooks import ``course_utils.gradcheck``)."""

from .portable.gradcheck import *  # noqa: F401,F403
from .portable.gradcheck import __all__  # noqa: F401
