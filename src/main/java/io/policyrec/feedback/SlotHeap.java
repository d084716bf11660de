package io.policyrec.feedback;

import java.util.Arrays;

/**
 * A binary min-heap of slot numbers that knows where each slot sits, so that a slot leaves it in
 * O(log n) when its entry finishes early (no lazy leftovers to compact, and a slot can be reused
 * at once). Holds ints only: the join keeps its queues without an object per decision.
 */
final class SlotHeap {
    /** Orders two slots; ties must be broken so that the order is total (replays pop alike). */
    interface Order {
        int compare(int a, int b);
    }

    private final Order order;
    private int[] heap = new int[64];
    /** The heap index of each slot, or -1 when the slot is not in the heap. */
    private int[] position = new int[0];
    private int size;

    SlotHeap(Order order) {
        this.order = order;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The least slot; the heap must not be empty. */
    int peek() {
        return heap[0];
    }

    boolean contains(int slot) {
        return slot < position.length && position[slot] >= 0;
    }

    void add(int slot) {
        if (slot >= position.length) {
            int old = position.length;
            position = Arrays.copyOf(position, Math.max(64, Math.max(slot + 1, 2 * old)));
            Arrays.fill(position, old, position.length, -1);
        }
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, 2 * size);
        }
        heap[size] = slot;
        position[slot] = size;
        up(size++);
    }

    int poll() {
        int top = heap[0];
        remove(top);
        return top;
    }

    void remove(int slot) {
        int at = position[slot];
        position[slot] = -1;
        int last = heap[--size];
        if (at == size) {
            return;
        }
        heap[at] = last;
        position[last] = at;
        if (!up(at)) {
            down(at);
        }
    }

    private boolean up(int at) {
        int slot = heap[at];
        int start = at;
        while (at > 0) {
            int parent = (at - 1) >>> 1;
            if (order.compare(slot, heap[parent]) >= 0) {
                break;
            }
            heap[at] = heap[parent];
            position[heap[at]] = at;
            at = parent;
        }
        heap[at] = slot;
        position[slot] = at;
        return at != start;
    }

    private void down(int at) {
        int slot = heap[at];
        while (true) {
            int child = 2 * at + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && order.compare(heap[child + 1], heap[child]) < 0) {
                child++;
            }
            if (order.compare(heap[child], slot) >= 0) {
                break;
            }
            heap[at] = heap[child];
            position[heap[at]] = at;
            at = child;
        }
        heap[at] = slot;
        position[slot] = at;
    }
}
