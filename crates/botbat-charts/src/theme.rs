//! Colours for the light and dark themes, matched to the console's own surfaces so a chart
//! sits on its card without a seam. Series colours are a ten-hue palette that stays
//! distinguishable for the common colour-vision deficiencies; errors, 429s and limits use
//! fixed meaning-bearing hues in both themes.

use plotters::style::RGBColor;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

/// A series' colour: its place in the palette, or a colour with a meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hue {
    /// The n-th palette colour; `None` takes the series' own position.
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

impl Palette {
    pub fn color(&self, hue: Hue, position: usize) -> RGBColor {
        match hue {
            Hue::Palette(index) => self.series[index.unwrap_or(position) % self.series.len()],
            Hue::Neutral => self.neutral,
            Hue::Warning => self.warning,
            Hue::Danger => self.danger,
            Hue::Violet => self.violet,
        }
    }
}

pub fn hex(color: &RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}
