//! Writing SVG text: escaping, compact numbers, and the root element every drawing shares.

use std::fmt::Write;

/// The font stack of every drawing: the system UI font, then common CJK fonts so Chinese
/// labels render on Linux, macOS and Windows alike.
pub const FONT_FAMILY: &str = "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', \
'Noto Sans SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', \
sans-serif";

/// Escapes text for an XML text node or a double- or single-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    push_escaped(&mut out, text);
    out
}

/// Appends escaped text to `out`. Control characters other than tab, newline and carriage
/// return are not allowed in XML 1.0 at all, so they are dropped rather than escaped.
pub fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// A coordinate with at most `decimals` decimals and no trailing zeros, so drawings of large
/// networks stay small (`12.50` is written `12.5`, `3.00` is `3`).
pub fn number(value: f64, decimals: usize) -> String {
    let mut out = String::new();
    push_number(&mut out, value, decimals);
    out
}

/// Appends [`number`] to `out`.
pub fn push_number(out: &mut String, value: f64, decimals: usize) {
    if !value.is_finite() {
        out.push('0');
        return;
    }
    let start = out.len();
    // ok: writing to a String cannot fail
    let _ = write!(out, "{value:.decimals$}");
    if decimals > 0 {
        while out.ends_with('0') {
            out.pop();
        }
        if out.ends_with('.') {
            out.pop();
        }
    }
    if &out[start..] == "-0" {
        out.truncate(start);
        out.push('0');
    }
}

/// Opens the root `<svg>` element with its accessible title and description.
///
/// `id` prefixes the ids of the title and description so several drawings can share a page;
/// `class` is added after the common class `dj-drawing`.
pub fn open_root(
    out: &mut String,
    id: &str,
    class: &str,
    width: f64,
    height: f64,
    title: &str,
    description: Option<&str>,
) {
    let id = escape(id);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dj-drawing {}\" id=\"{id}\" \
         viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" role=\"img\" \
         aria-labelledby=\"{id}-title{}\" font-family=\"{}\" font-size=\"12\">",
        escape(class),
        number(width, 1),
        number(height, 1),
        number(width, 1),
        number(height, 1),
        if description.is_some() {
            format!(" {id}-desc")
        } else {
            String::new()
        },
        FONT_FAMILY.replace('\'', "&#39;"),
    );
    let _ = write!(out, "<title id=\"{id}-title\">{}</title>", escape(title));
    if let Some(description) = description {
        let _ = write!(out, "<desc id=\"{id}-desc\">{}</desc>", escape(description));
    }
}

/// Writes a `<text>` element.
pub fn text(out: &mut String, x: f64, y: f64, class: &str, anchor: &str, content: &str) {
    let _ = write!(
        out,
        "<text class=\"{class}\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
        number(x, 1),
        number(y, 1),
        escape(content)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("a<b>&\"c'"),
            "a&lt;b&gt;&amp;&quot;c&#39;".to_string()
        );
        assert_eq!(escape("许昌\u{1}x"), "许昌x");
    }

    #[test]
    fn numbers_drop_trailing_zeros() {
        assert_eq!(number(12.5, 2), "12.5");
        assert_eq!(number(3.0, 1), "3");
        assert_eq!(number(-0.04, 1), "0");
        assert_eq!(number(1234.0, 0), "1234");
        assert_eq!(number(f64::NAN, 1), "0");
    }
}
