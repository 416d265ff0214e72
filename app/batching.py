"""Micro-batching: concurrent requests share one encoder run.

Whatever has queued while the model was busy forms the next batch at once. Only when
items arrived during the last run (a sign of concurrent callers) does a new batch wait,
at most `max_wait_ms`, for company; a lone caller is never held back. A batch holds at most
`max_batch` items, and at most `max_queue` items may wait; past that `submit` raises
`Overloaded` at once (the API answers 503 with Retry-After) rather than building a
backlog. The model runs in one worker thread, outside the event loop, so health checks
stay quick.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.errors import TactfulError

In = TypeVar("In")
Out = TypeVar("Out")


class Overloaded(TactfulError):
    """The queue is full: try again shortly."""


@dataclass
class _Job(Generic[In, Out]):
    item: In
    future: asyncio.Future[Out]


class MicroBatcher(Generic[In, Out]):
    """Groups items submitted concurrently and runs `fn` on each group in a worker thread."""

    def __init__(
        self,
        fn: Callable[[Sequence[In]], Sequence[Out]],
        max_batch: int = 16,
        max_wait_ms: float = 5.0,
        max_queue: int = 256,
    ):
        self.fn = fn
        self.max_batch = max_batch
        self.max_wait = max_wait_ms / 1000
        self.max_queue = max_queue
        self._queue: asyncio.Queue[_Job[In, Out]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tactful-model")
        self.batches_run = 0
        self._contended = False

    async def start(self) -> None:
        """Start the collecting task on the running loop."""
        self._queue = asyncio.Queue(maxsize=self.max_queue)
        self._task = asyncio.create_task(self._run(), name="tactful-batcher")

    async def stop(self) -> None:
        """Stop collecting; waiting callers get an error instead of hanging."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._queue is not None:
            while not self._queue.empty():
                job = self._queue.get_nowait()
                if not job.future.done():
                    job.future.set_exception(Overloaded("the service is shutting down"))
        self._executor.shutdown(wait=False, cancel_futures=True)

    @property
    def waiting(self) -> int:
        """Items queued and not yet taken into a batch."""
        return self._queue.qsize() if self._queue is not None else 0

    async def submit(self, item: In) -> Out:
        """Queue one item and wait for its own result."""
        if self._queue is None:
            raise RuntimeError("MicroBatcher.start() was not called")
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait(_Job(item, future))
        except asyncio.QueueFull:
            raise Overloaded(f"{self.max_queue} requests are already waiting") from None
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            jobs = [await self._queue.get()]
            while len(jobs) < self.max_batch and not self._queue.empty():
                jobs.append(self._queue.get_nowait())
            deadline = loop.time() + self.max_wait
            while len(jobs) < self.max_batch and self._contended:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                try:
                    jobs.append(await asyncio.wait_for(self._queue.get(), remaining))
                except TimeoutError:
                    break
            live = [job for job in jobs if not job.future.cancelled()]
            if not live:
                continue
            try:
                results = await loop.run_in_executor(
                    self._executor, self.fn, [job.item for job in live]
                )
            except Exception as exc:
                for job in live:
                    if not job.future.done():
                        job.future.set_exception(exc)
            else:
                self.batches_run += 1
                for job, result in zip(live, results, strict=True):
                    if not job.future.done():
                        job.future.set_result(result)
            self._contended = not self._queue.empty()
