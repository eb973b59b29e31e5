//! The hotkeys and mouse actions, declared once: input dispatches on [`HOTKEYS`], the help window
//! lists them, and the panel's tooltips name the key of each button ([`keys_for`]).

use bevy::prelude::KeyCode;

use super::state::UiAction;

/// What a hotkey does.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// A request handled like the panel's buttons.
    Request(UiAction),
    /// Half the simulation speed (down to ×0.25).
    Slower,
    /// Double the simulation speed (up to ×8).
    Faster,
    /// Fit the world in the window (the camera reads it).
    FitWorld,
    /// Show or hide the grid overlay.
    ToggleGrid,
    /// Show or hide the help window.
    ToggleHelp,
    /// Next colour mode.
    NextColours,
    /// Hide or show every panel (the world alone).
    TogglePanels,
    /// Hide or show the captions.
    ToggleCaptions,
    /// The camera follows the flock, or stays.
    ToggleFollow,
}

/// One hotkey.
#[derive(Clone, Debug, PartialEq)]
pub struct Hotkey {
    /// The key.
    pub key: KeyCode,
    /// Whether shift must be held.
    pub shift: bool,
    /// The key as the help and tooltips write it.
    pub name: &'static str,
    /// What it does, in the help window.
    pub does: &'static str,
    /// The command it gives.
    pub command: Command,
}

const fn key(key: KeyCode, name: &'static str, does: &'static str, command: Command) -> Hotkey {
    Hotkey { key, shift: false, name, does, command }
}

/// Every hotkey, in help order. Keys of one command stand next to each other.
pub const HOTKEYS: &[Hotkey] = &[
    key(KeyCode::Space, "Space", "pause / play", Command::Request(UiAction::TogglePause)),
    key(KeyCode::Period, ".", "one step while paused", Command::Request(UiAction::Step)),
    key(KeyCode::Backspace, "Backspace", "restart with the same seed", Command::Request(UiAction::Reset)),
    key(KeyCode::KeyN, "N", "restart with a new seed", Command::Request(UiAction::NewSeed)),
    key(KeyCode::KeyR, "R", "start / stop recording a video (./captures, with a replay .ron)", Command::Request(UiAction::ToggleRecord)),
    key(KeyCode::KeyP, "P", "save a screenshot in ./captures", Command::Request(UiAction::Screenshot)),
    key(KeyCode::BracketLeft, "[", "half speed (down to ×0.25)", Command::Slower),
    key(KeyCode::BracketRight, "]", "double speed (up to ×8)", Command::Faster),
    key(KeyCode::KeyF, "F", "fit the world in the window", Command::FitWorld),
    key(KeyCode::KeyG, "G", "toggle the grid overlay", Command::ToggleGrid),
    key(KeyCode::KeyC, "C", "next colour mode", Command::NextColours),
    key(KeyCode::Tab, "Tab", "hide / show every panel (the world alone)", Command::TogglePanels),
    key(KeyCode::KeyT, "T", "captions on / off", Command::ToggleCaptions),
    key(KeyCode::KeyV, "V", "the view follows the flock / stays", Command::ToggleFollow),
    key(KeyCode::KeyH, "H", "this help", Command::ToggleHelp),
    Hotkey { key: KeyCode::Slash, shift: true, name: "?", does: "this help", command: Command::ToggleHelp },
];

/// Mouse actions, for the help window.
pub const MOUSE: &[(&str, &str)] = &[
    ("left click", "place a predator"),
    ("right click", "remove the nearest predator"),
    ("shift + click", "inspect the nearest bird (radius, view, links, forces)"),
    ("drag", "pan"),
    ("wheel", "zoom"),
];

/// The command of a key pressed with or without shift, if it is a hotkey.
pub fn command_for(key: KeyCode, shift: bool) -> Option<&'static Command> {
    HOTKEYS.iter().find(|h| h.key == key && (!h.shift || shift)).map(|h| &h.command)
}

/// The keys that give `command`, as the help writes them ("H or ?"); empty if none.
pub fn keys_for(command: &Command) -> String {
    HOTKEYS.iter().filter(|h| h.command == *command).map(|h| h.name).collect::<Vec<_>>().join(" or ")
}

/// The help window's rows: each command once with all its keys, then the mouse.
pub fn help_rows() -> Vec<(String, &'static str)> {
    let mut rows: Vec<(String, &'static str)> = Vec::new();
    for (i, h) in HOTKEYS.iter().enumerate() {
        if HOTKEYS[..i].iter().any(|e| e.command == h.command) {
            continue;
        }
        rows.push((keys_for(&h.command), h.does));
    }
    rows.extend(MOUSE.iter().map(|&(what, does)| (what.to_string(), does)));
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_gives_one_command_and_the_help_lists_every_command_once() {
        for (i, a) in HOTKEYS.iter().enumerate() {
            for b in &HOTKEYS[i + 1..] {
                assert!(!(a.key == b.key && a.shift == b.shift), "{} twice", a.name);
            }
        }
        let rows = help_rows();
        assert!(rows.contains(&("H or ?".to_string(), "this help")), "{rows:?}");
        assert_eq!(rows.iter().filter(|(_, does)| *does == "this help").count(), 1);
        assert_eq!(rows.len(), HOTKEYS.len() - 1 + MOUSE.len());
        assert_eq!(command_for(KeyCode::Slash, true), Some(&Command::ToggleHelp));
        assert_eq!(command_for(KeyCode::Slash, false), None);
        assert_eq!(keys_for(&Command::Request(UiAction::Reset)), "Backspace");
    }
}
