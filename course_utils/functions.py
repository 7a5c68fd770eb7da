"""Public path of ``course_utils.portable.functions`` (notebooks import ``course_utils.functions``)."""

from .portable.functions import *  # noqa: F401,F403
from .portable.functions import __all__  # noqa: F401
