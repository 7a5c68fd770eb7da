"""CheckResult: the verdict of one check, shown as text or as an HTML box."""

from dataclasses import dataclass


@dataclass
class CheckResult:
    """Verdict of ``run_check``.

    ``passed`` is a bool; ``diagnosis`` is None when passed, else one code from
    ``course_utils.diagnosis.CODES``; ``message`` is one or two sentences for a person.
    ``exercise_id`` and ``points`` say what was checked and what it is worth.
    """

    passed: bool
    diagnosis: object = None
    message: str = ""
    exercise_id: str = ""
    points: float = 0.0

    @property
    def score(self):
        """Points earned: all of ``points`` when passed, else 0."""
        return self.points if self.passed else 0.0

    def headline(self):
        """One line: a tick or cross, the exercise id and the verdict."""
        if self.passed:
            return f"PASSED {self.exercise_id}: {self.message}"
        return f"NOT YET {self.exercise_id} [{self.diagnosis}]: {self.message}"

    def __str__(self):
        return self.headline()

    def __repr__(self):
        return self.headline()

    def _repr_html_(self):
        from ..learner.display import verdict_html  # how it looks lives with the notebook commands

        return verdict_html(self)
