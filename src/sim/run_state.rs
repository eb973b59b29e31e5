//! What belongs to one run, set up the same way at start-up and at every restart.
//!
//! A feature's plugin registers its per-run resources with [`RunStateAppExt::init_run_resource`]
//! and its start-of-run systems (spawning the flock, the hunters, a fresh timeline) in the
//! [`StartRun`] schedule. [`start_run`] puts every per-run resource back to its default and runs
//! `StartRun`: at `Startup`, and again in `apply_reset` after the birds are gone and the random
//! stream is reseeded. A new per-run resource cannot silently survive a restart.

use bevy::ecs::schedule::ScheduleLabel;
use bevy::prelude::*;

/// The systems that set up a run: at start-up and after every restart, in registration order
/// where they are chained.
#[derive(ScheduleLabel, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StartRun;

/// How to put each per-run resource back to its start.
#[derive(Resource, Default)]
pub struct RunResources(Vec<fn(&mut World)>);

/// Registration of per-run state.
pub trait RunStateAppExt {
    /// Adds `R` (its default) as a per-run resource: reset to its default at every restart.
    fn init_run_resource<R: Resource + Default>(&mut self) -> &mut Self;
}

impl RunStateAppExt for App {
    fn init_run_resource<R: Resource + Default>(&mut self) -> &mut Self {
        self.init_resource::<R>();
        self.world_mut().get_resource_or_init::<RunResources>().0.push(|world| world.insert_resource(R::default()));
        self
    }
}

/// Puts every per-run resource back to its default and runs [`StartRun`].
pub fn start_run(world: &mut World) {
    let resets = world.get_resource::<RunResources>().map(|r| r.0.clone()).unwrap_or_default();
    for reset in resets {
        reset(world);
    }
    world.run_schedule(StartRun);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Resource, Default, Debug, PartialEq)]
    struct Counter(u32);

    fn bump(mut c: ResMut<Counter>) {
        c.0 += 10;
    }

    #[test]
    fn a_run_resource_starts_over_and_start_systems_run_again() {
        let mut app = App::new();
        app.init_schedule(StartRun).init_run_resource::<Counter>().add_systems(StartRun, bump);
        app.world_mut().resource_mut::<Counter>().0 = 7;
        start_run(app.world_mut());
        assert_eq!(app.world().resource::<Counter>().0, 10, "reset to 0, then the start system ran once");
        app.world_mut().resource_mut::<Counter>().0 = 99;
        start_run(app.world_mut());
        assert_eq!(app.world().resource::<Counter>().0, 10);
    }
}
