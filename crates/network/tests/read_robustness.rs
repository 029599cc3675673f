//! Whatever the bytes, the reader gives a network or diagnostics: never a panic, and every
//! problem found on a line names a line of the file. (The same property runs without end
//! under libFuzzer: see `fuzz/`.)

use danjiang_network::inp;
use proptest::prelude::*;

const NET1: &str = include_str!("../../../tests/networks/public/net1.inp");

/// Words the reader treats specially, so that random edits reach deep into its branches.
const WORDS: &[&str] = &[
    "[JUNCTIONS]",
    "[PIPES]",
    "[PUMPS]",
    "[VALVES]",
    "[TANKS]",
    "[RULES]",
    "[CONTROLS]",
    "[OPTIONS]",
    "[TIMES]",
    "[CURVES]",
    "[STATUS]",
    "[END]",
    "IF",
    "THEN",
    "ELSE",
    "AND",
    "OR",
    "RULE",
    "PRIORITY",
    "LINK",
    "NODE",
    "TANK",
    "SYSTEM",
    "CLOCKTIME",
    "TIME",
    "OPEN",
    "CLOSED",
    "ACTIVE",
    "HEAD",
    "POWER",
    "SPEED",
    "PATTERN",
    "PRV",
    "GPV",
    "PCV",
    "CV",
    "AM",
    "PM",
    ":",
    "1:30",
    "-1",
    "0",
    "1e308",
    "nan",
    "\"",
    ";",
    "\t",
    "9",
    "10",
    "11",
    "2",
    "TRACE",
    "QUALITY",
    "UNITS",
    "LPS",
    "PDA",
    "*",
    "0x10",
    "DURATION",
    "\u{e9}",
];

fn check(text: &str) {
    let (_network, diagnostics) = inp::check_str(text, "fuzz.inp");
    let lines = text.split('\n').count();
    for diagnostic in diagnostics {
        if let Some(line) = diagnostic.line {
            assert!(
                (1..=lines).contains(&line),
                "line {line} of {lines}: {diagnostic}"
            );
        }
        assert!(!diagnostic.message.is_empty());
    }
}

/// An edit of one line of a valid network.
#[derive(Debug, Clone)]
enum Edit {
    Delete(usize),
    Duplicate(usize),
    ReplaceToken(usize, usize, usize),
    InsertToken(usize, usize, usize),
    Truncate(usize, usize),
    Swap(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Duplicate),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(l, t, w)| Edit::ReplaceToken(l, t, w)),
        (any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(l, t, w)| Edit::InsertToken(l, t, w)),
        (any::<usize>(), any::<usize>()).prop_map(|(l, n)| Edit::Truncate(l, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for edit in edits {
        if lines.is_empty() {
            break;
        }
        let n = lines.len();
        match *edit {
            Edit::Delete(l) => {
                lines.remove(l % n);
            }
            Edit::Duplicate(l) => {
                let line = lines[l % n].clone();
                lines.insert(l % n, line);
            }
            Edit::ReplaceToken(l, t, w) | Edit::InsertToken(l, t, w) => {
                let mut tokens: Vec<String> = lines[l % n]
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                let word = WORDS[w % WORDS.len()].to_string();
                if tokens.is_empty() || matches!(edit, Edit::InsertToken(..)) {
                    let at = t % (tokens.len() + 1);
                    tokens.insert(at, word);
                } else {
                    let at = t % tokens.len();
                    tokens[at] = word;
                }
                lines[l % n] = tokens.join(" ");
            }
            Edit::Truncate(l, c) => {
                let line = &mut lines[l % n];
                let keep = line
                    .char_indices()
                    .nth(c % (line.len() + 1))
                    .map_or(line.len(), |(i, _)| i);
                line.truncate(keep);
            }
            Edit::Swap(a, b) => lines.swap(a % n, b % n),
        }
    }
    lines.join("\n")
}

proptest! {
    #[test]
    fn any_bytes_give_diagnostics_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2000)) {
        let text = inp::decode(&bytes);
        check(&text);
    }

    #[test]
    fn edited_networks_give_diagnostics_not_a_panic(edits in proptest::collection::vec(edit(), 1..12)) {
        check(&apply(NET1, &edits));
    }

    #[test]
    fn random_keyword_soup_gives_diagnostics_not_a_panic(
        words in proptest::collection::vec((0..WORDS.len(), 0..4usize), 0..300)
    ) {
        let mut text = String::new();
        for (word, separator) in words {
            text.push_str(WORDS[word]);
            text.push_str([" ", "\n", "\t", "  "][separator]);
        }
        check(&text);
    }
}
