from . import kam_bench_tier_request
