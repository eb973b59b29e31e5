//! The desktop app in a real window (under Xvfb when there is no display): it opens, draws a
//! flock, and the flock moves.

use std::path::Path;
use std::process::Command;
use std::sync::{Mutex, MutexGuard};

/// One X server at a time: parallel `xvfb-run -a` calls can pick the same display number.
static DISPLAY_LOCK: Mutex<()> = Mutex::new(());

fn one_display() -> MutexGuard<'static, ()> {
    DISPLAY_LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The app binary, started under `xvfb-run` when `DISPLAY` is unset.
pub fn app_command() -> Command {
    let bin = env!("CARGO_BIN_EXE_murmuration");
    if std::env::var_os("DISPLAY").is_some() {
        return Command::new(bin);
    }
    let has_xvfb = Command::new("sh")
        .args(["-c", "command -v xvfb-run"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        has_xvfb,
        "window tests need a display: DISPLAY is unset and xvfb-run is missing \
         (install the packages listed in README.md: xvfb mesa-vulkan-drivers libvulkan1)"
    );
    let mut cmd = Command::new("xvfb-run");
    cmd.args(["-a", "-s", "-screen 0 1280x720x24", bin]);
    cmd
}

/// Runs the app until it saves a screenshot after `frames` frames; returns the decoded image and
/// what the app printed (its captions, then the state line). Its stderr holds no warning or error
/// of the program's own making.
pub fn screenshot(args: &[&str], frames: u32, path: &Path) -> (image::RgbaImage, String) {
    let _ = std::fs::remove_file(path);
    let out = app_command()
        .args(args)
        .args(["--frames", &frames.to_string(), "--screenshot", path.to_str().unwrap()])
        .output()
        .expect("the app starts");
    assert!(
        out.status.success(),
        "app failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let own = crate::support::own_warnings(&String::from_utf8_lossy(&out.stderr));
    assert!(own.is_empty(), "warnings or errors on stderr: {own:#?}");
    (image::open(path).expect("a PNG screenshot").to_rgba8(), String::from_utf8_lossy(&out.stdout).into_owned())
}

fn is_background(p: &image::Rgba<u8>) -> bool {
    p.0[0] < 40 && p.0[1] < 40 && p.0[2] < 50
}

#[test]
fn the_window_shows_a_moving_flock() {
    let _display = one_display();
    let dir = std::env::temp_dir().join(format!("murmuration-window-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (early, _) = screenshot(&["--preset", "default", "--seed", "3"], 10, &dir.join("early.png"));
    let (late, state) = screenshot(&["--preset", "default", "--seed", "3"], 70, &dir.join("late.png"));
    assert_eq!(early.dimensions(), (1280, 720));
    assert_eq!(late.dimensions(), early.dimensions());

    let lit = late.pixels().filter(|p| !is_background(p)).count();
    assert!(lit > 5_000, "only {lit} lit pixels: no flock drawn?");
    // Birds are coloured by heading: many hues are on screen.
    let mut hues = std::collections::BTreeSet::new();
    for p in late.pixels().filter(|p| !is_background(p)) {
        let [r, g, b, _] = p.0;
        hues.insert((r / 64, g / 64, b / 64));
    }
    assert!(hues.len() >= 6, "only {} colours", hues.len());
    // The flock moved between the two shots.
    let changed = early.pixels().zip(late.pixels()).filter(|(a, b)| a != b).count();
    assert!(changed > 2_000, "only {changed} pixels changed");

    // The window never changes the simulation: the same number of steps headless gives the same state.
    let steps = crate::support::field(&state, "steps");
    assert!(steps.parse::<u64>().unwrap() > 0, "{state}");
    // the simulated time (counting the part of a step already due) follows the wall clock,
    // never ahead of it
    let speed: f64 = crate::support::field(&state, "sim_speed").parse().unwrap();
    assert!(speed > 0.0 && speed <= 1.05, "{state}");
    let out = crate::support::run(&["sim", "--preset", "default", "--seed", "3", "--steps", steps]);
    let headless = crate::support::stdout(&out);
    assert_eq!(crate::support::field(&headless, "state_hash"), crate::support::field(&state, "state_hash"), "{state} vs {headless}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_app_opens_on_the_murmuration_with_panels_and_plots() {
    let _display = one_display();
    let dir = std::env::temp_dir().join(format!("murmuration-opening-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (shot, state) = screenshot(&[], 40, &dir.join("opening.png"));
    assert_eq!(shot.dimensions(), (1280, 720));
    let bright = |x0: u32, x1: u32| {
        (x0..x1).flat_map(|x| (0..720).map(move |y| (x, y))).filter(|&(x, y)| shot.get_pixel(x, y).0[..3].iter().all(|&c| c > 150)).count()
    };
    // text and widgets in the control panel (left) and the plots panel (right of x = 900)
    assert!(bright(0, 300) > 500, "left panel: {} bright pixels", bright(0, 300));
    // the plots panel: its heading and readout in white, its curves and legends in colour
    let coloured = (905..1280u32).flat_map(|x| (0..720).map(move |y| (x, y))).filter(|&(x, y)| shot.get_pixel(x, y).0[..3].iter().any(|&c| c > 150)).count();
    // (measured: 242 bright, 2490 coloured; half of each is the bar)
    assert!(bright(905, 1280) > 120 && coloured > 1200, "plots panel: {} bright, {coloured} coloured pixels", bright(905, 1280));
    assert!(state.contains("alive=5000"), "opens on the murmuration preset: {state}");
    // the world view (no panel over it) is at least 65 % of the window
    let size = |key: &str| -> (f32, f32) {
        let (w, h) = crate::support::field(&state, key).split_once('x').unwrap();
        (w.parse().unwrap(), h.parse().unwrap())
    };
    let ((ww, wh), (vw, vh)) = (size("window"), size("world_view"));
    assert_eq!((ww, wh), (1280.0, 720.0));
    assert!(vw * vh >= 0.65 * ww * wh, "world view {vw}x{vh} of {ww}x{wh}");
    // the opening captions are told (the app's state) and drawn: white text over the top centre
    // of the world view, where otherwise only birds (coloured) and the dark sky are
    assert!(state.contains("caption at 0.00 s: 5000 birds, no leader"), "{state}");
    let left = (ww - vw) as u32;
    let white = (left + 60..1220).flat_map(|x| (40..110).map(move |y| (x, y))).filter(|&(x, y)| shot.get_pixel(x, y).0[..3].iter().all(|&c| c > 200)).count();
    assert!(white > 400, "caption text: {white} white pixels");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs the app (`--preset falcon`) in a fresh scratch folder, drives it with the xdotool lines in
/// `actions` (the window is focused first), waits until `done` (a shell condition) holds, closes it.
/// Returns the folder and the app's log. Under xvfb-run when there is no display.
fn drive_app(name: &str, actions: &str, done: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("murmuration-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let log = drive_in(&dir, actions, done);
    (dir, log)
}

/// Like [`drive_app`], in `dir` as it is (a second run sees what the first left: its settings in
/// `dir/config`, its captures).
fn drive_in(dir: &Path, actions: &str, done: &str) -> String {
    let has = |tool: &str| std::process::Command::new("sh").args(["-c", &format!("command -v {tool}")]).output().is_ok_and(|o| o.status.success());
    assert!(has("xdotool"), "this test drives the window with xdotool: install the packages listed in README.md");
    let script = format!(
        r#"set -e
export MURMURATION_CONFIG_DIR="$PWD/config"
"{bin}" --preset falcon > app.log 2>&1 &
APP=$!
for i in $(seq 1 240); do grep -q "ready: the window shows a complete frame" app.log && break; sleep 0.25; done
grep -q "ready: the window shows a complete frame" app.log
WID=$(xdotool search --name murmuration | head -1)
xdotool getwindowname "$WID" > title.txt
xdotool windowfocus --sync "$WID"
{actions}
for i in $(seq 1 60); do {done} && break; sleep 0.5; done
kill $APP
wait $APP || true
"#,
        bin = env!("CARGO_BIN_EXE_murmuration")
    );
    std::fs::write(dir.join("drive.sh"), script).unwrap();
    let mut cmd = if std::env::var_os("DISPLAY").is_some() {
        std::process::Command::new("bash")
    } else {
        let mut c = std::process::Command::new("xvfb-run");
        c.args(["-a", "-s", "-screen 0 1280x720x24", "bash"]);
        c
    };
    let out = cmd.arg("drive.sh").current_dir(dir).output().expect("the driver runs");
    let log = std::fs::read_to_string(dir.join("app.log")).unwrap_or_default();
    assert!(out.status.success(), "{}\n{}\n{log}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    log
}

/// Pixels of the panels' grey (equal channels, 20 to 40; the sky is bluish, birds coloured) in
/// the columns `x0..x1` of a screenshot.
fn panel_grey_in(shot: &image::RgbaImage, x0: u32, x1: u32) -> usize {
    let grey = |p: &image::Rgba<u8>| p.0[0] == p.0[1] && p.0[1] == p.0[2] && (20..=40).contains(&p.0[0]);
    (x0..x1).flat_map(|x| (0..shot.height()).map(move |y| (x, y))).filter(|&(x, y)| grey(shot.get_pixel(x, y))).count()
}

/// Tab hides every panel and brings them back; the app remembers the choice (and the window's
/// size) in its settings file, so the next run opens the way the last one closed.
#[test]
fn tab_hides_the_panels_and_the_next_run_remembers() {
    let _display = one_display();
    let (dir, log) = drive_app("tab", "xdotool key Tab", "grep -q 'panels: false' config/settings.ron");
    let settings = std::fs::read_to_string(dir.join("config/settings.ron")).unwrap();
    assert!(settings.contains("window: (1280, 720)"), "{settings}\n{log}");
    // the next run opens without panels; Tab brings them back
    let log = drive_in(&dir, "xdotool key p\nsleep 1.5\nxdotool key Tab\nsleep 1\nxdotool key p", "[ $(ls captures/*.png 2>/dev/null | wc -l) -ge 2 ] && grep -q 'panels: true' config/settings.ron");
    let mut shots: Vec<_> = std::fs::read_dir(dir.join("captures")).unwrap().flatten().map(|e| e.path()).collect();
    shots.sort();
    let open = |p: &Path| image::open(p).unwrap().to_rgba8();
    let (hidden, shown) = (open(&shots[0]), open(&shots[1]));
    // the panel's 240 columns hold 172,800 pixels, most of them its grey
    let (before, after) = (panel_grey_in(&hidden, 0, 240), panel_grey_in(&shown, 0, 240));
    assert!(before < 1_000 && after > 100_000, "panel-grey pixels in the panel's columns: {before} hidden, {after} shown\n{log}");
    assert!(std::fs::read_to_string(dir.join("config/settings.ron")).unwrap().contains("panels: true"), "{log}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Drives the real app with the mouse and keyboard (xdotool, in the same X display): place a
/// predator, pause, take a screenshot, save a preset. Runs in a scratch folder.
#[test]
fn a_user_places_a_predator_pauses_shoots_and_saves() {
    let _display = one_display();
    let (dir, log) = drive_app(
        "user",
        "xdotool mousemove 640 400 click 1
sleep 1.5
xdotool key space
sleep 0.5
xdotool key p
sleep 1.5
xdotool mousemove 60 182 click 1
sleep 0.3
xdotool type mine
sleep 0.3
xdotool mousemove 165 182 click 1",
        "[ -f assets/presets/mine.ron ] && ls captures/*.png >/dev/null 2>&1",
    );
    // the title names the preset and the seed
    let title = std::fs::read_to_string(dir.join("title.txt")).unwrap();
    assert_eq!(title.trim(), "murmuration — falcon · seed 1");
    // the screenshot landed in ./captures, whole
    let shots: Vec<_> = std::fs::read_dir(dir.join("captures")).expect("a captures folder").flatten().collect();
    assert_eq!(shots.len(), 1, "{log}");
    let shot = image::open(shots[0].path()).unwrap();
    assert_eq!((shot.width(), shot.height()), (1280, 720));
    // the preset was saved and loads back as falcon's parameters
    let saved = murmuration::preset::Preset::load_file(&dir.join("assets/presets/mine.ron")).expect("the saved preset loads");
    let falcon = murmuration::preset::Preset::load("falcon").unwrap();
    assert_eq!(saved.params, falcon.params);
    assert!(!log.contains("panicked"), "{log}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Records a video in the real app (R, a click that places a predator, R again), decodes it, and
/// replays its sidecar offscreen to the same final state.
#[test]
fn a_user_records_a_video_that_replays_to_the_same_state() {
    let _display = one_display();
    let (dir, log) = drive_app(
        "rec-user",
        "xdotool key r
sleep 3
xdotool mousemove 640 400 click 1
sleep 3
xdotool key r",
        "ls captures/*.ron >/dev/null 2>&1",
    );
    let files: Vec<_> = std::fs::read_dir(dir.join("captures")).expect("a captures folder").flatten().map(|e| e.path()).collect();
    let mp4 = files.iter().find(|p| p.extension().is_some_and(|e| e == "mp4")).unwrap_or_else(|| panic!("no video: {files:?}\n{log}"));
    let ron = murmuration::record::Sidecar::path_for(mp4);
    let sidecar = murmuration::record::Sidecar::load(&ron).expect("the sidecar loads");
    let video = murmuration::record::decode_mp4(mp4).unwrap();
    assert_eq!(video.size, (1280, 720));
    assert!((video.fps - 30.0).abs() < 0.01, "{}", video.fps);
    assert!(video.frames.len() >= 5, "only {} frames\n{log}", video.frames.len());
    assert_eq!(video.frames.len() as u32, sidecar.frames(), "one frame every {} steps", sidecar.steps_per_frame);
    assert_eq!(sidecar.steps_per_frame, 2, "60 steps/s at 30 fps");
    assert!(
        sidecar.changes.iter().any(|c| matches!(c.change, murmuration::sim::Change::PlacePredator { .. })),
        "{:?}",
        sidecar.changes
    );
    let first = &video.frames[0];
    let last = video.frames.last().unwrap();
    assert!(first.iter().zip(last).filter(|(a, b)| a.abs_diff(**b) > 40).count() > 100, "the flock moved");
    // the sidecar replays offscreen to the state the live run had at its last frame
    let replay = dir.join("replay.gif");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_murmuration"))
        .args(["record", "--replay", ron.to_str().unwrap(), "--size", "320x180", "--out", replay.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && text.contains("replay matches"), "{text}");
    assert!(!log.contains("panicked"), "{log}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The compute-shader dots ("gpu") put the birds on the same pixels as the point mesh ("dots").
#[test]
fn gpu_dots_land_where_the_mesh_dots_do() {
    let _display = one_display();
    let dir = std::env::temp_dir().join(format!("murmuration-gpu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let args = |mode: &'static str| ["--preset", "default", "--set", "boid_count=20000", "--set", "world_width=3000", "--set", "world_height=3000", "--paused", "--draw", mode];
    let (gpu, _) = screenshot(&args("gpu"), 20, &dir.join("gpu.png"));
    let (mesh, _) = screenshot(&args("dots"), 20, &dir.join("dots.png"));
    // the world view between the panels
    let lit = |img: &image::RgbaImage, x: u32, y: u32| !is_background(img.get_pixel(x, y));
    let (mut gpu_lit, mut matched) = (0, 0);
    for y in 150..600 {
        for x in 380..880 {
            if lit(&gpu, x, y) {
                gpu_lit += 1;
                if (x - 1..=x + 1).any(|xx| (y - 1..=y + 1).any(|yy| lit(&mesh, xx, yy))) {
                    matched += 1;
                }
            }
        }
    }
    assert!(gpu_lit > 3_000, "only {gpu_lit} lit pixels with gpu dots");
    assert!(matched * 10 >= gpu_lit * 9, "{matched} of {gpu_lit} gpu dots are where the mesh drew one");
    std::fs::remove_dir_all(&dir).unwrap();
}
