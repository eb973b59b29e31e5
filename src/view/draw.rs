//! How birds are drawn: colour and shape modes, MSAA, and whether the compute-shader dots are
//! in use. The app's panel and hotkeys edit [`DrawSettings`]; the drawing systems read it.

use bevy::prelude::*;

/// The sky behind the flock (the window's and the recordings' clear colour).
pub const BACKGROUND: Color = Color::srgb(0.04, 0.05, 0.08);

/// How birds are coloured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// One colour for all.
    Single,
    /// By cluster, with stable colours as clusters split and merge.
    Cluster,
    /// By speed, slow (blue) to fast (yellow).
    Speed,
    /// By heading (hue follows direction).
    #[default]
    Heading,
    /// By alarm: calm, pending, alarmed (escaping), refractory.
    Alarm,
}

impl ColorMode {
    /// Every mode, in menu order.
    pub const ALL: [ColorMode; 5] = [ColorMode::Single, ColorMode::Cluster, ColorMode::Speed, ColorMode::Heading, ColorMode::Alarm];

    /// The mode's name in menus.
    pub fn label(self) -> &'static str {
        match self {
            ColorMode::Single => "single colour",
            ColorMode::Cluster => "by cluster",
            ColorMode::Speed => "by speed",
            ColorMode::Heading => "by heading",
            ColorMode::Alarm => "by alarm",
        }
    }
}

/// How birds are drawn (also the `--draw` flag's values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DrawMode {
    /// Triangles up to [`DrawMode::DOTS_ABOVE`] birds, compute-shader dots above (in the window).
    #[default]
    Auto,
    /// A triangle per bird, pointing along its velocity.
    Triangles,
    /// One pixel per bird (a point mesh): far cheaper on software renderers.
    Dots,
    /// Dots written by a compute shader into a texture (no rasterized primitive per bird).
    Gpu,
}

impl DrawMode {
    /// Every mode, in menu order.
    pub const ALL: [DrawMode; 4] = [DrawMode::Auto, DrawMode::Triangles, DrawMode::Dots, DrawMode::Gpu];
    /// Above this many birds, `Auto` draws dots.
    pub const DOTS_ABOVE: usize = 30_000;

    /// The mode's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            DrawMode::Auto => "auto",
            DrawMode::Triangles => "triangles",
            DrawMode::Dots => "dots",
            DrawMode::Gpu => "gpu",
        }
    }

    /// The mode's name in menus.
    pub fn label(self) -> &'static str {
        match self {
            DrawMode::Gpu => "gpu dots",
            other => other.name(),
        }
    }

    /// What the mode does, for `--help` and the panel's tooltip.
    pub fn help(self) -> String {
        match self {
            DrawMode::Auto => format!("triangles up to {} birds, gpu dots above", thousands(Self::DOTS_ABOVE)),
            DrawMode::Triangles => "a triangle per bird, along its heading".into(),
            DrawMode::Dots => "one pixel per bird (a point mesh)".into(),
            DrawMode::Gpu => "a compute shader writes one dot per bird into a texture (cheapest on a software renderer)".into(),
        }
    }

    /// Whether `n` birds are drawn as dots.
    pub fn dots(self, n: usize) -> bool {
        match self {
            DrawMode::Auto => n > Self::DOTS_ABOVE,
            DrawMode::Triangles => false,
            DrawMode::Dots | DrawMode::Gpu => true,
        }
    }
}

impl clap::ValueEnum for DrawMode {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.name()).help(self.help()))
    }
}

/// `30000` → `"30,000"`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The drawing choices (a resource; the offscreen recorder uses the defaults).
#[derive(Resource, Clone, Debug, Default, PartialEq)]
pub struct DrawSettings {
    /// Bird colours.
    pub color_mode: ColorMode,
    /// Bird shapes.
    pub draw_mode: DrawMode,
    /// MSAA samples of the view (1 or 4; 0 until chosen from the adapter: off on a software one).
    pub msaa: u32,
    /// Whether the compute-shader dots are installed (the window installs them).
    pub gpu_dots: bool,
    /// Whether a camera other than the view (a recording of the world) needs the birds in the
    /// mesh: the compute-shader dots only reach the window.
    pub mesh_required: bool,
}

impl DrawSettings {
    /// Whether the compute shader draws `n` birds this frame: the "gpu" mode, or "auto" above
    /// `DrawMode::DOTS_ABOVE` birds, where the shader is installed and no other camera needs the mesh.
    pub fn splat_active(&self, n: usize) -> bool {
        let wanted = match self.draw_mode {
            DrawMode::Gpu => true,
            DrawMode::Auto => n > DrawMode::DOTS_ABOVE,
            _ => false,
        };
        wanted && self.gpu_dots && !self.mesh_required
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(30_000), "30,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
