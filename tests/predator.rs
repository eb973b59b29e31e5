//! Predators in a real (headless) world: catches, cooldown, idling with no birds.

use bevy::math::Vec2;
use bevy::prelude::*;
use murmuration::sim::predator::{PredatorKind, PredatorRoster, spawn_predator};
use murmuration::sim::spawn::{Population, spawn_birds};
use murmuration::sim::space::Space;
use murmuration::sim::{PredationLog, Predator, Position, SimParams};

use crate::support::{birds, headless};

/// A still world: no flocking forces, birds and predator crawling, no fear.
fn still_params() -> SimParams {
    SimParams {
        boid_count: 0,
        world_width: 400.0,
        world_height: 400.0,
        separation_weight: 0.0,
        alignment_weight: 0.0,
        cohesion_weight: 0.0,
        min_speed: 1.0,
        max_speed: 1.0,
        predator_speed: 0.5,
        flee_weight: 0.0,
        confusion: 0.0,
        catch_radius: 5.0,
        catch_cooldown: 1.0,
        ..SimParams::default()
    }
}

fn place(sim: &mut murmuration::run::headless::Headless, birds_at: &[Vec2], predator_at: Vec2) {
    let world = sim.app.world_mut();
    let params = world.resource::<SimParams>().clone();
    world.resource_scope(|world, mut population: Mut<Population>| {
        world.resource_scope(|world, mut roster: Mut<PredatorRoster>| {
            let mut commands = world.commands();
            let mut it = birds_at.iter();
            spawn_birds(&mut commands, &mut population, &params, birds_at.len() as u32, || (*it.next().unwrap(), Vec2::new(0.0, 1.0)));
            spawn_predator(&mut commands, &mut roster, PredatorKind::Placed, predator_at, Vec2::new(0.0, 0.5));
        });
    });
    world.flush();
}

fn kills(sim: &mut murmuration::run::headless::Headless) -> Vec<(u64, u32)> {
    let log = sim.app.world().resource::<PredationLog>();
    // this step's kills are among the run's
    assert!(log.total_kills as usize >= log.kills.len(), "{} in total, {} this step", log.total_kills, log.kills.len());
    log.kills.iter().map(|k| (k.step, k.bird_id)).collect()
}

#[test]
fn a_catch_removes_exactly_the_bird_within_reach() {
    let mut sim = headless(still_params(), 1);
    place(&mut sim, &[Vec2::new(100.0, 102.0), Vec2::new(100.0, 140.0), Vec2::new(300.0, 300.0)], Vec2::new(100.0, 100.0));
    sim.step(1);
    assert_eq!(kills(&mut sim), vec![(0, 0)]);
    let left: Vec<u32> = { let mut v: Vec<u32> = birds(&mut sim).iter().map(|b| b.0).collect(); v.sort(); v };
    assert_eq!(left, vec![1, 2]);
    assert_eq!(sim.app.world().resource::<PredationLog>().total_kills, 1);
}

#[test]
fn cooldown_is_honoured() {
    let mut sim = headless(still_params(), 1);
    place(&mut sim, &[Vec2::new(100.0, 102.0), Vec2::new(100.0, 103.0)], Vec2::new(100.0, 100.0));
    let mut kill_steps = Vec::new();
    for _ in 0..90 {
        sim.step(1);
        kill_steps.extend(kills(&mut sim).into_iter().map(|(step, _)| step));
    }
    assert_eq!(kill_steps.len(), 2, "{kill_steps:?}");
    assert_eq!(kill_steps[0], 0);
    // 1 s cooldown at 60 steps/s: not before step 60
    assert!(kill_steps[1] >= 59 && kill_steps[1] <= 61, "{kill_steps:?}");
}

#[test]
fn confusion_saves_birds_in_a_crowd() {
    // The same attack on a lone bird and on a bird in a crowd of 30, many seeds.
    let mut caught = [0, 0];
    for seed in 0..20 {
        for (k, crowd) in [1usize, 30].into_iter().enumerate() {
            let params = SimParams { confusion: 1.0, confusion_radius: 15.0, catch_cooldown: 30.0, ..still_params() };
            let mut sim = headless(params, seed);
            let mut at = vec![Vec2::new(100.0, 102.0)];
            at.extend((1..crowd).map(|i| Vec2::new(100.0 + (i % 6) as f32 * 2.0 - 5.0, 106.0 + (i / 6) as f32 * 2.0)));
            place(&mut sim, &at, Vec2::new(100.0, 100.0));
            sim.step(1);
            caught[k] += sim.app.world().resource::<PredationLog>().total_kills;
        }
    }
    assert_eq!(caught[0], 20, "a lone bird is always caught at confusion 1");
    assert!(caught[1] <= 8, "crowded birds are caught far less often: {caught:?}");
}

#[test]
fn predators_idle_without_birds() {
    let params = SimParams { boid_count: 0, predator_count: 3, ..SimParams::default() };
    let space = Space::from_params(&params);
    let mut sim = headless(params, 9);
    sim.step(200);
    let world = sim.app.world_mut();
    let mut q = world.query::<(&Predator, &Position)>();
    let all: Vec<_> = q.iter(world).map(|(p, pos)| (p.id, pos.0)).collect();
    assert_eq!(all.len(), 3);
    for (id, p) in all {
        assert!(p.is_finite() && space.contains(p), "predator {id} at {p:?}");
    }
}

#[test]
fn predator_count_changes_live() {
    let mut sim = headless(SimParams { boid_count: 50, predator_count: 1, ..SimParams::default() }, 2);
    let count = |sim: &mut murmuration::run::headless::Headless| {
        let w = sim.app.world_mut();
        w.query::<&Predator>().iter(w).count()
    };
    assert_eq!(count(&mut sim), 1);
    sim.app.world_mut().resource_mut::<SimParams>().predator_count = 4;
    sim.step(1);
    assert_eq!(count(&mut sim), 4);
    // while there are predators the step names the bird in each grid slot; without, it keeps no table
    let named = |sim: &murmuration::run::headless::Headless| sim.app.world().resource::<murmuration::sim::systems::GridEntities>().0.capacity();
    sim.step(1);
    assert!(named(&sim) >= 50);
    sim.app.world_mut().resource_mut::<SimParams>().predator_count = 0;
    sim.step(1);
    assert_eq!(count(&mut sim), 0);
    sim.step(1);
    assert_eq!(named(&sim), 0);
}

/// The step holds flee forces only while some bird flees: none in a run without predators, room
/// for every bird while they hunt, none again two steps after they are gone.
#[test]
fn flee_forces_are_held_only_while_birds_flee() {
    use murmuration::sim::systems::StepForces;
    let held = |sim: &murmuration::run::headless::Headless| sim.app.world().resource::<StepForces>().flee_capacity();
    let params = SimParams { boid_count: 400, world_width: 500.0, world_height: 400.0, ..SimParams::default() };
    let mut calm = headless(params.clone(), 1);
    calm.step(60);
    assert_eq!(held(&calm), 0, "no predator, no flee forces");
    let mut hunted = headless(SimParams { predator_count: 2, ..params }, 1);
    hunted.step(30);
    assert!(held(&hunted) >= 400, "two predators in a small world: birds flee");
    hunted.app.world_mut().resource_mut::<SimParams>().predator_count = 0;
    hunted.step(3);
    assert_eq!(held(&hunted), 0);
}

/// Birds carry an alarm state exactly while the alarm is on: none with it off (no memory spent),
/// every bird (newborns too) once it is switched on, and none again once it is off. Switching it
/// on before the first step gives the same run as starting with it on.
#[test]
fn alarm_state_follows_the_switch() {
    use murmuration::sim::alarm::AlarmCount;
    use murmuration::sim::components::TurnRate;
    use murmuration::sim::params::OnOff;
    use murmuration::sim::{Alarm, Bird};

    let params = SimParams { boid_count: 400, predator_count: 2, world_width: 500.0, world_height: 400.0, ..SimParams::default() };
    let carrying = |sim: &mut murmuration::run::headless::Headless| {
        let w = sim.app.world_mut();
        let birds = w.query::<&Bird>().iter(w).count();
        let alarms = w.query::<(&Bird, &Alarm, &TurnRate)>().iter(w).count();
        (birds, alarms)
    };
    let set = |sim: &mut murmuration::run::headless::Headless, alarm: OnOff, boid_count: u32| {
        let mut p = sim.app.world_mut().resource_mut::<SimParams>();
        (p.alarm, p.boid_count) = (alarm, boid_count);
    };

    let mut sim = headless(params.clone(), 5);
    sim.step(10);
    let (before, alarms) = carrying(&mut sim);
    assert_eq!(alarms, 0, "no alarm state while the alarm is off");
    set(&mut sim, OnOff::On, 450);
    sim.step(1);
    let (birds, alarms) = carrying(&mut sim);
    assert!(birds > before, "birds are born: {before} -> {birds}");
    assert_eq!(alarms, birds, "every bird has one once it is on, those born with it too");
    let mut alarmed = 0;
    for _ in 0..300 {
        sim.step(1);
        alarmed = alarmed.max(sim.app.world().resource::<AlarmCount>().alarmed);
    }
    assert!(alarmed > 0, "two hunting predators alarm some birds");
    set(&mut sim, OnOff::Off, 450);
    sim.step(1);
    assert_eq!(carrying(&mut sim).1, 0, "switched off, the state goes");
    assert_eq!(sim.app.world().resource::<AlarmCount>().active, 0);

    let on = SimParams { alarm: OnOff::On, ..params.clone() };
    let mut from_start = headless(on, 5);
    let mut switched = headless(params, 5);
    set(&mut switched, OnOff::On, 400);
    from_start.step(200);
    switched.step(200);
    assert_eq!(from_start.state_hash(), switched.state_hash(), "switched on before the first step = on from the start");
}
