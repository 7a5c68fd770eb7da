"""Interactive figures that degrade to a static picture.

``explore(draw, **controls)`` shows sliders that redraw a matplotlib figure. The object
it displays carries two representations: the live widget (JupyterLab with ipywidgets
renders this) and a PNG of the figure at the controls' initial values (what an HTML
export, a notebook viewer, or a front end without the widget manager shows). So the
picture is never missing, with or without a widget front end.

``draw(**values)`` must build and return a matplotlib ``Figure`` without showing it.
A control is an ipywidgets widget, or a tuple ``(min, max, step[, value])`` made into
a FloatSlider / IntSlider like ``ipywidgets.interact`` does.

In JupyterLab the live figure is an ``<img>`` with alt text (JupyterLab's own picture
output has none): the figure's label when ``draw`` sets one (``fig.set_label("...")``),
else a description read from the figure (titles, axis labels, legend entries), followed
by the sliders' current values. The static picture stored in the notebook takes its alt
text from the cell's metadata (see ``course_utils.authoring.site.alttext``).
"""

import base64
import html
import io

from . import palette

__all__ = ["figure_png", "figure_alt", "Explorer", "explore"]

palette.use()


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


def figure_alt(fig, values=None):
    """Return a text description of a matplotlib figure for screen readers (a str).

    The figure's label when set (``fig.set_label``), else its title and, for each panel,
    its title, axis labels and legend entries; then the control ``values`` (a dict) when given.
    """
    label = (fig.get_label() or "").strip()
    if label:
        parts = [label]
    else:
        suptitle = getattr(fig, "_suptitle", None)
        parts = [f"Figure: {suptitle.get_text()}" if suptitle is not None and suptitle.get_text() else "Figure"]
        axes = [ax for ax in fig.get_axes() if ax.get_visible() and ax.get_label() != "<colorbar>"]
        for number, ax in enumerate(axes, start=1):
            bits = []
            if ax.get_title():
                bits.append(ax.get_title())
            if ax.get_xlabel():
                bits.append(f"horizontal axis {ax.get_xlabel()}")
            if ax.get_ylabel():
                bits.append(f"vertical axis {ax.get_ylabel()}")
            legend = ax.get_legend()
            if legend is not None:
                entries = [t.get_text() for t in legend.get_texts() if t.get_text()]
                if entries:
                    bits.append("curves: " + ", ".join(entries))
            if bits:
                parts.append((f"panel {number}: " if len(axes) > 1 else "") + "; ".join(bits))
    if values:
        parts.append("settings: " + ", ".join(f"{k} = {v}" for k, v in values.items()))
    return ". ".join(parts) + "."


def _figure_html(fig, alt, dpi=80):
    """An <img> of the figure (PNG, inline) with its alt text."""
    return (f'<img src="data:image/png;base64,{figure_png(fig, dpi=dpi)}" alt="{html.escape(alt, quote=True)}" '
            'style="max-width:100%">')


def _renders_figures_as_png():
    """True when IPython shows matplotlib figures as PNG (the inline backend of a live
    notebook front end); False when executed headless (e.g. under the Agg backend)."""
    from IPython import get_ipython
    from matplotlib.figure import Figure

    shell = get_ipython()
    formatter = shell.display_formatter.formatters.get("image/png") if shell is not None else None
    try:
        return formatter is not None and formatter.lookup_by_type(Figure) is not None
    except KeyError:
        return False


# ipywidgets' sliders give their handle (role="slider") no accessible name, so a screen
# reader announces an unnamed slider: name each handle of a course explorer after its
# control, now and whenever JupyterLab draws one.
_NAME_SLIDERS_JS = """(function () {
  if (window.__courseSliderNames) return;
  window.__courseSliderNames = true;
  let pending = false;
  const name = () => { pending = false;
    document.querySelectorAll('.course-explorer .widget-slider').forEach(s => {
      const label = ((s.querySelector('.widget-label') || {}).textContent || '').trim();
      s.querySelectorAll('[role=slider]').forEach(h => {
        if (label && !h.getAttribute('aria-label')) h.setAttribute('aria-label', label); });
    }); };
  name();
  new MutationObserver(() => { if (!pending) { pending = true; requestAnimationFrame(name); } })
    .observe(document.body, {childList: true, subtree: true});
})();"""


def _name_sliders():
    """In a live front end, give the explorers' slider handles accessible names (see above)."""
    from IPython.display import Javascript, display

    if _renders_figures_as_png():
        display(Javascript(_NAME_SLIDERS_JS))


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
        _name_sliders()  # after the first figure: matplotlib has chosen its backend by then

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
            if _renders_figures_as_png():  # a live front end: the picture with its alt text
                display({"text/html": _figure_html(fig, figure_alt(fig, values)), "text/plain": repr(fig)},
                        raw=True)
            else:  # no picture renderer (e.g. executed headless): what IPython would show
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
        bundle["text/plain"] = ("Interactive figure (" + ", ".join(self.controls) + "): "
                                "open in JupyterLab to move the sliders.")
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
