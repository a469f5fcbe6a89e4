//! The console's usage charts, drawn with plotters as SVG.
//!
//! A chart is drawn at the pixel size it will be shown at, with a `viewBox`, so its lines and
//! text are crisp at any window size and any display density, and it is redrawn when the
//! window changes size rather than scaled. Along with the SVG comes where each time bucket
//! sits on the x axis and the plot's rectangle, so the UI can lay a hover layer over the
//! picture that shows the exact values at the pointer: the picture stays plotters', the
//! numbers stay exact.
//!
//! The same chart description also exports as CSV (the data behind the picture) and as PNG
//! (the SVG rasterised with resvg, at a chosen scale, with the system's fonts).

mod axis;
mod export;
mod theme;

use chrono_tz::Tz;
use plotters::prelude::*;
use plotters::series::DashedLineSeries;

pub use export::{svg_to_png, to_csv};
pub use theme::{assign, preferred_slot, Hue, Palette, Theme};

use crate::axis::{format_value, time_ticks};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Stacked on the series before it, filled.
    StackedArea,
    Line,
    /// A marker along the top of the plot in each bucket whose value is above zero (e.g.
    /// 429s), with the value in the hover layer.
    Markers,
}

/// What the y axis measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Percent,
    Milliseconds,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value per bucket; `None` where there is nothing to show (a gap in a line).
    pub values: Vec<Option<f64>>,
    pub style: Style,
    pub hue: Hue,
}

/// A horizontal reference line, e.g. a plan's limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub label: String,
    pub value: f64,
}

/// Time buckets: bucket `i` covers `[edges[i], edges[i + 1])`. They are equally long
/// except where the viewer's clocks change (a day of 23 or 25 hours); each is drawn
/// equally wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeAxis {
    /// Unix seconds: where each bucket starts, then where the last one ends.
    pub edges: Vec<i64>,
    /// An ordinary bucket's width, which sets how far apart the time labels are.
    pub bucket_s: i64,
    /// The viewer's time zone: labels are in their local time.
    pub zone: Tz,
}

impl TimeAxis {
    /// `buckets` buckets of `bucket_s` seconds from `start_s`.
    pub fn equal(start_s: i64, bucket_s: i64, buckets: usize, zone: Tz) -> TimeAxis {
        TimeAxis {
            edges: (0..=buckets as i64)
                .map(|i| start_s + i * bucket_s)
                .collect(),
            bucket_s,
            zone,
        }
    }

    pub fn buckets(&self) -> usize {
        self.edges.len().saturating_sub(1)
    }

    pub fn start_s(&self) -> i64 {
        self.edges.first().copied().unwrap_or(0)
    }

    pub fn end_s(&self) -> i64 {
        self.edges.last().copied().unwrap_or(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    pub title: String,
    pub y_label: String,
    pub unit: Unit,
    pub axis: TimeAxis,
    pub series: Vec<Series>,
    pub thresholds: Vec<Threshold>,
    /// Shown across the plot when no series has a value above zero.
    pub empty_message: String,
}

/// Where the plot sits in the picture, in pixels from its top left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlotArea {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub svg: String,
    pub width: u32,
    pub height: u32,
    pub plot: PlotArea,
    /// The x pixel of each bucket's middle.
    pub bucket_x: Vec<f64>,
    /// The top of the y axis, in the chart's unit.
    pub y_max: f64,
    /// Each series' colour (`#rrggbb`), in series order, for the legend of the hover layer.
    pub colors: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the chart could not be drawn: {0}")]
    Draw(String),
    #[error("series {name:?} has {got} values for {want} buckets")]
    Shape {
        name: String,
        got: usize,
        want: usize,
    },
    #[error("could not write the CSV: {0}")]
    Csv(String),
    #[error("could not rasterise the chart: {0}")]
    Png(String),
}

fn draw_error<E: std::fmt::Debug>(error: E) -> ChartError {
    ChartError::Draw(format!("{error:?}"))
}

pub const MIN_SIZE: (u32, u32) = (320, 200);
pub const MAX_SIZE: (u32, u32) = (4_000, 3_000);
const FONT: &str = "sans-serif";
const LEGEND_ROW: i32 = 20;

/// Draws `chart` at `size` pixels (clamped to [`MIN_SIZE`]..[`MAX_SIZE`]).
pub fn render_svg(chart: &Chart, size: (u32, u32), theme: Theme) -> Result<Rendered, ChartError> {
    let n = chart.axis.buckets();
    for s in &chart.series {
        if s.values.len() != n {
            return Err(ChartError::Shape {
                name: s.name.clone(),
                got: s.values.len(),
                want: n,
            });
        }
    }
    let width = size.0.clamp(MIN_SIZE.0, MAX_SIZE.0);
    let height = size.1.clamp(MIN_SIZE.1, MAX_SIZE.1);
    let palette = theme.palette();
    let slots = theme::assign(chart.series.iter().map(|s| (s.name.as_str(), s.hue)));
    let colors: Vec<RGBColor> = chart
        .series
        .iter()
        .zip(slots)
        .map(|(s, slot)| palette.color(s.hue, slot))
        .collect();

    // Stacked areas: running totals, bottom to top.
    let stacked: Vec<usize> = (0..chart.series.len())
        .filter(|i| chart.series[*i].style == Style::StackedArea)
        .collect();
    let mut tops: Vec<Vec<f64>> = Vec::new();
    let mut running = vec![0.0; n];
    for i in &stacked {
        for (r, v) in running.iter_mut().zip(&chart.series[*i].values) {
            *r += v.unwrap_or(0.0).max(0.0);
        }
        tops.push(running.clone());
    }
    let data_max = chart
        .series
        .iter()
        .filter(|s| s.style == Style::Line)
        .flat_map(|s| s.values.iter().flatten().copied())
        .chain(running.iter().copied())
        .chain(chart.thresholds.iter().map(|t| t.value))
        .fold(0.0_f64, f64::max);
    let has_data = chart
        .series
        .iter()
        .any(|s| s.values.iter().flatten().any(|v| *v > 0.0));
    let y_max = axis::nice_ceiling(data_max * 1.08, chart.unit);

    let mut svg = String::new();
    let (plot, bucket_x) = {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&palette.background).map_err(draw_error)?;

        // Title, then the legend in as many rows as it needs.
        let text = |size: f64, color: &RGBColor| (FONT, size).into_font().color(color);
        root.draw(&Text::new(
            chart.title.clone(),
            (16, 10),
            (FONT, 15.0, FontStyle::Bold)
                .into_font()
                .color(&palette.text),
        ))
        .map_err(draw_error)?;
        let legend_items: Vec<(usize, &Series)> = chart
            .series
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, s)| s.style == Style::StackedArea)
            .chain(
                chart
                    .series
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.style != Style::StackedArea),
            )
            .collect();
        let mut x = 16;
        let mut y = 36;
        for (i, series) in &legend_items {
            let label_width = axis::text_width(&series.name, 12.0) as i32;
            if x + 18 + label_width > width as i32 - 16 && x > 16 {
                x = 16;
                y += LEGEND_ROW;
            }
            let color = colors[*i];
            match series.style {
                Style::Markers => root
                    .draw(&TriangleMarker::new((x + 5, y + 7), 5, color.filled()))
                    .map_err(draw_error)?,
                Style::Line => root
                    .draw(&PathElement::new(
                        vec![(x, y + 7), (x + 12, y + 7)],
                        color.stroke_width(3),
                    ))
                    .map_err(draw_error)?,
                Style::StackedArea => root
                    .draw(&Rectangle::new(
                        [(x, y + 1), (x + 11, y + 12)],
                        color.filled(),
                    ))
                    .map_err(draw_error)?,
            }
            root.draw(&Text::new(
                series.name.clone(),
                (x + 17, y),
                text(12.0, &palette.text_2),
            ))
            .map_err(draw_error)?;
            x += 17 + label_width + 16;
        }
        let header = y + LEGEND_ROW + 6;

        let y_label_width = (0..=4)
            .map(|k| axis::text_width(&format_value(y_max * k as f64 / 4.0, chart.unit), 11.0))
            .fold(0.0, f64::max) as u32;
        let (_, body) = root.split_vertically(header);
        let mut builder = ChartBuilder::on(&body);
        builder
            .margin_right(20)
            .margin_top(4)
            .x_label_area_size(40)
            .y_label_area_size(y_label_width + 34);
        let mut plot_chart = builder
            .build_cartesian_2d(0f64..n.max(1) as f64, 0f64..y_max)
            .map_err(draw_error)?;
        plot_chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(5)
            .y_label_formatter(&|v| format_value(*v, chart.unit))
            .y_desc(chart.y_label.clone())
            .axis_desc_style(text(12.0, &palette.text_2))
            .label_style(text(11.0, &palette.text_2))
            .bold_line_style(palette.grid)
            .light_line_style(TRANSPARENT)
            .axis_style(palette.axis)
            .draw()
            .map_err(draw_error)?;

        let mid = |i: usize| i as f64 + 0.5;
        // Areas, bottom layer first, each with a crisp line along its top.
        for (k, i) in stacked.iter().enumerate() {
            let upper = &tops[k];
            let lower = if k == 0 {
                vec![0.0; n]
            } else {
                tops[k - 1].clone()
            };
            let mut outline: Vec<(f64, f64)> = (0..n).map(|b| (mid(b), upper[b])).collect();
            outline.extend((0..n).rev().map(|b| (mid(b), lower[b])));
            if n == 1 {
                outline = vec![(0.0, upper[0]), (1.0, upper[0]), (1.0, 0.0), (0.0, 0.0)];
            }
            let color = colors[*i];
            plot_chart
                .draw_series(std::iter::once(Polygon::new(
                    outline,
                    color.mix(0.78).filled(),
                )))
                .map_err(draw_error)?;
            // The edge is drawn only where this series has requests, so a thin layer on
            // top of the stack does not outline everything below it.
            let own = |b: usize| chart.series[*i].values[b].unwrap_or(0.0) > 0.0;
            let mut edge: Vec<(f64, f64)> = Vec::new();
            for (b, top) in upper.iter().enumerate() {
                let near = own(b) || (b > 0 && own(b - 1)) || (b + 1 < n && own(b + 1));
                if near {
                    edge.push((mid(b), *top));
                } else if !edge.is_empty() {
                    let run = std::mem::take(&mut edge);
                    plot_chart
                        .draw_series(LineSeries::new(run, color.stroke_width(1)))
                        .map_err(draw_error)?;
                }
            }
            if !edge.is_empty() {
                plot_chart
                    .draw_series(LineSeries::new(edge, color.stroke_width(1)))
                    .map_err(draw_error)?;
            }
        }
        for threshold in &chart.thresholds {
            plot_chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, threshold.value), (n.max(1) as f64, threshold.value)],
                    6,
                    4,
                    palette.threshold.stroke_width(2),
                ))
                .map_err(draw_error)?;
        }
        for (i, series) in chart.series.iter().enumerate() {
            let color = colors[i];
            match series.style {
                Style::StackedArea => {}
                Style::Line => {
                    // A gap (`None`) breaks the line instead of drawing it down to zero.
                    let mut segment: Vec<(f64, f64)> = Vec::new();
                    let mut segments = Vec::new();
                    for (b, v) in series.values.iter().enumerate() {
                        match v {
                            Some(v) => segment.push((mid(b), *v)),
                            None if !segment.is_empty() => {
                                segments.push(std::mem::take(&mut segment))
                            }
                            None => {}
                        }
                    }
                    if !segment.is_empty() {
                        segments.push(segment);
                    }
                    for segment in segments {
                        if segment.len() == 1 {
                            plot_chart
                                .draw_series(std::iter::once(Circle::new(
                                    segment[0],
                                    2,
                                    color.filled(),
                                )))
                                .map_err(draw_error)?;
                        } else {
                            plot_chart
                                .draw_series(LineSeries::new(segment, color.stroke_width(2)))
                                .map_err(draw_error)?;
                        }
                    }
                }
                Style::Markers => {
                    plot_chart
                        .draw_series(
                            series
                                .values
                                .iter()
                                .enumerate()
                                .filter(|(_, v)| v.is_some_and(|v| v > 0.0))
                                .map(|(b, _)| {
                                    TriangleMarker::new((mid(b), y_max * 0.965), 5, color.filled())
                                }),
                        )
                        .map_err(draw_error)?;
                }
            }
        }

        let (x_range, y_range) = plot_chart.plotting_area().get_pixel_range();
        let plot = PlotArea {
            left: f64::from(x_range.start),
            top: f64::from(y_range.start),
            right: f64::from(x_range.end),
            bottom: f64::from(y_range.end),
        };
        for threshold in &chart.thresholds {
            let (_, ty) = plot_chart.backend_coord(&(0.0, threshold.value));
            root.draw(&Text::new(
                threshold.label.clone(),
                (
                    x_range.end - 6 - axis::text_width(&threshold.label, 11.0) as i32,
                    ty - 16,
                ),
                text(11.0, &palette.threshold),
            ))
            .map_err(draw_error)?;
        }
        let px = |x: f64| plot.left + (plot.right - plot.left) * x / n.max(1) as f64;
        let bucket_x: Vec<f64> = (0..n).map(|b| px(mid(b))).collect();

        // Time labels at natural boundaries of the viewer's local time.
        let max_ticks = ((plot.right - plot.left) / 92.0).floor().max(2.0) as usize;
        for tick in time_ticks(&chart.axis, max_ticks) {
            let x = px(tick.offset_buckets);
            root.draw(&PathElement::new(
                vec![(x as i32, y_range.end), (x as i32, y_range.end + 4)],
                palette.axis,
            ))
            .map_err(draw_error)?;
            root.draw(&Text::new(
                tick.label.clone(),
                (
                    x as i32 - (axis::text_width(&tick.label, 11.0) / 2.0) as i32,
                    y_range.end + 8,
                ),
                text(11.0, &palette.text_2),
            ))
            .map_err(draw_error)?;
        }
        let zone = axis::zone_label(&chart.axis);
        root.draw(&Text::new(
            zone.clone(),
            (
                ((plot.left + plot.right) / 2.0 - axis::text_width(&zone, 12.0) / 2.0) as i32,
                y_range.end + 24,
            ),
            text(12.0, &palette.text_2),
        ))
        .map_err(draw_error)?;

        if !has_data {
            let message = &chart.empty_message;
            root.draw(&Text::new(
                message.clone(),
                (
                    ((plot.left + plot.right) / 2.0 - axis::text_width(message, 13.0) / 2.0) as i32,
                    ((plot.top + plot.bottom) / 2.0) as i32 - 8,
                ),
                text(13.0, &palette.text_2),
            ))
            .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
        (plot, bucket_x)
    };
    Ok(Rendered {
        svg,
        width,
        height,
        plot,
        bucket_x,
        y_max,
        colors: colors.iter().map(theme::hex).collect(),
    })
}
