# bench/sources.cmake: benchmark programs (ratios against a baseline measured in the same run).
dg_bench(bench_step bench/bench_step.c)
