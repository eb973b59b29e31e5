//! Sweeps as a user runs them: locally with workers and resuming, one task alone, as a Slurm job
//! array on a real one-node cluster, collected into a table and a chart; and trajectories.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{bin, field, run, stderr, stdout};

/// A fresh folder under the system temp folder, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("murmuration-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A falcon dive one second in, so short runs see it (the plan names it by its path).
const PRESET: &str = r#"(
    description: "A quick dive through a small flock.",
    params: { "boid_count": 300, "world_width": 600, "world_height": 400, "neighbor_radius": 50, "fov_deg": 360,
              "fear_radius": 120, "flee_weight": 8, "catch_radius": 8, "catch_cooldown": 0.2, "confusion": 0.1 },
    dives: [(at_s: 1.0, angle_deg: 30.0, speed: 2.5, length: 500.0)],
)"#;

const PLAN: &str = r#"(
    preset: "quick.ron",
    seeds: [3, 4],
    steps: 240,
    set: { "boid_count": 200, "spawn_radius": 60 },
    axes: { "confusion": [0.0, 1.0], "fear_radius": [60, 120, 240] },
)"#;

fn sweep(args: &[&str]) -> std::process::Output {
    let out = bin().arg("sweep").args(args).output().unwrap();
    assert!(out.status.success(), "sweep {args:?}: {}{}", stdout(&out), stderr(&out));
    out
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `(task, state_hash)` of every finished task, from the summaries.
fn hashes(dir: &Path, tasks: usize) -> Vec<(usize, String)> {
    (0..tasks)
        .map(|i| {
            let text = std::fs::read_to_string(dir.join(format!("tasks/{i:06}.json"))).unwrap_or_else(|e| panic!("task {i}: {e}"));
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            (i, json["state_hash"].as_str().unwrap().to_string())
        })
        .collect()
}

#[test]
fn a_local_sweep_runs_resumes_and_gives_each_task_its_sim_hash() {
    let scratch = Scratch::new("sweep-local");
    let plan = scratch.0.join("plan.ron");
    std::fs::write(&plan, PLAN).unwrap();
    std::fs::write(scratch.0.join("quick.ron"), PRESET).unwrap();
    let dir = scratch.0.join("out");
    let first = stdout(&sweep(&[path(&plan), "--out", path(&dir), "--jobs", "2"]));
    assert!(first.contains("12 tasks, 12 ran now, 0 already done, 0 failed"), "{first}");
    let all = hashes(&dir, 12);
    // the fear radius changes every run (confusion only matters once a bird is caught)
    for first in [0, 1, 6, 7] {
        let (a, b, c) = (&all[first].1, &all[first + 2].1, &all[first + 4].1);
        assert!(a != b && b != c && a != c, "fear_radius 60/120/240 from task {first}: {all:?}");
    }

    // resumes: nothing to do; then only the task whose output went missing
    let again = stdout(&sweep(&[path(&plan), "--out", path(&dir)]));
    assert!(again.contains("0 ran now, 12 already done"), "{again}");
    std::fs::remove_file(dir.join("tasks/000009.json")).unwrap();
    let redo = stdout(&sweep(&[path(&plan), "--out", path(&dir), "--jobs", "1"]));
    assert!(redo.contains("1 ran now, 11 already done"), "{redo}");
    assert_eq!(hashes(&dir, 12), all, "a rerun task gives the same result");

    // task 9 alone, in another folder, and `sim` with the same settings, give the same hash.
    // Task 9: seeds vary fastest, then fear_radius, then confusion → seed 4, fear 120, confusion 1.
    let alone = scratch.0.join("alone");
    let line = stdout(&sweep(&[path(&plan), "--out", path(&alone), "--task", "9"]));
    assert_eq!(field(&line, "state_hash"), all[9].1, "{line}");
    let sim = run(&[
        "sim", "--preset", path(&scratch.0.join("quick.ron")), "--seed", "4", "--steps", "240", "--set", "boid_count=200",
        "--set", "spawn_radius=60", "--set", "confusion=1", "--set", "fear_radius=120",
    ]);
    assert_eq!(field(&stdout(&sim), "state_hash"), all[9].1);
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("tasks/000009.json")).unwrap()).unwrap();
    assert_eq!((summary["seed"].as_u64(), summary["params"]["fear_radius"].as_f64()), (Some(4), Some(120.0)));

    // --list: one runnable command per task
    let list = stdout(&sweep(&[path(&plan), "--out", path(&dir), "--list"]));
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 12);
    assert!(lines[11].ends_with("--task 11") && lines[0].contains(" sweep '"), "{list}");

    // another plan into the same folder is refused, and nothing there changes
    std::fs::write(&plan, PLAN.replace("[3, 4]", "[3, 5]")).unwrap();
    let other = bin().args(["sweep", path(&plan), "--out", path(&dir)]).output().unwrap();
    assert!(!other.status.success() && stderr(&other).contains("holds the outputs of another plan"), "{}", stderr(&other));
    assert_eq!(hashes(&dir, 12), all);
    std::fs::write(&plan, PLAN).unwrap();

    collect_writes_a_table_and_charts(&dir, &all);
    a_failed_task_is_reported_and_the_others_go_on(&plan, &dir);
}

fn a_failed_task_is_reported_and_the_others_go_on(plan: &Path, dir: &Path) {
    // Task 3's summary cannot be written where a folder stands in its way; task 4 can.
    std::fs::remove_file(dir.join("tasks/000003.json")).unwrap();
    std::fs::create_dir(dir.join("tasks/000003.json")).unwrap();
    std::fs::remove_file(dir.join("tasks/000004.json")).unwrap();
    let out = bin().args(["sweep", path(plan), "--out", path(dir)]).output().unwrap();
    assert!(!out.status.success());
    assert!(stdout(&out).contains("12 tasks, 1 ran now, 10 already done, 1 failed"), "{}", stdout(&out));
    assert!(stderr(&out).contains("1 tasks failed (task 3 printed"), "{}", stderr(&out));
    let log = std::fs::read_to_string(dir.join("logs/task-000003.err")).unwrap();
    assert!(log.contains("000003.json"), "the log says what went wrong: {log}");
    assert!(dir.join("tasks/000004.json").is_file(), "the other task ran");
}

fn collect_writes_a_table_and_charts(dir: &Path, hashes: &[(usize, String)]) {
    let out = stdout(&sweep(&["collect", path(dir), "--plot", "polarization", "--x", "fear_radius"]));
    assert!(out.contains("(12 runs)"), "{out}");
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(&header[..5], ["task", "seed", "confusion", "fear_radius", "state_hash"]);
    for column in ["kills", "strikes", "splits", "mean_tau_reform_s", "polarization", "milling", "largest_cluster_frac"] {
        assert!(header.contains(&column), "{column} in {header:?}");
    }
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 12);
    let polarization = header.iter().position(|h| *h == "polarization").unwrap();
    for (row, (i, hash)) in rows.iter().zip(hashes) {
        assert_eq!((row[0], row[4]), (i.to_string().as_str(), hash.as_str()));
        let p: f64 = row[polarization].parse().unwrap();
        assert!((0.0..=1.0).contains(&p), "{row:?}");
    }
    assert_eq!((rows[9][1], rows[9][2], rows[9][3]), ("4", "1", "120"));

    let png = image::open(dir.join("polarization.png")).unwrap().to_rgb8();
    assert_eq!(png.dimensions(), (960, 640));
    let blue = png.pixels().filter(|p| p.0[2] > 150 && p.0[0] < 80).count();
    assert!(blue > 500, "the line and its bars are drawn: {blue} blue pixels");
    let svg = std::fs::read_to_string(dir.join("polarization.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("final polarization") && svg.contains("fear_radius"), "{}", &svg[..200.min(svg.len())]);

    // two axes: a heatmap with one labelled cell per grid point
    sweep(&["collect", path(dir), "--plot", "kills"]);
    let svg = std::fs::read_to_string(dir.join("kills.svg")).unwrap();
    assert!(svg.contains("confusion") && svg.matches("<rect").count() >= 6, "{}", svg.len());
    let bad = run(&["sweep", "collect", path(dir), "--plot", "kils"]);
    assert!(!bad.status.success() && stderr(&bad).contains("no measure named `kils`"), "{}", stderr(&bad));
}

#[test]
fn a_bad_plan_is_refused_with_its_file_line_and_field() {
    let scratch = Scratch::new("sweep-bad");
    let plan = scratch.0.join("bad.ron");
    std::fs::write(scratch.0.join("quick.ron"), PRESET).unwrap();
    std::fs::write(&plan, PLAN.replace("[60, 120, 240]", "[60, 120, 2400]")).unwrap();
    let out = run(&["sweep", path(&plan), "--out", path(&scratch.0.join("out"))]);
    let err = stderr(&out);
    assert!(!out.status.success(), "{err}");
    for needle in ["bad.ron", "6:", "fear_radius", "2400", "0 to 400"] {
        assert!(err.contains(needle), "{needle} in {err}");
    }
    assert!(!scratch.0.join("out").exists(), "nothing is written for a refused plan");
}

/// The one-node cluster of `scripts/slurm-local.sh`, stopped (by the pids it recorded) on drop.
struct Cluster {
    dir: PathBuf,
    port: String,
}

impl Cluster {
    fn start(dir: PathBuf) -> Self {
        let port = (20_000 + (std::process::id() % 5000) * 2).to_string();
        let cluster = Self { dir, port };
        let out = cluster.script().arg("start").output().unwrap();
        assert!(
            out.status.success(),
            "cannot start the local Slurm cluster (needs the packages slurm-wlm and munge; scripts/packages installs them):\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        cluster
    }

    fn script(&self) -> Command {
        let mut c = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/slurm-local.sh"));
        c.env("SLURM_LOCAL_DIR", &self.dir).env("SLURM_LOCAL_PORT", &self.port);
        c
    }

    fn conf(&self) -> PathBuf {
        self.dir.join("slurm.conf")
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = self.script().arg("stop").output();
    }
}

/// Submits the plan's job array with `--slurm --submit` and the extra flags, waits until the
/// queue has no trace of it, and checks that every task left its summary; returns the script.
fn submit_and_wait(cluster: &Cluster, plan: &Path, dir: &Path, extra: &[&str]) -> String {
    let out = bin()
        .env("SLURM_CONF", cluster.conf())
        .args(["sweep", path(plan), "--out", path(dir), "--slurm", "--submit"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    let job = text.split("submitted job ").nth(1).and_then(|r| r.split(';').next()).unwrap_or_else(|| panic!("no job id in {text}"));
    let start = Instant::now();
    loop {
        let queue = Command::new("squeue").env("SLURM_CONF", cluster.conf()).args(["-h", "-j", job]).output().unwrap();
        if stdout(&queue).trim().is_empty() {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(600), "job {job} still queued after 10 min: {}", stdout(&queue));
        std::thread::sleep(Duration::from_millis(500));
    }
    let missing: Vec<usize> = (0..8).filter(|i| !dir.join(format!("tasks/{i:06}.json")).is_file()).collect();
    if !missing.is_empty() {
        let logs: Vec<String> = std::fs::read_dir(dir.join("logs")).unwrap().flatten().map(|e| std::fs::read_to_string(e.path()).unwrap_or_default()).collect();
        panic!("job {job} ended without tasks {missing:?}; its logs:\n{}", logs.join("\n"));
    }
    std::fs::read_to_string(dir.join("sweep.sbatch")).unwrap()
}

#[test]
fn slurm_runs_the_sweep_as_a_job_array_with_the_local_hashes() {
    let scratch = Scratch::new("sweep-slurm");
    let plan = scratch.0.join("plan.ron");
    std::fs::write(&plan, PLAN.replace("\"fear_radius\": [60, 120, 240]", "\"fear_radius\": [60, 120]").replace("[3, 4]", "[1, 2]")).unwrap();
    std::fs::write(scratch.0.join("quick.ron"), PRESET).unwrap();
    let cluster = Cluster::start(scratch.0.join("slurm"));
    // one task per array element
    let dir = scratch.0.join("cluster");
    let script = submit_and_wait(&cluster, &plan, &dir, &["--time", "0:10:00"]);
    assert!(script.contains("#SBATCH --array=0-7\n") && script.contains("#SBATCH --time=0:10:00\n"), "{script}");
    assert_eq!(std::fs::read_dir(dir.join("logs")).unwrap().count(), 8, "one Slurm log per array element");
    // three tasks per element (what plans beyond Slurm's array limit get): elements 0, 1, 2
    let grouped = scratch.0.join("grouped");
    let script = submit_and_wait(&cluster, &plan, &grouped, &["--tasks-per-job", "3"]);
    assert!(script.contains("#SBATCH --array=0-2\n"), "{script}");
    assert_eq!(std::fs::read_dir(grouped.join("logs")).unwrap().count(), 3, "one Slurm log per array element");
    drop(cluster);

    let local = scratch.0.join("local");
    sweep(&[path(&plan), "--out", path(&local), "--jobs", "2"]);
    assert_eq!(hashes(&dir, 8), hashes(&local, 8), "the cluster's tasks are the local tasks");
    assert_eq!(hashes(&grouped, 8), hashes(&local, 8));
    let out = stdout(&sweep(&["collect", path(&dir)]));
    assert!(out.contains("(8 runs)"), "{out}");
}

#[test]
fn trajectories_stream_every_k_steps_as_csv_or_gzip() {
    let scratch = Scratch::new("trajectories");
    let csv = scratch.0.join("t.csv");
    let gz = scratch.0.join("t.csv.gz");
    let state = scratch.0.join("state.csv");
    let args = ["sim", "--preset", "hunt", "--set", "boid_count=50", "--steps", "20", "--every", "5"];
    let a = run(&[&args[..], &["--trajectories", path(&csv), "--dump-state", path(&state)]].concat());
    let b = run(&[&args[..], &["--trajectories", path(&gz)]].concat());
    assert!(a.status.success() && b.status.success(), "{}{}", stderr(&a), stderr(&b));
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut unzipped = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&gz).unwrap()).read_to_string(&mut unzipped).unwrap();
    assert_eq!(unzipped, text, "the .gz holds the same rows");
    assert!(std::fs::metadata(&gz).unwrap().len() < text.len() as u64 / 2);

    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("t,id,x,y,vx,vy,kind"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    // steps 0, 5, 10, 15, 20; 50 birds and the hunting predator each
    assert_eq!(rows.len(), 5 * 51);
    let times: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[0]).collect();
    assert_eq!(times.into_iter().collect::<Vec<_>>(), ["0.000000", "0.083333", "0.166667", "0.250000", "0.333333"]);
    for frame in rows.chunks(51) {
        let ids: Vec<u32> = frame[..50].iter().map(|r| r[1].parse().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]) && frame[..50].iter().all(|r| r[6] == "bird"));
        assert_eq!(frame[50][6], "predator");
    }
    // the last frame is the final state
    let dump = std::fs::read_to_string(&state).unwrap();
    let last: Vec<String> = rows[4 * 51..].iter().map(|r| format!("{},{},{},{},{},{}", r[6], r[1], r[2], r[3], r[4], r[5])).collect();
    let dumped: Vec<String> = dump.lines().skip(1).map(|l| l.rsplit_once(',').unwrap().0.to_string()).collect();
    assert_eq!(last, dumped);
}
