//! The panel and hotkey requests that restart the simulation or touch preset files.

use bevy::prelude::*;

use super::input::ActionRequest;
use super::state::{UiAction, UiState};
use crate::preset::{Preset, preset_path};
use crate::sim::{ResetRequest, Script, SimParams, SimSeed};

/// A seed from the clock, for "new seed".
fn fresh_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64 % 1_000_000)
}

/// Whether a preset name is safe as a file name.
pub fn valid_preset_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Where screenshots and recordings go.
pub const CAPTURE_DIR: &str = "captures";

/// Milliseconds since the Unix epoch: the stamp in capture file names.
pub fn timestamp_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// Handles reset, new seed, load and save.
pub fn handle_actions(
    mut requests: MessageReader<ActionRequest>,
    mut params: ResMut<SimParams>,
    mut script: ResMut<Script>,
    seed: Res<SimSeed>,
    mut reset: ResMut<ResetRequest>,
    mut state: ResMut<UiState>,
) {
    for ActionRequest(action) in requests.read() {
        match action {
            UiAction::Reset => reset.0 = Some(seed.0),
            UiAction::NewSeed => {
                let s = fresh_seed();
                reset.0 = Some(s);
                state.say(format!("new seed {s}"), false);
            }
            UiAction::LoadPreset(name) => match Preset::load(name) {
                Ok(preset) => {
                    *params = preset.params.clone();
                    script.dives = preset.dives.clone();
                    reset.0 = Some(preset.seed.unwrap_or(seed.0));
                    state.preset_name = name.clone();
                    state.follow = crate::view::camera::follows_by_default(&preset.params);
                    state.preset_params = preset.params;
                    state.say(format!("loaded {name}"), false);
                }
                Err(e) => state.say(format!("{e:#}"), true),
            },
            UiAction::SavePreset(name) => {
                if !valid_preset_name(name) {
                    state.say("a preset name uses letters, digits, _ and - only", true);
                    continue;
                }
                let preset = Preset {
                    description: format!("Saved from the app (seed {}).", seed.0),
                    seed: Some(seed.0),
                    steps: None,
                    params: params.clone(),
                    dives: script.dives.clone(),
                };
                let path = preset_path(name);
                let result = path
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .map_err(anyhow::Error::from)
                    .and_then(|_| preset.save(&path));
                match result {
                    Ok(()) => {
                        state.preset_name = name.clone();
                        state.preset_params = params.clone();
                        state.say(format!("saved {}", path.display()), false);
                    }
                    Err(e) => state.say(format!("{e:#}"), true),
                }
            }
            // Handled by the window: the pause and step in input, recording and screenshots in their systems.
            UiAction::TogglePause | UiAction::Step | UiAction::ToggleRecord | UiAction::Screenshot => {}
        }
    }
}
