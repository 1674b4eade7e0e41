"""The flows' registry: commands, buttons (payload prefixes), dialog steps and free-words
handlers, each registered by the flow module that owns it.

Its own module so the arrows run one way: flow modules import this (and bots.flows.context),
the engine imports the flow modules and routes through these tables; no flow imports the
engine. A flow that must hand an update back to routing calls `route_again`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bots.flows.types import Reply

if TYPE_CHECKING:
    from bots.flows.context import Ctx

__all__ = [
    "COMMANDS",
    "IDLE",
    "PAYLOADS",
    "STEPS",
    "command",
    "payload",
    "route_again",
    "set_router",
    "step",
]

Handler = Callable[["Ctx"], list[Reply]]
PayloadHandler = Callable[["Ctx", str], list[Reply]]

COMMANDS: dict[str, Handler] = {}
PAYLOADS: dict[str, PayloadHandler] = {}
STEPS: dict[str, Handler] = {}
IDLE: list[Callable[[Ctx], list[Reply] | None]] = []  # free-words handlers, tried in order


def command(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            COMMANDS[name] = fn
        return fn

    return register


def payload(prefix: str) -> Callable[[PayloadHandler], PayloadHandler]:
    def register(fn: PayloadHandler) -> PayloadHandler:
        PAYLOADS[prefix] = fn
        return fn

    return register


def step(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        STEPS[name] = fn
        return fn

    return register


_router: list[Handler] = []


def set_router(fn: Handler) -> None:
    """The engine says how a staff update is routed (called once, on the engine's import)."""
    _router[:] = [fn]


def route_again(ctx: Ctx) -> list[Reply]:
    """Route the update afresh, as if no dialog step were waiting (a flow gave it up)."""
    return _router[0](ctx)
