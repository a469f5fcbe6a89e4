//! Colours for the light and dark themes, matched to the console's own surfaces so a chart
//! sits on its card without a seam. Series colours are an eight-hue palette that stays
//! distinguishable for the common colour-vision deficiencies; errors, 429s and limits use
//! fixed meaning-bearing hues in both themes.
//!
//! A series without a fixed colour gets one from its identity (its name: an endpoint, a key,
//! an error code), never from its position, so the same series keeps its colour when a
//! filter, a range or another view changes which series are drawn beside it. Two series of
//! one chart that would share a colour are told apart: the later one (in name order) takes
//! the next free hue.

use plotters::style::RGBColor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

/// A series' colour: its place in the palette, or a colour with a meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hue {
    /// The n-th palette colour; `None` derives it from the series' name (see [`assign`]).
    Palette(Option<usize>),
    /// "Other" and totals.
    Neutral,
    /// Client errors.
    Warning,
    /// Server errors, p99.
    Danger,
    /// Rate limiting.
    Violet,
}

pub struct Palette {
    pub background: RGBColor,
    pub text: RGBColor,
    pub text_2: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub threshold: RGBColor,
    series: [RGBColor; 8],
    neutral: RGBColor,
    warning: RGBColor,
    danger: RGBColor,
    violet: RGBColor,
}

impl Theme {
    pub fn parse(text: &str) -> Option<Theme> {
        match text {
            "light" => Some(Theme::Light),
            "dark" => Some(Theme::Dark),
            _ => None,
        }
    }

    pub fn palette(self) -> Palette {
        match self {
            Theme::Light => Palette {
                background: RGBColor(0xff, 0xff, 0xff),
                text: RGBColor(0x14, 0x17, 0x1c),
                text_2: RGBColor(0x4a, 0x52, 0x60),
                grid: RGBColor(0xec, 0xef, 0xf3),
                axis: RGBColor(0xcd, 0xd2, 0xda),
                threshold: RGBColor(0xc4, 0x32, 0x0a),
                series: [
                    RGBColor(0x3b, 0x6f, 0xb6),
                    RGBColor(0xf2, 0x8e, 0x2b),
                    RGBColor(0x4e, 0x9a, 0x45),
                    RGBColor(0x8e, 0x5e, 0xa8),
                    RGBColor(0x1f, 0x9e, 0x99),
                    RGBColor(0xd8, 0xb3, 0x2f),
                    RGBColor(0xd4, 0x5d, 0x8c),
                    RGBColor(0x8c, 0x6d, 0x4f),
                ],
                neutral: RGBColor(0xa3, 0xa9, 0xb3),
                warning: RGBColor(0xe0, 0x8a, 0x00),
                danger: RGBColor(0xd9, 0x2d, 0x20),
                violet: RGBColor(0x7c, 0x3a, 0xed),
            },
            Theme::Dark => Palette {
                background: RGBColor(0x15, 0x18, 0x1e),
                text: RGBColor(0xe7, 0xe9, 0xed),
                text_2: RGBColor(0xa8, 0xaf, 0xbb),
                grid: RGBColor(0x23, 0x28, 0x30),
                axis: RGBColor(0x36, 0x3c, 0x47),
                threshold: RGBColor(0xff, 0x7b, 0x6b),
                series: [
                    RGBColor(0x6f, 0xa3, 0xe8),
                    RGBColor(0xff, 0xa9, 0x4d),
                    RGBColor(0x6c, 0xcf, 0x7c),
                    RGBColor(0xc0, 0x90, 0xf0),
                    RGBColor(0x4f, 0xd1, 0xc5),
                    RGBColor(0xf5, 0xd0, 0x5a),
                    RGBColor(0xf4, 0x86, 0xb4),
                    RGBColor(0xc4, 0xa0, 0x7c),
                ],
                neutral: RGBColor(0x6b, 0x72, 0x80),
                warning: RGBColor(0xf5, 0xa5, 0x24),
                danger: RGBColor(0xff, 0x6b, 0x5b),
                violet: RGBColor(0xb1, 0x97, 0xfc),
            },
        }
    }
}

const SERIES_HUES: usize = 8;

impl Palette {
    /// The colour of a hue; `slot` is the palette place [`assign`] gave a `Palette(None)` series.
    pub fn color(&self, hue: Hue, slot: usize) -> RGBColor {
        match hue {
            Hue::Palette(index) => self.series[index.unwrap_or(slot) % self.series.len()],
            Hue::Neutral => self.neutral,
            Hue::Warning => self.warning,
            Hue::Danger => self.danger,
            Hue::Violet => self.violet,
        }
    }
}

/// The palette place a series' name prefers: FNV-1a of its bytes, the same on every run,
/// machine and build (the standard library's hasher promises none of that).
pub fn preferred_slot(name: &str) -> usize {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash % SERIES_HUES as u64) as usize
}

/// Each series' palette place, in the order given: a fixed `Palette(Some(n))` keeps `n`;
/// a `Palette(None)` series takes the place its name prefers, or the next one free when
/// another series of the chart holds it (names are served in sorted order, so the outcome
/// does not depend on the order the series come in). Other hues ignore their place.
pub fn assign<'a>(series: impl IntoIterator<Item = (&'a str, Hue)>) -> Vec<usize> {
    let series: Vec<(&str, Hue)> = series.into_iter().collect();
    let mut slots = vec![0; series.len()];
    let mut taken = [false; SERIES_HUES];
    for (i, (_, hue)) in series.iter().enumerate() {
        if let Hue::Palette(Some(n)) = hue {
            slots[i] = *n;
            taken[n % SERIES_HUES] = true;
        }
    }
    let mut derived: Vec<usize> = (0..series.len())
        .filter(|&i| series[i].1 == Hue::Palette(None))
        .collect();
    derived.sort_by(|&a, &b| series[a].0.cmp(series[b].0));
    for i in derived {
        let preferred = preferred_slot(series[i].0);
        // With more such series than hues, colours repeat: the preferred one is kept.
        let slot = (0..SERIES_HUES)
            .map(|step| (preferred + step) % SERIES_HUES)
            .find(|&slot| !taken[slot])
            .unwrap_or(preferred);
        taken[slot] = true;
        slots[i] = slot;
    }
    slots
}

pub fn hex(color: &RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}
