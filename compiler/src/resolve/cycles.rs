//! Cycle finding shared by imports, channel inheritance and class order.

use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;
use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

/// Every cycle of the graph, one per strongly connected component, as the nodes in order
/// (first node repeated at the end) and the weight of the edge that closes it.
pub fn find_cycles<N, E>(graph: &DiGraphMap<N, E>) -> Vec<(Vec<N>, E)>
where
    N: Copy + Ord + Hash,
    E: Copy,
{
    let mut cycles = Vec::new();
    for mut component in tarjan_scc(graph) {
        component.sort();
        let start = component[0];
        if component.len() == 1 {
            if let Some(weight) = graph.edge_weight(start, start) {
                cycles.push((vec![start, start], *weight));
            }
            continue;
        }
        // Shortest way back to `start` inside the component, by breadth-first search.
        let inside = |n: &N| component.binary_search(n).is_ok();
        let mut previous: HashMap<N, N> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        'search: while let Some(node) = queue.pop_front() {
            let mut next: Vec<N> = graph.neighbors(node).filter(inside).collect();
            next.sort();
            for n in next {
                if n == start {
                    closing = Some(node);
                    break 'search;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = previous.entry(n) {
                    e.insert(node);
                    queue.push_back(n);
                }
            }
        }
        let Some(last) = closing else { continue };
        // Walk back from `last` to `start`, then close the loop.
        let mut path = vec![last];
        let mut node = last;
        while let Some(&p) = previous.get(&node) {
            path.push(p);
            node = p;
        }
        path.reverse();
        path.push(start);
        let weight = *graph
            .edge_weight(last, start)
            .expect("the closing edge exists");
        cycles.push((path, weight));
    }
    cycles
}
