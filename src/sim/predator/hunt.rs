//! The hunt: predators pick a target, turn toward it, move, and try to catch.
//!
//! [`hunt_step`] is the whole of it over plain values: the step's grid snapshot (targets, crowds,
//! contact), the birds' positions after this step's integration (a catch happens where the bird
//! is now), and the predators' own state. The [`hunt`] system only gathers those and writes the
//! outcome back.

use bevy::prelude::*;
use rand::{Rng, RngExt};

use super::targeting::{self, catch_chance, turn_toward};
use super::{Kill, PredationLog, Predator, PredatorKind, hunter_speed};
use crate::sim::components::{Bird, GridSlot, Position, Velocity};
use crate::sim::grid::SpatialGrid;
use crate::sim::params::{Guidance, SimParams, TargetStrategy};
use crate::sim::rules::apply_edges;
use crate::sim::space::Space;
use crate::sim::spawn::SimRng;
use crate::sim::systems::{GridEntities, NeighborSumsBuf, SimClock};

/// A lock-on target farther than this many fear radii (at least 100 u) is lost.
const LOSE_RANGE_FEAR_RADII: f32 = 3.0;
/// After a failed attack the predator recovers for this fraction of the catch cooldown.
const MISS_RECOVERY: f32 = 0.25;

/// The range within which predators look for targets by strategy (isolated, lock-on).
fn hunting_range(params: &SimParams) -> f32 {
    (params.fear_radius * LOSE_RANGE_FEAR_RADII).max(100.0)
}

/// One predator as the hunt sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hunter {
    /// The predator's state (kind, cooldown, contact, kills; `target` is left to the caller).
    pub state: Predator,
    /// Position.
    pub pos: Vec2,
    /// Velocity.
    pub vel: Vec2,
    /// Its lock-on bird, if it still exists: `(slot, position now)`.
    pub locked: Option<(usize, Vec2)>,
    /// The slot it aims at after this step (a bird it locks on to).
    pub aim_slot: Option<usize>,
    /// Whether it left this step (a dive at its end).
    pub gone: bool,
}

/// What the hunt reads of the step besides the predators.
pub struct HuntWorld<'a, F: Fn(usize) -> Option<Vec2>> {
    /// The parameters.
    pub params: &'a SimParams,
    /// The step's snapshot (birds' positions at the step's start, by slot).
    pub grid: &'a SpatialGrid,
    /// Neighbour counts by slot (for the isolated strategy; empty otherwise).
    pub counts: &'a [u32],
    /// A bird's position after this step's integration, by slot (`None`: no longer there).
    pub now: F,
    /// Steps completed before this one.
    pub step: u64,
}

/// A catch, by slot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Catch {
    /// The bird's slot.
    pub slot: usize,
    /// The catch, as logged.
    pub kill: Kill,
}

/// Moves every predator one step and resolves its attacks, in the order given (the caller sorts
/// by predator id); draws from `rng` once per attack. Returns the catches (each slot at most
/// once) and the ids of predators that came into contact with the flock this step.
pub fn hunt_step<F: Fn(usize) -> Option<Vec2>>(world: &HuntWorld<F>, hunters: &mut [Hunter], rng: &mut impl Rng) -> (Vec<Catch>, Vec<u32>) {
    let (params, grid) = (world.params, world.grid);
    let dt = params.dt();
    let space = Space::from_params(params);
    let (mut catches, mut contacts) = (Vec::<Catch>::new(), Vec::new());
    for h in hunters.iter_mut() {
        h.state.cooldown = (h.state.cooldown - dt).max(0.0);
        h.state.rest = (h.state.rest - dt).max(0.0);
        if !steer(world, &space, h) {
            h.gone = true;
            continue;
        }
        (h.pos, h.vel) = apply_edges(h.pos + h.vel * dt, h.vel, space.size, params);

        let mut contact = false;
        grid.for_each_within(h.pos, params.fear_radius, |_, _, _| contact = true);
        if contact && !h.state.in_contact {
            contacts.push(h.state.id);
        }
        h.state.in_contact = contact;

        if h.state.cooldown > 0.0 || h.state.rest > 0.0 {
            continue;
        }
        let Some((slot, at)) = nearest_catchable(world, &space, h.pos, &catches) else { continue };
        let mut crowd = 0;
        grid.for_each_within(grid.pos[slot], params.confusion_radius, |_, _, _| crowd += 1);
        if rng.random::<f32>() < catch_chance(params.confusion, crowd.max(1)) {
            if !matches!(h.state.kind, PredatorKind::Dive { .. }) {
                // a hunter breaks off after a catch and comes back
                h.state.rest = params.predator_rest;
            }
            let kill = Kill { step: world.step, bird_id: grid.ids[slot], predator_id: h.state.id, position: at };
            catches.push(Catch { slot, kill });
            h.state.kills += 1;
            h.state.cooldown = params.catch_cooldown;
            h.aim_slot = None;
        } else {
            h.state.cooldown = (params.catch_cooldown * MISS_RECOVERY).max(dt);
        }
    }
    (catches, contacts)
}

/// Turns a hunter toward its aim (dives fly straight); false when a dive has ended.
fn steer<F: Fn(usize) -> Option<Vec2>>(world: &HuntWorld<F>, space: &Space, h: &mut Hunter) -> bool {
    let (params, grid) = (world.params, world.grid);
    let dt = params.dt();
    match h.state.kind {
        PredatorKind::Dive { remaining_s } => {
            let remaining_s = remaining_s - dt;
            h.state.kind = PredatorKind::Dive { remaining_s };
            remaining_s > 0.0
        }
        PredatorKind::Hunter | PredatorKind::Placed => {
            let range = hunting_range(params);
            let max_turn = params.predator_turn_rate.to_radians() * dt;
            if h.state.rest > 0.0 {
                // resting: away from the nearest bird, no target kept
                let away = targeting::choose(TargetStrategy::Nearest, grid, world.counts, h.pos, range, None)
                    .map_or(h.vel, |a| -space.offset(h.pos, a.position(grid)));
                h.vel = turn_toward(h.vel, away, max_turn) * hunter_speed(params);
                (h.aim_slot, h.state.los) = (None, None);
                return true;
            }
            let locked = h
                .locked
                .filter(|&(slot, at)| space.offset(h.pos, at).length() <= range && slot < grid.len())
                .map(|(slot, _)| slot);
            let aim = targeting::choose(params.predator_strategy, grid, world.counts, h.pos, range, locked);
            h.aim_slot = match aim {
                Some(targeting::Aim::Bird(slot)) => Some(slot),
                _ => None,
            };
            let desired = aim.map_or(h.vel, |a| space.offset(h.pos, a.position(grid)));
            // the same bird as last step: its line of sight has a rate to navigate by
            let same = h.aim_slot.is_some() && h.aim_slot == h.locked.map(|(slot, _)| slot);
            let los = desired.to_angle();
            let heading = match (params.predator_guidance, h.state.los.filter(|_| same)) {
                (Guidance::ProportionalNavigation, Some(before)) => {
                    navigate(h.vel, angle_between(before, los), params.pn_gain, max_turn)
                }
                _ => turn_toward(h.vel, desired, max_turn),
            };
            h.state.los = h.aim_slot.map(|_| los);
            h.vel = heading * hunter_speed(params);
            true
        }
    }
}

/// Proportional navigation: turns `heading` by `gain` times the line of sight's turn this step
/// (`los_turn`, radians), at most `max_turn`; returns a unit vector.
pub fn navigate(heading: Vec2, los_turn: f32, gain: f32, max_turn: f32) -> Vec2 {
    let turn = (gain * los_turn).clamp(-max_turn, max_turn);
    Vec2::from_angle(turn).rotate(heading.normalize_or(Vec2::X))
}

/// The signed angle from direction `a` to direction `b` (radians), in −π..π.
fn angle_between(a: f32, b: f32) -> f32 {
    (b - a + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU) - std::f32::consts::PI
}

/// The bird nearest to `p` within the catch radius, by its position now (ties: the lower slot),
/// among birds not caught yet this step; `(slot, position now)`. Candidates come from the
/// snapshot within the catch radius plus the farthest two birds can move in a step.
fn nearest_catchable<F: Fn(usize) -> Option<Vec2>>(world: &HuntWorld<F>, space: &Space, p: Vec2, caught: &[Catch]) -> Option<(usize, Vec2)> {
    let params = world.params;
    let reach = params.catch_radius + 2.0 * params.max_speed * params.dt();
    let mut best: Option<(f32, usize, Vec2)> = None;
    world.grid.for_each_within(p, reach, |slot, _, _| {
        if caught.iter().any(|c| c.slot == slot) {
            return;
        }
        let Some(at) = (world.now)(slot) else { return };
        let d2 = space.offset(p, at).length_squared();
        if d2 <= params.catch_radius * params.catch_radius && best.is_none_or(|(b, s, _)| d2 < b || (d2 == b && slot < s)) {
            best = Some((d2, slot, at));
        }
    });
    best.map(|(_, slot, at)| (slot, at))
}

/// The hunt system: gathers the predators (in id order), runs `hunt_step`, and writes back
/// their state, the catches (despawned, logged) and the contacts.
#[allow(clippy::too_many_arguments)]
pub fn hunt(
    mut commands: Commands,
    params: Res<SimParams>,
    grid: Res<SpatialGrid>,
    entities: Res<GridEntities>,
    sums: Res<NeighborSumsBuf>,
    clock: Res<SimClock>,
    mut rng: ResMut<SimRng>,
    mut log: ResMut<PredationLog>,
    mut predators: Query<(Entity, &mut Predator, &mut Position, &mut Velocity), Without<Bird>>,
    birds: Query<(&Position, &GridSlot), With<Bird>>,
) {
    if predators.is_empty() {
        return;
    }
    // `rebuild_grid` names the bird in each slot whenever there are predators (they arrive only
    // before it runs); should that ever fail, the predators wait a step rather than misread.
    debug_assert_eq!(entities.0.len(), grid.len(), "GridEntities filled for this step's grid");
    if entities.0.len() != grid.len() {
        return;
    }
    let counts: Vec<u32> = if params.predator_strategy == TargetStrategy::Isolated { sums.0.iter().map(|s| s.count).collect() } else { Vec::new() };
    let mut order: Vec<(Entity, Hunter)> = predators
        .iter()
        .map(|(e, pred, pos, vel)| {
            let locked = pred.target.and_then(|t| birds.get(t).ok()).map(|(p, slot)| (slot.0 as usize, p.0));
            (e, Hunter { state: *pred, pos: pos.0, vel: vel.0, locked, aim_slot: None, gone: false })
        })
        .collect();
    order.sort_unstable_by_key(|(_, h)| h.state.id);
    let (ids, mut hunters): (Vec<Entity>, Vec<Hunter>) = order.into_iter().unzip();
    let now = |slot: usize| birds.get(entities.0[slot]).ok().map(|(p, _)| p.0);
    let world = HuntWorld { params: &params, grid: &grid, counts: &counts, now, step: clock.step };
    let (catches, contacts) = hunt_step(&world, &mut hunters, &mut rng.0);

    for (&entity, h) in ids.iter().zip(&hunters) {
        if h.gone {
            commands.entity(entity).despawn();
            continue;
        }
        let Ok((_, mut pred, mut pos, mut vel)) = predators.get_mut(entity) else { continue };
        *pred = Predator { target: h.aim_slot.map(|slot| entities.0[slot]), ..h.state };
        (pos.0, vel.0) = (h.pos, h.vel);
    }
    for c in &catches {
        commands.entity(entities.0[c.slot]).despawn();
        log.total_kills += 1;
        log.kills.push(c.kill);
    }
    log.contacts.extend(contacts);
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    fn grid(points: &[Vec2]) -> SpatialGrid {
        let mut g = SpatialGrid::default();
        g.rebuild(Space { size: Vec2::new(400.0, 400.0), wrap: true }, 20.0, points.iter().enumerate().map(|(i, &p)| (i as u32, p, Vec2::X)));
        g
    }

    fn hunter(pos: Vec2, vel: Vec2, kind: PredatorKind) -> Hunter {
        let state = Predator { id: 0, kind, cooldown: 0.0, target: None, los: None, in_contact: false, kills: 0, rest: 0.0 };
        Hunter { state, pos, vel, locked: None, aim_slot: None, gone: false }
    }

    fn params() -> SimParams {
        SimParams { world_width: 400.0, world_height: 400.0, confusion: 0.0, catch_radius: 8.0, fear_radius: 50.0, ..SimParams::default() }
    }

    #[test]
    fn a_hunter_catches_the_nearest_bird_where_it_is_now() {
        let p = params();
        // two birds near the predator's path; by now the first has flown out of reach
        let g = grid(&[Vec2::new(105.0, 100.0), Vec2::new(107.0, 102.0), Vec2::new(300.0, 300.0)]);
        let slot = |id: u32| g.ids.iter().position(|&i| i == id).unwrap();
        let moved = |s: usize| Some(if g.ids[s] == 0 { Vec2::new(160.0, 100.0) } else { g.pos[s] });
        let world = HuntWorld { params: &p, grid: &g, counts: &[], now: moved, step: 9 };
        let mut hunters = [hunter(Vec2::new(100.0, 100.0), Vec2::X * 10.0, PredatorKind::Hunter)];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let (catches, contacts) = hunt_step(&world, &mut hunters, &mut rng);
        assert_eq!(catches.len(), 1);
        assert_eq!((catches[0].slot, catches[0].kill.bird_id, catches[0].kill.step), (slot(1), 1, 9));
        assert_eq!(catches[0].kill.position, Vec2::new(107.0, 102.0));
        assert_eq!(contacts, vec![0], "first contact with the flock");
        assert_eq!(hunters[0].state.kills, 1);
        assert_eq!(hunters[0].state.cooldown, p.catch_cooldown);
        assert!(hunters[0].state.in_contact);
    }

    #[test]
    fn a_hunter_rests_away_from_the_flock_after_a_catch_and_then_hunts_again() {
        let p = SimParams { predator_rest: 0.5, catch_cooldown: 0.0, predator_turn_rate: 720.0, ..params() };
        let flock: Vec<Vec2> = (0..6).map(|i| Vec2::new(105.0 + i as f32, 100.0)).collect();
        let g = grid(&flock);
        let world = HuntWorld { params: &p, grid: &g, counts: &[], now: |s| Some(g.pos[s]), step: 0 };
        let mut h = [hunter(Vec2::new(100.0, 100.0), Vec2::X * 30.0, PredatorKind::Hunter)];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        assert_eq!(hunt_step(&world, &mut h, &mut rng).0.len(), 1, "a catch");
        assert_eq!(h[0].state.rest, 0.5);
        // resting: it turns away from the birds (they are at +x) and catches nothing, though
        // birds stay within the catch radius and its cooldown is 0
        for _ in 0..29 {
            h[0].pos = Vec2::new(100.0, 100.0);
            assert!(hunt_step(&world, &mut h, &mut rng).0.is_empty(), "no catch while resting");
            assert!(h[0].state.rest > 0.0);
        }
        assert!(h[0].vel.x < 0.0, "turned away from the flock: {}", h[0].vel);
        // 0.5 s (30 steps) after the catch it hunts again
        let again = (0..3).position(|_| {
            h[0].pos = Vec2::new(100.0, 100.0);
            !hunt_step(&world, &mut h, &mut rng).0.is_empty()
        });
        assert!(again.is_some_and(|k| k <= 1), "hunts again after its rest: {again:?}");
        // a dive never rests
        let mut dive = [hunter(Vec2::new(100.0, 100.0), Vec2::X * 30.0, PredatorKind::Dive { remaining_s: 5.0 })];
        hunt_step(&world, &mut dive, &mut rng);
        assert_eq!(dive[0].state.rest, 0.0);
    }

    #[test]
    fn two_hunters_never_catch_the_same_bird_and_confusion_spares_a_crowd() {
        let mut p = params();
        let g = grid(&[Vec2::new(100.0, 100.0)]);
        let world = HuntWorld { params: &p, grid: &g, counts: &[], now: |s| Some(g.pos[s]), step: 0 };
        let mut hunters = [hunter(Vec2::new(99.0, 100.0), Vec2::X, PredatorKind::Placed), hunter(Vec2::new(101.0, 100.0), -Vec2::X, PredatorKind::Placed)];
        hunters[1].state.id = 1;
        let (catches, _) = hunt_step(&world, &mut hunters, &mut rand_chacha::ChaCha8Rng::seed_from_u64(2));
        assert_eq!(catches.len(), 1);
        // a crowd of 40 birds at confusion 1: chance 1/40 each attack
        p.confusion = 1.0;
        let crowd: Vec<Vec2> = (0..40).map(|i| Vec2::new(100.0 + (i % 7) as f32, 100.0 + (i / 7) as f32)).collect();
        let g = grid(&crowd);
        let world = HuntWorld { params: &p, grid: &g, counts: &[], now: |s| Some(g.pos[s]), step: 0 };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let caught: usize = (0..200)
            .map(|_| hunt_step(&world, &mut [hunter(Vec2::new(103.0, 103.0), Vec2::X, PredatorKind::Placed)], &mut rng).0.len())
            .sum();
        assert!((1..=20).contains(&caught), "{caught} catches in 200 attacks at about 1/40");
    }

    #[test]
    fn a_dive_flies_straight_and_leaves_at_its_end() {
        let p = params();
        let g = grid(&[Vec2::new(300.0, 300.0)]);
        let world = HuntWorld { params: &p, grid: &g, counts: &[], now: |s| Some(g.pos[s]), step: 0 };
        let mut hunters = [hunter(Vec2::new(10.0, 10.0), Vec2::new(60.0, 0.0), PredatorKind::Dive { remaining_s: 1.5 * p.dt() })];
        hunt_step(&world, &mut hunters, &mut rand_chacha::ChaCha8Rng::seed_from_u64(4));
        assert!(!hunters[0].gone);
        assert_eq!(hunters[0].vel, Vec2::new(60.0, 0.0), "a dive does not turn");
        assert!((hunters[0].pos - Vec2::new(11.0, 10.0)).length() < 1e-4);
        hunt_step(&world, &mut hunters, &mut rand_chacha::ChaCha8Rng::seed_from_u64(4));
        assert!(hunters[0].gone);
    }

    #[test]
    fn a_lock_on_target_is_kept_in_range_and_dropped_out_of_it() {
        let p = SimParams { predator_strategy: TargetStrategy::LockOn, ..params() };
        let g = grid(&[Vec2::new(120.0, 100.0), Vec2::new(100.0, 150.0)]);
        let far = g.ids.iter().position(|&i| i == 1).unwrap();
        let world = HuntWorld { params: &p, grid: &g, counts: &[], now: |s| Some(g.pos[s]), step: 0 };
        let mut h = [hunter(Vec2::new(100.0, 100.0), Vec2::X * 30.0, PredatorKind::Hunter)];
        h[0].state.cooldown = 10.0; // no attack: only the aim
        h[0].locked = Some((far, g.pos[far]));
        hunt_step(&world, &mut h, &mut rand_chacha::ChaCha8Rng::seed_from_u64(5));
        assert_eq!(h[0].aim_slot, Some(far), "kept: within range, though another bird is nearer");
        h[0].locked = Some((far, Vec2::new(300.0, 300.0)));
        hunt_step(&world, &mut h, &mut rand_chacha::ChaCha8Rng::seed_from_u64(5));
        assert_ne!(h[0].aim_slot, Some(far), "dropped: now out of range, the nearest bird instead");
    }

    /// Steps until a hunter starting at `start`, heading `+x`, catches a lone bird flying
    /// straight up from `bird` at `bird_speed` (each step the bird moves, then the hunt runs).
    fn steps_to_catch(guidance: Guidance, start: Vec2, bird: Vec2, bird_speed: f32) -> Option<u32> {
        let p = SimParams {
            world_width: 4000.0,
            world_height: 4000.0,
            predator_guidance: guidance,
            predator_turn_rate: 180.0,
            catch_radius: 4.0,
            ..params()
        };
        let space = Space::from_params(&p);
        let mut h = [hunter(start, Vec2::X * hunter_speed(&p), PredatorKind::Hunter)];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(6);
        for step in 0..2000u32 {
            let at = bird + Vec2::Y * bird_speed * p.dt() * step as f32;
            let mut g = SpatialGrid::default();
            g.rebuild(space, 50.0, std::iter::once((0, at, Vec2::Y * bird_speed)));
            // the hunt's lock: last step's aim, where the bird is now
            h[0].locked = h[0].aim_slot.map(|s| (s, at));
            let world = HuntWorld { params: &p, grid: &g, counts: &[], now: |_| Some(at), step: u64::from(step) };
            if !hunt_step(&world, &mut h, &mut rng).0.is_empty() {
                return Some(step);
            }
        }
        None
    }

    #[test]
    fn proportional_navigation_intercepts_sooner_than_pursuit() {
        // the bird crosses the hunter's path at 100 u/s; the hunter flies at 180 u/s
        let (start, bird) = (Vec2::new(500.0, 1000.0), Vec2::new(1100.0, 700.0));
        let pursuit = steps_to_catch(Guidance::Pursuit, start, bird, 100.0).expect("pursuit catches");
        let pn = steps_to_catch(Guidance::ProportionalNavigation, start, bird, 100.0).expect("navigation catches");
        assert!(pn < pursuit, "proportional navigation took {pn} steps, pursuit {pursuit}");
        // a still bird straight ahead: the line of sight does not turn, both fly straight at it
        let ahead = (Vec2::new(500.0, 1000.0), Vec2::new(1100.0, 1000.0));
        let straight = steps_to_catch(Guidance::Pursuit, ahead.0, ahead.1, 0.0);
        assert_eq!(straight, steps_to_catch(Guidance::ProportionalNavigation, ahead.0, ahead.1, 0.0));
        assert_eq!(straight, Some(198), "600 u at 3 u a step: within the catch radius of 4 u after 199 steps");
    }

    #[test]
    fn navigation_turns_with_the_line_of_sight_within_the_turn_limit() {
        let h = navigate(Vec2::X, 0.01, 3.0, 1.0);
        assert!((h.to_angle() - 0.03).abs() < 1e-6);
        assert!((navigate(Vec2::X, -0.5, 3.0, 0.2).to_angle() + 0.2).abs() < 1e-6, "limited");
        assert!((angle_between(3.1, -3.1) - (std::f32::consts::TAU - 6.2)).abs() < 1e-5, "across ±π");
    }
}
