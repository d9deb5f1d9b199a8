/**
 * The `data.changed` event's entity name that says a change may have taken out of the signed-in person's reach
 * something the renderer showed: records removed from this PC's store (an eviction out of the store window, a
 * deletion pulled; session 8, sec8) or withheld from the role (a thread moved to another pool, bodies newly
 * withheld, a pool made clinical, a role changed; session 9, s9sec: src-main/store/reach-changes.ts). A list or a
 * search answer from before such a change may hold them, so it is dropped, never shown (src-renderer/src/state);
 * one from before any other change (a new message, a priority changed) is shown while it is read again.
 */
export const OUT_OF_REACH = 'out-of-reach';
