"""The quiet window around MediaPipe's start-up: chatter is dropped, anything else still reaches stderr.

Each case runs in a real child process, so that file descriptor 2 is really redirected and restored.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

ERROR = "E0000 00:00:1796408661.525648   15041 model.cc:12] a real native error"


def _child(last_in_window: str, after_window: str) -> subprocess.CompletedProcess[str]:
    code = textwrap.dedent(
        f"""
        import os
        from bgremove_core.nativelog import quiet_native_stderr

        with quiet_native_stderr():
            os.write(2, b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.\\n")
            os.write(2, b"W0000 00:00:1796408661.525648   15041 feedback_manager.cc:121] Feedback\\n")
            os.write(2, b"{ERROR}\\n")
            {last_in_window}
        {after_window}
        """
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )


def test_only_chatter_is_dropped_and_stderr_is_restored() -> None:
    run = _child("pass", 'os.write(2, b"after the window\\n")')
    assert run.returncode == 0
    assert run.stderr.splitlines() == [ERROR, "after the window"]


def test_an_exception_inside_the_window_still_shows_what_was_written() -> None:
    run = _child("raise SystemExit(3)", "")
    assert run.returncode == 3
    assert run.stderr.splitlines() == [ERROR]
