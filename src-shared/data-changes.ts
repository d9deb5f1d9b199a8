/**
 * Session 8, sec8 (review 8, suspicion 1): the `data.changed` event's entity name that says records the renderer
 * may be showing were removed from this PC's store (an eviction out of the store window, a deletion pulled): a
 * list kept from before the change may hold them, so it is dropped, not shown stale (src-renderer/src/state).
 */
export const RECORDS_REMOVED = 'removed';
