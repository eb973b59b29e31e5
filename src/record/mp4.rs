//! MP4 (H.264) output: frames are encoded with OpenH264 (the `openh264` crate, which builds its
//! bundled C++ source) and muxed into an MP4 file with the `mp4` crate. Every frame has the same
//! duration (1/fps), so the file plays at exactly the recorded frame rate. Also the reader used to
//! check what was written: MP4 → decoded RGB frames.

use std::fs::File;
use std::io::{BufReader, BufWriter};
use std::path::Path;

use anyhow::{Context, Result, bail};
use mp4::{AvcConfig, FourCC, MediaConfig, Mp4Config, Mp4Sample, Mp4Writer, TrackConfig, TrackType};
use openh264::OpenH264API;
use openh264::decoder::{DecodedYUV, Decoder, DecoderConfig};
use openh264::encoder::{Encoder, EncoderConfig, FrameRate, FrameType, IntraFramePeriod, QpRange, RateControlMode};
use openh264::formats::{RgbaSliceU8, YUVBuffer, YUVSource};

/// H.264 network abstraction unit types that go into the track header, not the samples.
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;

/// An MP4 file being written.
pub struct Mp4Output {
    encoder: Encoder,
    writer: Mp4Writer<BufWriter<File>>,
    yuv: YUVBuffer,
    size: (u32, u32),
    fps: u32,
    frames: u64,
    track_added: bool,
}

impl Mp4Output {
    /// Starts an MP4 at `path` (the caller's temporary name).
    pub fn create(path: &Path, size: (u32, u32), fps: u32) -> Result<Self> {
        let file = File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
        let brand = |s: &str| -> FourCC { s.parse().expect("four-letter brand") };
        let config = Mp4Config {
            major_brand: brand("isom"),
            minor_version: 512,
            compatible_brands: vec![brand("isom"), brand("iso2"), brand("avc1"), brand("mp41")],
            timescale: 1000,
        };
        let writer = Mp4Writer::write_start(BufWriter::new(file), &config)?;
        // Constant quality (no rate control, which would skip frames): every frame is kept, small
        // moving dots stay sharp; a key frame every 2 s.
        let config = EncoderConfig::new()
            .max_frame_rate(FrameRate::from_hz(fps as f32))
            .rate_control_mode(RateControlMode::Off)
            .qp(QpRange::new(22, 22))
            .skip_frames(false)
            .intra_frame_period(IntraFramePeriod::from_num_frames(2 * fps))
            .num_threads(1);
        let encoder = Encoder::with_api_config(OpenH264API::from_source(), config).context("cannot start the H.264 encoder")?;
        let yuv = YUVBuffer::new(size.0 as usize, size.1 as usize);
        Ok(Self { encoder, writer, yuv, size, fps, frames: 0, track_added: false })
    }

    /// Encodes one frame (tightly packed RGBA8, top row first).
    pub fn push(&mut self, rgba: &[u8]) -> Result<()> {
        let (w, h) = (self.size.0 as usize, self.size.1 as usize);
        if rgba.len() != w * h * 4 {
            bail!("frame is {} bytes, expected {}×{}×4", rgba.len(), w, h);
        }
        self.yuv.read_rgb8(RgbaSliceU8::new(rgba, (w, h)));
        let stream = self.encoder.encode(&self.yuv).context("H.264 encoding failed")?;
        let is_sync = matches!(stream.frame_type(), FrameType::IDR | FrameType::I);
        let mut sps = None;
        let mut pps = None;
        let mut sample = Vec::new();
        for l in 0..stream.num_layers() {
            let layer = stream.layer(l).expect("layer index in range");
            for n in 0..layer.nal_count() {
                let nal = strip_start_code(layer.nal_unit(n).expect("nal index in range"));
                match nal.first().map(|b| b & 0x1f) {
                    Some(NAL_SPS) => sps = Some(nal.to_vec()),
                    Some(NAL_PPS) => pps = Some(nal.to_vec()),
                    Some(_) => {
                        sample.extend_from_slice(&(nal.len() as u32).to_be_bytes());
                        sample.extend_from_slice(nal);
                    }
                    None => {}
                }
            }
        }
        if !self.track_added {
            let (Some(seq_param_set), Some(pic_param_set)) = (sps, pps) else {
                bail!("the H.264 encoder did not start with a key frame");
            };
            let avc = AvcConfig { width: self.size.0 as u16, height: self.size.1 as u16, seq_param_set, pic_param_set };
            let track = TrackConfig {
                track_type: TrackType::Video,
                timescale: self.fps,
                language: "und".into(),
                media_conf: MediaConfig::AvcConfig(avc),
            };
            self.writer.add_track(&track)?;
            self.track_added = true;
        }
        let sample = Mp4Sample { start_time: self.frames, duration: 1, rendering_offset: 0, is_sync, bytes: sample.into() };
        self.writer.write_sample(1, &sample)?;
        self.frames += 1;
        Ok(())
    }

    /// Writes the index and flushes the file.
    pub fn finish(mut self) -> Result<()> {
        if !self.track_added {
            bail!("no frames to write");
        }
        self.writer.write_end()?;
        let file = self.writer.into_writer().into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(())
    }
}

/// Drops an Annex-B start code (`00 00 01` or `00 00 00 01`) from the front of a NAL unit.
fn strip_start_code(nal: &[u8]) -> &[u8] {
    match nal {
        [0, 0, 0, 1, rest @ ..] | [0, 0, 1, rest @ ..] => rest,
        _ => nal,
    }
}

/// A decoded MP4 video.
#[derive(Debug)]
pub struct DecodedVideo {
    /// Width and height in pixels.
    pub size: (u32, u32),
    /// Frames per second from the track's timing.
    pub fps: f64,
    /// Frames as RGB8, top row first.
    pub frames: Vec<Vec<u8>>,
}

fn to_rgb(yuv: &DecodedYUV) -> Vec<u8> {
    let (w, h) = yuv.dimensions();
    let mut rgb = vec![0; w * h * 3];
    yuv.write_rgb8(&mut rgb);
    rgb
}

/// Reads and decodes the first video track of an MP4 file.
pub fn decode_mp4(path: &Path) -> Result<DecodedVideo> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let len = file.metadata()?.len();
    let mut reader = mp4::Mp4Reader::read_header(BufReader::new(file), len).context("not an MP4 file")?;
    let (id, track) = reader
        .tracks()
        .iter()
        .find(|(_, t)| matches!(t.track_type(), Ok(TrackType::Video)))
        .map(|(id, t)| (*id, t))
        .context("no video track")?;
    let size = (u32::from(track.width()), u32::from(track.height()));
    let fps = track.frame_rate();
    let mut annexb = Vec::new();
    for set in [track.sequence_parameter_set()?, track.picture_parameter_set()?] {
        annexb.extend_from_slice(&[0, 0, 0, 1]);
        annexb.extend_from_slice(set);
    }
    let count = reader.sample_count(id)?;
    let mut decoder = Decoder::with_api_config(OpenH264API::from_source(), DecoderConfig::new())?;
    let mut frames = Vec::with_capacity(count as usize);
    for sample_id in 1..=count {
        let sample = reader.read_sample(id, sample_id)?.context("missing sample")?;
        let mut packet = std::mem::take(&mut annexb);
        let mut rest = &sample.bytes[..];
        while rest.len() >= 4 {
            let n = u32::from_be_bytes(rest[..4].try_into().expect("4 bytes")) as usize;
            let nal = rest.get(4..4 + n).context("truncated sample")?;
            packet.extend_from_slice(&[0, 0, 0, 1]);
            packet.extend_from_slice(nal);
            rest = &rest[4 + n..];
        }
        if let Some(yuv) = decoder.decode(&packet)? {
            frames.push(to_rgb(&yuv));
        }
    }
    frames.extend(decoder.flush_remaining()?.iter().map(to_rgb));
    Ok(DecodedVideo { size, fps, frames })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_codes_are_stripped() {
        assert_eq!(strip_start_code(&[0, 0, 0, 1, 0x67, 5]), &[0x67, 5]);
        assert_eq!(strip_start_code(&[0, 0, 1, 0x68]), &[0x68]);
        assert_eq!(strip_start_code(&[0x65, 1]), &[0x65, 1]);
    }

    #[test]
    fn frames_round_trip_through_an_mp4() {
        let dir = std::env::temp_dir().join(format!("murmuration-mp4-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.mp4");
        let (w, h) = (64u32, 48u32);
        let mut out = Mp4Output::create(&path, (w, h), 15).unwrap();
        for f in 0..10u32 {
            // A white square moving right on black.
            let mut rgba = vec![0u8; (w * h * 4) as usize];
            for y in 16..32 {
                for x in (f * 4)..(f * 4 + 16) {
                    let i = ((y * w + x) * 4) as usize;
                    rgba[i..i + 4].copy_from_slice(&[255, 255, 255, 255]);
                }
            }
            out.push(&rgba).unwrap();
        }
        out.finish().unwrap();
        let video = decode_mp4(&path).unwrap();
        assert_eq!(video.size, (w, h));
        assert_eq!(video.frames.len(), 10);
        assert!((video.fps - 15.0).abs() < 0.01, "fps {}", video.fps);
        // The square's left edge moved: pixel (x = 2, y = 24) is white in frame 0, black in frame 9.
        let px = |frame: &Vec<u8>, x: u32, y: u32| frame[((y * w + x) * 3) as usize];
        assert!(px(&video.frames[0], 2, 24) > 200, "{}", px(&video.frames[0], 2, 24));
        assert!(px(&video.frames[9], 2, 24) < 60, "{}", px(&video.frames[9], 2, 24));
        assert!(px(&video.frames[9], 45, 24) > 200);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
