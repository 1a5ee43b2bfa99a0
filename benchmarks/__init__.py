"""servsim's benchmarks: speed and memory of runs, engines, the desk and sweeps.

``python -m benchmarks`` (or ``make bench``) measures everything and writes
``benchmarks/results.md``; ``python -m benchmarks.profile`` shows where a run
spends its time. Every measured run is a fresh process, so its wall time
includes start-up and its peak memory (RSS) is its own.
"""
