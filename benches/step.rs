//! Benchmarks of the full fixed step (placeholder sizes; the performance issue extends them).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use murmuration::cli::RunConfig;
use murmuration::cli::headless::Headless;
use murmuration::sim::SimParams;

fn full_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_step");
    group.sample_size(10);
    for n in [1_000u32, 10_000] {
        let params = SimParams { boid_count: n, ..SimParams::default() };
        let mut sim = Headless::new(&RunConfig::from_params(params, 1), None);
        sim.step(10);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| sim.step(1)));
    }
    group.finish();
}

criterion_group!(benches, full_step);
criterion_main!(benches);
