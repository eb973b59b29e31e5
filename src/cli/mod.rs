//! The command line: clap definitions and glue. Arguments become a [`RunConfig`] (`run/`), then
//! each subcommand calls the layer that does the work.
//!
//! Every parameter of the table is also a flag (`--separation-weight 2`), generated from the table.

pub mod bench;
mod memory;
pub mod panic;
mod params_cmd;
mod record_cmd;
mod sim_cmd;
mod sweep_cmd;

use std::process::ExitCode;

use clap::{Arg, ArgMatches, Args, Command, CommandFactory, FromArgMatches, Parser, Subcommand};

use anyhow::Result;

use crate::run::RunConfig;
use crate::sim::params::{PARAMS, ParamKind};
use crate::sim::rules::kernel::Kernel;

/// The preset the desktop app opens on.
pub const OPENING_PRESET: &str = "murmuration";

/// Options shared by the desktop app, `sim` and `record`: which scenario to start from.
#[derive(Args, Debug, Clone, Default)]
pub struct RunArgs {
    /// Preset name (in assets/presets or built in) or path to a .ron file
    /// [default: `murmuration` for the app, `story` for `record`, `default` for `sim`].
    #[arg(long, value_name = "NAME|PATH")]
    pub preset: Option<String>,
    /// Seed of the random stream (default: the preset's seed, else 0).
    #[arg(long, value_name = "X")]
    pub seed: Option<u64>,
    /// Set a parameter, e.g. `--set cohesion_weight=2` (repeatable; see `murmuration params`).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

impl RunArgs {
    /// The checked configuration: the preset (`default_preset` if none is named), `--set`, then
    /// the per-parameter `flags`.
    pub fn resolve(&self, flags: &[(&'static str, String)], default_preset: &str) -> Result<RunConfig> {
        RunConfig::resolve(self.preset.as_deref(), self.seed, &self.set, flags, default_preset)
    }
}

/// murmuration: watch and measure a leaderless flock heal.
#[derive(Parser, Debug)]
#[command(name = "murmuration", version, about, long_about = None)]
#[command(after_help = "With no subcommand, opens the desktop app.")]
pub struct Cli {
    /// What to do (default: open the desktop app).
    #[command(subcommand)]
    pub command: Option<CliCommand>,
    /// Options for the desktop app.
    #[command(flatten)]
    pub run: RunArgs,
    /// Save a PNG of the window after --frames frames (default 60), then quit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<std::path::PathBuf>,
    /// Quit after this many frames (with --screenshot: take it then) and print the state and
    /// the mean frame time.
    #[arg(long, value_name = "N")]
    pub frames: Option<u32>,
    /// Start with the simulation paused.
    #[arg(long)]
    pub paused: bool,
    /// How birds are drawn.
    #[arg(long, value_name = "MODE", value_enum, default_value_t)]
    pub draw: crate::view::DrawMode,
    /// Multisample anti-aliasing: 1 (off) or 4 [default: off on a software renderer, else 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=4))]
    pub msaa: Option<u32>,
    /// The window's size, e.g. 1920x1080 [default: the size it had when last closed, at first 1280x720].
    #[arg(long, value_name = "WxH", value_parser = crate::app::settings::parse_window_size)]
    pub window_size: Option<(u32, u32)>,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum CliCommand {
    /// Run the simulation headless (no window, no GPU) and print a one-line summary.
    Sim(SimArgs),
    /// Print the parameter table.
    Params(ParamsArgs),
    /// Measure the step time at several bird counts (a table, one row per count).
    Bench(BenchArgs),
    /// Render a run offscreen to MP4, GIF or PNG frames (no window needed), or replay a recording.
    Record(RecordArgs),
    /// Run many seeded runs over a grid of parameter values (a plan file), on this machine or as
    /// a Slurm job array; `sweep collect` gathers them into one table and a chart.
    Sweep(sweep_cmd::SweepArgs),
    /// Panic on purpose, to check the crash report (for tests).
    #[command(hide = true)]
    CrashTest,
}

/// Options of `murmuration record`.
#[derive(Args, Debug)]
pub struct RecordArgs {
    /// Preset, seed and parameter overrides (default preset: story).
    #[command(flatten)]
    pub run: RunArgs,
    /// Seconds of video [default: 10].
    #[arg(long, value_name = "S")]
    pub seconds: Option<f32>,
    /// Frames per second [default: 30, or the replay's].
    #[arg(long, value_name = "F")]
    pub fps: Option<u32>,
    /// Frame size, WIDTHxHEIGHT (even numbers) [default: 1280x720, or the replay's].
    #[arg(long, value_name = "WxH")]
    pub size: Option<String>,
    /// Output: .mp4 (H.264), .gif, or a folder for PNG frames. Written atomically.
    #[arg(long, value_name = "PATH")]
    pub out: std::path::PathBuf,
    /// Re-render an in-app recording from its sidecar (.ron): same run, same steps, same frames.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["preset", "seed", "set", "seconds"])]
    pub replay: Option<std::path::PathBuf>,
}

/// `--kernel`, shared by `sim` and `bench`.
#[derive(Args, Debug, Clone, Copy)]
pub struct KernelArg {
    /// Which build of the neighbour kernel runs: auto (AVX2 when the CPU has it), portable, or
    /// avx2. Every kernel gives the same results; this is for comparing their speed.
    #[arg(long = "kernel", value_name = "K", default_value = "auto", value_parser = kernel_parser())]
    pub kernel: Kernel,
}

fn kernel_parser() -> impl clap::builder::TypedValueParser<Value = Kernel> {
    clap::builder::TypedValueParser::try_map(clap::builder::PossibleValuesParser::new(Kernel::ALL.map(Kernel::name)), |s| s.parse::<Kernel>())
}

/// Options of `murmuration bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Bird counts to run (repeatable).
    #[arg(long = "boids", value_name = "N", default_values_t = [1_000u32, 10_000, 100_000, 250_000])]
    pub boids: Vec<u32>,
    /// Flocks to time (repeatable): uniform (random, at --density), formed (the default preset
    /// at its density after 10 s of flying), packed (cohesion 10, no separation, radius 200, after 5 s),
    /// hunted (formed, with 4 hunting predators), alarmed (hunted, with the alarm on).
    #[arg(long = "scenario", value_name = "S", value_enum, default_values_t = [crate::run::bench::Scenario::Uniform])]
    pub scenarios: Vec<crate::run::bench::Scenario>,
    /// Birds per neighbour-radius² for the uniform flock (mean neighbour count ≈ π·D).
    #[arg(long, value_name = "D", default_value_t = 3.0)]
    pub density: f32,
    /// Timed steps per bird count.
    #[arg(long, value_name = "S", default_value_t = 50)]
    pub steps: u64,
    /// Worker threads (default: the number of cores).
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// Also run the flat-array yardstick binary (shared/refboids) at each size and print the ratio.
    #[arg(long, value_name = "PATH")]
    pub refboids: Option<std::path::PathBuf>,
    /// The neighbour kernel.
    #[command(flatten)]
    pub kernel: KernelArg,
}

/// Options of `murmuration sim`.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// Preset, seed and parameter overrides.
    #[command(flatten)]
    pub run: RunArgs,
    /// Fixed steps to run (default: the preset's run length, else 600).
    #[arg(long, value_name = "S")]
    pub steps: Option<u64>,
    /// Worker threads for the parallel systems (default: the number of cores).
    #[arg(long, value_name = "T", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub threads: Option<u16>,
    /// The neighbour kernel.
    #[command(flatten)]
    pub kernel: KernelArg,
    /// Write the metrics (one row per sample, the last row the final step) to this CSV file.
    #[arg(long, value_name = "PATH")]
    pub metrics: Option<std::path::PathBuf>,
    /// Write a summary (seed, all parameters, totals, strikes) to this JSON file.
    #[arg(long, value_name = "PATH")]
    pub summary: Option<std::path::PathBuf>,
    /// Write the final state (kind,id,x,y,vx,vy,alarm per agent) to this CSV file.
    #[arg(long, value_name = "PATH")]
    pub dump_state: Option<std::path::PathBuf>,
    /// Stream every agent's trajectory to this CSV file (t,id,x,y,vx,vy,kind), gzip-compressed
    /// when PATH ends in .gz.
    #[arg(long, value_name = "PATH")]
    pub trajectories: Option<std::path::PathBuf>,
    /// With --trajectories: a frame every K steps (step 0 included).
    #[arg(long, value_name = "K", default_value_t = 1, requires = "trajectories", value_parser = clap::value_parser!(u64).range(1..))]
    pub every: u64,
}

/// Options of `murmuration params`.
#[derive(Args, Debug)]
pub struct ParamsArgs {
    /// Print CSV: name,unit,min,max,default,help.
    #[arg(long)]
    pub csv: bool,
}

/// The clap command, with one flag per parameter of the table added to the app and `sim`.
pub fn command() -> Command {
    let mut cmd = Cli::command();
    cmd = add_param_flags(cmd);
    cmd.mut_subcommand("sim", add_param_flags).mut_subcommand("record", add_param_flags)
}

fn add_param_flags(mut cmd: Command) -> Command {
    for spec in PARAMS {
        let default = spec.format(spec.kind.default_value());
        let allowed = spec.kind.allowed();
        let value_name = match spec.kind {
            ParamKind::Choice { .. } => "NAME",
            _ if spec.unit.is_empty() => "X",
            _ => spec.unit,
        };
        let mut arg = Arg::new(spec.key)
            .long(&*Box::leak(spec.key.replace('_', "-").into_boxed_str()))
            .value_name(value_name)
            .help(format!("{} [{allowed}; default {default}]", spec.help))
            .help_heading("Parameters");
        if spec.key == "boid_count" {
            arg = arg.visible_alias("boids");
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// The `(key, text)` pairs given as per-parameter flags.
fn param_flags(matches: &ArgMatches) -> Vec<(&'static str, String)> {
    PARAMS
        .iter()
        .filter_map(|s| matches.get_one::<String>(s.key).map(|v| (s.key, v.clone())))
        .collect()
}

/// Parses the command line and runs it. Errors print one line and give exit code 1.
pub fn main() -> ExitCode {
    panic::install();
    memory::return_large_frees();
    let matches = command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match &cli.command {
        Some(CliCommand::Params(args)) => {
            params_cmd::print(args.csv);
            Ok(())
        }
        Some(CliCommand::CrashTest) => panic!("crash test requested"),
        Some(CliCommand::Sweep(args)) => sweep_cmd::run(args),
        Some(CliCommand::Record(args)) => {
            let sub = matches.subcommand_matches("record").expect("record matched");
            record_cmd::run(args, &param_flags(sub))
        }
        Some(CliCommand::Bench(args)) => {
            if !(args.density.is_finite() && args.density > 0.0 && args.density <= 1000.0) {
                Err(anyhow::anyhow!("invalid value for --density: {} (allowed: more than 0, up to 1000)", args.density))
            } else if let Some(&n) = args.boids.iter().find(|&&n| n > 1_000_000) {
                Err(anyhow::anyhow!("invalid value for --boids: {n} (allowed: 0 to 1000000)"))
            } else {
                crate::sim::rules::kernel::set_kernel(args.kernel.kernel);
                bench::run_cli(&args.boids, &args.scenarios, args.density, args.steps, args.threads.map(usize::from), args.refboids.clone())
            }
        }
        Some(CliCommand::Sim(args)) => {
            let sub = matches.subcommand_matches("sim").expect("sim matched");
            crate::sim::rules::kernel::set_kernel(args.kernel.kernel);
            args.run.resolve(&param_flags(sub), "default").and_then(|config| sim_cmd::run(config, args))
        }
        None => cli.run.resolve(&param_flags(&matches), OPENING_PRESET).and_then(|config| {
            if cli.msaa.is_some_and(|n| n != 1 && n != 4) {
                anyhow::bail!("invalid value for --msaa: {} (allowed: 1 or 4)", cli.msaa.unwrap_or(0));
            }
            let options =
                crate::app::AppOptions {
                screenshot: cli.screenshot.clone(),
                frames: cli.frames,
                paused: cli.paused,
                draw: cli.draw,
                msaa: cli.msaa,
                window_size: cli.window_size,
            };
            crate::app::run(config, options)
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
