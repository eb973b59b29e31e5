//! `murmuration record`: offscreen rendering to GIF and PNG frames, decoded and checked.

use std::fs::File;
use std::path::Path;

use crate::support::{run, stderr, stdout};

/// Decodes every frame of a GIF as RGBA.
fn gif_frames(path: &Path) -> (u16, u16, Vec<Vec<u8>>) {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(File::open(path).unwrap()).unwrap();
    let (w, h) = (decoder.width(), decoder.height());
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().unwrap() {
        assert_eq!((frame.width, frame.height), (w, h), "full frames");
        frames.push(frame.buffer.to_vec());
    }
    (w, h, frames)
}

fn tmp(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("murmuration-rec-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn gif_has_the_frames_asked_for_and_is_repeatable() {
    let dir = tmp("gif");
    let (a, b) = (dir.join("a.gif"), dir.join("b.gif"));
    for out in [&a, &b] {
        let o = run(&["record", "--preset", "falcon", "--seed", "7", "--seconds", "2", "--fps", "15", "--size", "320x180", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("30 frames"), "{}", stdout(&o));
    }
    let (w, h, frames) = gif_frames(&a);
    assert_eq!((w, h), (320, 180));
    assert_eq!(frames.len(), 30);
    // birds are drawn (not just the background), and they move
    let lit = frames[0].chunks(4).filter(|p| p[0] > 60 || p[1] > 60 || p[2] > 80).count();
    assert!(lit > 200, "{lit} lit pixels in the first frame");
    let changed = frames[0].chunks(4).zip(frames[29].chunks(4)).filter(|(x, y)| x != y).count();
    assert!(changed > 100, "only {changed} pixels changed in 2 s");
    // same arguments, same frames
    let (_, _, again) = gif_frames(&b);
    assert_eq!(frames, again);
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left.len(), 2, "no temporary files: {left:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn png_folder_holds_one_file_per_frame() {
    let dir = tmp("png");
    let out = dir.join("frames");
    let o = run(&["record", "--preset", "default", "--seconds", "1", "--fps", "6", "--size", "320x180", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut names: Vec<String> = std::fs::read_dir(&out).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, (0..6).map(|i| format!("frame_{i:05}.png")).collect::<Vec<_>>());
    let first = image::open(out.join("frame_00000.png")).unwrap().to_rgba8();
    let last = image::open(out.join("frame_00005.png")).unwrap().to_rgba8();
    assert_eq!(first.dimensions(), (320, 180));
    assert_ne!(first, last);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_record_arguments_are_refused_and_leave_nothing() {
    let dir = tmp("bad");
    let gif = dir.join("x.gif");
    let g = gif.to_str().unwrap();
    for (args, needle) in [
        (vec!["--seconds", "0", "--out", g], "--seconds"),
        (vec!["--size", "321x180", "--out", g], "--size"),
        (vec!["--size", "100000x10", "--out", g], "--size"),
        (vec!["--fps", "0", "--out", g], "--fps"),
        (vec!["--out", "/no/such/folder/x.gif"], "does not exist"),
        (vec!["--out", dir.join("x.avi").to_str().unwrap()], "unknown extension .avi"),
    ] {
        let mut all = vec!["record"];
        if !args.contains(&"--seconds") {
            all.extend(["--seconds", "1"]);
        }
        all.extend(args.iter().copied());
        let o = run(&all);
        assert!(!o.status.success(), "{all:?}");
        assert!(stderr(&o).contains(needle), "{all:?}: {}", stderr(&o));
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn mp4_decodes_to_the_frames_asked_for_and_is_repeatable() {
    let dir = tmp("mp4");
    let (a, b) = (dir.join("a.mp4"), dir.join("b.mp4"));
    for out in [&a, &b] {
        let o = run(&["record", "--preset", "falcon", "--seed", "7", "--seconds", "2", "--fps", "15", "--size", "320x180", "--out", out.to_str().unwrap()]);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(stdout(&o).contains("30 frames"), "{}", stdout(&o));
        let own = crate::support::own_warnings(&stderr(&o));
        assert!(own.is_empty(), "a normal recording warns or errs: {own:#?}");
    }
    let video = murmuration::record::decode_mp4(&a).unwrap();
    assert_eq!(video.size, (320, 180));
    assert_eq!(video.frames.len(), 30);
    assert!((video.fps - 15.0).abs() < 0.01, "plays at {} fps", video.fps);
    // birds are drawn, and they move (H.264 is lossy: count clearly lit pixels, and clear changes)
    let lit = video.frames[0].chunks(3).filter(|p| p.iter().any(|&c| c > 90)).count();
    assert!(lit > 150, "{lit} lit pixels in the first frame");
    let changed = video.frames[0].iter().zip(&video.frames[29]).filter(|(x, y)| x.abs_diff(**y) > 40).count();
    assert!(changed > 100, "only {changed} values changed clearly in 2 s");
    // same arguments, same frames (and the same bytes)
    let again = murmuration::record::decode_mp4(&b).unwrap();
    assert_eq!(video.frames, again.frames);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A live, window-free run with the app's controls: one update is one fixed step.
fn live_app(params: murmuration::sim::SimParams, seed: u64) -> bevy::app::App {
    use bevy::prelude::*;
    let config = murmuration::run::RunConfig::from_params(params.clone(), seed);
    let mut app = App::new();
    app.add_plugins(MinimalPlugins);
    app.add_plugins(config.sim_plugin());
    app.add_plugins(murmuration::app::ControlsPlugin { preset: "custom".into() });
    app.insert_resource(bevy::time::TimeUpdateStrategy::ManualDuration(std::time::Duration::from_secs_f32(params.dt())));
    app.update();
    app
}

fn run_to(app: &mut bevy::app::App, step: u64) {
    use murmuration::sim::{SimClock, SimControl};
    app.world_mut().resource_mut::<SimControl>().hold_at = Some(step);
    while app.world().resource::<SimClock>().step < step {
        app.update();
    }
}

#[test]
fn a_replay_sidecar_reproduces_the_live_run() {
    use bevy::prelude::*;
    use murmuration::app::input::WorldClick;
    use murmuration::record::Sidecar;
    use murmuration::sim::{Predator, Position, SimParams, Timeline};

    let dir = tmp("replay");
    let params = SimParams { boid_count: 300, ..SimParams::default() };
    let mut app = live_app(params, 11);
    run_to(&mut app, 30);
    // the user places a predator, later moves two sliders, then removes the predator again
    app.world_mut().write_message(WorldClick { pos: Vec2::new(400.0, 300.0), button: MouseButton::Left, shift: false });
    run_to(&mut app, 55);
    {
        let mut p = app.world_mut().resource_mut::<SimParams>();
        p.cohesion_weight = 2.0;
        p.alignment_weight *= 0.5;
    }
    run_to(&mut app, 80);
    let predator_at = app.world_mut().query_filtered::<&Position, With<Predator>>().single(app.world()).unwrap().0;
    app.world_mut().write_message(WorldClick { pos: predator_at, button: MouseButton::Right, shift: false });
    run_to(&mut app, 120);
    assert_eq!(app.world_mut().query::<&Predator>().iter(app.world()).count(), 0, "the predator was removed");
    let live_hash = murmuration::sim::hash::world_state_hash(app.world_mut());
    let timeline = app.world().resource::<Timeline>().clone();
    assert_eq!(timeline.changes.len(), 4, "{:?}", timeline.changes);

    // "recorded" from step 40 to 120, 2 steps a frame → 41 frames
    let sidecar = Sidecar::new("custom", &timeline, 40, 120, 2, 30, (64, 36), live_hash);
    let path = dir.join("live.ron");
    sidecar.save(&path).unwrap();
    assert_eq!(Sidecar::load(&path).unwrap(), sidecar);
    let out = dir.join("replay.gif");
    let o = run(&["record", "--replay", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("replay matches"), "{}", stdout(&o));
    assert!(stdout(&o).contains(&format!("state_hash={live_hash:016x}")), "{}", stdout(&o));
    let (w, h, frames) = gif_frames(&out);
    assert_eq!((w, h, frames.len()), (64, 36, 41));

    // a replay of a different history is caught
    let mut wrong = sidecar.clone();
    wrong.changes.retain(|c| !matches!(c.change, murmuration::sim::Change::RemovePredator(_)));
    wrong.save(&path).unwrap();
    let o = run(&["record", "--replay", path.to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("replay diverged"), "{}", stderr(&o));
    // and a replay refuses run options it would ignore
    let o = run(&["record", "--replay", path.to_str().unwrap(), "--seed", "3", "--out", out.to_str().unwrap()]);
    assert!(!o.status.success());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Keeps Bevy's IO threads, where the asset server loads shaders, busy for `stall`: a recording
/// started now draws its first frames before any pipeline is ready.
fn hold_back_shader_loading(stall: std::time::Duration) {
    use bevy::tasks::{IoTaskPool, TaskPool};
    let pool = IoTaskPool::get_or_init(TaskPool::new);
    for _ in 0..pool.thread_num() {
        pool.spawn(async move { std::thread::sleep(stall) }).detach();
    }
}

/// Every frame of a PNG-folder recording, decoded.
fn png_frames(dir: &Path) -> Vec<image::RgbaImage> {
    let mut names: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    names.sort();
    names.iter().map(|p| image::open(p).unwrap().to_rgba8()).collect()
}

#[test]
fn frames_are_whole_when_the_shaders_load_late() {
    let dir = tmp("late");
    let (reference, late) = (dir.join("reference"), dir.join("late"));
    let o = run(&["record", "--preset", "falcon", "--seed", "7", "--seconds", "1", "--fps", "6", "--size", "320x180", "--out", reference.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));

    // The same recording in this process, with the shaders held back.
    let stall = std::time::Duration::from_secs(3);
    hold_back_shader_loading(stall);
    let started = std::time::Instant::now();
    let config = murmuration::run::RunConfig::resolve(Some("falcon"), Some(7), &[], &[], "story").unwrap();
    let options = murmuration::record::RecordOptions { seconds: 1.0, fps: 6, size: (320, 180), out: late.clone(), replay: None };
    let done = murmuration::record::record(&config, &options, None).unwrap();
    assert_eq!(done.frames, 6);
    // the stall did hold the recording back: no frame could be complete before the shaders came
    assert!(started.elapsed() >= stall, "recorded in {:?}, before the shaders were loaded", started.elapsed());

    let (want, got) = (png_frames(&reference), png_frames(&late));
    assert_eq!(want.len(), 6);
    let lit = want[0].pixels().filter(|p| p.0[0] > 60 || p.0[1] > 60 || p.0[2] > 80).count();
    assert!(lit > 200, "{lit} lit pixels in the reference's first frame");
    for (i, (a, b)) in want.iter().zip(&got).enumerate() {
        let differ = a.pixels().zip(b.pixels()).filter(|(x, y)| x != y).count();
        assert_eq!(differ, 0, "frame {i}: {differ} pixels differ from the reference");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
