"""CheckResult: the verdict of one check, shown as text or as an HTML box."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class CheckResult:
    """Verdict of ``run_check``.

    ``passed`` is a bool; ``diagnosis`` is None when passed, else one code from
    ``course_utils.diagnosis.CODES``; ``message`` is one or two sentences for a person.
    ``exercise_id`` and ``points`` say what was checked and what it is worth.
    ``explanation`` names the slips a named mistake consists of (keys such as "slip:2",
    "sign", "transpose"; see ``checking.explain``), empty otherwise.
    """

    passed: bool
    diagnosis: object = None
    message: str = ""
    exercise_id: str = ""
    points: float = 0.0
    explanation: tuple[str, ...] = ()

    @property
    def score(self) -> float:
        """Points earned: all of ``points`` when passed, else 0."""
        return self.points if self.passed else 0.0

    def headline(self) -> str:
        """One line: a tick or cross, the exercise id and the verdict."""
        if self.passed:
            return f"PASSED {self.exercise_id}: {self.message}"
        return f"NOT YET {self.exercise_id} [{self.diagnosis}]: {self.message}"

    def __str__(self) -> str:
        return self.headline()

    def __repr__(self) -> str:
        return self.headline()

    def _repr_html_(self) -> str:
        from ..learner.display import verdict_html  # how it looks lives with the notebook commands

        return verdict_html(self)
