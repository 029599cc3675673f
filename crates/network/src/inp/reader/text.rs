//! The lexical layer of the reader: decoding bytes, splitting lines into tokens, and the
//! keyword, number and time conventions of EPANET 2.3's input files.

use std::borrow::Cow;

/// EPANET's longest ID, in characters.
pub const MAX_ID_LENGTH: usize = 31;
/// EPANET reads at most this many characters of a line; longer lines are split by it.
pub const MAX_LINE_LENGTH: usize = 1024;

/// Decodes a file's bytes: UTF-8 when the whole file is, otherwise line by line, each line
/// UTF-8 if it is valid and Latin-1 if not (old files from Windows editors are Latin-1).
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 16);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(valid) => text.push_str(valid),
            // Latin-1 maps each byte to the code point of the same value.
            Err(_) => text.extend(line.iter().map(|&b| char::from(b))),
        }
    }
    Cow::Owned(text)
}

/// One line of the file that holds something other than a comment.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// Line number, counting from 1.
    pub number: usize,
    /// The line as written, without its line ending.
    pub text: &'a str,
    /// Where its tokens start in [`Lines::tokens`].
    first_token: u32,
    /// How many tokens it has.
    token_count: u32,
    /// The comment after `;`, trimmed, if not empty.
    pub comment: Option<&'a str>,
}

/// Every line of a file that holds tokens, with the tokens kept in one vector.
#[derive(Debug, Default)]
pub struct Lines<'a> {
    /// All tokens of all lines.
    tokens: Vec<&'a str>,
    /// The lines, in file order.
    pub lines: Vec<Line<'a>>,
    /// For each line in `lines`, the full-line comment just before it (patterns and curves
    /// keep these as their description).
    pub preceding_comments: Vec<Option<&'a str>>,
    /// Line numbers of lines longer than EPANET reads in one piece.
    pub overlong_lines: Vec<usize>,
}

impl<'a> Lines<'a> {
    /// Splits a whole file into lines and tokens.
    pub fn split(text: &'a str) -> Lines<'a> {
        // A typical line has about six tokens; sizing up front avoids regrowing.
        let line_estimate = text.len() / 40 + 16;
        let mut lines = Lines {
            tokens: Vec::with_capacity(line_estimate * 6),
            lines: Vec::with_capacity(line_estimate),
            preceding_comments: Vec::with_capacity(line_estimate),
            overlong_lines: Vec::new(),
        };
        let mut last_comment: Option<&'a str> = None;
        for (index, raw) in text.split('\n').enumerate() {
            let line_text = raw.strip_suffix('\r').unwrap_or(raw);
            if line_text.len() >= MAX_LINE_LENGTH {
                lines.overlong_lines.push(index + 1);
            }
            let first_token = lines.tokens.len();
            let comment = tokenize(line_text, &mut lines.tokens);
            let token_count = lines.tokens.len() - first_token;
            if token_count == 0 {
                last_comment = comment;
                continue;
            }
            lines.lines.push(Line {
                number: index + 1,
                text: line_text,
                first_token: first_token as u32,
                token_count: token_count as u32,
                comment,
            });
            lines.preceding_comments.push(last_comment.take());
        }
        lines
    }

    /// The tokens of a line.
    pub fn tokens(&self, line: &Line<'a>) -> &[&'a str] {
        let start = line.first_token as usize;
        &self.tokens[start..start + line.token_count as usize]
    }
}

/// Appends the tokens of one line to `tokens` and returns its comment. Tokens are separated
/// by spaces, tabs and carriage returns; a token that starts with `"` runs to the next `"`
/// and may hold spaces; everything after `;` is a comment.
fn tokenize<'a>(line: &'a str, tokens: &mut Vec<&'a str>) -> Option<&'a str> {
    let (data, comment) = match line.find(';') {
        Some(at) => {
            let comment = line[at + 1..].trim();
            (&line[..at], (!comment.is_empty()).then_some(comment))
        }
        None => (line, None),
    };
    let bytes = data.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if is_separator(b) {
            at += 1;
            continue;
        }
        if b == b'"' {
            let start = at + 1;
            let end = data[start..].find('"').map_or(bytes.len(), |i| start + i);
            tokens.push(&data[start..end]);
            at = end + 1;
            continue;
        }
        let start = at;
        while at < bytes.len() && !is_separator(bytes[at]) {
            at += 1;
        }
        tokens.push(&data[start..at]);
    }
    comment
}

fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// EPANET's keyword test: the word starts with the keyword, ignoring case. Keywords are
/// often abbreviations (`DURA` matches `DURATION`).
pub fn matches(word: &str, keyword: &str) -> bool {
    let word = word.as_bytes();
    let keyword = keyword.as_bytes();
    word.len() >= keyword.len() && word[..keyword.len()].eq_ignore_ascii_case(keyword)
}

/// The index of the first keyword the word matches.
pub fn find_keyword(word: &str, keywords: &[&str]) -> Option<usize> {
    keywords.iter().position(|keyword| matches(word, keyword))
}

/// A number as C's `strtod` reads it, the whole token; infinities and NaN are refused.
pub fn number(token: &str) -> Option<f64> {
    let value: f64 = token.parse().ok().or_else(|| hex_number(token))?;
    value.is_finite().then_some(value)
}

/// `strtod` also reads hexadecimal integers such as `0x1A`.
fn hex_number(token: &str) -> Option<f64> {
    let (negative, rest) = match token.as_bytes().first()? {
        b'-' => (true, &token[1..]),
        b'+' => (false, &token[1..]),
        _ => (false, token),
    };
    let digits = rest
        .strip_prefix("0x")
        .or_else(|| rest.strip_prefix("0X"))?;
    let value = u64::from_str_radix(digits, 16).ok()? as f64;
    Some(if negative { -value } else { value })
}

/// C's `atol`: the leading integer of a token, zero when there is none.
pub fn leading_integer(token: &str) -> i64 {
    let bytes = token.trim_start().as_bytes();
    let (negative, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let mut value: i64 = 0;
    for &b in digits.iter().take_while(|b| b.is_ascii_digit()) {
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    if negative {
        -value
    } else {
        value
    }
}

/// A time in hours, read as EPANET reads it: a decimal number with optional units
/// (`SEC`, `MIN`, `HOURS`, `DAYS`), `hh:mm[:ss]`, or a clock time with `AM`/`PM`.
/// `None` when the text is not a time.
pub fn hours(time: &str, units: &str) -> Option<f64> {
    // EPANET reads up to four parts of `h:m:s` and uses the first three.
    let mut parts = [0.0; 4];
    let mut count = 0;
    for part in time.split(':').filter(|part| !part.is_empty()).take(4) {
        parts[count] = number(part)?;
        count += 1;
    }
    if count == 0 {
        return None;
    }
    if count == 1 {
        if units.is_empty() {
            return Some(parts[0]);
        }
        if matches(units, "SEC") {
            return Some(parts[0] / 3600.0);
        }
        if matches(units, "MIN") {
            return Some(parts[0] / 60.0);
        }
        if matches(units, "HOU") {
            return Some(parts[0]);
        }
        if matches(units, "DAY") {
            return Some(parts[0] * 24.0);
        }
    }
    let hours = parts[0] + parts[1] / 60.0 + parts[2] / 3600.0;
    if units.is_empty() {
        return Some(hours);
    }
    // 12 AM is midnight and 12 PM is noon.
    if matches(units, "AM") {
        return match hours {
            h if h >= 13.0 => None,
            h if h >= 12.0 => Some(h - 12.0),
            h => Some(h),
        };
    }
    if matches(units, "PM") {
        return match hours {
            h if h >= 13.0 => None,
            h if h >= 12.0 => Some(h),
            h => Some(h + 12.0),
        };
    }
    None
}

/// Seconds in a number of hours, rounded as EPANET rounds them.
pub fn seconds(hours: f64) -> Option<u64> {
    let seconds = (3600.0 * hours + 0.5).floor();
    (0.0..1e15).contains(&seconds).then_some(seconds as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<Vec<String>> {
        let lines = Lines::split(text);
        lines
            .lines
            .iter()
            .map(|line| lines.tokens(line).iter().map(|t| t.to_string()).collect())
            .collect()
    }

    #[test]
    fn tokens_split_on_spaces_and_tabs_and_stop_at_comments() {
        assert_eq!(
            split(" J1\t10  20 ;demand\r\n;only a comment\n\n\"a b\" c"),
            vec![vec!["J1", "10", "20"], vec!["a b", "c"]]
        );
    }

    #[test]
    fn comments_and_line_numbers_are_kept() {
        let lines = Lines::split("\n; first\nP1 2 ; note \n");
        assert_eq!(lines.lines[0].number, 3);
        assert_eq!(lines.lines[0].comment, Some("note"));
        assert_eq!(lines.preceding_comments[0], Some("first"));
    }

    #[test]
    fn keywords_match_by_prefix_ignoring_case() {
        assert!(matches("duration", "DURA"));
        assert!(matches("DURA", "DURA"));
        assert!(!matches("DUR", "DURA"));
        assert_eq!(find_keyword("Tank", &["Junc", "Reser", "Tank"]), Some(2));
    }

    #[test]
    fn numbers_as_strtod_reads_them() {
        assert_eq!(number("1.5e2"), Some(150.0));
        assert_eq!(number(".5"), Some(0.5));
        assert_eq!(number("0x10"), Some(16.0));
        assert_eq!(number("12a"), None);
        assert_eq!(number("nan"), None);
        assert_eq!(leading_integer("12abc"), 12);
        assert_eq!(leading_integer("abc"), 0);
    }

    #[test]
    fn times_in_every_form() {
        assert_eq!(hours("1:30", ""), Some(1.5));
        assert_eq!(hours("1.5", "HOURS"), Some(1.5));
        assert_eq!(hours("90", "min"), Some(1.5));
        assert_eq!(hours("2", "days"), Some(48.0));
        assert_eq!(hours("12", "AM"), Some(0.0));
        assert_eq!(hours("12", "PM"), Some(12.0));
        assert_eq!(hours("2:30", "pm"), Some(14.5));
        assert_eq!(hours("13", "PM"), None);
        assert_eq!(hours("0:00:00:00", ""), Some(0.0));
        assert_eq!(hours("x", ""), None);
        assert_eq!(hours("5", "FORTNIGHTS"), None);
        assert_eq!(seconds(1.5), Some(5400));
    }

    #[test]
    fn latin1_lines_are_decoded() {
        let text = decode(b"J1 ; caf\xe9\nJ2 ; caf\xc3\xa9\n");
        assert_eq!(text, "J1 ; café\nJ2 ; café\n");
    }
}
