"""Interactive figures that degrade to a static picture.

``explore(draw, **controls)`` shows sliders that redraw a matplotlib figure. The object
it displays carries two representations: the live widget (JupyterLab with ipywidgets
renders this) and a PNG of the figure at the controls' initial values (what an HTML
export, a notebook viewer, or a front end without the widget manager shows). So the
picture is never missing, with or without a widget front end.

``draw(**values)`` must build and return a matplotlib ``Figure`` without showing it.
A control is an ipywidgets widget, or a tuple ``(min, max, step[, value])`` made into
a FloatSlider / IntSlider like ``ipywidgets.interact`` does.
"""

import base64
import io

__all__ = ["figure_png", "Explorer", "explore"]


def _initial_value(spec):
    """The starting value of a control: a widget's value, or a tuple's 4th entry / midpoint."""
    if not isinstance(spec, tuple):
        return getattr(spec, "value", None)
    lo, hi, _step, *rest = spec
    return rest[0] if rest else (lo + hi) / 2


def _as_widget(name, spec):
    import ipywidgets as w

    if isinstance(spec, w.Widget):
        if not getattr(spec, "description", ""):
            spec.description = name
        return spec
    lo, hi, step, *_ = spec
    value = _initial_value(spec)
    if all(isinstance(v, int) for v in (lo, hi, step, value)):
        return w.IntSlider(value=value, min=lo, max=hi, step=step, description=name, continuous_update=False)
    return w.FloatSlider(value=value, min=lo, max=hi, step=step, description=name, continuous_update=False)


def figure_png(fig, dpi=80):
    """Return the figure rendered as PNG bytes, base64-encoded text."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


class Explorer:
    """Sliders plus a figure; displays as a widget with a static PNG fallback.

    ``controls`` maps argument names of ``draw`` to widgets; ``output`` is the
    ipywidgets Output the figure is drawn into; ``values()`` the current settings.
    """

    def __init__(self, draw, **controls):
        import ipywidgets as w

        self.draw = draw
        self.controls = {name: _as_widget(name, spec) for name, spec in controls.items()}
        self.output = w.Output()
        self.box = w.VBox([w.HBox(list(self.controls.values())), self.output])
        self.box.add_class("course-explorer")
        self._drawn = None  # (values, figure) of the last redraw, reused for the static PNG
        for control in self.controls.values():
            control.observe(lambda change: self.redraw(), names="value")
        self.redraw()

    def values(self):
        """The current value of every control, as a dict."""
        return {name: c.value for name, c in self.controls.items()}

    def redraw(self):
        """Redraw the figure for the current control values into the output area."""
        import matplotlib.pyplot as plt
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is None:  # no kernel: nothing to draw into
            return
        self.output.clear_output(wait=True)
        values = self.values()
        with self.output:
            fig = self.draw(**values)
            display(fig)
            plt.close(fig)  # closed figures can still be saved as PNG
        self._drawn = (values, fig)

    def _repr_mimebundle_(self, include=None, exclude=None):
        import matplotlib.pyplot as plt

        bundle = self.box._repr_mimebundle_(include=include, exclude=exclude) or {}
        values = self.values()
        if self._drawn is not None and self._drawn[0] == values:
            fig = self._drawn[1]  # the figure the widget already shows: do not draw it again
        else:
            fig = self.draw(**values)
            plt.close(fig)
        bundle["image/png"] = figure_png(fig)
        bundle["text/plain"] = "Interactive figure (" + ", ".join(self.controls) + "): open in JupyterLab to move the sliders."
        return bundle


def explore(draw, **controls):
    """Return an ``Explorer`` for ``draw`` (display it as a cell's last expression).

    Without ipywidgets, returns the static figure at the controls' initial values.
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return draw(**{name: _initial_value(spec) for name, spec in controls.items()})
    return Explorer(draw, **controls)
