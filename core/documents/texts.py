"""Loads the printed wording from texts.toml, with per-firm overrides on top."""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["Texts", "load_texts"]

Texts = dict[str, dict[str, Any]]


@cache
def _defaults() -> Texts:
    with (Path(__file__).with_name("texts.toml")).open("rb") as fh:
        return tomllib.load(fh)


def load_texts(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Texts:
    """Defaults merged with overrides such as {"act": {"accepted": "..."}}; unknown keys
    are refused so a typo in settings does not silently print the default."""
    texts = copy.deepcopy(_defaults())
    for section, values in (overrides or {}).items():
        if section not in texts:
            raise KeyError(f"Неизвестный раздел текстов документов: {section}")
        for key, value in values.items():
            if key not in texts[section]:
                raise KeyError(f"Неизвестный текст документа: {section}.{key}")
            texts[section][key] = value
    return texts
