"""Explorable figures: a Vega-Lite chart as one notebook output that every reader can use.

The output holds three forms of the figure: the Vega-Lite spec, which JupyterLab, Colab and
the book's site render with their own Vega (its sliders and buttons compute in the browser,
no kernel needed); a PNG of its initial state for the PDF, made with vl-convert when it is
installed; and a text alternative saying what the figure shows.
"""

from __future__ import annotations

import base64
from typing import Any

__all__ = ["VEGALITE_MIME", "Explorable", "slider"]

VEGALITE_MIME = "application/vnd.vegalite.v5+json"
# JupyterLab 4 renders this mime type with Vega-Lite 5; the book's site with Vega-Lite 6. The
# figures use only what both share, and their spec says v5.
SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def slider(name: str, value: float, low: float, high: float, step: float):
    """A Vega-Lite parameter on a range slider, labelled with its name.

    Parameters
    ----------
    name : str
        The parameter's name in the figure's expressions, and the slider's visible label.
    value : float
        Its initial value.
    low, high, step : float
        The slider's range and step.

    Returns
    -------
    altair.Parameter

    Examples
    --------
    >>> slider("T", 1.0, 0.01, 5, 0.01).param.to_dict()
    {'name': 'T', 'bind': {'input': 'range', 'max': 5, 'min': 0.01, 'name': 'T ', 'step': 0.01},
     'value': 1.0}
    >>> slider("T", 0.0, 0.01, 5, 0.01)
    Traceback (most recent call last):
    ...
    ValueError: value 0.0 is outside the slider's range [0.01, 5]
    """
    import altair as alt

    if not low <= value <= high:
        raise ValueError(f"value {value} is outside the slider's range [{low}, {high}]")
    bind = alt.binding_range(min=low, max=high, step=step, name=f"{name} ")
    return alt.param(name=name, value=float(value), bind=bind)


class Explorable:
    """A Vega-Lite figure with its text alternative, displayed as a notebook output.

    Parameters
    ----------
    chart : altair.Chart or dict
        The figure: an Altair chart (anything with ``to_dict()``) or a Vega-Lite spec.
    alt : str
        What the figure shows, in words: the text alternative of every form of it.

    Examples
    --------
    >>> fig = Explorable({"mark": "point"}, alt="One point.")
    >>> fig.spec["$schema"], fig.spec["description"]
    ('https://vega.github.io/schema/vega-lite/v5.json', 'One point.')
    >>> sorted(fig._repr_mimebundle_(png=False))
    ['application/vnd.vegalite.v5+json', 'text/plain']
    >>> Explorable({"mark": "point"}, alt=" ")
    Traceback (most recent call last):
    ...
    ValueError: alt must say what the figure shows
    """

    def __init__(self, chart: Any, alt: str) -> None:
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("alt must say what the figure shows")
        spec = chart.to_dict() if hasattr(chart, "to_dict") else dict(chart)
        self.spec = {**spec, "$schema": SCHEMA, "description": alt}
        self.alt = alt

    def png(self, scale: float = 2) -> bytes | None:
        """The figure in its initial state as PNG bytes, or None without vl-convert."""
        try:
            import vl_convert
        except ImportError:
            return None
        return vl_convert.vegalite_to_png(self.spec, scale=scale)

    def _repr_mimebundle_(self, include=None, exclude=None, png: bool = True) -> dict:
        bundle: dict[str, Any] = {VEGALITE_MIME: self.spec, "text/plain": self.alt}
        image = self.png() if png else None
        if image is not None:
            bundle["image/png"] = base64.b64encode(image).decode("ascii")
        return bundle
