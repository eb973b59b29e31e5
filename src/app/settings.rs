//! What the app remembers between runs: the window's size and which panels show. A small RON
//! file in the platform's config folder (`$MURMURATION_CONFIG_DIR` overrides it), written
//! atomically a second after a change. A corrupt file is moved aside with a message and the app
//! starts on the defaults. Scripted runs (`--frames`, `--screenshot`) neither read nor write it,
//! so they look the same on every machine.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use bevy::prelude::*;
use bevy::window::PrimaryWindow;
use serde::{Deserialize, Serialize};

use super::state::UiState;

/// The settings file's name inside the config folder.
pub const FILE_NAME: &str = "settings.ron";
/// Window sizes the app accepts (logical pixels, each side).
pub const WINDOW_RANGE: (u32, u32) = (320, 7680);
/// A change is saved once the settings have stayed the same this long (a window being dragged
/// to a new size is saved once, at the end).
const SETTLE: Duration = Duration::from_secs(1);

/// The remembered settings.
#[derive(Resource, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The window's size (logical pixels).
    pub window: (u32, u32),
    /// The side panel, plots and readouts show (Tab).
    pub panels: bool,
    /// The plots show.
    pub plots: bool,
    /// The captions show (T).
    pub captions: bool,
    /// The frame-rate readout shows.
    pub stats: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self { window: (1280, 720), panels: true, plots: true, captions: true, stats: true }
    }
}

impl Settings {
    /// The UI state's part of the settings.
    pub fn of(state: &UiState, window: (u32, u32)) -> Self {
        Self { window, panels: state.show_panels, plots: state.show_plots, captions: state.show_captions, stats: state.show_stats }
    }

    /// Shows the panels these settings say.
    pub fn apply(&self, state: &mut UiState) {
        (state.show_panels, state.show_plots, state.show_captions, state.show_stats) = (self.panels, self.plots, self.captions, self.stats);
    }
}

/// Where the settings live: `$MURMURATION_CONFIG_DIR/settings.ron`, else the platform's config
/// folder (e.g. `~/.config/murmuration/settings.ron`); `None` if there is none.
pub fn settings_path() -> Option<PathBuf> {
    let dir = match std::env::var_os("MURMURATION_CONFIG_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => dirs::config_dir()?.join("murmuration"),
    };
    Some(dir.join(FILE_NAME))
}

/// What [`load`] found.
#[derive(Debug, PartialEq)]
pub struct Loaded {
    /// The settings (the defaults when there was no usable file).
    pub settings: Settings,
    /// What to tell the user, if anything went wrong.
    pub message: Option<String>,
    /// Whether the file may be written: not when a corrupt file could not be moved aside.
    pub writable: bool,
}

/// Reads the settings at `path`: the defaults when there is no file. A file that cannot be read
/// as settings (or holds a window size out of range) is renamed to `settings.ron.bad` (or
/// `.bad.1`, `.bad.2`, … if that exists) so nothing is lost, and the message says so; if it
/// cannot be moved, it is left alone and never overwritten.
pub fn load(path: &Path) -> Loaded {
    let fine = |settings, message| Loaded { settings, message, writable: true };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return fine(Settings::default(), None),
        Err(e) => return Loaded { settings: Settings::default(), message: Some(format!("cannot read {}: {e}; using the default settings", path.display())), writable: false },
    };
    let parsed = ron::from_str::<Settings>(&text).map_err(|e| e.to_string()).and_then(|s| {
        check_window(s.window).map_err(|e| e.to_string())?;
        Ok(s)
    });
    let e = match parsed {
        Ok(s) => return fine(s, None),
        Err(e) => e,
    };
    let aside = (0..100).map(|i| if i == 0 { path.with_extension("ron.bad") } else { path.with_extension(format!("ron.bad.{i}")) }).find(|p| !p.exists());
    match aside.map(|a| std::fs::rename(path, &a).map(|_| a)) {
        Some(Ok(a)) => fine(Settings::default(), Some(format!("ignoring the settings file {} (moved to {}): {e}; using the default settings", path.display(), a.display()))),
        _ => Loaded {
            settings: Settings::default(),
            message: Some(format!("ignoring the settings file {}: {e}; it could not be moved aside, so it is left as it is and not written; using the default settings", path.display())),
            writable: false,
        },
    }
}

/// Writes the settings to `path` atomically, creating its folder.
pub fn save(path: &Path, settings: &Settings) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let text = ron::ser::to_string_pretty(settings, ron::ser::PrettyConfig::default())?;
    crate::io::write_atomic(path, text.as_bytes())
}

/// Checks a window size against [`WINDOW_RANGE`].
pub fn check_window((w, h): (u32, u32)) -> Result<()> {
    let (lo, hi) = WINDOW_RANGE;
    anyhow::ensure!((lo..=hi).contains(&w) && (lo..=hi).contains(&h), "invalid window size {w}x{h} (allowed: {lo} to {hi} pixels each side)");
    Ok(())
}

/// Parses `--window-size WIDTHxHEIGHT`.
pub fn parse_window_size(text: &str) -> Result<(u32, u32)> {
    let parsed = text.split_once(['x', 'X']).and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
    let size = parsed.with_context(|| format!("invalid value for --window-size: {text} (expected WIDTHxHEIGHT, e.g. 1920x1080)"))?;
    let (lo, hi) = WINDOW_RANGE;
    check_window(size).map_err(|_| anyhow::anyhow!("invalid value for --window-size: {text} (allowed: {lo} to {hi} pixels each side)"))?;
    Ok(size)
}

/// Where this run saves its settings; absent in scripted runs.
#[derive(Resource, Debug)]
pub struct SettingsFile {
    /// The file.
    pub path: PathBuf,
    /// What was last written (or read).
    pub saved: Settings,
}

/// Saves the settings once they have changed and then stayed the same for a second.
pub fn remember_settings(
    file: Option<ResMut<SettingsFile>>,
    state: Res<UiState>,
    window: Option<Single<&Window, With<PrimaryWindow>>>,
    mut pending: Local<Option<(Settings, Instant)>>,
) {
    let (Some(mut file), Some(window)) = (file, window) else { return };
    // logical pixels, as the window is created with; a minimised or odd-sized window is not saved
    let size = (window.resolution.width().round() as u32, window.resolution.height().round() as u32);
    if check_window(size).is_err() {
        return;
    }
    let now = Settings::of(&state, size);
    if now == file.saved {
        *pending = None;
        return;
    }
    match &*pending {
        Some((s, since)) if *s == now && since.elapsed() >= SETTLE => {
            if let Err(e) = save(&file.path, &now) {
                warn!("the settings were not saved: {e:#}");
            }
            file.saved = now;
            *pending = None;
        }
        Some((s, _)) if *s == now => {}
        _ => *pending = Some((now, Instant::now())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_a_corrupt_file_is_set_aside() {
        let dir = std::env::temp_dir().join(format!("murmuration-settings-{}", std::process::id()));
        let path = dir.join("sub").join(FILE_NAME);
        let nothing = Loaded { settings: Settings::default(), message: None, writable: true };
        assert_eq!(load(&path), nothing, "no file: the defaults, silently");
        let s = Settings { window: (1920, 1080), panels: false, ..Settings::default() };
        save(&path, &s).unwrap();
        assert_eq!(load(&path), Loaded { settings: s, message: None, writable: true });
        std::fs::write(&path, "(window: (1920, 1080), panels: maybe)").unwrap();
        let Loaded { settings: loaded, message, writable } = load(&path);
        assert_eq!(loaded, Settings::default());
        assert!(writable);
        let message = message.unwrap();
        assert!(message.contains("ignoring the settings file") && message.contains("settings.ron.bad"), "{message}");
        assert_eq!(std::fs::read_to_string(path.with_extension("ron.bad")).unwrap(), "(window: (1920, 1080), panels: maybe)", "nothing lost");
        std::fs::write(&path, "(window: (10, 10))").unwrap();
        let second = load(&path).message.unwrap();
        assert!(second.contains("320 to 7680") && second.contains("settings.ron.bad.1"), "the first one set aside is kept: {second}");
        assert!(path.with_extension("ron.bad").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn window_sizes_are_checked() {
        assert_eq!(parse_window_size("1920x1080").unwrap(), (1920, 1080));
        for bad in ["1920", "axb", "100x100", "1920x-1", "99999x720"] {
            let e = parse_window_size(bad).unwrap_err();
            assert!(format!("{e:#}").contains("--window-size"), "{bad}: {e:#}");
        }
    }
}
