/**
 * Review 7 U4 (session 7, s7ui): the thread pane's re-read after a data change. The detail is handed out only when
 * it differs from the caller's copy, judged by its stamp (src-shared/thread-stamp.ts) over the detail as the router
 * sends it (ThreadDetail parsed: its times normalized), so the renderer's decoded copy stamps the same.
 */
import { threadStamp } from '../../src-shared/thread-stamp';
import { ThreadDetail } from '../../src-shared/views';

/**
 * `detail` (a fresh `InboxService.get`) if its stamp differs from `stamp` (the caller's copy), else null: the
 * caller's copy is current and nothing is read out. Errors: ZodError if `detail` breaks the ThreadDetail schema
 * (the router's output check would refuse it anyway).
 */
export async function changedDetail(detail: ThreadDetail, stamp: string): Promise<ThreadDetail | null> {
  return (await threadStamp(ThreadDetail.parse(detail))) === stamp ? null : detail;
}
