//! Real images for render tasks: each tile is a bar chart of a query's first measure by its rows,
//! drawn at the requested size and encoded as PNG (the `png` crate) or JPEG (`jpeg-encoder`), or
//! as a one-page vector PDF. A query or look renders as one tile; a dashboard as a grid of its elements' tiles.
//!
//! Real renders carry text and anti-aliasing and weigh about three quarters of a byte per pixel;
//! flat bars compress to almost nothing. [`Picture::render`] pads each file to that weight with
//! what every reader skips (a private PNG chunk, JPEG comments, a PDF comment), so size limits
//! meet realistic sizes.

use serde_json::Value;

use crate::engine::QueryResult;

/// Looker's own limit on a render's side, in pixels.
const MAX_SIDE: u32 = 4096;

/// An RGB colour.
#[derive(Clone, Copy, PartialEq, Debug)]
struct Rgb([u8; 3]);

/// An RGB raster, 8 bits per channel, rows top to bottom.
struct RgbImage {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl RgbImage {
    fn from_pixel(width: u32, height: u32, Rgb(colour): Rgb) -> Self {
        Self {
            width,
            height,
            pixels: colour.repeat((width * height) as usize),
        }
    }

    fn put_pixel(&mut self, x: u32, y: u32, Rgb(colour): Rgb) {
        let at = 3 * (y * self.width + x) as usize;
        self.pixels[at..at + 3].copy_from_slice(&colour);
    }
}

const BACKGROUND: Rgb = Rgb([255, 255, 255]);
const TILE: Rgb = Rgb([244, 246, 250]);
const AXIS: Rgb = Rgb([120, 120, 120]);
const PALETTE: [Rgb; 4] = [
    Rgb([66, 133, 244]),
    Rgb([52, 168, 83]),
    Rgb([251, 188, 5]),
    Rgb([234, 67, 53]),
];

/// What a render shows: one bar chart per tile.
pub(crate) struct Picture {
    /// Per tile, the bar heights as fractions of the tallest bar (empty: a blank tile).
    tiles: Vec<Vec<f64>>,
}

impl Picture {
    /// The picture of query results (one tile each; a failed query is a blank tile).
    pub(crate) fn of(results: &[Option<QueryResult>]) -> Self {
        Self {
            tiles: results
                .iter()
                .map(|r| r.as_ref().map(bars).unwrap_or_default())
                .collect(),
        }
    }

    /// Tile rectangles (x, y, w, h) laid out in a grid over `width` × `height`.
    fn layout(&self, width: u32, height: u32) -> Vec<(u32, u32, u32, u32)> {
        let n = self.tiles.len().max(1) as u32;
        let columns = (n as f64).sqrt().ceil() as u32;
        let rows = n.div_ceil(columns);
        let (w, h) = (width / columns, height / rows);
        (0..n)
            .map(|i| ((i % columns) * w, (i / columns) * h, w, h))
            .collect()
    }

    /// Filled rectangles (x, y, w, h, colour) in image coordinates (y down).
    fn rectangles(&self, width: u32, height: u32) -> Vec<(u32, u32, u32, u32, Rgb)> {
        let mut out = Vec::new();
        for ((x, y, w, h), bars) in self.layout(width, height).into_iter().zip(&self.tiles) {
            let pad = (w.min(h) / 20).max(1);
            out.push((
                x + pad,
                y + pad,
                w.saturating_sub(2 * pad),
                h.saturating_sub(2 * pad),
                TILE,
            ));
            let (left, bottom) = (x + 3 * pad, y + h.saturating_sub(3 * pad));
            let (plot_w, plot_h) = (w.saturating_sub(6 * pad), h.saturating_sub(6 * pad));
            out.push((left, bottom, plot_w, 1.max(pad / 4), AXIS));
            if bars.is_empty() {
                continue;
            }
            let slot = plot_w / bars.len() as u32;
            for (i, fraction) in bars.iter().enumerate() {
                let bar_h = (f64::from(plot_h) * fraction).round() as u32;
                let bar_x = left + i as u32 * slot + slot / 8;
                let colour = PALETTE[i % PALETTE.len()];
                out.push((
                    bar_x,
                    bottom.saturating_sub(bar_h),
                    (slot * 3 / 4).max(1),
                    bar_h,
                    colour,
                ));
            }
        }
        out
    }

    fn raster(&self, width: u32, height: u32) -> RgbImage {
        let (width, height) = (width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
        let mut image = RgbImage::from_pixel(width, height, BACKGROUND);
        for (x, y, w, h, colour) in self.rectangles(width, height) {
            for py in y..(y + h).min(height) {
                for px in x..(x + w).min(width) {
                    image.put_pixel(px, py, colour);
                }
            }
        }
        image
    }

    /// The file for `format` (`png`, `jpg` or `pdf`) at `width` × `height`, padded to a real
    /// render's weight; returns (content type, bytes).
    pub(crate) fn render(&self, format: &str, width: u32, height: u32) -> (&'static str, Vec<u8>) {
        let weight =
            usize::try_from(u64::from(width) * u64::from(height) * 3 / 4).unwrap_or(usize::MAX);
        match format {
            "pdf" => ("application/pdf", self.pdf(width, height, weight)),
            "jpg" => ("image/jpeg", pad_jpeg(self.jpeg(width, height), weight)),
            _ => ("image/png", pad_png(self.png(width, height), weight)),
        }
    }

    /// A PNG of `width` × `height` pixels.
    pub(crate) fn png(&self, width: u32, height: u32) -> Vec<u8> {
        let image = self.raster(width, height);
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, image.width, image.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_compression(png::Compression::Fast);
        encoder.set_filter(png::Filter::Sub);
        encoder
            .write_header()
            .and_then(|mut writer| writer.write_image_data(&image.pixels))
            .expect("encoding a PNG in memory");
        out
    }

    /// A JPEG of `width` × `height` pixels.
    pub(crate) fn jpeg(&self, width: u32, height: u32) -> Vec<u8> {
        let image = self.raster(width, height);
        let mut out = Vec::new();
        // Sides are at most MAX_SIDE, within JPEG's 16 bits.
        jpeg_encoder::Encoder::new(&mut out, 85)
            .encode(
                &image.pixels,
                image.width as u16,
                image.height as u16,
                jpeg_encoder::ColorType::Rgb,
            )
            .expect("encoding a JPEG in memory");
        out
    }

    /// A one-page PDF whose page is `width` × `height` points, the bars drawn as vector shapes,
    /// with a comment making it at least `weight` bytes.
    pub(crate) fn pdf(&self, width: u32, height: u32, weight: usize) -> Vec<u8> {
        let mut content = String::new();
        for (x, y, w, h, Rgb([r, g, b])) in self.rectangles(width, height) {
            let flipped = height.saturating_sub(y + h);
            content.push_str(&format!(
                "{:.3} {:.3} {:.3} rg {x} {flipped} {w} {h} re f\n",
                f64::from(r) / 255.0,
                f64::from(g) / 255.0,
                f64::from(b) / 255.0
            ));
        }
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Contents 4 0 R >>"
            ),
            format!(
                "<< /Length {} >>\nstream\n{content}endstream",
                content.len()
            ),
        ];
        let mut out = b"%PDF-1.4\n".to_vec();
        for _ in 0..weight.saturating_sub(content.len()).div_ceil(80) {
            out.extend_from_slice(&[b'%'; 79]);
            out.push(b'\n');
        }
        let mut offsets = Vec::new();
        for (i, object) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for offset in offsets {
            out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer << /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}

/// `png` with a private ancillary chunk (`siMu`, skipped by every decoder) before `IEND`, so it
/// is at least `weight` bytes.
fn pad_png(mut png: Vec<u8>, weight: usize) -> Vec<u8> {
    let padding = weight.saturating_sub(png.len() + 12);
    if padding == 0 {
        return png;
    }
    let iend = png.split_off(png.len() - 12);
    png.extend_from_slice(&(padding as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(b"siMu");
    png.resize(png.len() + padding, 0x5a);
    let crc = crc32fast::hash(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
    png.extend_from_slice(&iend);
    png
}

/// `jpeg` with comment segments after its start marker, so it is at least `weight` bytes.
fn pad_jpeg(jpeg: Vec<u8>, weight: usize) -> Vec<u8> {
    let mut left = weight.saturating_sub(jpeg.len());
    let mut out = jpeg[..2].to_vec();
    while left > 4 {
        let n = (left - 4).min(65_000);
        out.extend_from_slice(&[0xFF, 0xFE]);
        out.extend_from_slice(&((n + 2) as u16).to_be_bytes());
        out.resize(out.len() + n, b'.');
        left = left.saturating_sub(n + 4);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// The first measure's values (or the first numeric column's), as fractions of the largest.
fn bars(result: &QueryResult) -> Vec<f64> {
    let column = result.fields.iter().position(|f| f.measure).or_else(|| {
        let first = result.rows.first()?;
        first.iter().position(Value::is_number)
    });
    let Some(column) = column else {
        return Vec::new();
    };
    let values: Vec<f64> = result
        .rows
        .iter()
        .take(50)
        .map(|row| {
            row.get(column)
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                .max(0.0)
        })
        .collect();
    let top = values.iter().copied().fold(0.0, f64::max);
    if top <= 0.0 {
        return vec![0.0; values.len()];
    }
    values.iter().map(|v| v / top).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (width, height, RGB pixels) of a PNG or JPEG.
    fn decode(data: &[u8]) -> (u32, u32, Vec<u8>) {
        if data.starts_with(b"\x89PNG") {
            let mut reader = png::Decoder::new(std::io::Cursor::new(data))
                .read_info()
                .unwrap();
            let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
            let frame = reader.next_frame(&mut pixels).unwrap();
            assert_eq!(frame.color_type, png::ColorType::Rgb);
            pixels.truncate(frame.buffer_size());
            (frame.width, frame.height, pixels)
        } else {
            let mut decoder = zune_jpeg::JpegDecoder::new(std::io::Cursor::new(data));
            let pixels = decoder.decode().unwrap();
            let info = decoder.info().unwrap();
            (info.width.into(), info.height.into(), pixels)
        }
    }

    fn picture() -> Picture {
        Picture {
            tiles: vec![vec![1.0, 0.5, 0.25], vec![]],
        }
    }

    #[test]
    fn images_decode_at_the_requested_size() {
        let encoded = picture().png(640, 400);
        assert!(
            encoded.len() < 64 * 1024,
            "flat colours compress: {} bytes",
            encoded.len()
        );
        let (width, height, rgb) = decode(&encoded);
        assert_eq!((width, height), (640, 400));
        let (width, height, _) = decode(&picture().jpeg(300, 200));
        assert_eq!((width, height), (300, 200));
        // The first bar is drawn in the first tile's plot area: not background.
        let coloured = rgb
            .chunks(3)
            .filter(|p| PALETTE.iter().any(|Rgb(c)| c == *p))
            .count();
        assert!(coloured > 1000, "{coloured} bar pixels");
    }

    #[test]
    fn padded_files_still_decode_at_a_real_renders_weight() {
        for format in ["png", "jpg"] {
            let (_, data) = picture().render(format, 800, 600);
            assert!(data.len() >= 800 * 600 * 3 / 4, "{format}: {}", data.len());
            let (width, height, _) = decode(&data);
            assert_eq!((width, height), (800, 600), "{format}");
        }
        let (kind, pdf) = picture().render("pdf", 800, 600);
        assert_eq!(kind, "application/pdf");
        assert!(pdf.len() >= 800 * 600 * 3 / 4);
    }

    #[test]
    fn the_pdf_has_a_valid_cross_reference_table() {
        let pdf = picture().pdf(612, 792, 20_000);
        let text = String::from_utf8(pdf).unwrap();
        assert!(text.starts_with("%PDF-1.4\n") && text.ends_with("%%EOF\n"));
        let startxref: usize = text
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[startxref..].starts_with("xref\n0 5\n"));
        for (n, line) in text[startxref..].lines().skip(3).take(4).enumerate() {
            let offset: usize = line[..10].parse().unwrap();
            assert!(
                text[offset..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {}",
                n + 1
            );
        }
        assert!(text.contains(" re f\n"));
    }
}
