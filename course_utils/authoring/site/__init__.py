"""The course as a static website (``course-utils site --out DIR``) and the alt text of its pictures.

- ``pages``:      solution notebook -> the notebook behind one page (student code, worked
  outputs, hints without the answers, a download link);
- ``alttext``:    where a figure's description lives (cell metadata ``alt``) and which are missing;
- ``build``:      runs Sphinx + myst-nb + sphinx-book-theme into a site that works offline;
- ``sphinx_ext``: the Sphinx extension that puts the alt text on the pictures;
- ``audit``:      the axe-core accessibility audit of any page (site, reports, JupyterLab).
"""

from .build import SiteError, SiteSummary, build_site

__all__ = ["build_site", "SiteError", "SiteSummary"]
