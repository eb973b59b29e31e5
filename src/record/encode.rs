//! Output formats: MP4/H.264 (`openh264` + `mp4`, see [`super::mp4`]), GIF (the `gif` crate) and a
//! folder of PNG frames (the `image` crate). Every output is written to a temporary name and renamed
//! into place when complete.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::mp4::Mp4Output;

/// What `--out` asks for, by its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// An H.264 video in an MP4 file (`.mp4`).
    Mp4,
    /// An animated GIF (`.gif`).
    Gif,
    /// A folder of `frame_00000.png`… (a path without extension, or ending in `/`).
    PngFolder,
}

impl OutputFormat {
    /// The format for an output path; unknown extensions are refused with the list.
    pub fn from_path(path: &Path) -> Result<Self> {
        let text = path.to_string_lossy();
        if text.ends_with('/') || path.is_dir() {
            return Ok(Self::PngFolder);
        }
        match path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()) {
            Some(e) if e == "gif" => Ok(Self::Gif),
            Some(e) if e == "mp4" => Ok(Self::Mp4),
            None => Ok(Self::PngFolder),
            Some(e) => bail!("cannot write {}: unknown extension .{e} (use .mp4, .gif, or a folder for PNG frames)", path.display()),
        }
    }
}

/// Checks that an output can be written, before any rendering.
pub fn check_output(path: &Path) -> Result<OutputFormat> {
    let format = OutputFormat::from_path(path)?;
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !parent.is_dir() {
        bail!("cannot write {}: folder {} does not exist", path.display(), parent.display());
    }
    let probe = parent.join(format!(".murmuration-probe-{}", std::process::id()));
    fs::write(&probe, b"").with_context(|| format!("cannot write {}: folder {} is not writable", path.display(), parent.display()))?;
    let _ = fs::remove_file(&probe);
    Ok(format)
}

/// Receives frames (tightly packed RGBA8, top row first) and writes them.
pub enum Encoder {
    /// H.264 frames into a temporary MP4 file.
    Mp4 {
        /// The encoder and muxer.
        output: Box<Mp4Output>,
        /// Temporary file.
        tmp: PathBuf,
        /// Final path.
        out: PathBuf,
    },
    /// GIF frames into a temporary file.
    Gif {
        /// The encoder.
        encoder: gif::Encoder<BufWriter<fs::File>>,
        /// Frame size.
        size: (u32, u32),
        /// Delay per frame in 1/100 s.
        delay: u16,
        /// Temporary file.
        tmp: PathBuf,
        /// Final path.
        out: PathBuf,
    },
    /// PNG files into a temporary folder.
    Pngs {
        /// Frames written.
        count: u32,
        /// Frame size.
        size: (u32, u32),
        /// Temporary folder.
        tmp: PathBuf,
        /// Final folder.
        out: PathBuf,
    },
}

impl Encoder {
    /// Starts an output.
    pub fn create(path: &Path, format: OutputFormat, size: (u32, u32), fps: u32) -> Result<Self> {
        let out = PathBuf::from(path.to_string_lossy().trim_end_matches('/'));
        crate::io::clean_stale_temps(&out);
        let tmp = crate::io::temp_path(&out);
        match format {
            OutputFormat::Mp4 => Ok(Self::Mp4 { output: Box::new(Mp4Output::create(&tmp, size, fps)?), tmp, out }),
            OutputFormat::Gif => {
                let file = fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
                let mut encoder = gif::Encoder::new(BufWriter::new(file), size.0 as u16, size.1 as u16, &[])?;
                encoder.set_repeat(gif::Repeat::Infinite)?;
                let delay = (100.0 / fps as f32).round().max(1.0) as u16;
                Ok(Self::Gif { encoder, size, delay, tmp, out })
            }
            OutputFormat::PngFolder => {
                let _ = fs::remove_dir_all(&tmp);
                fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
                Ok(Self::Pngs { count: 0, size, tmp, out })
            }
        }
    }

    /// Adds one frame.
    pub fn push(&mut self, rgba: &mut [u8]) -> Result<()> {
        match self {
            Self::Mp4 { output, .. } => output.push(rgba)?,
            Self::Gif { encoder, size, delay, .. } => {
                let mut frame = gif::Frame::from_rgba_speed(size.0 as u16, size.1 as u16, rgba, 10);
                frame.delay = *delay;
                encoder.write_frame(&frame)?;
            }
            Self::Pngs { count, size, tmp, .. } => {
                let img = image::RgbaImage::from_raw(size.0, size.1, rgba.to_vec()).context("frame size mismatch")?;
                img.save(tmp.join(format!("frame_{count:05}.png")))?;
                *count += 1;
            }
        }
        Ok(())
    }

    /// Completes the output: renames it into place (replacing an older one).
    pub fn finish(self) -> Result<PathBuf> {
        match self {
            Self::Mp4 { output, tmp, out } => {
                output.finish()?;
                fs::rename(&tmp, &out).with_context(|| format!("cannot write {}", out.display()))?;
                Ok(out)
            }
            Self::Gif { encoder, tmp, out, .. } => {
                let file = encoder.into_inner()?.into_inner().map_err(|e| e.into_error())?;
                file.sync_all()?;
                fs::rename(&tmp, &out).with_context(|| format!("cannot write {}", out.display()))?;
                Ok(out)
            }
            Self::Pngs { tmp, out, .. } => {
                if out.is_dir() {
                    fs::remove_dir_all(&out).with_context(|| format!("cannot replace {}", out.display()))?;
                }
                fs::rename(&tmp, &out).with_context(|| format!("cannot write {}", out.display()))?;
                Ok(out)
            }
        }
    }

    /// Removes the partial output.
    pub fn abandon(self) {
        match self {
            Self::Mp4 { tmp, .. } | Self::Gif { tmp, .. } => {
                let _ = fs::remove_file(tmp);
            }
            Self::Pngs { tmp, .. } => {
                let _ = fs::remove_dir_all(tmp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_come_from_the_extension() {
        assert_eq!(OutputFormat::from_path(Path::new("a.gif")).unwrap(), OutputFormat::Gif);
        assert_eq!(OutputFormat::from_path(Path::new("a.MP4")).unwrap(), OutputFormat::Mp4);
        assert_eq!(OutputFormat::from_path(Path::new("frames/")).unwrap(), OutputFormat::PngFolder);
        assert!(OutputFormat::from_path(Path::new("a.avi")).unwrap_err().to_string().contains("unknown extension .avi"));
    }
}
