//! The flock simulation: parameters, the spatial hash, the rules and integration.
//!
//! Runs in `FixedUpdate` with a fixed timestep, under `MinimalPlugins` or `DefaultPlugins` alike.
//! Never imports rendering, windowing or UI.

pub mod components;
pub mod grid;
pub mod hash;
pub mod params;
pub mod predator;
pub mod repair;
pub mod rules;
pub mod script;
pub mod space;
pub mod spawn;
pub mod systems;
pub mod timeline;

use bevy::prelude::*;

pub use components::{Bird, GridSlot, Neighborhood, Position, Steering, Velocity};
pub use grid::SpatialGrid;
pub use params::SimParams;
pub use spawn::{Population, SimRng, SimSeed};
pub use predator::{PredationLog, Predator, PredatorKind};
pub use script::{Dive, Script};
pub use systems::SimClock;
pub use timeline::{Change, ReplaySchedule, TimedChange, Timeline};

/// The phases of one fixed simulation step, in order.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SimSystems {
    /// Spawn and remove birds (population changes, repair hatching).
    Population,
    /// Rebuild the spatial grid (the read snapshot of this step).
    BuildGrid,
    /// The one neighbour pass.
    Gather,
    /// The rule systems, each adding a weighted force to the steering.
    Rules,
    /// Apply steering, speed limits and edges.
    Integrate,
    /// After the birds moved: predators, catches, the clock.
    Resolve,
}

/// Whether the simulation advances. The desktop app pauses and single-steps through it.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SimControl {
    /// When true, fixed steps do nothing (unless `step_once` is set).
    pub paused: bool,
    /// Run exactly one step while paused, then clear.
    pub step_once: bool,
    /// Hold once this many steps have run (recording advances the simulation in exact amounts).
    pub hold_at: Option<u64>,
}

/// Run condition: the simulation should advance this fixed step.
pub fn sim_running(control: Res<SimControl>, clock: Res<SimClock>) -> bool {
    (!control.paused || control.step_once) && control.hold_at.is_none_or(|at| clock.step < at)
}

fn clear_step_once(mut control: ResMut<SimControl>) {
    control.step_once = false;
}

/// Asks for the simulation to restart with a seed (applied at the start of the next frame).
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ResetRequest(pub Option<u64>);

/// Sent after the simulation restarted.
#[derive(Message, Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimReset {
    /// The new seed.
    pub seed: u64,
}

/// Restarts the simulation from the current parameters and the requested seed: removes every
/// bird and predator, reseeds the random stream, zeroes the clock and counters, spawns afresh.
pub fn apply_reset(world: &mut World) {
    let Some(seed) = world.resource_mut::<ResetRequest>().0.take() else { return };
    let doomed: Vec<Entity> = world
        .query_filtered::<Entity, Or<(With<Bird>, With<Predator>)>>()
        .iter(world)
        .collect();
    for e in doomed {
        world.despawn(e);
    }
    world.insert_resource(SimSeed(seed));
    world.insert_resource(SimRng::from_seed(seed));
    world.insert_resource(Population::default());
    world.insert_resource(predator::PredatorRoster::default());
    world.insert_resource(PredationLog::default());
    world.insert_resource(repair::HatchBudget::default());
    world.insert_resource(SimClock::default());
    world.insert_resource(SpatialGrid::default());
    for result in [
        world.run_system_cached(spawn::sync_population),
        world.run_system_cached(predator::sync_predators),
    ] {
        if let Err(e) = result {
            error!("reset: {e}");
        }
    }
    world.write_message(SimReset { seed });
}

/// Adds the flock simulation: resources, the start-up flock and the fixed-step systems.
pub struct SimPlugin {
    /// The parameters to start with (already validated).
    pub params: SimParams,
    /// The run's seed.
    pub seed: u64,
    /// Scripted events (predator dives).
    pub script: Script,
}

impl Plugin for SimPlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(self.params.clone())
            .insert_resource(SimSeed(self.seed))
            .insert_resource(SimRng::from_seed(self.seed))
            .insert_resource(Time::<Fixed>::from_hz(f64::from(self.params.step_rate)))
            .insert_resource(self.script.clone())
            .init_resource::<Population>()
            .init_resource::<predator::PredatorRoster>()
            .init_resource::<PredationLog>()
            .init_resource::<repair::HatchBudget>()
            .init_resource::<systems::GridEntities>()
            .init_resource::<systems::NeighborSumsBuf>()
            .init_resource::<SpatialGrid>()
            .init_resource::<SimClock>()
            .init_resource::<SimControl>()
            .init_resource::<ResetRequest>()
            .add_message::<SimReset>()
            .insert_resource(Timeline::start(self.seed, self.params.clone(), self.script.dives.clone()))
            .add_systems(PreUpdate, (apply_reset, timeline::restart_timeline).chain())
            .configure_sets(
                FixedUpdate,
                (
                    SimSystems::Population,
                    SimSystems::BuildGrid,
                    SimSystems::Gather,
                    SimSystems::Rules,
                    SimSystems::Integrate,
                    SimSystems::Resolve,
                )
                    .chain()
                    .run_if(sim_running),
            )
            .add_systems(Startup, (spawn::sync_population, predator::sync_predators).chain())
            .add_systems(First, systems::sync_timestep)
            .add_systems(
                FixedUpdate,
                (
                    (
                        timeline::log_param_changes,
                        timeline::apply_scheduled,
                        predator::clear_log,
                        spawn::sync_population,
                        predator::sync_predators,
                        script::run_script,
                        repair::hatch,
                    )
                        .chain()
                        .in_set(SimSystems::Population),
                    systems::rebuild_grid.in_set(SimSystems::BuildGrid),
                    systems::gather_neighbors.in_set(SimSystems::Gather),
                    // Chained: the forces are summed in one fixed order (bit-identical results).
                    (systems::separation, systems::alignment, systems::cohesion, predator::flee)
                        .chain()
                        .in_set(SimSystems::Rules),
                    systems::integrate.in_set(SimSystems::Integrate),
                    (predator::hunt, systems::advance_clock)
                        .chain()
                        .in_set(SimSystems::Resolve),
                ),
            )
            .add_systems(FixedLast, clear_step_once);
    }
}
