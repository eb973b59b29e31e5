//! Benchmarks at a fixed density (3 birds per neighbour-radius², the yardstick's): the full ECS
//! fixed step, the grid rebuild, the neighbour pass, the metrics, and a naive O(N²) neighbour
//! pass at 1k/10k to show what the grid buys; then the step on the `murmuration bench` scenarios
//! (uniform, formed, packed), and the neighbour pass of a formed flock by each kernel.
//! `cargo bench`; sizes from 1k to 1M.

use std::hint::black_box;

use bevy::math::Vec2;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use murmuration::run::RunConfig;
use murmuration::run::bench::{Scenario, bench_params};
use murmuration::run::headless::Headless;
use murmuration::metrics::measure;
use murmuration::sim::SimParams;
use murmuration::sim::grid::SpatialGrid;
use murmuration::sim::rules::kernel::{Kernel, set_kernel};
use murmuration::sim::rules::{CELLS_PER_RADIUS, NeighborSums, Perception, accumulate, gather_run};
use murmuration::sim::space::Space;
use rand::{RngExt, SeedableRng};

const DENSITY: f32 = 3.0;

fn birds(params: &SimParams) -> Vec<(u32, Vec2, Vec2)> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    (0..params.boid_count)
        .map(|id| {
            let p = Vec2::new(rng.random::<f32>(), rng.random::<f32>()) * Vec2::new(params.world_width, params.world_height) * 0.9999;
            (id, p, Vec2::from_angle(rng.random::<f32>() * std::f32::consts::TAU) * 80.0)
        })
        .collect()
}

fn grid_for(params: &SimParams, birds: &[(u32, Vec2, Vec2)]) -> SpatialGrid {
    let mut grid = SpatialGrid::default();
    grid.rebuild(Space::from_params(params), params.search_radius() / CELLS_PER_RADIUS as f32, birds.iter().copied());
    grid
}

fn full_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("full_step");
    group.sample_size(10);
    for n in [1_000u32, 10_000, 100_000, 250_000, 1_000_000] {
        let mut sim = Headless::new(&RunConfig::from_params(bench_params(n, DENSITY), 1), None);
        sim.step(3);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| sim.step(1)));
    }
    group.finish();
}

fn grid_rebuild(c: &mut Criterion) {
    let mut group = c.benchmark_group("grid_rebuild");
    group.sample_size(10);
    for n in [1_000u32, 10_000, 100_000, 250_000, 1_000_000] {
        let params = bench_params(n, DENSITY);
        let all = birds(&params);
        let mut grid = SpatialGrid::default();
        let space = Space::from_params(&params);
        // the simulation's path: birds read in place, positions copied on the compute pool
        bevy::tasks::ComputeTaskPool::get_or_init(bevy::tasks::TaskPool::default);
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| grid.rebuild_from(space, params.search_radius() / CELLS_PER_RADIUS as f32, &all[..]))
        });
    }
    group.finish();
}

fn neighbour_pass(c: &mut Criterion) {
    let mut group = c.benchmark_group("neighbour_pass_1_thread");
    group.sample_size(10);
    for n in [1_000u32, 10_000, 100_000, 250_000, 1_000_000] {
        let params = bench_params(n, DENSITY);
        let grid = grid_for(&params, &birds(&params));
        let per = Perception::from_params(&params);
        let mut out = vec![NeighborSums::default(); grid.len()];
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| gather_run(&grid, &per, 0, &mut out)));
    }
    group.finish();
}

/// The naive neighbour pass: every bird against every other.
fn naive_pass(pos: &[Vec2], vel: &[Vec2], per: &Perception, out: &mut [NeighborSums]) {
    for i in 0..pos.len() {
        let mut s = NeighborSums::default();
        for j in 0..pos.len() {
            if i != j {
                let d = per.space.offset(pos[i], pos[j]);
                accumulate(&mut s, per, vel[i], d, d.length_squared(), vel[j]);
            }
        }
        out[i] = s;
    }
}

fn naive_reference(c: &mut Criterion) {
    let mut group = c.benchmark_group("naive_n2_1_thread");
    group.sample_size(10);
    for n in [1_000u32, 10_000] {
        let params = bench_params(n, DENSITY);
        let all = birds(&params);
        let pos: Vec<Vec2> = all.iter().map(|b| b.1).collect();
        let vel: Vec<Vec2> = all.iter().map(|b| b.2).collect();
        let per = Perception::from_params(&params);
        let mut out = vec![NeighborSums::default(); pos.len()];
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| naive_pass(&pos, &vel, &per, black_box(&mut out))));
    }
    group.finish();
}

fn metrics(c: &mut Criterion) {
    let mut group = c.benchmark_group("metrics_sample");
    group.sample_size(10);
    for n in [1_000u32, 10_000, 100_000, 250_000] {
        let params = bench_params(n, DENSITY);
        let all = birds(&params);
        let mut grid = SpatialGrid::default();
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| b.iter(|| measure(&params, &mut grid, all.iter().copied())));
    }
    group.finish();
}

/// The full step on the flocks `murmuration bench` times, after each scenario's warm-up.
fn scenario_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("scenario_step");
    group.sample_size(10);
    for scenario in [Scenario::Uniform, Scenario::Formed, Scenario::Packed] {
        for n in [10_000u32, 100_000] {
            let params = scenario.params(n, DENSITY);
            let warmup = scenario.warmup_steps(params.step_rate);
            let mut sim = Headless::new(&RunConfig::from_params(params, 1), None);
            sim.step(3 + warmup);
            let id = BenchmarkId::new(format!("{scenario:?}").to_lowercase(), n);
            group.bench_function(id, |b| b.iter(|| sim.step(1)));
        }
    }
    group.finish();
}

/// The neighbour pass of a formed 100k flock (one thread) by each kernel: the same sums, in the
/// portable build and the AVX2 one.
fn kernels(c: &mut Criterion) {
    let mut group = c.benchmark_group("neighbour_pass_formed_100000_1_thread");
    group.sample_size(10);
    let params = Scenario::Formed.params(100_000, DENSITY);
    let mut sim = Headless::new(&RunConfig::from_params(params.clone(), 1), None);
    sim.step(3 + Scenario::Formed.warmup_steps(params.step_rate));
    let grid = sim.app.world().resource::<SpatialGrid>().clone();
    let per = Perception::from_params(&params);
    let mut out = vec![NeighborSums::default(); grid.len()];
    for kernel in [Kernel::Portable, Kernel::Avx2] {
        set_kernel(kernel);
        group.bench_function(kernel.name(), |b| b.iter(|| gather_run(&grid, &per, 0, black_box(&mut out))));
    }
    set_kernel(Kernel::Auto);
    group.finish();
}

criterion_group!(benches, full_step, grid_rebuild, neighbour_pass, naive_reference, metrics, scenario_step, kernels);
criterion_main!(benches);
