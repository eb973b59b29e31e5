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
