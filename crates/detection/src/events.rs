//! Steps grouped into events: a run of possible-event steps, with the channels that drove it.

use serde::Serialize;

use crate::detector::{Status, StepResult};

/// One event: its first and last possible-event steps and each channel's outlier count.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Step index at which the event was raised.
    pub start: usize,
    /// Last step of the event (its last possible-event or timeout step).
    pub end: usize,
    /// Highest event probability reached.
    pub peak_probability: f64,
    /// Outlier steps per channel over the event and the discriminator window before it.
    pub channel_outliers: Vec<usize>,
}

/// Collects step results into events. Possible-event steps closer together than `gap` steps
/// belong to one event, so one disturbance with a brief dip is not raised twice.
#[derive(Debug, Clone)]
pub struct Events {
    gap: usize,
    open: Option<Event>,
    /// Steps since the open event's last possible-event step.
    quiet: usize,
    /// The latest steps' contributing flags, to credit the channels that led up to an event.
    lead: std::collections::VecDeque<Vec<bool>>,
    finished: Vec<Event>,
}

impl Events {
    /// A collector merging possible-event steps less than `gap` steps apart (the BED window
    /// is a good gap).
    pub fn new(gap: usize) -> Self {
        Events {
            gap: gap.max(1),
            open: None,
            quiet: 0,
            lead: Default::default(),
            finished: Vec::new(),
        }
    }

    /// Takes the result of step `index`; returns the event when this step raised it.
    pub fn record(&mut self, index: usize, step: &StepResult) -> Option<&Event> {
        let raised = matches!(step.status, Status::PossibleEvent | Status::EventTimeout);
        if self.lead.len() == self.gap {
            self.lead.pop_front();
        }
        self.lead.push_back(step.contributing.clone());
        if let Some(open) = &mut self.open {
            if raised {
                open.end = index;
                open.peak_probability = open.peak_probability.max(step.probability.unwrap_or(0.0));
                credit(&mut open.channel_outliers, &step.contributing);
                self.quiet = 0;
            } else {
                self.quiet += 1;
            }
            if step.status == Status::EventTimeout || self.quiet >= self.gap {
                self.close();
            }
            return None;
        }
        if !raised {
            return None;
        }
        let mut channel_outliers = vec![0; step.contributing.len()];
        for flags in &self.lead {
            credit(&mut channel_outliers, flags);
        }
        self.open = Some(Event {
            start: index,
            end: index,
            peak_probability: step.probability.unwrap_or(1.0),
            channel_outliers,
        });
        self.quiet = 0;
        self.open.as_ref()
    }

    /// The event under way, if any.
    pub fn open(&self) -> Option<&Event> {
        self.open.as_ref()
    }

    /// Every event, the one under way included.
    pub fn finish(mut self) -> Vec<Event> {
        self.close();
        self.finished
    }

    fn close(&mut self) {
        if let Some(event) = self.open.take() {
            self.finished.push(event);
        }
        self.quiet = 0;
    }
}

fn credit(counts: &mut [usize], flags: &[bool]) {
    for (count, flag) in counts.iter_mut().zip(flags) {
        *count += usize::from(*flag);
    }
}
