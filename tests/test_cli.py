"""The top-level command: output cut short by its reader (``| head``) ends it quietly."""

import subprocess
import sys

FLOOD = ("import sys\n"
         "import course_utils.cli as cli\n"
         "def flood(argv):\n"
         "    for _ in range(20000):\n"
         "        print('row of a long listing ' * 4)\n"
         "    return 0\n"
         "cli._dispatch = flood\n"
         "sys.exit(cli.main([]))\n")


def test_a_closed_pipe_ends_the_command_without_a_traceback():
    proc = subprocess.Popen([sys.executable, "-c", FLOOD], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(100)
    proc.stdout.close()  # what `head` does once it has its lines
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
