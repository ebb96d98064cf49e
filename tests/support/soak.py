"""The soak: one OBS with the filter on a looping 720p30 real clip, watched for memory growth.

Shared by ``tests/reliability/obs/test_obs_soak.py`` (3 minutes, marked ``soak``) and ``python -m
bench.soak`` (30 minutes); ``make soak`` runs both. The canvas runs at 1280x720 and **10 fps**: at
30 fps OBS alone saturates a 2-core machine under llvmpipe and skips frames without any filter,
which would hide whatever the filter does. The clip itself
is 30 fps, as a webcam would be.

Every ``interval`` seconds a sample records the resident memory of the OBS process and of the
worker process, OBS's rendered/skipped frame counters and the worker's published-mask counter
(read from its shared-memory channel). Growth is judged after a warm-up (allocator pools, model
caches, the first loop of the clip): the mean RSS of the last minute minus the mean RSS of the
first minute after the warm-up, for each process.
"""

from __future__ import annotations

import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .images import make_clip
from .obs import CLEAN_EXIT_LINE, Obs
from .procs import process_alive, rss_bytes, wait_until
from .rig import GREEN, KIND, composites, worker_channel, worker_pids

FPS = 10
WIDTH, HEIGHT = 1280, 720
CLIP_FPS = 30
SOURCE, FILTER = "clip", "soak"
WARMUP_SECONDS = 60.0
WINDOW_SECONDS = 60.0
GROWTH_LIMIT_MB = 20.0
SKIPPED_LIMIT = 0.01
"""Share of render frames OBS may skip; 10 fps leaves headroom on 2 cores, so any skipping is
the filter's (or a machine far busier than the calibration in the OBS facts doc)."""
MB = 2**20


@dataclass(frozen=True)
class Sample:
    seconds: float
    obs_rss: int
    worker_rss: int
    rendered: int
    skipped: int
    masks: int


@dataclass
class SoakReport:
    """What a soak measured; :meth:`problems` lists every limit it broke."""

    seconds: float
    samples: list[Sample] = field(default_factory=list)
    worker_restarts: int = 0
    exit_code: int | None = None
    leaks_line_seen: bool = False
    orphaned_worker: bool = False

    def _window(self, start: float, end: float) -> list[Sample]:
        return [s for s in self.samples if start <= s.seconds < end]

    def growth_mb(self, attribute: str) -> float:
        """Mean RSS over the last minute minus over the first minute after the warm-up."""
        first = self._window(WARMUP_SECONDS, WARMUP_SECONDS + WINDOW_SECONDS)
        last = self._window(self.seconds - WINDOW_SECONDS, self.seconds + 1)
        means = [statistics.fmean(getattr(s, attribute) for s in window) for window in (first, last)]
        return (means[1] - means[0]) / MB

    def slope_mb_per_hour(self, attribute: str) -> float:
        """Least-squares trend of RSS after the warm-up: tells a steady leak from noise."""
        window = self.after_warmup
        times, sizes = [s.seconds for s in window], [getattr(s, attribute) for s in window]
        fit = statistics.linear_regression(times, sizes)
        return fit.slope * 3600 / MB

    @property
    def after_warmup(self) -> list[Sample]:
        return [s for s in self.samples if s.seconds >= WARMUP_SECONDS]

    @property
    def skipped_share(self) -> tuple[int, int]:
        """(skipped, rendered) frames after the warm-up."""
        window = self.after_warmup
        return window[-1].skipped - window[0].skipped, window[-1].rendered - window[0].rendered

    @property
    def stalls(self) -> int:
        """Sampling intervals after the warm-up in which the worker published no mask."""
        window = self.after_warmup
        return sum(1 for a, b in itertools.pairwise(window) if b.masks <= a.masks)

    def problems(self) -> list[str]:
        found = []
        for name, attribute in (("OBS", "obs_rss"), ("worker", "worker_rss")):
            growth = self.growth_mb(attribute)
            if growth > GROWTH_LIMIT_MB:
                found.append(f"{name} RSS grew {growth:.1f} MB after the warm-up (limit {GROWTH_LIMIT_MB:g})")
        skipped, rendered = self.skipped_share
        if skipped > SKIPPED_LIMIT * rendered:
            found.append(f"OBS skipped {skipped} of {rendered} render frames")
        if self.worker_restarts:
            found.append(f"the worker was restarted {self.worker_restarts} time(s)")
        if self.stalls:
            found.append(f"no new mask in {self.stalls} sampling interval(s)")
        if self.exit_code != 0 or not self.leaks_line_seen:
            found.append(f"OBS exit code {self.exit_code}, '{CLEAN_EXIT_LINE}' seen: {self.leaks_line_seen}")
        if self.orphaned_worker:
            found.append("the worker outlived OBS")
        return found

    def table(self) -> str:
        """RSS over time, one line per minute (and the last sample)."""
        lines = ["  time   OBS RSS   worker RSS   rendered  skipped   masks"]
        shown = {round(s.seconds // 60) for s in self.samples}
        for sample in self.samples:
            minute = round(sample.seconds // 60)
            if minute in shown or sample is self.samples[-1]:
                shown.discard(minute)
                lines.append(
                    f"{sample.seconds:6.0f}s {sample.obs_rss / MB:7.1f} MB {sample.worker_rss / MB:9.1f} MB "
                    f"{sample.rendered:10d} {sample.skipped:8d} {sample.masks:7d}"
                )
        return "\n".join(lines)

    def summary(self) -> str:
        skipped, rendered = self.skipped_share
        return (
            f"soak {self.seconds / 60:g} min at {WIDTH}x{HEIGHT} {FPS} fps (clip {CLIP_FPS} fps), warm-up "
            f"{WARMUP_SECONDS:.0f} s: OBS RSS growth {self.growth_mb('obs_rss'):+.1f} MB (trend "
            f"{self.slope_mb_per_hour('obs_rss'):+.1f} MB/h), worker RSS growth "
            f"{self.growth_mb('worker_rss'):+.1f} MB (trend "
            f"{self.slope_mb_per_hour('worker_rss'):+.1f} MB/h), "
            f"skipped {skipped} of {rendered} render frames, "
            f"{self.worker_restarts} worker restart(s), {self.stalls} stalled interval(s), exit code "
            f"{self.exit_code}, '{CLEAN_EXIT_LINE}': {'yes' if self.leaks_line_seen else 'NO'}"
        )


def soak_clip(source: Path, directory: Path) -> Path:
    """The real clip (854x480, 24 fps, 2.9 s) as 720p30; OBS loops it, reopening it every 3 s."""
    return make_clip(source, directory / "soak-720p30.mp4", WIDTH, HEIGHT, fps=CLIP_FPS)


def run_soak(
    obs: Obs,
    clip: Path,
    seconds: float,
    interval: float = 5.0,
    on_sample: Callable[[Sample], None] | None = None,
) -> SoakReport:
    """Run the soak in a started ``obs`` (product script loaded, 720p 10 fps canvas) and stop it."""
    obs.add_media(SOURCE, clip)
    obs.add_filter(SOURCE, FILTER, KIND, {})  # the defaults: blur
    obs.wait_log("worker started")
    (worker,) = worker_pids(obs)
    report = SoakReport(seconds)
    with worker_channel(worker) as channel:
        wait_until(lambda: channel.masks.count() > 0, what="the worker's first mask")
        start = time.monotonic()
        while (elapsed := time.monotonic() - start) < seconds:
            stats = obs.stats()
            sample = Sample(
                elapsed, rss_bytes(obs.pid), rss_bytes(worker), stats["renderTotalFrames"],
                stats["renderSkippedFrames"], channel.masks.count(),
            )  # fmt: skip
            report.samples.append(sample)
            if on_sample is not None:
                on_sample(sample)
            time.sleep(max(0.0, start + len(report.samples) * interval - time.monotonic()))
        report.worker_restarts = len(worker_pids(obs)) - 1
        obs.set_filter_settings(SOURCE, FILTER, GREEN)
        obs.wait_rendering(SOURCE, ready=composites(GREEN))  # still compositing at the end
    report.exit_code = obs.stop()
    report.leaks_line_seen = CLEAN_EXIT_LINE in obs.run_log
    report.orphaned_worker = process_alive(worker)
    return report
