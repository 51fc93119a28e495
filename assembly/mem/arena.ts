// Scratch arena for one call across the boundary. The stub runtime is a bump
// allocator; heap.reset() drops everything, so JS calls arenaReset() before each
// bulk operation and copies results out before the next one.

export function arenaAlloc(size: i32): usize {
  return heap.alloc(<usize>size);
}

export function arenaReset(): void {
  heap.reset();
}
