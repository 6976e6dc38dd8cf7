//! Charts drawn on the server as inline SVG: no script, readable with JavaScript off, and
//! each bar titled with its figures for a screen reader or a hover.

use std::fmt::Write;

/// One group of the earn/burn chart: a week's label and its points earned and burned.
#[derive(Debug, Clone)]
pub struct Week {
    pub label: String,
    pub earned: i64,
    pub burned: i64,
}

const WIDTH: i64 = 780;
const HEIGHT: i64 = 220;
const LEFT: i64 = 60;
const BOTTOM: i64 = 24;

/// Earned and burned points per week as paired bars, with the largest value marked on the
/// axis. `points_name` names the unit in the titles.
pub fn earn_burn(weeks: &[Week], points_name: &str) -> String {
    let top = weeks.iter().flat_map(|w| [w.earned, w.burned]).max().unwrap_or(0).max(1);
    let plot = HEIGHT - BOTTOM - 10;
    let slot = (WIDTH - LEFT) / i64::try_from(weeks.len().max(1)).unwrap_or(1);
    let bar = (slot / 2 - 2).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{points_name} earned and burned per week"><line x1="{LEFT}" y1="{y}" x2="{WIDTH}" y2="{y}" class="axis"/><text x="{lx}" y="16" class="tick" text-anchor="end">{top}</text><text x="{lx}" y="{y}" class="tick" text-anchor="end">0</text>"#,
        y = HEIGHT - BOTTOM,
        lx = LEFT - 6,
        top = crate::format::points(top),
    );
    for (i, week) in (0_i64..).zip(weeks) {
        let x = LEFT + i * slot + 2;
        for (offset, value, class, verb) in
            [(0, week.earned, "earned", "earned"), (bar, week.burned, "burned", "burned")]
        {
            // In i128: a week's points times the plot's height must not overflow.
            let h =
                i64::try_from(i128::from(value.max(0)) * i128::from(plot) / i128::from(top)).unwrap_or(plot);
            let _ = write!(
                svg,
                r#"<rect x="{}" y="{}" width="{bar}" height="{h}" class="{class}"><title>week of {}: {} {points_name} {verb}</title></rect>"#,
                x + offset,
                HEIGHT - BOTTOM - h,
                week.label,
                crate::format::points(value),
            );
        }
        if i % 4 == 0 {
            let _ = write!(svg, r#"<text x="{x}" y="{}" class="tick">{}</text>"#, HEIGHT - 6, week.label);
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_are_scaled_to_the_largest_week_and_titled_with_their_figures() {
        let weeks = [
            Week { label: "2026-11-23".into(), earned: 1000, burned: 250 },
            Week { label: "2026-11-30".into(), earned: 500, burned: 0 },
        ];
        let svg = earn_burn(&weeks, "points");
        assert!(
            svg.contains(r#"height="186" class="earned"><title>week of 2026-11-23: 1,000 points earned"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"height="46" class="burned"><title>week of 2026-11-23: 250 points burned"#),
            "{svg}"
        );
        assert!(
            svg.contains(r#"height="93" class="earned"><title>week of 2026-11-30: 500 points earned"#),
            "{svg}"
        );
        assert!(svg.contains(">1,000</text>"), "{svg}");
    }

    #[test]
    fn the_largest_figures_draw_full_height_bars_rather_than_overflow() {
        let svg = earn_burn(&[Week { label: "w".into(), earned: i64::MAX, burned: i64::MAX / 2 }], "points");
        assert!(svg.contains(r#"height="186" class="earned""#), "{svg}");
        assert!(svg.contains(r#"height="92" class="burned""#), "{svg}");
    }
}
