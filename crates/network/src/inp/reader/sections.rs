//! The sections of an EPANET 2.3 input file.

use super::text::matches;

/// A section of the input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    Title,
    Junctions,
    Reservoirs,
    Tanks,
    Pipes,
    Pumps,
    Valves,
    Controls,
    Rules,
    Demands,
    Sources,
    Emitters,
    Patterns,
    Curves,
    Quality,
    Status,
    Roughness,
    Energy,
    Reactions,
    Mixing,
    Report,
    Times,
    Options,
    Coordinates,
    Vertices,
    Labels,
    Backdrop,
    Tags,
    Leakage,
    End,
}

impl Section {
    /// Every section, in EPANET's order of its section table.
    pub const ALL: [Section; 30] = [
        Section::Title,
        Section::Junctions,
        Section::Reservoirs,
        Section::Tanks,
        Section::Pipes,
        Section::Pumps,
        Section::Valves,
        Section::Controls,
        Section::Rules,
        Section::Demands,
        Section::Sources,
        Section::Emitters,
        Section::Patterns,
        Section::Curves,
        Section::Quality,
        Section::Status,
        Section::Roughness,
        Section::Energy,
        Section::Reactions,
        Section::Mixing,
        Section::Report,
        Section::Times,
        Section::Options,
        Section::Coordinates,
        Section::Vertices,
        Section::Labels,
        Section::Backdrop,
        Section::Tags,
        Section::Leakage,
        Section::End,
    ];

    /// The section's name, upper case, without brackets.
    pub fn name(self) -> &'static str {
        match self {
            Section::Title => "TITLE",
            Section::Junctions => "JUNCTIONS",
            Section::Reservoirs => "RESERVOIRS",
            Section::Tanks => "TANKS",
            Section::Pipes => "PIPES",
            Section::Pumps => "PUMPS",
            Section::Valves => "VALVES",
            Section::Controls => "CONTROLS",
            Section::Rules => "RULES",
            Section::Demands => "DEMANDS",
            Section::Sources => "SOURCES",
            Section::Emitters => "EMITTERS",
            Section::Patterns => "PATTERNS",
            Section::Curves => "CURVES",
            Section::Quality => "QUALITY",
            Section::Status => "STATUS",
            Section::Roughness => "ROUGHNESS",
            Section::Energy => "ENERGY",
            Section::Reactions => "REACTIONS",
            Section::Mixing => "MIXING",
            Section::Report => "REPORT",
            Section::Times => "TIMES",
            Section::Options => "OPTIONS",
            Section::Coordinates => "COORDINATES",
            Section::Vertices => "VERTICES",
            Section::Labels => "LABELS",
            Section::Backdrop => "BACKDROP",
            Section::Tags => "TAGS",
            Section::Leakage => "LEAKAGE",
            Section::End => "END",
        }
    }

    /// The section a heading token names. EPANET accepts a heading that starts with the
    /// bracketed name, in any case (`[Junctions]`, `[PIPES]abc`).
    pub fn from_heading(token: &str) -> Option<Section> {
        let inner = token.strip_prefix('[')?;
        Section::ALL.into_iter().find(|section| {
            let name = section.name();
            matches(inner, name) && inner.as_bytes().get(name.len()) == Some(&b']')
        })
    }

    /// Position in [`Section::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_match_ignoring_case() {
        assert_eq!(
            Section::from_heading("[junctions]"),
            Some(Section::Junctions)
        );
        assert_eq!(
            Section::from_heading("[COORDINATES]"),
            Some(Section::Coordinates)
        );
        assert_eq!(Section::from_heading("[JUNC]"), None);
        assert_eq!(Section::from_heading("[PIPE]"), None);
        for section in Section::ALL {
            assert_eq!(Section::ALL[section.index()], section);
        }
    }
}
