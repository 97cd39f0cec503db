"""Write a copy of the book's _config.yml that builds from the notebooks' stored outputs.

`make pdf` builds with it: the notebooks are not executed again (nbval, in `make test`,
checks that their stored outputs are current). Paths of local extensions are made absolute,
since Jupyter Book resolves them against the folder of the configuration file.

Usage: python tools/stored_outputs_config.py OUTPUT.yml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def stored_outputs_config(config: dict) -> dict:
    """`config` with notebook execution off and local extension paths absolute."""
    config = dict(config)
    config["execute"] = {**config.get("execute", {}), "execute_notebooks": "off"}
    sphinx = dict(config.get("sphinx", {}))
    local = sphinx.get("local_extensions") or {}
    sphinx["local_extensions"] = {name: str(ROOT / path) for name, path in local.items()}
    config["sphinx"] = sphinx
    return config


def main(output: str) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(stored_outputs_config(config), sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
