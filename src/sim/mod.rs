//! The flock simulation: parameters, the spatial hash, the rules and integration.
//!
//! Runs in `FixedUpdate` with a fixed timestep, under `MinimalPlugins` or `DefaultPlugins` alike.
//! Never imports rendering, windowing or UI.

pub mod alarm;
pub mod components;
pub mod grid;
pub mod hash;
pub mod parallel;
pub mod params;
pub mod predator;
pub mod repair;
pub mod rules;
pub mod run_state;
pub mod script;
pub mod space;
pub mod spawn;
pub mod systems;
pub mod timeline;
pub mod vector;
pub mod vision;

use bevy::prelude::*;

pub use alarm::Alarm;
pub use components::{Bird, GridSlot, Position, Velocity};
pub use grid::SpatialGrid;
pub use params::SimParams;
pub use spawn::{Population, SimRng, SimSeed};
pub use predator::{PredationLog, Predator, PredatorKind};
pub use script::{Dive, Script};
pub use systems::SimClock;
pub use timeline::{Change, ReplaySchedule, TimedChange, Timeline};
pub use run_state::{RunStateAppExt, StartRun};

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

/// The order of the work in [`SimSystems::Population`]: what changes the run before the step
/// (and draws from the random stream, always in this order).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PopulationSystems {
    /// Parameter changes are logged and a replay's changes applied.
    Changes,
    /// Birds spawned or removed to match `boid_count`.
    Birds,
    /// Hunters matched to `predator_count`; the step's predation log cleared.
    Predators,
    /// Scripted dives due now.
    Script,
    /// Repair-mode hatching.
    Repair,
    /// Every bird given an alarm state, or relieved of it, as the alarm is switched.
    AlarmState,
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
/// bird and predator, reseeds the random stream, and starts the run afresh ([`run_state::start_run`]:
/// every per-run resource back to its default, then the [`StartRun`] systems).
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
    run_state::start_run(world);
    world.write_message(SimReset { seed });
}

/// Orders the step's phases ([`SimSystems`], gated by [`sim_running`]) and the population's
/// ([`PopulationSystems`]) once, in `FixedUpdate`.
fn configure_step_sets(app: &mut App) {
    app            .configure_sets(
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
            .configure_sets(
                FixedUpdate,
                (
                    PopulationSystems::Changes,
                    PopulationSystems::Birds,
                    PopulationSystems::Predators,
                    PopulationSystems::Script,
                    PopulationSystems::Repair,
                    PopulationSystems::AlarmState,
                )
                    .chain()
                    .in_set(SimSystems::Population),
            );
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
        app.insert_resource(self.params.constrained())
            .insert_resource(SimSeed(self.seed))
            .insert_resource(SimRng::from_seed(self.seed))
            .insert_resource(Time::<Fixed>::from_hz(f64::from(self.params.step_rate)))
            .init_run_resource::<systems::GridEntities>()
            .init_run_resource::<systems::NeighborSumsBuf>()
            .init_run_resource::<systems::StepForces>()
            .init_run_resource::<vision::Silhouettes>()
            .init_resource::<SimControl>()
            .init_resource::<ResetRequest>()
            .add_message::<SimReset>()
            .init_schedule(StartRun)
            .init_run_resource::<Population>()
            .init_run_resource::<SpatialGrid>()
            .init_run_resource::<SimClock>();
        configure_step_sets(app);
        app.add_systems(Startup, run_state::start_run)
            .add_systems(PreUpdate, apply_reset)
            .add_systems(First, systems::sync_timestep)
            .add_systems(StartRun, spawn::sync_population)
            .add_systems(
                FixedUpdate,
                (
                    spawn::sync_population.in_set(PopulationSystems::Birds),
                    systems::rebuild_grid.in_set(SimSystems::BuildGrid),
                    systems::gather_neighbors.in_set(SimSystems::Gather),
                    // Chained: the forces are summed in one fixed order (bit-identical results).
                    (systems::separation, systems::alignment, systems::cohesion).chain().in_set(SimSystems::Rules),
                    // After flee and the alarm: a bird that flees or escapes does not steer by sight.
                    vision::vision.in_set(SimSystems::Rules).after(alarm::alarm),
                    systems::integrate.in_set(SimSystems::Integrate),
                    systems::advance_clock.in_set(SimSystems::Resolve),
                ),
            )
            .add_systems(FixedLast, clear_step_once)
            .add_plugins((
                timeline::TimelinePlugin,
                predator::PredatorPlugin,
                alarm::AlarmPlugin,
                script::ScriptPlugin { script: self.script.clone() },
                repair::RepairPlugin,
            ));
    }
}
