//! Exports: the data behind a chart as CSV (one row per bucket, one column per series, times
//! in the viewer's local time with their offset), and the picture as PNG.
//!
//! Series are named from what the platform returns (key names, routes), which a key's
//! creator chooses: `=HYPERLINK(…)` is a valid key name. A spreadsheet opening the CSV
//! would run it, so text cells follow OWASP's advice on CSV injection: every text cell is
//! quoted, and one starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
//! leading `'`, which spreadsheets read as "this is text". Numbers stay bare numbers, a
//! negative one included.
//!
//! The PNG is the SVG rasterised by resvg rather than a screenshot, so it is identical on
//! every machine at any scale. Text needs fonts: the system's are loaded once.

use std::sync::{Arc, OnceLock};

use chrono::{DateTime, TimeZone};
use resvg::tiny_skia;
use resvg::usvg;

use crate::{Chart, ChartError};

/// The data behind `chart` as CSV.
pub fn to_csv(chart: &Chart) -> Result<String, ChartError> {
    let csv_error = |e: csv::Error| ChartError::Csv(e.to_string());
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new());
    let mut header = vec!["bucket_start".to_string()];
    header.extend(chart.series.iter().map(|s| text_cell(&s.name)));
    writer.write_record(&header).map_err(csv_error)?;
    for (b, &t) in chart
        .axis
        .edges
        .iter()
        .take(chart.axis.buckets())
        .enumerate()
    {
        let time = DateTime::from_timestamp(t, 0)
            .map(|at| {
                let local = chart.axis.zone.from_utc_datetime(&at.naive_utc());
                text_cell(&local.fixed_offset().to_rfc3339())
            })
            .unwrap_or_default();
        let mut record = vec![time];
        for series in &chart.series {
            record.push(match series.values.get(b).copied().flatten() {
                None => String::new(),
                Some(v) if v.fract().abs() < 1e-9 => format!("{}", v as i64),
                Some(v) => format!("{v:.3}"),
            });
        }
        writer.write_record(&record).map_err(csv_error)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| ChartError::Csv(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| ChartError::Csv(e.to_string()))
}

/// A text cell that no spreadsheet reads as a formula (the writer quotes it).
fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            // `sans-serif` in the SVG: the first of these the system has.
            let families: Vec<String> = db
                .faces()
                .flat_map(|f| f.families.iter().map(|(name, _)| name.clone()))
                .collect();
            if let Some(found) = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial"]
                .into_iter()
                .find(|want| families.iter().any(|f| f == want))
            {
                db.set_sans_serif_family(found);
            }
            Arc::new(db)
        })
        .clone()
}

/// Rasterises an SVG (as [`crate::render_svg`] draws it) at `scale` × its size.
pub fn svg_to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ChartError> {
    let scale = scale.clamp(0.25, 4.0);
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| ChartError::Png(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| ChartError::Png("the scaled chart has no area".to_string()))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ChartError::Png("the chart is too large to rasterise".to_string()))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ChartError::Png(e.to_string()))
}
