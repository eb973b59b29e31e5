//! The 2D camera: fit the world (F, on start and when the world changes), pan by dragging, zoom
//! with the wheel. Also turns mouse clicks on the world into [`WorldClick`] messages.

use bevy::input::mouse::{AccumulatedMouseScroll, MouseScrollUnit};
use bevy::prelude::*;
use bevy::render::view::Msaa;
use bevy::window::PrimaryWindow;
use bevy_egui::input::EguiWantsInput;

use super::hotkeys::{Command, HOTKEYS};
use super::input::WorldClick;
use crate::sim::SimParams;
use crate::view::camera::{ViewCamera, fit_scale, shown_area};
use crate::view::draw::DrawSettings;

/// Spawns the camera and moves it.
pub struct CameraPlugin;

impl Plugin for CameraPlugin {
    fn build(&self, app: &mut App) {
        app.init_resource::<PanelInsets>()
            .init_resource::<Drag>()
            .add_systems(Startup, spawn_camera)
            .add_systems(Update, (fit, follow_flock, pan_zoom_click, apply_msaa).chain().in_set(super::AppSystems::Camera));
    }
}

/// Screen space taken by side panels (logical pixels), so "fit" uses the visible part.
#[derive(Resource, Clone, Copy, Debug, Default, PartialEq)]
pub struct PanelInsets {
    /// Left panel width.
    pub left: f32,
    /// Right panel width.
    pub right: f32,
}

/// A mouse drag in progress.
#[derive(Resource, Debug, Default)]
struct Drag {
    start: Option<Vec2>,
    last: Option<Vec2>,
    dragged: bool,
}

impl Drag {
    /// Follows the left button: the pixels to pan by while dragging, and the cursor position of
    /// a press released without dragging (a click).
    fn follow(&mut self, buttons: &ButtonInput<MouseButton>, cursor: Option<Vec2>, over_ui: bool) -> (Option<Vec2>, Option<Vec2>) {
        let (mut pan, mut click) = (None, None);
        if buttons.just_pressed(MouseButton::Left) && !over_ui {
            (self.start, self.last, self.dragged) = (cursor, cursor, false);
        }
        if buttons.pressed(MouseButton::Left)
            && let (Some(start), Some(last), Some(now)) = (self.start, self.last, cursor)
        {
            self.dragged |= now.distance(start) > DRAG_THRESHOLD;
            if self.dragged {
                pan = Some(now - last);
            }
            self.last = Some(now);
        }
        if buttons.just_released(MouseButton::Left) {
            if self.start.is_some() && !self.dragged {
                click = cursor;
            }
            (self.start, self.last) = (None, None);
        }
        (pan, click)
    }
}

/// Distance (pixels) the cursor must move while pressed for a press to be a drag, not a click.
const DRAG_THRESHOLD: f32 = 4.0;

fn spawn_camera(mut commands: Commands, params: Res<SimParams>) {
    let center = Vec2::new(params.world_width, params.world_height) * 0.5;
    commands.spawn((Camera2d, ViewCamera, Msaa::Off, Transform::from_translation(center.extend(0.0))));
}

/// Fits the world (in roost mode: the roost's neighbourhood) into the visible area on start, when
/// the world or the window changes, and on F.
fn fit(
    params: Res<SimParams>,
    keys: Res<ButtonInput<KeyCode>>,
    insets: Res<PanelInsets>,
    egui: Option<Res<EguiWantsInput>>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&mut Projection, &mut Transform), With<ViewCamera>>,
    mut last: Local<Option<(Vec2, Vec2, PanelInsets)>>,
) {
    let world = Vec2::new(params.world_width, params.world_height);
    let shown = shown_area(&params);
    let viewport = window.size();
    let typing = egui.is_some_and(|e| e.wants_any_keyboard_input());
    let fit_keys = HOTKEYS.iter().filter(|h| h.command == Command::FitWorld);
    let key = !typing && fit_keys.into_iter().any(|h| keys.just_pressed(h.key));
    if !key && *last == Some((shown, viewport, *insets)) {
        return;
    }
    *last = Some((shown, viewport, *insets));
    let visible = Vec2::new((viewport.x - insets.left - insets.right).max(100.0), viewport.y);
    let scale = fit_scale(shown, visible);
    let (mut projection, mut transform) = camera.into_inner();
    if let Projection::Orthographic(ortho) = &mut *projection {
        ortho.scale = scale;
    }
    // shift the centre so the world sits in the middle of the visible area
    let shift = (insets.left - insets.right) * 0.5 * scale;
    transform.translation = (world * 0.5 - Vec2::new(shift, 0.0)).extend(0.0);
}

/// The camera's centre moves this share of the way to the flock's centre per second (smoothed
/// with an exponential, so it does not jerk as birds join and leave).
const FOLLOW_RATE: f32 = 3.0;

/// Keeps the view on the flock's centre (its mean position, shifted for the panels) while
/// `follow` is on and the user is not dragging.
fn follow_flock(
    state: Res<super::state::UiState>,
    insets: Res<PanelInsets>,
    drag: Res<Drag>,
    time: Res<Time<Real>>,
    birds: Query<&crate::sim::Position, With<crate::sim::Bird>>,
    camera: Single<(&Projection, &mut Transform), With<ViewCamera>>,
) {
    if !state.follow || drag.dragged {
        return;
    }
    let Some(centre) = crate::view::camera::flock_centre(birds.iter().map(|p| p.0)) else { return };
    let (projection, mut transform) = camera.into_inner();
    let Projection::Orthographic(ortho) = projection else { return };
    let target = centre - Vec2::new((insets.left - insets.right) * 0.5 * ortho.scale, 0.0);
    let k = 1.0 - (-FOLLOW_RATE * time.delta_secs()).exp();
    let now = transform.translation.truncate();
    transform.translation = (now + (target - now) * k).extend(transform.translation.z);
}

/// Zooms by `lines` wheel lines (each ×0.85 in world units per pixel, within 0.01 to 1000) about
/// the world point `at`, which stays under the cursor: the camera's new centre and scale.
pub fn zoom_about(at: Vec2, centre: Vec2, scale: f32, lines: f32) -> (Vec2, f32) {
    let new_scale = (scale * 0.85f32.powf(lines)).clamp(0.01, 1000.0);
    (at + (centre - at) * (new_scale / scale), new_scale)
}

/// Drag to pan, wheel to zoom about the cursor; a press released without dragging is a click.
#[allow(clippy::too_many_arguments)]
fn pan_zoom_click(
    buttons: Res<ButtonInput<MouseButton>>,
    keys: Res<ButtonInput<KeyCode>>,
    scroll: Res<AccumulatedMouseScroll>,
    egui: Option<Res<EguiWantsInput>>,
    window: Single<&Window, With<PrimaryWindow>>,
    camera: Single<(&Camera, &GlobalTransform, &mut Projection, &mut Transform), With<ViewCamera>>,
    mut drag: ResMut<Drag>,
    mut clicks: MessageWriter<WorldClick>,
) {
    let (camera, global, mut projection, mut transform) = camera.into_inner();
    let Projection::Orthographic(ortho) = &mut *projection else { return };
    let cursor = window.cursor_position();
    let over_ui = egui.as_ref().is_some_and(|e| e.wants_any_pointer_input());
    let to_world = |p: Vec2| camera.viewport_to_world_2d(global, p).ok();

    if !over_ui
        && scroll.delta.y != 0.0
        && let Some(at) = cursor.and_then(to_world)
    {
        let lines = match scroll.unit {
            MouseScrollUnit::Line => scroll.delta.y,
            MouseScrollUnit::Pixel => scroll.delta.y / 40.0,
        };
        let centre;
        (centre, ortho.scale) = zoom_about(at, transform.translation.truncate(), ortho.scale, lines);
        transform.translation = centre.extend(transform.translation.z);
    }

    // left button: drag pans, a short press clicks
    let (pan, clicked) = drag.follow(&buttons, cursor, over_ui);
    if let Some(delta) = pan {
        transform.translation.x -= delta.x * ortho.scale;
        transform.translation.y += delta.y * ortho.scale;
    }
    if let Some(pos) = clicked.and_then(to_world) {
        let shift = keys.any_pressed([KeyCode::ShiftLeft, KeyCode::ShiftRight]);
        clicks.write(WorldClick { pos, button: MouseButton::Left, shift });
    }
    if buttons.just_pressed(MouseButton::Right)
        && !over_ui
        && let Some(pos) = cursor.and_then(to_world)
    {
        clicks.write(WorldClick { pos, button: MouseButton::Right, shift: false });
    }
}

/// Applies the MSAA choice to the view camera; the first time, chooses it from the adapter: off on
/// a software renderer (lavapipe spends about as long again on every frame with 4×), 4× otherwise.
fn apply_msaa(
    mut draw: ResMut<DrawSettings>,
    adapter: Option<Res<bevy::render::renderer::RenderAdapterInfo>>,
    camera: Single<&mut Msaa, With<ViewCamera>>,
) {
    if draw.msaa == 0 {
        let Some(adapter) = adapter else { return };
        // wgpu's `DeviceType` is not re-exported by Bevy; its `Debug` name is stable ("Cpu").
        let software = format!("{:?}", adapter.0.device_type) == "Cpu";
        draw.msaa = if software { 1 } else { 4 };
    }
    let want = if draw.msaa >= 4 { Msaa::Sample4 } else { Msaa::Off };
    let mut msaa = camera.into_inner();
    if *msaa != want {
        *msaa = want;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zooming_keeps_the_point_under_the_cursor() {
        let (at, centre) = (Vec2::new(30.0, -10.0), Vec2::new(100.0, 50.0));
        let (c, s) = zoom_about(at, centre, 2.0, 1.0);
        assert!((s - 1.7).abs() < 1e-6);
        // the cursor's offset from the centre in pixels is the same before and after
        assert!(((at - centre) / 2.0 - (at - c) / s).length() < 1e-4);
        assert_eq!(zoom_about(at, centre, 0.01, 5.0).1, 0.01, "clamped");
    }

    #[test]
    fn a_short_press_clicks_and_a_long_move_pans() {
        let mut buttons = ButtonInput::<MouseButton>::default();
        let mut drag = Drag::default();
        buttons.press(MouseButton::Left);
        assert_eq!(drag.follow(&buttons, Some(Vec2::new(10.0, 10.0)), false), (None, None));
        buttons.clear();
        assert_eq!(drag.follow(&buttons, Some(Vec2::new(12.0, 10.0)), false), (None, None), "2 px: not a drag yet");
        buttons.release(MouseButton::Left);
        assert_eq!(drag.follow(&buttons, Some(Vec2::new(12.0, 10.0)), false), (None, Some(Vec2::new(12.0, 10.0))));
        buttons.clear();
        buttons.press(MouseButton::Left);
        drag.follow(&buttons, Some(Vec2::new(10.0, 10.0)), false);
        buttons.clear();
        assert_eq!(drag.follow(&buttons, Some(Vec2::new(30.0, 5.0)), false).0, Some(Vec2::new(20.0, -5.0)));
        buttons.release(MouseButton::Left);
        assert_eq!(drag.follow(&buttons, Some(Vec2::new(30.0, 5.0)), false), (None, None), "a drag is no click");
        // a press on a panel is neither
        buttons.clear();
        buttons.press(MouseButton::Left);
        drag.follow(&buttons, Some(Vec2::new(10.0, 10.0)), true);
        buttons.release(MouseButton::Left);
        assert_eq!(drag.follow(&buttons, Some(Vec2::new(10.0, 10.0)), true), (None, None));
    }
}
