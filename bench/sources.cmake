# bench/sources.cmake: benchmark programs (ratios against a baseline measured in the same run).
dg_bench(bench_step bench/bench_step.c)
dg_bench(bench_render bench/bench_render.c)
dg_bench(bench_vec bench/bench_vec.c)
dg_bench(bench_train bench/bench_train.c)
dg_bench(bench_record bench/bench_record.c)
