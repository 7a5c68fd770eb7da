"""Run notebooks cell by cell in ONE shared Jupyter kernel (starting a kernel per
notebook would cost seconds each). Used to prove the student notebooks run clean."""

import json

from jupyter_client.manager import start_new_kernel


class SharedKernel:
    """A kernel that runs notebook after notebook; ``run(path)`` returns the outputs."""

    def __init__(self, cwd, env=None):
        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)

    def run_code(self, code, timeout=120):
        """Execute code; return a list of (msg_type, content) output messages."""
        outputs = []

        def hook(msg):
            kind = msg["msg_type"]
            if kind in ("stream", "display_data", "execute_result", "error"):
                outputs.append((kind, msg["content"]))

        self.kc.execute_interactive(code, timeout=timeout, output_hook=hook, allow_stdin=False)
        return outputs

    def run_notebook(self, path):
        """Reset the namespace, then run every code cell; return [(cell_source, outputs)]."""
        self.run_code("%reset -f")
        with open(path, encoding="utf-8") as fh:
            nb = json.load(fh)
        results = []
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            results.append((source, self.run_code(source)))
        return results

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)
