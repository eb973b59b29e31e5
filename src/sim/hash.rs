//! The state hash: a fingerprint of every bird's position and velocity bits, and of its alarm
//! when it is not calm.

use bevy::prelude::World;

use super::alarm::Alarm;
use super::components::{Bird, Position, Velocity};
use super::vector::Vector;

/// FNV-1a over `(id, x, y, vx, vy)` of every bird (`(id, x, y, z, vx, vy, vz)` in 3D), in id
/// order, followed by `(kind, step)` of its alarm unless it is calm (so runs without alarms keep
/// the hashes they had before alarms existed). Stable across runs, machines and releases: equal
/// hashes mean bit-identical states (up to hash collisions).
pub fn state_hash<V: Vector>(birds: impl Iterator<Item = (u32, V, V, Alarm)>) -> u64 {
    let mut all: Vec<_> = birds.collect();
    all.sort_unstable_by_key(|&(id, ..)| id);
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |word: u32| {
        for byte in word.to_le_bytes() {
            h ^= u64::from(byte);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (id, p, v, alarm) in all {
        eat(id);
        for x in p.coords().chain(v.coords()) {
            eat(x.to_bits());
        }
        if let Some((kind, step)) = alarm.code() {
            for word in [kind, step as u32, (step >> 32) as u32] {
                eat(word);
            }
        }
    }
    h
}

/// The state hash of every bird in a world.
pub fn world_state_hash(world: &mut World) -> u64 {
    let mut q = world.query::<(&Bird, &Position, &Velocity, Option<&Alarm>)>();
    state_hash(q.iter(world).map(|(b, p, v, a)| (b.id, p.0, v.0, a.copied().unwrap_or_default())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bevy::math::{Vec2, Vec3};

    #[test]
    fn hash_ignores_order_but_not_bits() {
        let a = (1, Vec2::new(1.0, 2.0), Vec2::new(3.0, 4.0), Alarm::Calm);
        let b = (2, Vec2::new(5.0, 6.0), Vec2::new(7.0, 8.0), Alarm::Calm);
        assert_eq!(state_hash([a, b].into_iter()), state_hash([b, a].into_iter()));
        let nudged = (2, Vec2::new(5.0, f32::from_bits(6.0f32.to_bits() + 1)), Vec2::new(7.0, 8.0), Alarm::Calm);
        assert_ne!(state_hash([a, b].into_iter()), state_hash([a, nudged].into_iter()));
        let alarmed = (2, b.1, b.2, Alarm::Alarmed { until: 9, from: 0 });
        assert_ne!(state_hash([a, b].into_iter()), state_hash([a, alarmed].into_iter()), "the alarm is part of the state");
        assert_ne!(state_hash([a, alarmed].into_iter()), state_hash([a, (2, b.1, b.2, Alarm::Pending { at: 9 })].into_iter()));
        assert_eq!(state_hash::<Vec2>(std::iter::empty()), 0xcbf2_9ce4_8422_2325);
    }

    #[test]
    fn a_flat_bird_hashes_its_four_numbers_and_a_3d_bird_its_six() {
        // the 2D stream is (id, x, y, vx, vy): pinned, so generic code cannot move a 2D hash
        let flat = state_hash([(7, Vec2::new(1.0, 2.0), Vec2::new(3.0, 4.0), Alarm::Calm)].into_iter());
        assert_eq!(flat, 0xc91f_d688_6968_9bbb, "{flat:#x}");
        let bird = |z: f32, vz: f32| state_hash([(7, Vec3::new(1.0, 2.0, z), Vec3::new(3.0, 4.0, vz), Alarm::Calm)].into_iter());
        let level = bird(0.0, 0.0);
        assert!(level != bird(5.0, 0.0) && level != bird(0.0, 5.0) && bird(5.0, 0.0) != bird(0.0, 5.0), "z and vz are part of a 3D state, each in its place");
    }
}
