//! The encoder worker: frames handed over from the render loop are letterboxed to the output size
//! and encoded on their own thread, so encoding never holds up the window.

use std::path::PathBuf;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

use anyhow::Result;
use image::RgbaImage;

use super::encode::{Encoder, OutputFormat};

/// Fits an image into `size`, keeping its aspect ratio (black bars fill the rest).
pub fn letterbox(img: &RgbaImage, size: (u32, u32)) -> RgbaImage {
    if img.dimensions() == size {
        return img.clone();
    }
    let scale = (size.0 as f32 / img.width() as f32).min(size.1 as f32 / img.height() as f32);
    let w = ((img.width() as f32 * scale).round() as u32).clamp(1, size.0);
    let h = ((img.height() as f32 * scale).round() as u32).clamp(1, size.1);
    let scaled = image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle);
    let mut out = RgbaImage::from_pixel(size.0, size.1, image::Rgba([0, 0, 0, 255]));
    image::imageops::overlay(&mut out, &scaled, i64::from((size.0 - w) / 2), i64::from((size.1 - h) / 2));
    out
}

/// The encoder thread: fits each frame to the size and encodes it; finalizes when the channel closes.
pub fn spawn_worker(path: PathBuf, format: OutputFormat, size: (u32, u32), fps: u32) -> (SyncSender<RgbaImage>, JoinHandle<Result<PathBuf>>) {
    let (tx, rx) = sync_channel::<RgbaImage>(4);
    let worker = std::thread::spawn(move || -> Result<PathBuf> {
        let mut encoder = Encoder::create(&path, format, size, fps)?;
        let mut count = 0;
        for frame in rx {
            let mut rgba = letterbox(&frame, size).into_raw();
            if let Err(e) = encoder.push(&mut rgba) {
                encoder.abandon();
                return Err(e);
            }
            count += 1;
        }
        if count == 0 {
            encoder.abandon();
            anyhow::bail!("no frames were recorded");
        }
        encoder.finish()
    });
    (tx, worker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letterbox_keeps_the_aspect_ratio() {
        let img = RgbaImage::from_pixel(200, 100, image::Rgba([255, 255, 255, 255]));
        let out = letterbox(&img, (100, 100));
        assert_eq!(out.dimensions(), (100, 100));
        assert_eq!(out.get_pixel(50, 50).0, [255, 255, 255, 255]);
        assert_eq!(out.get_pixel(50, 5).0, [0, 0, 0, 255], "bar above");
        assert_eq!(out.get_pixel(50, 95).0, [0, 0, 0, 255], "bar below");
    }
}
