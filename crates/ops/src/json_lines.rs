//! Where the elements of a JSON array start in the text, so that errors about a parsed document
//! can name the line: the array under a top-level key, or the document itself when it is one.

/// The line (1-based) on which each element of the array starts: the array under `key` of the
/// top-level object, or the top-level array when `key` is `None`. Empty when the text is not
/// shaped so.
pub(crate) fn element_lines(text: &str, key: Option<&str>) -> Vec<u64> {
    let mut lines = Vec::new();
    let mut line = 1u64;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    // The last string read at depth 1: the key the next value belongs to.
    let mut last_key = String::new();
    let mut current = String::new();
    let mut array_depth = None;
    let mut expecting_element = false;
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
                if depth == 1 {
                    last_key = std::mem::take(&mut current);
                }
            } else if depth == 1 {
                current.push(c);
            }
            continue;
        }
        if expecting_element && !c.is_whitespace() && c != ']' {
            lines.push(line);
            expecting_element = false;
        }
        match c {
            '"' => {
                in_string = true;
                current.clear();
            }
            '{' | '[' => {
                depth += 1;
                let wanted = match key {
                    Some(key) => c == '[' && depth == 2 && last_key == key,
                    None => c == '[' && depth == 1,
                };
                if wanted && array_depth.is_none() {
                    array_depth = Some(depth);
                    expecting_element = true;
                }
            }
            '}' | ']' => {
                if array_depth == Some(depth) {
                    array_depth = None;
                    expecting_element = false;
                }
                depth = depth.saturating_sub(1);
            }
            ',' if array_depth == Some(depth) => expecting_element = true,
            _ => {}
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_under_their_key_or_at_the_top() {
        let text = "{\"type\":\"FeatureCollection\",\n\"features\":[\n{\"a\":\"[,]\"},\n\n {\"b\":[1,2]}\n]}";
        assert_eq!(element_lines(text, Some("features")), [3, 5]);
        assert!(element_lines("[1,2]", Some("features")).is_empty());
        assert_eq!(element_lines("[\n{\"x\":1},\n{\"x\":2}]", None), [2, 3]);
    }
}
