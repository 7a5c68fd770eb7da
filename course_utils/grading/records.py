"""What grading found, as plain records: one ``Row`` per (student, exercise) and one
``Graded`` per student.

These are the data every later stage reads (gradebook CSV, feedback files, the resume
state, LMS exports, HTML reports, merging shards); they import nothing from the grader,
so those stages need not import the sandbox or the judge. Every text field holds
printable text only (see ``grading.text``): anything that came from a submission has
been cleaned and bounded before it reaches a record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Row", "Graded"]


@dataclass(frozen=True)
class Row:
    """One line of the gradebook, plus the sentence for the feedback file.

    student     the student id (``discovery``'s rule; see docs/grading.md)
    exercise    the exercise id, "NN.name"
    passed      True when the exercise passed
    diagnosis   "" when passed, else one diagnosis code (``checking.diagnosis``)
    points      points earned (``max_points`` when passed, else 0)
    max_points  what the exercise is worth
    seconds     time spent calling the learner's function; varies from run to run,
                so it is kept in the resume state but not written to the gradebook CSV
    message     one or two sentences for the learner
    """

    student: str
    exercise: str
    passed: bool
    diagnosis: str
    points: float
    max_points: float
    seconds: float = 0.0
    message: str = ""


@dataclass
class Graded:
    """Everything learned about one student's submission.

    rows      one Row per graded exercise, in course order
    notes     notes on running the notebooks (skipped magics, cells that failed,
              limits hit, files refused), already bounded in number and length
    facts     the isolation the sandbox reached (see ``sandbox.Isolation.describe``)
    sources   notebook number ("01") -> the file name that was graded for it
    seconds   wall time spent on this submission
    complete  False when the grader's own side failed: the rows are not saved in the
              resume state, so the next run grades the submission again
    """

    student: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    complete: bool = True

    @property
    def points(self) -> float:
        """Points earned over all rows (float)."""
        return float(sum(r.points for r in self.rows))

    @property
    def max_points(self) -> float:
        """Points available over all rows (float)."""
        return float(sum(r.max_points for r in self.rows))
