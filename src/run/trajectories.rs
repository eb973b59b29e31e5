//! Trajectories: every agent's position and velocity every K steps, streamed to CSV (gzip when
//! the path ends in `.gz`) as `t,id,x,y,vx,vy,kind`, one row per agent per frame, birds then
//! predators, each in id order. The columns load as they are in pandas, R or swaRmverse.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use bevy::prelude::*;
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::io::AtomicFile;
use crate::sim::{Bird, Position, Predator, SimClock, Velocity};

/// The file's header line.
pub const HEADER: &str = "t,id,x,y,vx,vy,kind";

enum Sink {
    Plain(AtomicFile),
    Gzip(GzEncoder<AtomicFile>),
}

/// A trajectory file being written; put in place by [`TrajectoryWriter::finish`] (dropped
/// unfinished, it leaves nothing behind).
pub struct TrajectoryWriter {
    sink: Sink,
    every: u64,
    rows: Vec<(u32, Vec2, Vec2)>,
    line: String,
}

impl TrajectoryWriter {
    /// Starts writing `path`, a frame every `every` steps (at least 1).
    pub fn create(path: &Path, every: u64) -> Result<Self> {
        let file = AtomicFile::create(path)?;
        let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let mut sink = if gz { Sink::Gzip(GzEncoder::new(file, Compression::fast())) } else { Sink::Plain(file) };
        writeln!(sink.out(), "{HEADER}").with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Self { sink, every: every.max(1), rows: Vec::new(), line: String::with_capacity(1 << 16) })
    }

    /// Writes a frame of the world if its step is one of the recorded ones (step 0 is).
    pub fn observe(&mut self, world: &mut World) -> std::io::Result<()> {
        let clock = world.resource::<SimClock>();
        if !clock.step.is_multiple_of(self.every) {
            return Ok(());
        }
        let t = clock.time;
        self.rows.clear();
        self.rows.extend(world.query::<(&Bird, &Position, &Velocity)>().iter(world).map(|(b, p, v)| (b.id, p.0, v.0)));
        self.rows.sort_unstable_by_key(|r| r.0);
        let birds = self.rows.len();
        self.rows.extend(world.query::<(&Predator, &Position, &Velocity)>().iter(world).map(|(b, p, v)| (b.id, p.0, v.0)));
        self.rows[birds..].sort_unstable_by_key(|r| r.0);
        for (i, (id, p, v)) in self.rows.iter().enumerate() {
            use std::fmt::Write as _;
            let kind = if i < birds { "bird" } else { "predator" };
            let _ = writeln!(self.line, "{t:.6},{id},{},{},{},{},{kind}", p.x, p.y, v.x, v.y);
            if self.line.len() > 60_000 {
                self.sink.out().write_all(self.line.as_bytes())?;
                self.line.clear();
            }
        }
        self.sink.out().write_all(self.line.as_bytes())?;
        self.line.clear();
        Ok(())
    }

    /// Ends the file (the gzip trailer) and puts it in place.
    pub fn finish(self) -> Result<()> {
        match self.sink {
            Sink::Plain(file) => file.finish(),
            Sink::Gzip(gz) => gz.finish().context("cannot finish the gzip stream")?.finish(),
        }
    }
}

impl Sink {
    fn out(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(f) => f,
            Sink::Gzip(g) => g,
        }
    }
}
