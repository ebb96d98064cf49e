"""Reload-safe registration: the holder module and the trampolines libobs calls (no OBS needed).

The trampolines are called through their real ctypes prototypes, i.e. across the same C boundary
libobs uses, so "no Python exception ever reaches libobs" is checked where it matters.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator

import pytest

from bgremove_obs.host import registry


@pytest.fixture(autouse=True)
def fresh_holder() -> Iterator[None]:
    """Each test gets its own holder; the process-wide one (if any) is put back afterwards."""
    saved = sys.modules.pop(registry.HOLDER_MODULE, None)
    yield
    sys.modules.pop(registry.HOLDER_MODULE, None)
    if saved is not None:
        sys.modules[registry.HOLDER_MODULE] = saved


class Impl:
    def __init__(self, answer: int | None = None, error: BaseException | None = None) -> None:
        self.answer, self.error = answer, error
        self.reported: list[tuple[str, str]] = []

    def filter_video(self, data: int, frame: int) -> int | None:
        if self.error is not None:
            raise self.error
        return self.answer

    def get_width(self, data: int) -> int:
        raise RuntimeError("no size")

    def report_error(self, callback: str, error: BaseException) -> None:
        self.reported.append((callback, str(error)))


def _callback(name: str, source_id: str = "test_filter"):
    prototype, fallback = registry.CALLBACKS[name]
    return prototype(registry._trampoline(registry.holder(), source_id, name, fallback))


def test_the_holder_outlives_the_module_and_completes_an_older_one() -> None:
    older = types.ModuleType(registry.HOLDER_MODULE)
    older.impls = {"kept": object()}  # type: ignore[attr-defined]
    sys.modules[registry.HOLDER_MODULE] = older
    state = registry.holder()
    assert state is older and "kept" in state.impls
    assert state.instances == {} and state.next_key == 1
    assert registry.holder() is state


def test_a_raising_callback_returns_its_safe_value_and_is_reported() -> None:
    impl = Impl(error=ValueError("broken"))
    registry.install("test_filter", impl)
    filter_video, get_width = _callback("filter_video"), _callback("get_width")
    assert filter_video(1, 0x1234) == 0x1234, "libobs must get its frame back"
    assert get_width(1) == 0
    assert impl.reported == [("filter_video", "broken"), ("get_width", "no size")]


def test_even_a_failing_error_report_stays_inside() -> None:
    class Worse(Impl):
        def report_error(self, callback: str, error: BaseException) -> None:
            raise KeyboardInterrupt

    registry.install("test_filter", Worse(error=SystemExit(3)))
    assert _callback("filter_video")(1, 0x10) == 0x10


def test_a_reload_swaps_the_implementation_behind_existing_trampolines() -> None:
    registry.install("test_filter", Impl(answer=0x20))
    filter_video = _callback("filter_video")
    assert filter_video(1, 0x10) == 0x20
    registry.install("test_filter", Impl(answer=0x30))
    assert filter_video(1, 0x10) == 0x30


def test_instance_keys_are_never_zero_and_never_reused() -> None:
    keys = [registry.new_instance(object()) for _ in range(3)]
    assert 0 not in keys and len(set(keys)) == 3
    assert set(registry.holder().instances) == set(keys)
