//! Fill-reducing node ordering by multiple minimum degree (Liu's quotient-graph algorithm),
//! run exactly as EPANET 2.3 runs it so that its eliminations, and so its roundoff, are ours.
//!
//! EPANET orders the junctions once per network with George and Liu's MMD routine, with a
//! multiple-elimination tolerance of -1 (one node eliminated between degree updates). Ties
//! between nodes of equal degree are broken by the order of the degree lists, which depends
//! on the order of each junction's neighbours. So this module also rebuilds EPANET's
//! neighbour lists: newest link first, a link parallel to an earlier one left out, and
//! only junction neighbours kept.
//!
//! The algorithm works on a quotient graph stored in place in one adjacency array, where a
//! negative entry continues a list in another node's storage and a zero ends a list. The
//! bookkeeping below keeps that representation (1-based node numbers, sign-coded links)
//! because the order in which storage is reused decides the order in which neighbours are
//! visited, and so the ties.

/// Neighbour lists of the junctions as EPANET builds them for the ordering.
///
/// `from[k]` and `to[k]` are the end nodes of link k (internal node numbers, junctions
/// below `junctions`). Returns `(start, neighbours)`: junction j's neighbours are
/// `neighbours[start[j]..start[j + 1]]`, most recently listed link first.
pub(crate) fn junction_neighbours(
    junctions: usize,
    from: &[usize],
    to: &[usize],
) -> (Vec<usize>, Vec<usize>) {
    let nodes = from
        .iter()
        .chain(to)
        .copied()
        .max()
        .map_or(junctions, |m| (m + 1).max(junctions));
    // Each node's links in file order, keeping only the first link between a pair of nodes
    // (EPANET drops later parallel links from the lists and shares the first one's matrix
    // entry).
    let mut incident: Vec<Vec<usize>> = vec![Vec::new(); nodes];
    for (&a, &b) in from.iter().zip(to) {
        if a == b {
            continue;
        }
        if incident[a].contains(&b) {
            continue;
        }
        incident[a].push(b);
        incident[b].push(a);
    }
    let mut start = Vec::with_capacity(junctions + 1);
    let mut neighbours = Vec::new();
    start.push(0);
    for list in incident.iter().take(junctions) {
        // Lists grow at their head, so the newest link comes first.
        neighbours.extend(list.iter().rev().filter(|&&n| n < junctions));
        start.push(neighbours.len());
    }
    (start, neighbours)
}

/// Marker value that no tag reaches: nodes merged into others or already numbered.
const NEVER: isize = i32::MAX as isize;

/// Working arrays of the minimum degree search, 1-based as the algorithm is written.
struct MinimumDegree {
    n: isize,
    /// Start of each node's storage in `adjacency` (n + 2 entries).
    start: Vec<isize>,
    /// Quotient graph: node numbers, negative links to continued storage, zero as the end.
    adjacency: Vec<isize>,
    /// First node of each degree list.
    degree_head: Vec<isize>,
    /// Next node in a degree list; for an eliminated node, minus its position; for a
    /// merged node, minus the node it was merged into.
    forward: Vec<isize>,
    /// Previous node in a degree list, or minus the degree at a list head; 0 flags a node
    /// whose degree needs updating.
    backward: Vec<isize>,
    /// Number of nodes each supernode stands for (0 once merged).
    supernode_size: Vec<isize>,
    /// Temporary linked lists.
    next_in_list: Vec<isize>,
    marker: Vec<isize>,
}

/// Orders `n` junctions by multiple minimum degree, given their neighbour lists as
/// [`junction_neighbours`] returns them. Returns the junction eliminated at each position
/// (0-based).
pub(crate) fn minimum_degree_order(n: usize, start: &[usize], neighbours: &[usize]) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let size = n + 2;
    let mut adjacency = Vec::with_capacity(neighbours.len() + 2);
    adjacency.push(0);
    adjacency.extend(neighbours.iter().map(|&v| v as isize + 1));
    adjacency.push(0);
    let mut md = MinimumDegree {
        n: n as isize,
        start: std::iter::once(0)
            .chain(start.iter().map(|&s| s as isize + 1))
            .chain(std::iter::once(neighbours.len() as isize + 1))
            .collect(),
        adjacency,
        degree_head: vec![0; size],
        forward: vec![0; size],
        backward: vec![0; size],
        supernode_size: vec![0; size],
        next_in_list: vec![0; size],
        marker: vec![0; size],
    };
    md.run();
    // `forward` now holds each node's position (1-based).
    let mut order = vec![0usize; n];
    for node in 1..=n {
        let position = md.forward[node] as usize - 1; // ok: run() numbers every node 1..=n
        order[position] = node - 1;
    }
    order
}

impl MinimumDegree {
    fn at(v: isize) -> usize {
        // ok: the algorithm only follows positive node numbers and storage positions.
        v as usize
    }

    fn run(&mut self) {
        let n = self.n;
        self.initialise();
        let mut position: isize = 1;
        // Nodes without neighbours come first, in the order of the degree-0 list.
        let mut next = self.degree_head[1];
        while next > 0 {
            let node = next;
            next = self.forward[Self::at(node)];
            self.marker[Self::at(node)] = NEVER;
            self.forward[Self::at(node)] = -position;
            position += 1;
        }
        if position <= n {
            let mut tag: isize = 1;
            self.degree_head[1] = 0;
            let mut min_degree: isize = 2;
            loop {
                while self.degree_head[Self::at(min_degree)] <= 0 {
                    min_degree += 1;
                }
                // Take the first node of the lowest non-empty degree list.
                let node = self.degree_head[Self::at(min_degree)];
                let next = self.forward[Self::at(node)];
                self.degree_head[Self::at(min_degree)] = next;
                if next > 0 {
                    self.backward[Self::at(next)] = -min_degree;
                }
                self.forward[Self::at(node)] = -position;
                if position + self.supernode_size[Self::at(node)] > n {
                    break;
                }
                tag += 1;
                if tag >= NEVER {
                    tag = 1;
                    self.reset_markers();
                }
                self.eliminate(node, tag);
                position += self.supernode_size[Self::at(node)];
                self.next_in_list[Self::at(node)] = 0;
                if position > n {
                    break;
                }
                self.update_degrees(node, &mut min_degree, &mut tag);
            }
        }
        self.number();
    }

    fn reset_markers(&mut self) {
        for m in self.marker.iter_mut().skip(1) {
            if *m < NEVER {
                *m = 0;
            }
        }
    }

    /// Degree lists from the initial neighbour counts; each node is one supernode.
    fn initialise(&mut self) {
        let n = Self::at(self.n);
        for node in 1..=n {
            self.degree_head[node] = 0;
            self.supernode_size[node] = 1;
            self.marker[node] = 0;
            self.next_in_list[node] = 0;
        }
        for node in 1..=n {
            let degree = self.start[node + 1] - self.start[node] + 1;
            let first = self.degree_head[Self::at(degree)];
            self.forward[node] = first;
            self.degree_head[Self::at(degree)] = node as isize;
            if first > 0 {
                self.backward[Self::at(first)] = node as isize;
            }
            self.backward[node] = -degree;
        }
    }

    /// Eliminates `pivot`: its reachable set becomes its new neighbour list (reusing the
    /// storage of elements it absorbs), and each reachable node is purged of neighbours
    /// now inside the element, merged into it if nothing else remains, or flagged for a
    /// degree update.
    fn eliminate(&mut self, pivot: isize, tag: isize) {
        let p = Self::at(pivot);
        self.marker[p] = tag;
        self.form_element(pivot, tag);
        // Visit each reachable node.
        let mut link = pivot;
        'storage: loop {
            let from = self.start[Self::at(link)];
            let to = self.start[Self::at(link) + 1] - 1;
            for i in from..=to {
                let reached = self.adjacency[Self::at(i)];
                link = -reached;
                if reached < 0 {
                    continue 'storage;
                }
                if reached == 0 {
                    return;
                }
                self.purge_reached(pivot, reached, tag);
            }
            return;
        }
    }

    /// Turns `pivot`'s adjacency into the new element's: its uneliminated neighbours and
    /// every node reachable through the elements it absorbs, all marked `tag`.
    fn form_element(&mut self, pivot: isize, tag: isize) {
        let p = Self::at(pivot);
        let first = self.start[p];
        let last = self.start[p + 1] - 1;
        // Uneliminated neighbours are compacted in place; eliminated ones (elements) are
        // chained in a list.
        let mut elements: isize = 0;
        let mut write = first;
        let mut write_limit = last;
        for i in first..=last {
            let neighbour = self.adjacency[Self::at(i)];
            if neighbour == 0 {
                break;
            }
            let nb = Self::at(neighbour);
            if self.marker[nb] >= tag {
                continue;
            }
            self.marker[nb] = tag;
            if self.forward[nb] < 0 {
                self.next_in_list[nb] = elements;
                elements = neighbour;
            } else {
                self.adjacency[Self::at(write)] = neighbour;
                write += 1;
            }
        }
        // Add the nodes reachable through each element.
        while elements > 0 {
            self.adjacency[Self::at(write_limit)] = -elements;
            let mut link = elements;
            'storage: loop {
                let from = self.start[Self::at(link)];
                let to = self.start[Self::at(link) + 1] - 1;
                for j in from..=to {
                    let node = self.adjacency[Self::at(j)];
                    link = -node;
                    if node < 0 {
                        continue 'storage;
                    }
                    if node == 0 {
                        break;
                    }
                    let nd = Self::at(node);
                    if self.marker[nd] >= tag || self.forward[nd] < 0 {
                        continue;
                    }
                    self.marker[nd] = tag;
                    // Out of room: continue in the storage of an absorbed element.
                    while write >= write_limit {
                        let next = -self.adjacency[Self::at(write_limit)];
                        write = self.start[Self::at(next)];
                        write_limit = self.start[Self::at(next) + 1] - 1;
                    }
                    self.adjacency[Self::at(write)] = node;
                    write += 1;
                }
                break;
            }
            elements = self.next_in_list[Self::at(elements)];
        }
        if write <= write_limit {
            self.adjacency[Self::at(write)] = 0;
        }
    }

    /// Takes node `reached` of the new element out of its degree list and keeps only its
    /// neighbours outside the element, merging it into the pivot if none remain.
    fn purge_reached(&mut self, pivot: isize, reached: isize, tag: isize) {
        let p = Self::at(pivot);
        let r = Self::at(reached);
        // Take it out of its degree list.
        let previous = self.backward[r];
        if previous != 0 && previous != -NEVER {
            let next = self.forward[r];
            if next > 0 {
                self.backward[Self::at(next)] = previous;
            }
            if previous > 0 {
                self.forward[Self::at(previous)] = next;
            } else {
                self.degree_head[Self::at(-previous)] = next;
            }
        }
        // Keep only neighbours outside the new element.
        let own_first = self.start[r];
        let own_last = self.start[r + 1] - 1;
        let mut kept = own_first;
        for j in own_first..=own_last {
            let neighbour = self.adjacency[Self::at(j)];
            if neighbour == 0 {
                break;
            }
            if self.marker[Self::at(neighbour)] >= tag {
                continue;
            }
            self.adjacency[Self::at(kept)] = neighbour;
            kept += 1;
        }
        let count = kept - own_first;
        if count <= 0 {
            // Nothing outside the element: it is indistinguishable from the pivot.
            self.supernode_size[p] += self.supernode_size[r];
            self.supernode_size[r] = 0;
            self.marker[r] = NEVER;
            self.forward[r] = -pivot;
            self.backward[r] = -NEVER;
        } else {
            self.forward[r] = count + 1;
            self.backward[r] = 0;
            self.adjacency[Self::at(kept)] = pivot;
            kept += 1;
            if kept <= own_last {
                self.adjacency[Self::at(kept)] = 0;
            }
        }
    }

    /// Recomputes the external degree of the nodes of the newly formed element `element`,
    /// merging indistinguishable nodes met on the way, and lowers `min_degree` if needed.
    fn update_degrees(&mut self, element: isize, min_degree: &mut isize, tag: &mut isize) {
        // The multiple-elimination tolerance EPANET passes (-1).
        const TOLERANCE: isize = -1;
        let floor = *min_degree + TOLERANCE;
        let mut element_tag = *tag + floor;
        if element_tag >= NEVER {
            *tag = 1;
            self.reset_markers();
            element_tag = *tag + floor;
        }
        let (two_head, other_head, element_size) = self.sort_element_nodes(element, element_tag);
        self.update_two_entry_nodes(element, two_head, element_size, min_degree, tag);
        self.update_other_nodes(other_head, element_size, min_degree, tag);
        *tag = element_tag;
    }

    /// Sorts the nodes of `element` that need an update into those with two neighbour
    /// entries (this element and one other) and the rest, marking them `element_tag`;
    /// the heads of the two lists and the element's size.
    fn sort_element_nodes(&mut self, element: isize, element_tag: isize) -> (isize, isize, isize) {
        let mut two_head: isize = 0;
        let mut other_head: isize = 0;
        let mut element_size: isize = 0;
        let mut link = element;
        'storage: loop {
            let from = self.start[Self::at(link)];
            let to = self.start[Self::at(link) + 1] - 1;
            for i in from..=to {
                let node = self.adjacency[Self::at(i)];
                link = -node;
                if node < 0 {
                    continue 'storage;
                }
                if node == 0 {
                    break;
                }
                let nd = Self::at(node);
                if self.supernode_size[nd] == 0 {
                    continue;
                }
                element_size += self.supernode_size[nd];
                self.marker[nd] = element_tag;
                if self.backward[nd] != 0 {
                    continue;
                }
                if self.forward[nd] == 2 {
                    self.next_in_list[nd] = two_head;
                    two_head = node;
                } else {
                    self.next_in_list[nd] = other_head;
                    other_head = node;
                }
            }
            break;
        }
        (two_head, other_head, element_size)
    }

    /// Updates the degrees of the nodes adjacent to `element` and one other entry.
    fn update_two_entry_nodes(
        &mut self,
        element: isize,
        two_head: isize,
        element_size: isize,
        min_degree: &mut isize,
        tag: &mut isize,
    ) {
        let mut node = two_head;
        while node > 0 {
            let nd = Self::at(node);
            if self.backward[nd] == 0 {
                *tag += 1;
                let mut degree = element_size;
                let first = self.start[nd];
                let mut other = self.adjacency[Self::at(first)];
                if other == element {
                    other = self.adjacency[Self::at(first + 1)];
                }
                if self.forward[Self::at(other)] >= 0 {
                    // The other entry is an uneliminated node.
                    degree += self.supernode_size[Self::at(other)];
                } else {
                    // The other entry is an element: count its unmarked nodes, and merge
                    // those that, like this one, touch only the two elements.
                    let mut link = other;
                    'storage: loop {
                        let from = self.start[Self::at(link)];
                        let to = self.start[Self::at(link) + 1] - 1;
                        for i in from..=to {
                            let member = self.adjacency[Self::at(i)];
                            link = -member;
                            if member == node {
                                continue;
                            }
                            if member < 0 {
                                continue 'storage;
                            }
                            if member == 0 {
                                break;
                            }
                            let m = Self::at(member);
                            if self.supernode_size[m] == 0 {
                                continue;
                            }
                            if self.marker[m] < *tag {
                                self.marker[m] = *tag;
                                degree += self.supernode_size[m];
                                continue;
                            }
                            if self.backward[m] != 0 {
                                continue;
                            }
                            if self.forward[m] == 2 {
                                self.supernode_size[nd] += self.supernode_size[m];
                                self.supernode_size[m] = 0;
                                self.marker[m] = NEVER;
                                self.forward[m] = -node;
                                self.backward[m] = -NEVER;
                            } else {
                                // Outmatched by this node: no update needed.
                                self.backward[m] = -NEVER;
                            }
                        }
                        break;
                    }
                }
                self.relist(node, degree, min_degree);
            }
            node = self.next_in_list[nd];
        }
    }

    /// Updates the degrees of the remaining nodes: counts every unmarked node reachable
    /// in one step.
    fn update_other_nodes(
        &mut self,
        other_head: isize,
        element_size: isize,
        min_degree: &mut isize,
        tag: &mut isize,
    ) {
        let mut node = other_head;
        while node > 0 {
            let nd = Self::at(node);
            if self.backward[nd] == 0 {
                *tag += 1;
                let mut degree = element_size;
                let first = self.start[nd];
                let last = self.start[nd + 1] - 1;
                for i in first..=last {
                    let neighbour = self.adjacency[Self::at(i)];
                    if neighbour == 0 {
                        break;
                    }
                    let nb = Self::at(neighbour);
                    if self.marker[nb] >= *tag {
                        continue;
                    }
                    self.marker[nb] = *tag;
                    if self.forward[nb] >= 0 {
                        degree += self.supernode_size[nb];
                        continue;
                    }
                    let mut link = neighbour;
                    'storage: loop {
                        let from = self.start[Self::at(link)];
                        let to = self.start[Self::at(link) + 1] - 1;
                        for j in from..=to {
                            let member = self.adjacency[Self::at(j)];
                            link = -member;
                            if member < 0 {
                                continue 'storage;
                            }
                            if member == 0 {
                                break;
                            }
                            let m = Self::at(member);
                            if self.marker[m] < *tag {
                                self.marker[m] = *tag;
                                degree += self.supernode_size[m];
                            }
                        }
                        break;
                    }
                }
                self.relist(node, degree, min_degree);
            }
            node = self.next_in_list[nd];
        }
    }

    /// Puts `node` at the head of the list of its new external degree.
    fn relist(&mut self, node: isize, degree: isize, min_degree: &mut isize) {
        let nd = Self::at(node);
        let degree = degree - self.supernode_size[nd] + 1;
        let first = self.degree_head[Self::at(degree)];
        self.forward[nd] = first;
        self.backward[nd] = -degree;
        if first > 0 {
            self.backward[Self::at(first)] = node;
        }
        self.degree_head[Self::at(degree)] = node;
        if degree < *min_degree {
            *min_degree = degree;
        }
    }

    /// Numbers merged nodes right after the supernode they joined, leaving each node's
    /// position (1-based) in `forward`.
    fn number(&mut self) {
        let n = Self::at(self.n);
        // `backward` becomes: a positive running count at each supernode's root, or minus
        // the node a merged node joined.
        for node in 1..=n {
            self.backward[node] = if self.supernode_size[node] <= 0 {
                self.forward[node]
            } else {
                -self.forward[node]
            };
        }
        for node in 1..=n {
            if self.backward[node] > 0 {
                continue;
            }
            let mut root = node;
            while self.backward[root] <= 0 {
                root = Self::at(-self.backward[root]);
            }
            let position = self.backward[root] + 1;
            self.forward[node] = -position;
            self.backward[root] = position;
            // Point every node on the path straight at the root.
            let mut on_path = node;
            loop {
                let next = -self.backward[on_path];
                if next <= 0 {
                    break;
                }
                self.backward[on_path] = -(root as isize);
                on_path = Self::at(next);
            }
        }
        for node in 1..=n {
            self.forward[node] = -self.forward[node];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Links of a `side` x `side` grid of junctions with a reservoir (node `reservoir`)
    /// joined to the first junction, plus a pipe parallel to the first link.
    fn grid(side: usize, reservoir: usize) -> (Vec<usize>, Vec<usize>) {
        let (mut from, mut to) = (Vec::new(), Vec::new());
        for r in 0..side {
            for c in 0..side {
                let i = r * side + c;
                if c + 1 < side {
                    from.push(i);
                    to.push(i + 1);
                }
                if r + 1 < side {
                    from.push(i);
                    to.push(i + side);
                }
            }
        }
        from.push(reservoir);
        to.push(0);
        from.push(1);
        to.push(0);
        (from, to)
    }

    #[test]
    fn neighbour_lists_are_newest_first_without_parallels_or_fixed_heads() {
        let (from, to) = grid(3, 9);
        let (start, neighbours) = junction_neighbours(9, &from, &to);
        // Junction 0: links 0-1 (first), 0-3, reservoir, then 1-0 (parallel, dropped).
        assert_eq!(&neighbours[start[0]..start[1]], &[3, 1]);
        // Junction 4 (the centre): 1, 3, 5, 7 in link order, listed newest first.
        assert_eq!(&neighbours[start[4]..start[5]], &[7, 5, 3, 1]);
    }

    #[test]
    fn order_is_a_permutation_that_starts_at_a_corner_and_isolated_nodes_lead() {
        // Junctions 36 and 37 are joined only to the reservoir (node 38).
        let n = 38;
        let (mut from, mut to) = grid(6, n);
        for j in [36, 37] {
            from.push(j);
            to.push(n);
        }
        let (start, neighbours) = junction_neighbours(n, &from, &to);
        let order = minimum_degree_order(n, &start, &neighbours);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..n).collect::<Vec<_>>());
        // Nodes of degree zero are numbered first, then a node of least degree (a corner).
        assert!(order[..2].contains(&36) && order[..2].contains(&37));
        let corners = [0, 5, 30, 35];
        assert!(corners.contains(&order[2]), "{:?}", &order[..4]);
    }
}
