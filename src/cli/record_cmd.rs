//! `murmuration record`: a run (or an in-app recording's replay) rendered offscreen to a file.

use anyhow::{Result, bail};

use super::RecordArgs;
use crate::record::{RecordOptions, ReplayPlan, Sidecar, parse_size, record};

/// Runs the command: checks the arguments, renders with a progress bar, prints what it wrote.
pub fn run(args: &RecordArgs, flags: &[(&'static str, String)]) -> Result<()> {
    let (config, options, expected_hash) = match &args.replay {
        Some(path) => {
            if let Some((key, _)) = flags.first() {
                bail!("--{key} cannot be used with --replay: the replay file holds the run's parameters");
            }
            let sidecar = Sidecar::load(path)?;
            let size = args.size.as_deref().map(parse_size).transpose()?.unwrap_or(sidecar.size);
            let plan = ReplayPlan {
                start_step: sidecar.start_step,
                steps_per_frame: sidecar.steps_per_frame,
                frames: sidecar.frames(),
                changes: sidecar.changes.clone(),
            };
            let fps = args.fps.unwrap_or(sidecar.fps);
            let seconds = plan.frames as f32 / fps as f32;
            let options = RecordOptions { seconds, fps, size, out: args.out.clone(), replay: Some(plan) };
            (sidecar.run_config(), options, Some(sidecar.state_hash.clone()))
        }
        None => {
            let config = args.run.resolve(flags, "story")?;
            let size = parse_size(args.size.as_deref().unwrap_or("1280x720"))?;
            let options =
                RecordOptions { seconds: args.seconds.unwrap_or(10.0), fps: args.fps.unwrap_or(30), size, out: args.out.clone(), replay: None };
            (config, options, None)
        }
    };
    let bar = std::io::IsTerminal::is_terminal(&std::io::stderr()).then(|| {
        let bar = indicatif::ProgressBar::new(u64::from(options.frames()));
        bar.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} frames  {per_sec}  eta {eta}").expect("valid template"),
        );
        bar
    });
    let started = std::time::Instant::now();
    let done = record(&config, &options, bar.as_ref())?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "wrote {} ({} frames, {:.1} frames/s) steps={} state_hash={:016x}",
        done.path.display(),
        done.frames,
        f64::from(done.frames) / secs,
        done.step,
        done.state_hash
    );
    if let Some(expected) = expected_hash {
        let got = format!("{:016x}", done.state_hash);
        if got == expected {
            println!("replay matches the recorded run (state_hash {got})");
        } else {
            bail!("replay diverged from the recorded run: state_hash {got}, the recording says {expected}");
        }
    }
    Ok(())
}
