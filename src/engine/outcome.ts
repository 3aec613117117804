/** The words a run's results are told in: shared by the rules that decide them and the ledger that records them. */

/** What became of one ID, in the end. */
export type Outcome = 'deleted' | 'missing' | 'failed'

/** What became of one ID. */
export interface IdResult {
  id: string
  outcome: Outcome
  /** Status of the last answer, or null when none came. */
  httpStatus: number | null
  /** Why it was not deleted, or how a deletion was inferred; null for a plain deletion. */
  reason: string | null
  attempts: number
  /** From the first attempt's start to the final answer. */
  ms: number
}

/** Said of an ID that a request named but whose deletion no answer confirmed or ruled out. */
export const OUTCOME_UNKNOWN = 'its outcome is unknown, it may have been deleted'
