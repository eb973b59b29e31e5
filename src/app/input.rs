//! Hotkeys and world clicks → changes to the simulation. Reads `ButtonInput<KeyCode>` and
//! [`WorldClick`] messages only, so it works (and is tested) without a window.

use bevy::prelude::*;
use bevy_egui::input::EguiWantsInput;

use super::hotkeys::{Command, command_for};
use super::state::{SPEED_RANGE, UiAction, UiState};
use crate::view::{ColorMode, DrawSettings};
use crate::sim::predator::{PredatorRoster, hunter_speed};
use crate::sim::space::Space;
use crate::sim::timeline::{Change, place_predator, remove_predator};
use crate::sim::{Bird, Position, Predator, SimClock, SimControl, SimParams, Timeline};

/// A click in the world (not on a panel), in world coordinates.
#[derive(Message, Clone, Copy, Debug, PartialEq)]
pub struct WorldClick {
    /// Where, in world units.
    pub pos: Vec2,
    /// Which button.
    pub button: MouseButton,
    /// Whether shift was held.
    pub shift: bool,
}

/// Requests from hotkeys and panels, handled in one place.
#[derive(Message, Clone, Debug, PartialEq)]
pub struct ActionRequest(pub UiAction);

/// Hotkeys and clicks.
pub struct InputPlugin;

impl Plugin for InputPlugin {
    fn build(&self, app: &mut App) {
        app.add_message::<WorldClick>()
            .add_message::<ActionRequest>()
            .init_resource::<ButtonInput<KeyCode>>()
            .init_resource::<DrawSettings>()
            .add_systems(Update, (hotkeys, apply_run_actions, clicks).chain().in_set(super::AppSystems::Input));
    }
}

fn egui_has_keyboard(egui: &Option<Res<EguiWantsInput>>) -> bool {
    egui.as_ref().is_some_and(|e| e.wants_any_keyboard_input())
}

/// Keyboard shortcuts (ignored while a text box has focus).
pub fn hotkeys(
    keys: Res<ButtonInput<KeyCode>>,
    egui: Option<Res<EguiWantsInput>>,
    mut state: ResMut<UiState>,
    mut draw: ResMut<DrawSettings>,
    mut actions: MessageWriter<ActionRequest>,
) {
    if egui_has_keyboard(&egui) {
        return;
    }
    let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
    for command in keys.get_just_pressed().filter_map(|&key| command_for(key, shift)) {
        match command {
            Command::Request(action) => {
                actions.write(ActionRequest(action.clone()));
            }
            Command::Slower => state.speed = (state.speed / 2.0).max(SPEED_RANGE.0),
            Command::Faster => state.speed = (state.speed * 2.0).min(SPEED_RANGE.1),
            Command::ToggleGrid => state.show_grid = !state.show_grid,
            Command::ToggleHelp => state.show_help = !state.show_help,
            Command::TogglePanels => {
                state.show_panels = !state.show_panels;
                if !state.show_panels {
                    state.say("panels hidden: Tab brings them back", false);
                }
            }
            Command::ToggleFollow => state.follow = !state.follow,
            Command::ToggleCaptions => {
                state.show_captions = !state.show_captions;
                let text = if state.show_captions { "captions on (T)" } else { "captions off (T)" };
                state.say(text, false);
            }
            Command::NextColours => {
                let i = ColorMode::ALL.iter().position(|&m| m == draw.color_mode).unwrap_or(0);
                draw.color_mode = ColorMode::ALL[(i + 1) % ColorMode::ALL.len()];
            }
            // the camera fits the world (it knows the panels' widths)
            Command::FitWorld => {}
        }
    }
}

/// Applies pause and step requests (the rest go to the preset and reset handlers).
pub fn apply_run_actions(mut requests: MessageReader<ActionRequest>, mut control: ResMut<SimControl>) {
    for ActionRequest(action) in requests.read() {
        match action {
            UiAction::TogglePause => control.paused = !control.paused,
            UiAction::Step => {
                control.paused = true;
                control.step_once = true;
            }
            _ => {}
        }
    }
}

/// Left click: place a predator. Right click: remove the nearest predator. Shift-click: inspect
/// the nearest bird. Placements and removals go into the run's [`Timeline`].
#[allow(clippy::too_many_arguments)]
pub fn clicks(
    mut commands: Commands,
    mut clicks: MessageReader<WorldClick>,
    mut params: ResMut<SimParams>,
    mut roster: ResMut<PredatorRoster>,
    mut state: ResMut<UiState>,
    mut timeline: ResMut<Timeline>,
    clock: Res<SimClock>,
    predators: Query<(Entity, &Position, &Predator)>,
    birds: Query<(Entity, &Position), With<Bird>>,
) {
    let space = Space::from_params(&params);
    let nearest = |pos: Vec2, items: &mut dyn Iterator<Item = (Entity, &Position)>| {
        items
            .map(|(e, p)| (space.offset(pos, p.0).length_squared(), e))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, e)| e)
    };
    for click in clicks.read() {
        if !(click.pos.cmpge(Vec2::ZERO).all() && click.pos.cmple(space.size).all()) {
            continue;
        }
        match (click.button, click.shift) {
            (MouseButton::Left, false) => {
                let (pos, vel) = (space.contain(click.pos), Vec2::X * hunter_speed(&params));
                place_predator(&mut commands, &mut roster, pos, vel);
                timeline.log(clock.step, Change::PlacePredator { x: pos.x, y: pos.y, vx: vel.x, vy: vel.y });
                state.say("predator placed (right-click removes it)", false);
            }
            (MouseButton::Left, true) => state.selected = nearest(click.pos, &mut birds.iter()),
            (MouseButton::Right, _) => {
                let Some(e) = nearest(click.pos, &mut predators.iter().map(|(e, p, _)| (e, p))) else { continue };
                let Ok((_, _, &Predator { id, .. })) = predators.get(e) else { continue };
                remove_predator(&mut commands, &mut params, predators.iter().map(|(e, _, p)| (e, p)), id);
                timeline.log(clock.step, Change::RemovePredator(id));
            }
            _ => {}
        }
    }
}
