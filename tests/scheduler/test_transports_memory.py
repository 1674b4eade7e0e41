"""`brigadir run` without messenger tokens stays small: a channel's library is imported
only when its token is set (aiogram alone is ~140 MB of resident memory)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("aiogram", "vkbottle", "maxapi", "viberbot")

PROBE = f"""
HEAVY = {HEAVY!r}
import dataclasses, json, re, sys
from core.base.config import Config
from scheduler.transports import build_transports
config = Config()
for section in sys.argv[1:]:
    config = dataclasses.replace(
        config, **{{section: dataclasses.replace(getattr(config, section), token="123:abc")}}
    )
built = sorted(build_transports(config))
rss = int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
print(json.dumps({{"built": built, "heavy": [m for m in HEAVY if m in sys.modules], "rss": rss}}))
"""


def _probe(*sections: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *sections], cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_token_no_messenger_library():
    found = _probe()
    assert found["heavy"] == [] and "telegram" not in found["built"]
    assert found["rss"] < 120, found  # MB; aiogram and vkbottle would add ~180


def test_a_token_brings_its_channel():
    found = _probe("vk")
    assert (
        "vk" in found["built"] and "vkbottle" in found["heavy"] and "aiogram" not in found["heavy"]
    )
