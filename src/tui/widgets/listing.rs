//! A list in a card: a header row, one row per item in columns, the selected row marked `▸`
//! and reversed (visible without colour), scrolled so the selection shows, and a caption
//! under it. The sessions and the history are drawn with it.

use super::text::ellipsize;
use super::{bold, card, dim};
use crate::sanitize::for_display;
use jiff::tz::TimeZone;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// How many rows PgUp / PgDn move.
pub const PAGE: usize = 10;

/// A column: its title and width (the last column takes what is left).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: u16,
}

/// One row: its cells, in the columns' order, and its style (failed events are highlighted).
#[derive(Debug, Clone)]
pub struct ListRow {
    pub cells: Vec<String>,
    pub style: Style,
}

/// A short date and time in `tz`: `01-15 08:00` (the caption names the zone).
pub fn short_time(t: i64, tz: &TimeZone) -> String {
    format_in(t, tz, "%m-%d %H:%M")
}

/// A date and time in `tz` without the zone: `2027-01-15 08:00`.
pub fn date_time(t: i64, tz: &TimeZone) -> String {
    format_in(t, tz, "%Y-%m-%d %H:%M")
}

/// The zone's abbreviation at `t` (`UTC`, `CET`).
pub fn zone_name(t: i64, tz: &TimeZone) -> String {
    format_in(t, tz, "%Z")
}

fn format_in(t: i64, tz: &TimeZone, fmt: &str) -> String {
    match jiff::Timestamp::from_second(t) {
        Ok(ts) => ts.to_zoned_datetime(tz.clone()).strftime(fmt).to_string(),
        Err(_) => t.to_string(),
    }
}

/// The selection after a move of `by` rows (negative: up), within `len` rows.
pub fn moved(selected: usize, by: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    selected.saturating_add_signed(by).min(len - 1)
}

/// The first row shown so that `selected` is among the `visible` rows shown.
pub fn first_shown(selected: usize, visible: usize) -> usize {
    (selected + 1).saturating_sub(visible.max(1))
}

/// A list as drawn: its card's title, columns, rows, the selected row, what shows when there
/// is no row, and the caption under it.
pub struct Listing<'a> {
    pub title: &'a str,
    pub columns: &'a [Column],
    pub rows: &'a [ListRow],
    pub selected: usize,
    pub empty: &'a str,
    pub caption: &'a str,
}

/// Draws the list in a card in `area`: `empty` when there are no rows, else the header and
/// the rows (the window that shows the selected one), then the caption.
pub fn draw(f: &mut Frame, area: Rect, list: &Listing) {
    let Listing {
        title,
        columns,
        rows,
        selected,
        empty,
        caption,
    } = *list;
    // A blank row on top, the header, the rows, a blank row and the caption.
    let wanted = 1 + 1 + rows.len().max(1) as u16 + 2;
    let inner = card(f, area, title, wanted.min(area.height.saturating_sub(2)));
    if inner.height == 0 {
        return;
    }
    let line = |y: u16, l: Line<'static>, f: &mut Frame| {
        if y < inner.bottom() {
            f.render_widget(Paragraph::new(l), Rect::new(inner.x, y, inner.width, 1));
        }
    };
    let w = inner.width;
    // The selection marker's column, then the columns.
    let cells = |cells: &[String]| -> String {
        let mut text = String::new();
        let mut used = 2u16;
        for (i, c) in columns.iter().enumerate() {
            let last = i + 1 == columns.len();
            let room = if last {
                w.saturating_sub(used)
            } else {
                c.width.min(w.saturating_sub(used))
            };
            let cell = cells.get(i).map(String::as_str).unwrap_or("");
            let shown = ellipsize(&for_display(cell), room.saturating_sub(u16::from(!last)));
            let pad = usize::from(room).saturating_sub(shown.chars().count());
            text.push_str(&shown);
            if !last {
                text.push_str(&" ".repeat(pad));
            }
            used = used.saturating_add(room);
        }
        text
    };
    let head: Vec<String> = columns.iter().map(|c| c.title.to_owned()).collect();
    let mut y = inner.y + 1;
    line(
        y,
        Line::from(Span::styled(format!("  {}", cells(&head)), bold())),
        f,
    );
    y += 1;
    // What is left for rows: all but the blank row and the caption at the bottom.
    let visible = usize::from(inner.bottom().saturating_sub(y).saturating_sub(2)).max(1);
    if rows.is_empty() {
        line(y, Line::from(Span::styled(format!("  {empty}"), dim())), f);
    } else {
        let first = first_shown(selected, visible);
        for (i, row) in rows.iter().enumerate().skip(first).take(visible) {
            let on = i == selected;
            let style = if on {
                row.style.add_modifier(Modifier::REVERSED)
            } else {
                row.style
            };
            let marker = if on { "▸ " } else { "  " };
            line(
                y,
                Line::from(vec![
                    Span::styled(marker, bold()),
                    Span::styled(cells(&row.cells), style),
                ]),
                f,
            );
            y += 1;
        }
    }
    line(
        inner.bottom().saturating_sub(1),
        Line::from(Span::styled(ellipsize(caption, w), dim())),
        f,
    );
}
