//! Work on every core (planning, writing, rendering, validating), with results in input
//! order, so that what a run reports never depends on scheduling.

/// `f` applied to every item, on one thread per core (contiguous chunks), results in input
/// order. A panic in `f` is raised again here rather than losing a chunk's results.
pub(crate) fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    map_owned(items.iter().collect(), f)
}

/// `a()` and `b()` at once, `b` on a thread of its own (when there is a second core). A
/// panic in either is raised again here.
pub(crate) fn join<A, B: Send>(a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
    if std::thread::available_parallelism().map_or(1, |n| n.get()) == 1 {
        return (a(), b());
    }
    std::thread::scope(|s| {
        let other = s.spawn(b);
        let here = a();
        match other.join() {
            Ok(there) => (here, there),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Chunks per thread in [`map_owned`]: enough that the last chunks even out the threads'
/// shares, few enough that handing them out costs nothing.
const CHUNKS_PER_THREAD: usize = 8;

/// [`map`] taking the items by value, for work that moves them into its results.
pub(crate) fn map_owned<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, items.len().max(1));
    if threads == 1 {
        return items.into_iter().map(f).collect();
    }
    // Chunks are taken in turn rather than split evenly up front: items cost unevenly (files
    // of every size), and a thread done with its chunks takes the next instead of waiting.
    let len = items.len();
    let chunk = len.div_ceil(threads * CHUNKS_PER_THREAD).max(1);
    let mut chunks = Vec::with_capacity(len.div_ceil(chunk));
    let mut rest = items.into_iter();
    loop {
        let part: Vec<T> = rest.by_ref().take(chunk).collect();
        if part.is_empty() {
            break;
        }
        chunks.push(std::sync::Mutex::new(part));
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(slot) = chunks.get(i) else {
                return done;
            };
            // Each chunk is taken once; a poisoned lock only means another chunk panicked,
            // which is raised below.
            let part = std::mem::take(&mut *slot.lock().unwrap_or_else(|p| p.into_inner()));
            done.push((i, part.into_iter().map(&f).collect::<Vec<R>>()));
        }
    };
    let mut parts = std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads).map(|_| s.spawn(work)).collect();
        let mut all = work();
        for h in helpers {
            match h.join() {
                Ok(done) => all.extend(done),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    parts.sort_unstable_by_key(|(i, _)| *i);
    let mut out = Vec::with_capacity(len);
    for (_, part) in parts {
        out.extend(part);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::map(&items, |x| x * 2),
            (0..1000).map(|x| x * 2).collect::<Vec<_>>()
        );
        assert!(super::map(&[] as &[u32], |x| *x).is_empty());
    }

    #[test]
    fn join_returns_both() {
        let (a, b) = super::join(|| 1 + 1, || "two".len());
        assert_eq!((a, b), (2, 3));
    }

    #[test]
    fn owned_keeps_order() {
        let items: Vec<String> = (0..1001).map(|i| i.to_string()).collect();
        let want: Vec<usize> = items.iter().map(String::len).collect();
        assert_eq!(super::map_owned(items, |s| s.len()), want);
        assert!(super::map_owned(Vec::<u32>::new(), |x| x).is_empty());
    }

    #[test]
    fn uneven_items_keep_their_order() {
        // The first items are slow, so the chunks are finished out of order.
        let items: Vec<u64> = (0..200).collect();
        let got = super::map_owned(items, |i| {
            if i < 20 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            i * 3
        });
        assert_eq!(got, (0..200).map(|i| i * 3).collect::<Vec<_>>());
        assert_eq!(super::map_owned(vec![7], |x| x + 1), vec![8]);
    }

    #[test]
    fn a_panic_in_any_chunk_is_raised() {
        let caught = std::panic::catch_unwind(|| {
            super::map_owned((0..100).collect::<Vec<u32>>(), |i| {
                assert!(i != 77, "item 77");
                i
            })
        });
        assert!(caught.is_err());
    }
}
