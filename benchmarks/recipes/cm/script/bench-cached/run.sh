#!/bin/bash
# Runs only on a cache miss: the "expensive" step of the pipeline.
echo "CM_BENCH_CACHED_VALUE=42" > tmp-run-env.out
