//! Trajectories: every agent's position and velocity every K steps, streamed to CSV (gzip when
//! the path ends in `.gz`) as `t,id,x,y,vx,vy,kind`, one row per agent per frame, birds then
//! predators, each in id order. The columns load as they are in pandas, R or swaRmverse.

use std::io::Write;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

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

/// One frame: the time and every agent `(id, position, velocity)`, birds first.
struct Frame {
    t: f64,
    birds: usize,
    rows: Vec<(u32, Vec2, Vec2)>,
}

/// A trajectory file being written; put in place by [`TrajectoryWriter::finish`] (dropped
/// unfinished, it leaves nothing behind). The simulation thread only copies each frame's
/// positions; a writer thread formats, compresses and writes them while the next steps run.
pub struct TrajectoryWriter {
    every: u64,
    frames: Option<SyncSender<Frame>>,
    writer: Option<JoinHandle<std::io::Result<Sink>>>,
}

impl TrajectoryWriter {
    /// Starts writing `path`, a frame every `every` steps (at least 1).
    pub fn create(path: &Path, every: u64) -> Result<Self> {
        let file = AtomicFile::create(path)?;
        let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
        let sink = if gz { Sink::Gzip(GzEncoder::new(file, Compression::fast())) } else { Sink::Plain(file) };
        // Two frames in flight at most: memory stays bounded however long the run.
        let (frames, received) = sync_channel::<Frame>(2);
        let writer = std::thread::Builder::new().name("trajectories".into()).spawn(move || write_frames(sink, received))?;
        Ok(Self { every: every.max(1), frames: Some(frames), writer: Some(writer) })
    }

    /// Records a frame of the world if its step is one of the recorded ones (step 0 is).
    pub fn observe(&mut self, world: &mut World) -> std::io::Result<()> {
        let clock = world.resource::<SimClock>();
        if !clock.step.is_multiple_of(self.every) {
            return Ok(());
        }
        let t = clock.time;
        // Not `outputs`' state-dump collection: that one carries each bird's alarm, and the larger
        // rows made a 10,000-bird CSV run about 10 % slower (measured).
        let mut rows: Vec<(u32, Vec2, Vec2)> = world.query::<(&Bird, &Position, &Velocity)>().iter(world).map(|(b, p, v)| (b.id, p.0, v.0)).collect();
        rows.sort_unstable_by_key(|r| r.0);
        let birds = rows.len();
        rows.extend(world.query::<(&Predator, &Position, &Velocity)>().iter(world).map(|(b, p, v)| (b.id, p.0, v.0)));
        rows[birds..].sort_unstable_by_key(|r| r.0);
        let sent = self.frames.as_ref().is_some_and(|f| f.send(Frame { t, birds, rows }).is_ok());
        if sent {
            return Ok(());
        }
        // The writer stopped: report why.
        self.frames = None;
        match self.writer.take().map(JoinHandle::join) {
            Some(Ok(Err(e))) => Err(e),
            _ => Err(std::io::Error::other("the trajectory writer stopped")),
        }
    }

    /// Ends the file (the gzip trailer) and puts it in place.
    pub fn finish(mut self) -> Result<()> {
        // (`Drop` then finds nothing left to stop.)
        drop(self.frames.take());
        let sink = self.writer.take().context("the trajectory writer stopped")?.join().map_err(|_| anyhow::anyhow!("the trajectory writer panicked"))??;
        match sink {
            Sink::Plain(file) => file.finish(),
            Sink::Gzip(gz) => gz.finish().context("cannot finish the gzip stream")?.finish(),
        }
    }
}

impl Drop for TrajectoryWriter {
    /// Unfinished (an error, a panic): stops the writer thread, whose file then removes its
    /// temporary file.
    fn drop(&mut self) {
        drop(self.frames.take());
        if let Some(writer) = self.writer.take() {
            let _ = writer.join();
        }
    }
}

/// The writer thread: the header, then each frame as it arrives, until the sender is dropped.
fn write_frames(mut sink: Sink, frames: Receiver<Frame>) -> std::io::Result<Sink> {
    let mut text = Vec::with_capacity(1 << 17);
    text.extend_from_slice(HEADER.as_bytes());
    text.push(b'\n');
    let (mut ints, mut floats) = (itoa::Buffer::new(), zmij::Buffer::new());
    for frame in frames {
        let t = format!("{:.6},", frame.t);
        for (i, (id, p, v)) in frame.rows.iter().enumerate() {
            text.extend_from_slice(t.as_bytes());
            text.extend_from_slice(ints.format(*id).as_bytes());
            for value in [p.x, p.y, v.x, v.y] {
                text.push(b',');
                text.extend_from_slice(floats.format(value).as_bytes());
            }
            text.extend_from_slice(if i < frame.birds { b",bird\n" } else { b",predator\n" });
            if text.len() > 1 << 16 {
                sink.out().write_all(&text)?;
                text.clear();
            }
        }
    }
    sink.out().write_all(&text)?;
    Ok(sink)
}

impl Sink {
    fn out(&mut self) -> &mut dyn Write {
        match self {
            Sink::Plain(f) => f,
            Sink::Gzip(g) => g,
        }
    }
}
