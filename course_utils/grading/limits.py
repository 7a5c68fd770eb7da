"""The limits a submission can hit, in one place: the grader enforces these numbers,
``course-utils grade --help`` lists them (``help_text``), and the feedback names the
limit whenever a learner hits one.

Time, memory and process limits are options of ``course-utils grade`` (their defaults
are here too); the others are fixed sizes that no honest notebook comes near.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 2 ** 20

# Options (defaults).
TIMEOUT_S = 300.0          # wall time for one submission, all its notebooks
CELL_TIMEOUT_S = 30.0      # wall time for one notebook cell
MEMORY_MB = 1024           # memory of one notebook's sandbox, all its processes together
PROCESSES = 64             # processes and threads of one notebook's sandbox
MAX_NOTEBOOK_MB = 100      # size of one .ipynb file, stored outputs included

# Fixed sizes.
MAX_CODE_BYTES = 2 * MB           # code of one notebook (all code cells, outputs not counted)
MAX_CELLS = 5_000                 # cells of one notebook
MAX_NOTEBOOKS = 100               # notebook files in one student's folder
MAX_NOTES = 50                    # notes kept per submission (the rest are counted)
MAX_NOTE_CHARS = 300              # characters of one note or message
SCRATCH_MB = 128                  # the private scratch folder (HOME, TMPDIR, cwd)
FILE_MB = 64                      # one file written in the sandbox
MAX_REPLY_BYTES = 64 * MB         # one message from the sandbox (a returned value)
MAX_RESTARTS = 6                  # restarts of a notebook's sandbox after a crash or hang


@dataclass(frozen=True)
class Limits:
    """The limits of one grading run (options given on the command line)."""

    timeout: float = TIMEOUT_S
    cell_timeout: float = CELL_TIMEOUT_S
    call_timeout: float | None = None   # cap on each exercise's own per-call limit
    memory_mb: int = MEMORY_MB
    processes: int = PROCESSES
    max_notebook_mb: int = MAX_NOTEBOOK_MB

    def key(self) -> str:
        """The limits that can change a verdict, as one string for the resume state."""
        return (f"timeout={self.timeout:g};cell={self.cell_timeout:g};call={self.call_timeout};"
                f"memory={self.memory_mb};processes={self.processes};notebook={self.max_notebook_mb}")


def help_text() -> str:
    """The "limits" section of ``course-utils grade --help`` (str)."""
    return f"""\
limits a submission can hit (each is named in the student's feedback when hit):
  --timeout S              wall time for one submission, all notebooks (default {TIMEOUT_S:g} s)
  --cell-timeout S         wall time for one notebook cell (default {CELL_TIMEOUT_S:g} s); a cell
                           that runs longer is stopped and the notebook goes on without it
  per-call time limit      each exercise's own (usually 5 s; --call-timeout caps it); an
                           exercise is not called again after its first timeout
  --memory MB              memory of one notebook's sandbox, all its processes together
                           (default {MEMORY_MB} MB; also the address-space limit of each process)
  --processes N            processes and threads in one notebook's sandbox (default {PROCESSES})
  --max-notebook-mb MB     size of one .ipynb file, stored outputs included (default {MAX_NOTEBOOK_MB} MB)
  code                     {MAX_CODE_BYTES // MB} MB of code per notebook, at most {MAX_CELLS:,} cells
  output                   what a notebook prints is not kept (it is not graded)
  files                    {SCRATCH_MB} MB of private scratch space (HOME, TMPDIR, working
                           folder), {FILE_MB} MB per file
  returned values          {MAX_REPLY_BYTES // MB} MB per value sent back to the grader
  notes                    the first {MAX_NOTES} notes per submission are kept (the rest counted),
                           {MAX_NOTE_CHARS} characters each
  crashes                  a notebook whose sandbox crashes or hangs is restarted (skipping
                           the cell that did it) at most {MAX_RESTARTS} times
  folders                  at most {MAX_NOTEBOOKS} notebooks per student folder
"""
