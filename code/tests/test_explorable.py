"""softmax_derivative.explorable: one output with the spec, the PNG and the text alternative."""

import base64

import pytest

from softmax_derivative.explorable import SCHEMA, VEGALITE_MIME, Explorable

SPEC = {
    "data": {"values": [{"j": 1}, {"j": 2}]},
    "params": [{"name": "z", "value": 1, "bind": {"input": "range", "min": -5, "max": 5}}],
    "transform": [{"calculate": "exp(z * datum.j)", "as": "e"}],
    "mark": "bar",
    "encoding": {
        "x": {"field": "j", "type": "ordinal"},
        "y": {"field": "e", "type": "quantitative"},
    },
}


def test_bundle_holds_the_spec_a_png_and_the_text_alternative():
    bundle = Explorable(SPEC, alt="Two bars.")._repr_mimebundle_()
    assert bundle[VEGALITE_MIME]["$schema"] == SCHEMA
    assert bundle[VEGALITE_MIME]["description"] == "Two bars."
    assert bundle["text/plain"] == "Two bars."
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")


def test_the_input_chart_is_not_changed():
    chart = dict(SPEC)
    Explorable(chart, alt="Two bars.")
    assert chart == SPEC


def test_the_spec_compiles_with_vega_lite_5():
    vl_convert = pytest.importorskip("vl_convert")
    vega = vl_convert.vegalite_to_vega(Explorable(SPEC, alt="Two bars.").spec, vl_version="5.8")
    assert [signal["name"] for signal in vega["signals"]].count("z") == 1


@pytest.mark.parametrize("alt", ["", "   ", None])
def test_a_figure_needs_a_text_alternative(alt):
    with pytest.raises(ValueError, match="alt"):
        Explorable(SPEC, alt=alt)
