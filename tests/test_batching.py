"""The micro-batcher: own results under concurrency, bounded queue, errors delivered."""

import asyncio
import threading
import time

import pytest

from app.batching import MicroBatcher, Overloaded


def test_each_caller_gets_its_own_result_in_shared_batches():
    sizes: list[int] = []

    def double(items):
        sizes.append(len(items))
        time.sleep(0.01)
        return [i * 2 for i in items]

    async def main():
        batcher = MicroBatcher(double, max_batch=8, max_wait_ms=20, max_queue=100)
        await batcher.start()
        try:
            return await asyncio.gather(*(batcher.submit(i) for i in range(40)))
        finally:
            await batcher.stop()

    results = asyncio.run(main())
    assert results == [i * 2 for i in range(40)]
    assert max(sizes) > 1 and max(sizes) <= 8
    assert sum(sizes) == 40


def test_full_queue_is_refused_at_once_not_queued():
    gate = threading.Event()

    def blocked(items):
        gate.wait(5)
        return items

    async def main():
        batcher = MicroBatcher(blocked, max_batch=1, max_wait_ms=0, max_queue=2)
        await batcher.start()
        first = asyncio.create_task(batcher.submit("running"))
        await asyncio.sleep(0.05)  # the worker has taken it and is blocked
        queued = [asyncio.create_task(batcher.submit(f"q{i}")) for i in range(2)]
        await asyncio.sleep(0.01)
        started = time.perf_counter()
        with pytest.raises(Overloaded):
            await batcher.submit("one too many")
        refused_in = time.perf_counter() - started
        gate.set()
        done = await asyncio.gather(first, *queued)
        await batcher.stop()
        return done, refused_in

    done, refused_in = asyncio.run(main())
    assert done == ["running", "q0", "q1"]
    assert refused_in < 0.5


def test_an_error_reaches_every_caller_of_the_batch():
    def broken(items):
        raise RuntimeError("model failed")

    async def main():
        batcher = MicroBatcher(broken, max_batch=4, max_wait_ms=10)
        await batcher.start()
        results = await asyncio.gather(
            *(batcher.submit(i) for i in range(3)), return_exceptions=True
        )
        await batcher.stop()
        return results

    assert all(isinstance(r, RuntimeError) for r in asyncio.run(main()))


def test_a_lone_caller_is_not_held_for_company():
    sizes: list[int] = []

    def record(items):
        sizes.append(len(items))
        time.sleep(0.05)
        return items

    async def main():
        batcher = MicroBatcher(record, max_batch=8, max_wait_ms=400, max_queue=100)
        await batcher.start()
        try:
            started = time.perf_counter()
            for i in range(5):  # one caller, one item at a time: nothing to wait for
                assert await batcher.submit(i) == i
            alone = time.perf_counter() - started
            # a second caller arrives while the model runs: from then on batches are shared
            first = asyncio.create_task(batcher.submit("a"))
            await asyncio.sleep(0.01)
            second = asyncio.create_task(batcher.submit("b"))
            third = asyncio.create_task(batcher.submit("c"))
            shared = await asyncio.gather(first, second, third)
            return alone, shared
        finally:
            await batcher.stop()

    alone, shared = asyncio.run(main())
    assert alone < 1.0  # five waits of max_wait_ms would take 2 s more
    assert shared == ["a", "b", "c"]
    assert sizes == [1, 1, 1, 1, 1, 1, 2]
