//! The parameter table itself: the only place a parameter is declared.

use bevy::prelude::{Reflect, Resource};

use super::choices::{EdgeMode, EscapeMode, Guidance, NeighborMode, OnOff, TargetStrategy};
use super::spec::{ParamGroup, ParamKind, ParamSpec};
use super::ParamType;

/// Declares [`SimParams`] (one field per row), its `Default`, and the [`PARAMS`] table.
macro_rules! param_table {
    ($(
        $field:ident : $ty:ty = $kind:expr,
        group $group:ident, label $label:literal, unit $unit:literal,
        help $help:literal;
    )*) => {
        /// Every tunable parameter of the simulation, as one Bevy resource.
        ///
        /// Fields are declared once in the parameter table; see [`PARAMS`] for ranges and units.
        #[derive(Resource, Clone, Debug, PartialEq, Reflect)]
        pub struct SimParams {
            $(#[doc = $help] pub $field: $ty,)*
        }

        impl Default for SimParams {
            fn default() -> Self {
                Self { $($field: <$ty as ParamType>::from_value($kind.default_value()),)* }
            }
        }

        /// The parameter table: one row per field of [`SimParams`], in panel order.
        pub static PARAMS: &[ParamSpec] = &[$(
            ParamSpec {
                key: stringify!($field),
                label: $label,
                group: ParamGroup::$group,
                unit: $unit,
                kind: $kind,
                help: $help,
                get: |p| ParamType::to_value(p.$field),
                set: |p, v| p.$field = ParamType::from_value(v),
            },
        )*];
    };
}

const fn float(min: f32, max: f32, default: f32) -> ParamKind {
    ParamKind::Float { min, max, default }
}

const fn int(min: u32, max: u32, default: u32) -> ParamKind {
    ParamKind::Int { min, max, default }
}

param_table! {
    separation_weight: f32 = float(0.0, 10.0, 1.5),
        group Rules, label "Separation", unit "",
        help "Weight of the steering away from birds closer than the separation radius.";
    alignment_weight: f32 = float(0.0, 10.0, 1.0),
        group Rules, label "Alignment", unit "",
        help "Weight of the steering toward the neighbours' mean velocity.";
    cohesion_weight: f32 = float(0.0, 10.0, 0.8),
        group Rules, label "Cohesion", unit "",
        help "Weight of the steering toward the neighbours' centre.";
    vision_weight: f32 = float(0.0, 10.0, 0.0),
        group Rules, label "Vision", unit "",
        help "Weight of the steering toward the edges of the flock's silhouette as a bird sees it, out to the view range (Pearce et al. 2014, PNAS: birds respond to the projection of the flock they see): torn fragments find each other. 0: off.";

    neighbor_radius: f32 = float(1.0, 200.0, 25.0),
        group Perception, label "Neighbour radius", unit "u",
        help "Birds closer than this are neighbours for cohesion (and for alignment, up to its radius).";
    alignment_radius: f32 = float(1.0, 200.0, 200.0),
        group Perception, label "Alignment radius", unit "u",
        help "Alignment only counts neighbours closer than this (capped at the neighbour radius).";
    separation_radius: f32 = float(0.5, 200.0, 10.0),
        group Perception, label "Separation radius", unit "u",
        help "Birds closer than this push each other apart (inverse-distance weighted).";
    fov_deg: f32 = float(10.0, 360.0, 270.0),
        group Perception, label "Field of view", unit "°",
        help "Full angle of vision around the heading; birds behind it are not seen.";
    neighbor_mode: NeighborMode = ParamKind::Choice { options: NeighborMode::OPTIONS, default: 0 },
        group Perception, label "Neighbours", unit "",
        help "metric: align with and be drawn to every bird seen within the neighbour radius; topological: only the topological_k nearest seen (starlings interact with six to seven, Ballerini et al. 2008). Separation stays metric.";
    topological_k: u32 = int(1, 20, 7),
        group Perception, label "Topological k", unit "birds",
        help "In topological mode, how many nearest birds (seen, within the neighbour radius) each bird aligns with and is drawn to; ties go to the lower id.";

    view_range: f32 = float(1.0, 50000.0, 400.0),
        group Perception, label "View range", unit "u",
        help "How far a bird sees other birds' silhouette for the vision rule (beyond its neighbours; the silhouette's detail is a sixteenth of this).";

    max_speed: f32 = float(1.0, 1000.0, 120.0),
        group Motion, label "Max speed", unit "u/s",
        help "Speed limit; faster birds are slowed to it.";
    min_speed: f32 = float(0.0, 1000.0, 50.0),
        group Motion, label "Min speed", unit "u/s",
        help "Birds never fly slower than this (capped at max speed).";
    max_force: f32 = float(1.0, 10000.0, 300.0),
        group Motion, label "Max steering force", unit "u/s²",
        help "Limit on the length of the summed steering force (acceleration).";
    max_turn_rate: f32 = float(0.0, 3600.0, 0.0),
        group Motion, label "Max turn rate", unit "°/s",
        help "A bird's heading turns at most this fast, so it banks instead of flipping (0: no limit).";
    step_rate: u32 = int(10, 240, 60),
        group Motion, label "Step rate", unit "Hz",
        help "Fixed simulation steps per simulated second (timestep = 1 / step rate).";

    world_width: f32 = float(50.0, 50000.0, 1600.0),
        group World, label "World width", unit "u",
        help "Width of the world.";
    world_height: f32 = float(50.0, 50000.0, 900.0),
        group World, label "World height", unit "u",
        help "Height of the world.";
    edge_mode: EdgeMode = ParamKind::Choice { options: EdgeMode::OPTIONS, default: 0 },
        group World, label "Edges", unit "",
        help "wrap: a torus; bounce: reflecting walls; steer: birds turn back within the margin; roost: an open sky where birds far from the roost (the world's centre) are drawn back to it.";
    edge_margin: f32 = float(0.0, 1000.0, 60.0),
        group World, label "Edge margin", unit "u",
        help "In steer mode, birds closer than this to a wall are turned back.";
    roost_radius: f32 = float(10.0, 25000.0, 300.0),
        group World, label "Roost radius", unit "u",
        help "In roost mode, birds farther than this from the roost are drawn back toward it.";
    roost_weight: f32 = float(0.0, 10.0, 1.0),
        group World, label "Roost pull", unit "",
        help "In roost mode, the weight of the pull back toward the roost (it grows over half a roost radius beyond it).";
    boid_count: u32 = int(0, 1_000_000, 3000),
        group World, label "Birds", unit "",
        help "Number of birds; changing it spawns or removes birds.";
    spawn_radius: f32 = float(0.0, 50000.0, 0.0),
        group World, label "Spawn radius", unit "u",
        help "New birds start within this distance of the world's centre (0: anywhere).";
    spawn_spread_deg: f32 = float(0.0, 360.0, 360.0),
        group World, label "Spawn headings", unit "°",
        help "New birds start heading within this angle around +x (360: any direction); a small angle starts a flock already flying together.";

    predator_count: u32 = int(0, 16, 0),
        group Predator, label "Predators", unit "",
        help "Number of freely hunting predators.";
    predator_strategy: TargetStrategy = ParamKind::Choice { options: TargetStrategy::OPTIONS, default: 0 },
        group Predator, label "Targeting", unit "",
        help "nearest bird, densest crowd, most isolated bird, or lock_on (keep one target).";
    predator_speed: f32 = float(0.5, 5.0, 1.5),
        group Predator, label "Predator speed", unit "× max speed",
        help "Predator cruising speed as a multiple of the birds' max speed.";
    predator_turn_rate: f32 = float(10.0, 1080.0, 200.0),
        group Predator, label "Turn rate", unit "°/s",
        help "How fast a predator can turn.";
    predator_guidance: Guidance = ParamKind::Choice { options: Guidance::OPTIONS, default: 0 },
        group Predator, label "Guidance", unit "",
        help "pursuit (head straight at the target) or proportional_navigation (turn at pn_gain × the line of sight's turn rate, as peregrines do; Brighton et al. 2017).";
    pn_gain: f32 = float(1.0, 10.0, 3.0),
        group Predator, label "Navigation gain", unit "",
        help "Proportional navigation's constant N: missiles use 3 to 5, peregrines' attacks are best fitted by N below 3 (Brighton et al. 2017, PNAS).";
    predator_rest: f32 = float(0.0, 120.0, 0.0),
        group Predator, label "Rest", unit "s",
        help "After a catch a hunter breaks off and flies away from the flock for this long before it hunts again, as a falcon makes pass after pass (0: it hunts on without a break).";
    catch_radius: f32 = float(0.5, 50.0, 5.0),
        group Predator, label "Catch radius", unit "u",
        help "A bird this close to a predator can be caught.";
    catch_cooldown: f32 = float(0.0, 30.0, 1.5),
        group Predator, label "Cooldown", unit "s",
        help "After a catch the predator cannot catch again for this long.";
    confusion: f32 = float(0.0, 1.0, 1.0),
        group Predator, label "Confusion", unit "",
        help "Catch chance is 1 / (1 + confusion·(n−1)), n = birds within the confusion radius.";
    confusion_radius: f32 = float(0.0, 200.0, 15.0),
        group Predator, label "Confusion radius", unit "u",
        help "Birds this close to the target confuse the predator.";
    fear_radius: f32 = float(0.0, 400.0, 90.0),
        group Predator, label "Fear radius", unit "u",
        help "Birds closer than this to a predator flee from it.";
    flee_weight: f32 = float(0.0, 10.0, 4.0),
        group Predator, label "Flee", unit "",
        help "Weight of the steering away from predators within the fear radius.";

    alarm: OnOff = ParamKind::Choice { options: OnOff::OPTIONS, default: 0 },
        group Alarm, label "Alarm", unit "",
        help "When on, a bird within a predator's fear radius is alarmed, and birds that see an alarmed neighbour become alarmed after the reaction time: an alarm wave.";
    reaction_time: f32 = float(0.0, 2.0, 0.05),
        group Alarm, label "Reaction time", unit "s",
        help "Delay between seeing an alarmed neighbour and being alarmed (StarDisplay's reaction time is 50 ms).";
    alarm_duration: f32 = float(0.1, 10.0, 1.0),
        group Alarm, label "Alarm time", unit "s",
        help "How long a bird stays alarmed; afterwards it cannot be alarmed by neighbours for as long again (only by a predator it sees).";
    alarm_turn_rate: f32 = float(0.0, 3600.0, 0.0),
        group Alarm, label "Alarm turn", unit "°/s",
        help "A neighbour turning faster than this alarms the birds that see it, like an alarmed one (0: turns alarm nobody). Too low and escaping birds' own turns keep re-alarming the flock (falcon: 200 °/s kept the alarm going all run, 400 °/s let it die out).";
    escape_weight: f32 = float(0.0, 10.0, 4.0),
        group Alarm, label "Escape", unit "",
        help "Weight of an alarmed bird's steering away from the nearest predator.";
    escape_mode: EscapeMode = ParamKind::Choice { options: EscapeMode::OPTIONS, default: 0 },
        group Alarm, label "Escape mode", unit "",
        help "turn_away (straight away from the nearest predator) or zigzag (45° left and right of that in turn).";
    zigzag_period: f32 = float(0.1, 5.0, 0.5),
        group Alarm, label "Zigzag period", unit "s",
        help "In zigzag mode, seconds between changes of side.";

    repair: OnOff = ParamKind::Choice { options: OnOff::OPTIONS, default: 0 },
        group Repair, label "Repair", unit "",
        help "When on, new birds hatch near the flock until the count is back at Birds.";
    repair_rate: f32 = float(0.0, 10000.0, 20.0),
        group Repair, label "Hatch rate", unit "birds/s",
        help "How many birds hatch per second while the population is short.";

    link_distance: f32 = float(1.0, 500.0, 25.0),
        group Metrics, label "Linking distance", unit "u",
        help "Birds closer than this belong to the same cluster.";
    sample_every: u32 = int(1, 600, 6),
        group Metrics, label "Sample every", unit "steps",
        help "Metrics are measured every this many steps.";
}
