//! The named-option parameters (edge mode, predator strategy, on/off switches).

use bevy::reflect::Reflect;

use super::{ParamType, ParamValue};

/// Declares a choice enum whose variants map to option names in the parameter table.
macro_rules! choice_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[doc = $vdoc:literal])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Reflect)]
        pub enum $name { $($(#[doc = $vdoc])* $variant),+ }

        impl $name {
            /// Option names, in index order (as written in presets and on the command line).
            pub const OPTIONS: &'static [&'static str] = &[$($text),+];
            const VARIANTS: &'static [$name] = &[$($name::$variant),+];

            /// The option's name.
            pub fn name(self) -> &'static str {
                Self::OPTIONS[self as usize]
            }
        }

        impl ParamType for $name {
            fn to_value(self) -> ParamValue {
                ParamValue::Choice(self as usize)
            }
            fn from_value(value: ParamValue) -> Self {
                let index = match value {
                    ParamValue::Choice(i) => i,
                    ParamValue::Int(i) => i as usize,
                    ParamValue::Float(f) => f as usize,
                };
                Self::VARIANTS[index.min(Self::VARIANTS.len() - 1)]
            }
        }
    };
}

choice_enum! {
    /// What happens at the world's edges.
    EdgeMode {
        /// The world is a torus: leaving one side enters the other.
        Wrap = "wrap",
        /// Walls reflect birds like a billiard ball.
        Bounce = "bounce",
        /// Birds are steered back inside within a margin; walls hold those that overshoot.
        Steer = "steer",
        /// An open sky over a roost at the world's centre: birds farther than `roost_radius` from
        /// it are drawn back toward it; the walls are only a backstop.
        Roost = "roost",
    }
}

choice_enum! {
    /// How a predator picks its target.
    TargetStrategy {
        /// The nearest bird.
        Nearest = "nearest",
        /// The densest point: the centre of the biggest crowd.
        Densest = "densest",
        /// The bird with the fewest neighbours.
        Isolated = "isolated",
        /// Lock on to one bird until it is caught or lost.
        LockOn = "lock_on",
    }
}

choice_enum! {
    /// How a predator steers toward its aim.
    Guidance {
        /// Pure pursuit: head straight at the target, turning as fast as allowed.
        Pursuit = "pursuit",
        /// Proportional navigation: turn at `pn_gain` times the rate at which the line of sight
        /// to the target turns (the guidance law of missiles, fitted to peregrine attacks).
        ProportionalNavigation = "proportional_navigation",
    }
}

choice_enum! {
    /// Which birds a bird aligns with and is drawn to.
    NeighborMode {
        /// Every bird it sees within the neighbour radius.
        Metric = "metric",
        /// Its `topological_k` nearest birds it sees, no farther than the neighbour radius.
        Topological = "topological",
    }
}

choice_enum! {
    /// How an alarmed bird escapes.
    EscapeMode {
        /// Turn straight away from the nearest predator.
        TurnAway = "turn_away",
        /// Away from the nearest predator, veering 45° left and right in turn every
        /// `zigzag_period`.
        Zigzag = "zigzag",
    }
}

choice_enum! {
    /// A switch.
    OnOff {
        /// Disabled.
        Off = "off",
        /// Enabled.
        On = "on",
    }
}

impl OnOff {
    /// Whether the switch is on.
    pub fn is_on(self) -> bool {
        self == OnOff::On
    }
}
