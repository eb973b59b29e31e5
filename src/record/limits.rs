//! The limits of a recording, in one place: `murmuration record`'s flags, the replay file and
//! the offscreen recorder all check against these.

use std::ops::RangeInclusive;

use anyhow::{Context, Result, bail};

/// Output frames per second.
pub const FPS: RangeInclusive<u32> = 1..=120;
/// Seconds of video (more than 0, up to this).
pub const MAX_SECONDS: f32 = 3600.0;
/// Frame width in pixels (even).
pub const WIDTH: RangeInclusive<u32> = 16..=3840;
/// Frame height in pixels (even).
pub const HEIGHT: RangeInclusive<u32> = 16..=2160;

/// Checks a frame rate.
pub fn check_fps(fps: u32) -> Result<()> {
    if !FPS.contains(&fps) {
        bail!("invalid value for --fps: {fps} (allowed: {} to {})", FPS.start(), FPS.end());
    }
    Ok(())
}

/// Checks a length of video.
pub fn check_seconds(seconds: f32) -> Result<()> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= MAX_SECONDS) {
        bail!("invalid value for --seconds: {seconds} (allowed: more than 0, up to {MAX_SECONDS})");
    }
    Ok(())
}

/// Checks a frame size.
pub fn check_size((w, h): (u32, u32)) -> Result<()> {
    for (v, name, range) in [(w, "width", WIDTH), (h, "height", HEIGHT)] {
        if !range.contains(&v) || !v.is_multiple_of(2) {
            bail!("invalid value for --size: {w}x{h} ({name} must be even, {} to {})", range.start(), range.end());
        }
    }
    Ok(())
}

/// Parses and checks `WIDTHxHEIGHT`.
pub fn parse_size(text: &str) -> Result<(u32, u32)> {
    let (w, h) = text
        .split_once(['x', 'X'])
        .with_context(|| format!("invalid value for --size: {text} (expected WIDTHxHEIGHT, e.g. 1280x720)"))?;
    let number = |s: &str, name: &str| -> Result<u32> {
        s.trim().parse().with_context(|| format!("invalid value for --size: {text} ({name} is not a number)"))
    };
    let size = (number(w, "width")?, number(h, "height")?);
    check_size(size)?;
    Ok(size)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_name_the_flag_and_the_range() {
        assert_eq!(parse_size("320x180").unwrap(), (320, 180));
        for bad in ["320", "0x0", "321x180", "99999x100", "axb", "320x-2"] {
            assert!(parse_size(bad).unwrap_err().to_string().contains("--size"), "{bad}");
        }
        assert!(parse_size("3842x100").unwrap_err().to_string().contains("16 to 3840"));
        assert!(check_fps(0).unwrap_err().to_string().contains("1 to 120"));
        check_fps(120).unwrap();
        assert!(check_seconds(f32::NAN).is_err() && check_seconds(0.0).is_err() && check_seconds(3601.0).is_err());
        check_seconds(3600.0).unwrap();
    }
}
